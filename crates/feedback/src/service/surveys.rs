//! Surveys: the secretariat prepares, opens and closes them and publishes
//! their results; members see the open surveys they are asked to answer.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::pagination::PageRequest;
use alumni_core::suppression::LOWEST_MIN_GROUP;
use alumni_core::{AppError, AppResult, Identity, MemberId, Role, Viewer};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;

use super::{FeedbackService, bounded, refused, secretariat};
use crate::model::{
    QuestionRecord, SurveyAudience, SurveyId, SurveyQuestionId, SurveyQuestionKind, SurveyRecord,
    SurveyState,
};
use crate::store::surveys::{self as store, SurveyChanges, SurveyKey, SurveyQuery, Visibility};

/// Questions one survey may hold.
pub const MAX_QUESTIONS: usize = 50;

/// Options one choice question may offer.
pub const MAX_OPTIONS: usize = 20;

/// The largest smallest group one may ask for.
pub const HIGHEST_MIN_GROUP: i32 = 1000;

/// A survey's details, as the secretariat writes them.
#[derive(Debug, Clone)]
pub struct SurveyInput {
    /// Its title.
    pub title: String,
    /// What it is about.
    pub description: String,
    /// Who is asked.
    pub audience: SurveyAudience,
    /// When it closes.
    pub closes_at: DateTime<Utc>,
    /// The fewest responses a group must have for its figures to be shown.
    pub min_group: i32,
    /// The fewest responses a group must have for its free texts to be
    /// shown.
    pub min_text_group: i32,
}

/// A question, as the secretariat writes it.
#[derive(Debug, Clone)]
pub struct QuestionInput {
    /// What kind of answer it takes.
    pub kind: SurveyQuestionKind,
    /// What it asks.
    pub prompt: String,
    /// Whether a response must answer it.
    pub required: bool,
    /// The options of a choice question (none for the others).
    pub options: Vec<String>,
}

impl FeedbackService {
    /// What `viewer` may see of surveys at `now`: the secretariat and
    /// analysts every survey; members those for their audiences while open
    /// and, once the secretariat published the results, after closing.
    pub(crate) fn survey_visibility(&self, viewer: &Viewer) -> AppResult<Visibility> {
        let identity = viewer.identity()?;
        Ok(Visibility {
            all: reads_every_survey(identity),
            audiences: SurveyAudience::admitted(identity.roles),
            now: self.ctx.now(),
        })
    }

