//! Routing questions to members who said they are open to them.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::jobs::{self, JobError, JobRun, NewJob};
use alumni_core::moderation::ModerationState;
use alumni_core::{AppError, AppResult, MemberId, Role, Viewer};
use alumni_membership::model::TagId;
use alumni_notify::{MailContent, Notice};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::questions::question_link;
use super::{KnowledgeService, participant};
use crate::model::{Availability, AvailabilityRecord, QuestionId, QuestionRecord};
use crate::notices::{QUESTION_ESCALATED, QUESTION_ROUTED};
use crate::schema::knowledge::routing_settings;
use crate::store::{questions, routing};

/// The last step of routing: the question goes to the secretariat.
const ESCALATION: i16 = 3;

/// A step of routing a question: rounds 1 and 2 ask members, step 3
/// hands the question to the secretariat.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct RouteQuestion {
    /// The question.
    pub question: QuestionId,
    /// Which step.
    pub round: i16,
}

/// A member's availability for one of their skills, as they set it.
#[derive(Debug, Clone)]
pub struct AvailabilityInput {
    /// The skill's tag (name or alias).
    pub tag: String,
    /// Open, limited or closed; `None` forgets the choice (not asked).
    pub availability: Option<Availability>,
    /// For `LIMITED`: the most requests open at once (1–20).
    pub max_open_requests: Option<i32>,
}

/// The job that asks experts about a question (payload: the question and
/// the round).
pub const ROUTE_QUESTION: &str = "knowledge.route_question";

/// How widely questions are routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = routing_settings, check_for_backend(diesel::pg::Pg))]
pub struct RoutingSettings {
    /// Members asked when a question is posted.
    pub first_round: i32,
    /// Members asked, besides the first, when it is still unanswered.
    pub second_round: i32,
    /// Hours without an answer before the second round, and again before
    /// the question is shown to the secretariat.
    pub escalate_after_hours: i32,
}

/// A change of the routing settings (absent fields stay).
#[derive(Debug, Clone, Default)]
pub struct RoutingSettingsInput {
    /// Members asked when a question is posted (1–20).
    pub first_round: Option<i32>,
    /// Members asked in the second round (1–50).
    pub second_round: Option<i32>,
    /// Hours before the second round and the secretariat (1–720).
    pub escalate_after_hours: Option<i32>,
}

impl KnowledgeService {
    /// The routing settings (the secretariat).
    pub async fn routing_settings(&self, viewer: &Viewer) -> AppResult<RoutingSettings> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        Ok(routing_settings::table
            .select(RoutingSettings::as_select())
            .first(&mut conn)
            .await?)
    }

    /// Changes how widely questions are routed (the secretariat); applies
    /// to rounds that run from now on. Recorded in the audit log.
    pub async fn update_routing_settings(
        &self,
        viewer: &Viewer,
        input: RoutingSettingsInput,
    ) -> AppResult<RoutingSettings> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        for (field, value, max) in [
            ("input.firstRound", input.first_round, 20),
            ("input.secondRound", input.second_round, 50),
            ("input.escalateAfterHours", input.escalate_after_hours, 720),
        ] {
            if value.is_some_and(|value| !(1..=max).contains(&value)) {
                return Err(AppError::bad_input(
                    field,
                    format!("must be between 1 and {max}"),
                ));
            }
        }
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let settings = diesel::update(routing_settings::table)
            .set((
                input
                    .first_round
                    .map(|value| routing_settings::first_round.eq(value)),
                input
                    .second_round
                    .map(|value| routing_settings::second_round.eq(value)),
                input
                    .escalate_after_hours
                    .map(|value| routing_settings::escalate_after_hours.eq(value)),
                routing_settings::updated_at.eq(now),
            ))
            .returning(RoutingSettings::as_returning())
            .get_result(&mut conn)
            .await?;
        audit::record(
            &mut conn,
            now,
            AuditEntry::new("knowledge.routing_settings_updated")
                .by(actor)
                .details(serde_json::json!({
                    "firstRound": settings.first_round,
                    "secondRound": settings.second_round,
                    "escalateAfterHours": settings.escalate_after_hours,
                })),
        )
        .await?;
        Ok(settings)
    }
}

async fn settings_in(conn: &mut AsyncPgConnection) -> AppResult<RoutingSettings> {
    Ok(routing_settings::table
        .select(RoutingSettings::as_select())
        .first(conn)
        .await?)
}

impl KnowledgeService {
    /// Runs one step of routing a question (the `knowledge.route_question`
    /// job). Idempotent: a step already done, a question answered, closed
    /// as a duplicate, hidden or deleted ends quietly; a held question
    /// waits for its review (the job retries).
    pub async fn route_question(&self, run: JobRun) -> Result<(), JobError> {
        let step: RouteQuestion = run.payload()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let held = conn
            .transaction(async |conn| {
                let Some(question) = questions::lock(conn, step.question).await? else {
                    return Ok(false);
                };
                if question.moderation == ModerationState::Held {
                    return Ok(true);
                }
                let settled = question.moderation != ModerationState::Visible
                    || question.answer_count > 0
                    || question.duplicate_of_id.is_some();
                if settled || question.routing_round != step.round - 1 {
                    return Ok(false);
                }
                if step.round == ESCALATION {
                    self.escalate_in(conn, &question, now).await?;
                } else {
                    self.ask_experts_in(conn, &question, step.round, now)
                        .await?;
                }
                Ok::<_, AppError>(false)
            })
            .await?;
        if held {
            return Err(JobError::retry("the question is held for review"));
        }
        Ok(())
    }

    async fn ask_experts_in(
        &self,
        conn: &mut AsyncPgConnection,
        question: &QuestionRecord,
        round: i16,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let settings = settings_in(conn).await?;
        let wanted = if round == 1 {
            settings.first_round
        } else {
            settings.second_round
        };
        let asked = routing::candidates(
            conn,
            question.id,
            question.author_id,
            i64::from(wanted),
            now,
        )
        .await?;
        routing::record(conn, question.id, &asked, round, now).await?;
        questions::set_routing_round(conn, question.id, round).await?;
        let notices = asked
            .iter()
            .map(|member| {
                Notice::new(&QUESTION_ROUTED, *member, question.id)
                    .payload(json!({ "questionId": question.id, "round": round }))
                    .mail(MailContent {
                        subject: format!(
                            "あなたの知見が役立つかもしれない質問: {}",
                            question.title
                        ),
                        paragraphs: vec![
                            format!("「{}」という質問が届いています。", question.title),
                            "スキルの設定で「質問を受け付ける」にしている方にお送りしています。\
                             答えられそうなときだけで構いません。"
                                .to_owned(),
                        ],
                        link: Some(question_link(question.id)),
                    })
            })
            .collect();
        self.notify.notify_in(conn, now, notices).await?;
        let next = round + 1;
        jobs::enqueue(
            conn,
            now,
            NewJob::new(
                super::ROUTE_QUESTION,
                RouteQuestion {
                    question: question.id,
                    round: next,
                },
            )
            .key(format!("{}:{next}", question.id.0))
            .run_at(now + Duration::hours(i64::from(settings.escalate_after_hours))),
        )
        .await?;
        Ok(())
    }

    async fn escalate_in(
        &self,
        conn: &mut AsyncPgConnection,
        question: &QuestionRecord,
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        questions::escalate(conn, question.id, now).await?;
        questions::set_routing_round(conn, question.id, ESCALATION - 1).await?;
        let notices = routing::secretariat(conn)
            .await?
            .into_iter()
            .map(|member| {
                Notice::new(&QUESTION_ESCALATED, member, question.id)
                    .payload(json!({ "questionId": question.id }))
                    .mail(MailContent {
                        subject: format!("回答のない質問があります: {}", question.title),
                        paragraphs: vec![format!(
                            "「{}」は二度の案内のあとも回答がありません。詳しい方への声かけをご検討ください。",
                            question.title
                        )],
                        link: Some(question_link(question.id)),
                    })
            })
            .collect();
        self.notify.notify_in(conn, now, notices).await?;
        audit::record(
            conn,
            now,
            AuditEntry::new("knowledge.question_escalated").on(question.id),
        )
        .await
    }

    /// Says whether the viewer is open to questions on one of their
    /// skills. The tag must be one of their profile's skills
    /// (`BAD_USER_INPUT` otherwise); `LIMITED` needs a maximum of open
    /// requests (1–20), which other choices must not carry.
    pub async fn set_availability(
        &self,
        viewer: &Viewer,
        input: AvailabilityInput,
    ) -> AppResult<Option<AvailabilityRecord>> {
        let member = participant(viewer)?.member_id;
        let limited = input.availability == Some(Availability::Limited);
        match input.max_open_requests {
            Some(max) if !limited => {
                return Err(AppError::bad_input(
                    "input.maxOpenRequests",
                    format!("only a LIMITED availability has a maximum (got {max})"),
                ));
            }
            Some(max) if !(1..=20).contains(&max) => {
                return Err(AppError::bad_input(
                    "input.maxOpenRequests",
                    "must be between 1 and 20",
                ));
            }
            None if limited => {
                return Err(AppError::bad_input(
                    "input.maxOpenRequests",
                    "a LIMITED availability needs a maximum of open requests",
                ));
            }
            _ => {}
        }
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let tag = crate::store::tags::resolve(&mut conn, &input.tag).await?;
        let Some(tag) = tag else {
            return Err(AppError::bad_input(
                "input.tag",
                "not one of your skills; add it to your profile first",
            ));
        };
        if !routing::holds_skill(&mut conn, member, tag).await? {
            return Err(AppError::bad_input(
                "input.tag",
                "not one of your skills; add it to your profile first",
            ));
        }
        let Some(availability) = input.availability else {
            routing::clear_availability(&mut conn, member, tag).await?;
            return Ok(None);
        };
        let record = AvailabilityRecord {
            member_id: member,
            tag_id: tag,
            availability,
            max_open_requests: input.max_open_requests,
            updated_at: now,
        };
        routing::set_availability(&mut conn, &record).await?;
        Ok(Some(record))
    }

    /// The viewer's availability per skill, and how many requests they
    /// have open.
    pub async fn my_availability(
        &self,
        viewer: &Viewer,
    ) -> AppResult<(Vec<AvailabilityRecord>, i64)> {
        let member = participant(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let records = routing::availability_of(&mut conn, &[member], None).await?;
        let open = routing::open_requests(&mut conn, &[member], now)
            .await?
            .into_iter()
            .map(|(_, open)| open)
            .sum();
        Ok((records, open))
    }

    /// Availability of members for tags, with their open requests (for the
    /// experts list).
    pub(crate) async fn availability_in(
        &self,
        conn: &mut AsyncPgConnection,
        members: &[MemberId],
        tags: &[TagId],
    ) -> AppResult<(Vec<AvailabilityRecord>, Vec<(MemberId, i64)>)> {
        let records = routing::availability_of(conn, members, Some(tags)).await?;
        let open = routing::open_requests(conn, members, self.ctx.now()).await?;
        Ok((records, open))
    }
}