    /// Surveys by id, as the viewer may see them.
    pub async fn surveys_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[SurveyId],
    ) -> AppResult<Vec<SurveyRecord>> {
        let visibility = self.survey_visibility(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::by_ids(&mut conn, &visibility, ids).await?)
    }

    /// A page of the surveys the viewer may see, newest first; only open
    /// ones (`open: Some(true)`) or only the others (`Some(false)`).
    pub async fn surveys(
        &self,
        viewer: &Viewer,
        open: Option<bool>,
        page: &PageRequest<SurveyKey>,
    ) -> AppResult<Vec<SurveyRecord>> {
        let query = SurveyQuery {
            visibility: self.survey_visibility(viewer)?,
            open,
        };
        let mut conn = self.ctx.conn().await?;
        Ok(store::page(&mut conn, &query, page).await?)
    }

    /// How many surveys [`surveys`](Self::surveys) lists (capped).
    pub async fn count_surveys(&self, viewer: &Viewer, open: Option<bool>) -> AppResult<i64> {
        let query = SurveyQuery {
            visibility: self.survey_visibility(viewer)?,
            open,
        };
        let mut conn = self.ctx.conn().await?;
        Ok(store::count(&mut conn, &query).await?)
    }

    /// The questions of the surveys the viewer may see, in order.
    pub async fn survey_questions(
        &self,
        viewer: &Viewer,
        surveys: &[SurveyId],
    ) -> AppResult<Vec<QuestionRecord>> {
        let visibility = self.survey_visibility(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::questions_of(&mut conn, &visibility, surveys).await?)
    }

    /// Questions by id, of surveys the viewer may see.
    pub async fn survey_questions_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[SurveyQuestionId],
    ) -> AppResult<Vec<QuestionRecord>> {
        let visibility = self.survey_visibility(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::questions_by_ids(&mut conn, &visibility, ids).await?)
    }

    /// Which of `surveys` the viewer answered.
    pub async fn answered_surveys(
        &self,
        viewer: &Viewer,
        surveys: &[SurveyId],
    ) -> AppResult<Vec<SurveyId>> {
        let member = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(store::answered_by(&mut conn, member, surveys).await?)
    }

    /// How many responses each survey has: the secretariat and analysts.
    pub async fn survey_response_counts(
        &self,
        viewer: &Viewer,
        surveys: &[SurveyId],
    ) -> AppResult<Vec<(SurveyId, i64)>> {
        super::reads_aggregates(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::response_counts(&mut conn, surveys).await?)
    }

    /// Creates a draft survey. The secretariat.
    pub async fn create_survey(
        &self,
        viewer: &Viewer,
        input: SurveyInput,
    ) -> AppResult<SurveyRecord> {
        let actor = secretariat(viewer)?.member_id;
        let now = self.ctx.now();
        let changes = survey_changes(input, now, None)?;
        let survey = SurveyRecord {
            id: SurveyId::new(),
            title: changes.title,
            description: changes.description,
            audience: changes.audience,
            opens_at: None,
            closes_at: changes.closes_at,
            min_group: changes.min_group,
            min_text_group: changes.min_text_group,
            results_published: false,
            created_by: Some(actor),
            created_at: now,
            updated_at: now,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::insert(conn, &survey).await?;
            record(conn, now, "feedback.survey_created", actor, survey.id, None).await
        })
        .await?;
        Ok(survey)
    }

    /// Changes a survey's details before it opens. The secretariat.
    pub async fn update_survey(
        &self,
        viewer: &Viewer,
        id: SurveyId,
        input: SurveyInput,
    ) -> AppResult<SurveyRecord> {
        let actor = secretariat(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let survey = locked(conn, id).await?;
            if !matches!(
                survey.state(now),
                SurveyState::Draft | SurveyState::Scheduled
            ) {
                return Err(refused(
                    "the survey has opened; its details no longer change",
                    "ALREADY_OPENED",
                ));
            }
            let changes = survey_changes(input.clone(), now, survey.opens_at)?;
            let survey = store::update(conn, id, &changes).await?;
            record(conn, now, "feedback.survey_updated", actor, id, None).await?;
            Ok(survey)
        })
        .await
    }

    /// Adds a question at the end of a survey, before its first response.
    /// The secretariat.
    pub async fn add_survey_question(
        &self,
        viewer: &Viewer,
        survey: SurveyId,
        input: QuestionInput,
    ) -> AppResult<QuestionRecord> {
        let actor = secretariat(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let found = locked(conn, survey).await?;
            questions_may_change(conn, &found, now).await?;
            if store::questions_of_survey(conn, survey).await?.len() >= MAX_QUESTIONS {
                return Err(refused(
                    "the survey has as many questions as it may have",
                    "TOO_MANY_QUESTIONS",
                ));
            }
            let question = question_record(
                SurveyQuestionId::new(),
                survey,
                store::next_position(conn, survey).await?,
                input.clone(),
            )?;
            store::insert_question(conn, &question).await?;
            store::touch(conn, survey, now).await?;
            record(
                conn,
                now,
                "feedback.survey_question_added",
                actor,
                survey,
                Some(json!({ "question": question.id.0 })),
            )
            .await?;
            Ok(question)
        })
        .await
    }

    /// Changes a question before its survey's first response. The
    /// secretariat.
    pub async fn update_survey_question(
        &self,
        viewer: &Viewer,
        id: SurveyQuestionId,
        input: QuestionInput,
    ) -> AppResult<QuestionRecord> {
        let actor = secretariat(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = question_in(conn, id).await?;
            let survey = locked(conn, current.survey_id).await?;
            questions_may_change(conn, &survey, now).await?;
            let question = question_record(id, survey.id, current.position, input.clone())?;
            store::update_question(conn, &question).await?;
            store::touch(conn, survey.id, now).await?;
            record(
                conn,
                now,
                "feedback.survey_question_updated",
                actor,
                survey.id,
                Some(json!({ "question": id.0 })),
            )
            .await?;
            Ok(question)
        })
        .await
    }

    /// Removes a question before its survey's first response; an opened
    /// survey keeps at least one. The secretariat.
    pub async fn remove_survey_question(
        &self,
        viewer: &Viewer,
        id: SurveyQuestionId,
    ) -> AppResult<SurveyRecord> {
        let actor = secretariat(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = question_in(conn, id).await?;
            let survey = locked(conn, current.survey_id).await?;
            questions_may_change(conn, &survey, now).await?;
            if survey.opens_at.is_some()
                && store::questions_of_survey(conn, survey.id).await?.len() <= 1
            {
                return Err(refused(
                    "an opened survey keeps at least one question",
                    "NO_QUESTIONS",
                ));
            }
            store::delete_question(conn, id).await?;
            store::touch(conn, survey.id, now).await?;
            record(
                conn,
                now,
                "feedback.survey_question_removed",
                actor,
                survey.id,
                Some(json!({ "question": id.0 })),
            )
            .await?;
            Ok(survey)
        })
        .await
    }

    /// Opens a draft survey now, or schedules it to open at `opens_at`.
    /// The secretariat.
    pub async fn open_survey(
        &self,
        viewer: &Viewer,
        id: SurveyId,
        opens_at: Option<DateTime<Utc>>,
    ) -> AppResult<SurveyRecord> {
        let actor = secretariat(viewer)?.member_id;
        let now = self.ctx.now();
        let opens_at = opens_at.unwrap_or(now);
        if opens_at < now {
            return Err(AppError::bad_input("opensAt", "must not be in the past"));
        }
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let survey = locked(conn, id).await?;
            if survey.state(now) != SurveyState::Draft {
                return Err(refused("the survey is not a draft", "NOT_DRAFT"));
            }
            if survey.closes_at <= opens_at {
                return Err(AppError::bad_input(
                    "opensAt",
                    "must be before the survey closes (closesAt)",
                ));
            }
            if store::questions_of_survey(conn, id).await?.is_empty() {
                return Err(refused(
                    "add a question before opening the survey",
                    "NO_QUESTIONS",
                ));
            }
            let survey = store::set_schedule(conn, id, opens_at, survey.closes_at, now).await?;
            record(
                conn,
                now,
                "feedback.survey_opened",
                actor,
                id,
                Some(json!({ "opensAt": opens_at })),
            )
            .await?;
            Ok(survey)
        })
        .await
    }

    /// Closes an open survey now. The secretariat.
    pub async fn close_survey(&self, viewer: &Viewer, id: SurveyId) -> AppResult<SurveyRecord> {
        let actor = secretariat(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let survey = locked(conn, id).await?;
            let (SurveyState::Open, Some(opens_at)) = (survey.state(now), survey.opens_at) else {
                return Err(refused("the survey is not open", "NOT_OPEN"));
            };
            let survey = store::set_schedule(conn, id, opens_at, now, now).await?;
            record(conn, now, "feedback.survey_closed", actor, id, None).await?;
            Ok(survey)
        })
        .await
    }

    /// Lets the audience of a closed survey read its results, or takes
    /// them back. The secretariat.
    pub async fn publish_survey_results(
        &self,
        viewer: &Viewer,
        id: SurveyId,
        published: bool,
    ) -> AppResult<SurveyRecord> {
        let actor = secretariat(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let survey = locked(conn, id).await?;
            if survey.state(now) != SurveyState::Closed {
                return Err(refused(
                    "results are published once the survey has closed",
                    "NOT_CLOSED",
                ));
            }
            let survey = store::set_published(conn, id, published, now).await?;
            record(
                conn,
                now,
                "feedback.survey_results_published",
                actor,
                id,
                Some(json!({ "published": published })),
            )
            .await?;
            Ok(survey)
        })
        .await
    }
}

/// The secretariat and analysts see every survey.
pub(crate) fn reads_every_survey(identity: &Identity) -> bool {
    identity.roles.contains(Role::Secretariat) || identity.roles.contains(Role::Analyst)
}

async fn locked(conn: &mut AsyncPgConnection, id: SurveyId) -> AppResult<SurveyRecord> {
    store::lock(conn, id, true)
        .await?
        .ok_or(AppError::NotFound { entity: "Survey" })
}

async fn question_in(
    conn: &mut AsyncPgConnection,
    id: SurveyQuestionId,
) -> AppResult<QuestionRecord> {
    store::question(conn, id).await?.ok_or(AppError::NotFound {
        entity: "SurveyQuestion",
    })
}

/// Questions change only before the first response (an index into a
/// question's options must keep its meaning) and never after closing.
async fn questions_may_change(
    conn: &mut AsyncPgConnection,
    survey: &SurveyRecord,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if survey.state(now) == SurveyState::Closed {
        return Err(refused("the survey has closed", "SURVEY_CLOSED"));
    }
    if store::has_responses(conn, survey.id).await? {
        return Err(refused(
            "the survey has responses; its questions no longer change",
            "HAS_RESPONSES",
        ));
    }
    Ok(())
}

async fn record(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    action: &'static str,
    actor: MemberId,
    survey: SurveyId,
    details: Option<serde_json::Value>,
) -> AppResult<()> {
    let entry = AuditEntry::new(action).by(actor).on(survey);
    let entry = match details {
        Some(details) => entry.details(details),
        None => entry,
    };
    audit::record(conn, now, entry).await
}

/// Checks a survey's details: `closesAt` after now (and after its opening,
/// when scheduled), each smallest group at least [`LOWEST_MIN_GROUP`], the
/// one for free texts no smaller than the other.
fn survey_changes(
    input: SurveyInput,
    now: DateTime<Utc>,
    opens_at: Option<DateTime<Utc>>,
) -> AppResult<SurveyChanges> {
    let title = bounded(&input.title, "input.title", 1, 200)?;
    let description = bounded(&input.description, "input.description", 0, 5000)?;
    if input.closes_at <= opens_at.map_or(now, |opens_at| opens_at.max(now)) {
        return Err(AppError::bad_input(
            "input.closesAt",
            "must be in the future, after the survey opens",
        ));
    }
    let lowest = i32::try_from(LOWEST_MIN_GROUP).unwrap_or(i32::MAX);
    for (field, value) in [
        ("input.minGroup", input.min_group),
        ("input.minTextGroup", input.min_text_group),
    ] {
        if !(lowest..=HIGHEST_MIN_GROUP).contains(&value) {
            return Err(AppError::bad_input(
                field,
                format!("must be between {lowest} and {HIGHEST_MIN_GROUP}"),
            ));
        }
    }
    if input.min_text_group < input.min_group {
        return Err(AppError::bad_input(
            "input.minTextGroup",
            "must be at least minGroup: a text identifies more easily than a figure",
        ));
    }
    Ok(SurveyChanges {
        title,
        description,
        audience: input.audience,
        closes_at: input.closes_at,
        min_group: input.min_group,
        min_text_group: input.min_text_group,
        updated_at: now,
    })
}

/// Checks a question: a prompt of 1–500 characters; 2–20 distinct options
/// of 1–200 characters for a choice question, none for the others.
fn question_record(
    id: SurveyQuestionId,
    survey: SurveyId,
    position: i32,
    input: QuestionInput,
) -> AppResult<QuestionRecord> {
    let prompt = bounded(&input.prompt, "input.prompt", 1, 500)?;
    let options = input
        .options
        .iter()
        .map(|option| bounded(option, "input.options", 1, 200))
        .collect::<AppResult<Vec<_>>>()?;
    if input.kind.has_options() {
        if !(2..=MAX_OPTIONS).contains(&options.len()) {
            return Err(AppError::bad_input(
                "input.options",
                format!("a choice question offers between 2 and {MAX_OPTIONS} options"),
            ));
        }
        let mut distinct = options.clone();
        distinct.sort();
        distinct.dedup();
        if distinct.len() != options.len() {
            return Err(AppError::bad_input(
                "input.options",
                "each option is offered once",
            ));
        }
    } else if !options.is_empty() {
        return Err(AppError::bad_input(
            "input.options",
            "only choice questions offer options",
        ));
    }
    Ok(QuestionRecord {
        id,
        survey_id: survey,
        position,
        kind: input.kind,
        prompt,
        required: input.required,
        options,
    })
}
