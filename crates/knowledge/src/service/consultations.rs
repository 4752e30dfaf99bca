//! Consultations: a member asks an expert for advice; the expert accepts
//! or declines, and only an acceptance shows the requester how to reach
//! them, as far as the expert allows.

use std::collections::HashMap;

use alumni_core::moderation::{self, ModerationState, ScreenRequest, Screening, TextAudience};
use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::{AppError, AppResult, MemberId, NodeId as _, Viewer};
use alumni_membership::model::{ProfileLink, TagId, TagRecord};
use alumni_notify::{MailContent, Notice};
use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;
use uuid::Uuid;

use super::{KnowledgeService, bounded, participant};
use crate::model::{ConsultationId, ConsultationRecord, ConsultationState, ExpertSettingsRecord};
use crate::notices::{CONSULTATION_ANSWERED, CONSULTATION_EXPIRED, CONSULTATION_REQUESTED};
use crate::store::consultations::{self as store, ListFilter};

/// The node type of consultations, as the review queue names them.
pub const CONSULTATION_NODE: &str = "Consultation";

/// How long an expert has to answer.
pub const ANSWER_WITHIN_DAYS: i64 = 7;

/// Requests a member may have waiting at once, to all experts together.
pub const MAX_PENDING_REQUESTS: i64 = 5;

/// The most pending requests an expert may choose to take.
pub const MAX_PENDING_LIMIT: i32 = 20;

const MAX_TOPIC_CHARS: usize = 200;
const MAX_MESSAGE_CHARS: usize = 4000;
const MAX_REPLY_CHARS: usize = 2000;

alumni_core::text_enum! {
    /// Which side of a consultation the viewer is on.
    pub enum ConsultationRole {
        /// The viewer asked.
        Requester = "REQUESTER",
        /// The viewer was asked.
        Expert = "EXPERT",
    }
}

alumni_core::text_enum! {
    /// Whether an expert can be asked for a consultation now.
    pub enum ConsultationAvailability {
        /// They take requests and have room for one more.
        Open = "OPEN",
        /// They do not take requests.
        NotAccepting = "NOT_ACCEPTING",
        /// They have as many requests waiting as they chose to take.
        AtCapacity = "AT_CAPACITY",
    }
}

/// A consultation request as the requester writes it.
#[derive(Debug, Clone)]
pub struct ConsultationRequest {
    /// Whom to ask.
    pub expert: MemberId,
    /// What about, in one line (1–200 characters).
    pub topic: String,
    /// The request (1–4,000 characters).
    pub message: String,
    /// Tags, by name (at most five).
    pub tags: Vec<String>,
    /// Whether the requester confirmed the leak guard's warnings.
    pub confirm_warnings: bool,
}

/// A change of an expert's settings (absent fields stay).
#[derive(Debug, Clone, Default)]
pub struct ExpertSettingsInput {
    /// Whether they take requests.
    pub accepts_consultations: Option<bool>,
    /// The most requests pending at once (1–20).
    pub max_pending: Option<i32>,
}

/// An expert's answer to a request.
#[derive(Debug, Clone)]
pub struct ConsultationAnswer {
    /// Accept or decline.
    pub accept: bool,
    /// On accepting: whether the requester sees the expert's address.
    pub share_email: bool,
    /// A note to the requester (at most 2,000 characters).
    pub reply: Option<String>,
    /// Whether the expert confirmed the leak guard's warnings.
    pub confirm_warnings: bool,
}

/// How the requester may reach an expert who accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsultationContact {
    /// The expert's address, if they chose to share it.
    pub email: Option<String>,
    /// The links of their profile, unless they keep them private.
    pub links: Vec<ProfileLink>,
}

/// Whether `viewer` may see `consultation`: its two members (the expert
/// only once it reached them, not while held or after a moderator took it
/// back) and moderators.
pub fn sees_consultation(viewer: &Viewer, consultation: &ConsultationRecord) -> bool {
    viewer.is_member(consultation.requester_id)
        || (viewer.is_member(consultation.expert_id) && consultation.moderation.is_public())
        || moderation::moderates(viewer)
}

impl ExpertSettingsRecord {
    /// Whether these settings leave room for another request when
    /// `pending` are waiting.
    pub fn availability(&self, pending: i64) -> ConsultationAvailability {
        if !self.accepts_consultations {
            ConsultationAvailability::NotAccepting
        } else if pending >= i64::from(self.max_pending) {
            ConsultationAvailability::AtCapacity
        } else {
            ConsultationAvailability::Open
        }
    }
}

fn conflict(message: &str, reason: &'static str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
        reason: Some(reason),
    }
}

/// The optional note of an answer, trimmed; `None` when empty.
fn reply_text(reply: Option<&str>) -> AppResult<Option<String>> {
    let reply = match reply {
        Some(reply) => bounded(reply, "reply", 0, MAX_REPLY_CHARS)?,
        None => return Ok(None),
    };
    Ok((!reply.is_empty()).then_some(reply))
}

impl KnowledgeService {
    /// A short note one member writes to another alongside an action (an
    /// expert's reply, a word of interest in a board post), through the
    /// leak guard. It is kept with what it answers and has no moderation of
    /// its own, so a note the guard would hold for review is refused
    /// (`CONFLICT` reason `NEEDS_REVIEW`) rather than delivered.
    pub(super) async fn screen_note(
        &self,
        author: MemberId,
        subject: (&'static str, Uuid),
        field: &'static str,
        note: &str,
        confirm_warnings: bool,
    ) -> AppResult<Screening> {
        let screening = self
            .ctx
            .screener
            .screen(
                self.ctx.now(),
                ScreenRequest {
                    author,
                    subject_type: subject.0,
                    subject_id: subject.1,
                    audience: TextAudience::Alumni,
                    fields: vec![(field, note)],
                    confirm_warnings,
                },
            )
            .await?;
        if screening.state != ModerationState::Visible {
            return Err(conflict(
                "this note would have to be reviewed by a moderator before anyone reads it; \
                 rephrase it or leave it out",
                "NEEDS_REVIEW",
            ));
        }
        Ok(screening)
    }

    /// The viewer's settings as an expert (the defaults until they chose).
    pub async fn my_expert_settings(&self, viewer: &Viewer) -> AppResult<ExpertSettingsRecord> {
        let member = participant(viewer)?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(store::settings(&mut conn, member)
            .await?
            .unwrap_or_else(|| ExpertSettingsRecord::defaults(member)))
    }

    /// Changes whether the viewer takes consultation requests and how many
    /// may wait at once. Requests already waiting stay.
    pub async fn update_expert_settings(
        &self,
        viewer: &Viewer,
        input: ExpertSettingsInput,
    ) -> AppResult<ExpertSettingsRecord> {
        let member = participant(viewer)?.member_id;
        if input
            .max_pending
            .is_some_and(|max| !(1..=MAX_PENDING_LIMIT).contains(&max))
        {
            return Err(AppError::bad_input(
                "input.maxPending",
                format!("must be between 1 and {MAX_PENDING_LIMIT}"),
            ));
        }
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = store::settings(conn, member)
                .await?
                .unwrap_or_else(|| ExpertSettingsRecord::defaults(member));
            let settings = ExpertSettingsRecord {
                member_id: member,
                accepts_consultations: input
                    .accepts_consultations
                    .unwrap_or(current.accepts_consultations),
                max_pending: input.max_pending.unwrap_or(current.max_pending),
                updated_at: now,
            };
            store::save_settings(conn, &settings).await?;
            Ok(settings)
        })
        .await
    }

    /// Whether `expert` can be asked now. `NOT_FOUND` for a member the
    /// viewer cannot reach (not active).
    pub async fn consultation_availability(
        &self,
        viewer: &Viewer,
        expert: MemberId,
    ) -> AppResult<ConsultationAvailability> {
        participant(viewer)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        if self
            .membership
            .active_contacts_in(&mut conn, &[expert])
            .await?
            .is_empty()
        {
            return Err(AppError::NotFound { entity: "Member" });
        }
        let settings = store::settings(&mut conn, expert)
            .await?
            .unwrap_or_else(|| ExpertSettingsRecord::defaults(expert));
        let pending = store::pending_for_expert(&mut conn, expert, now).await?;
        Ok(settings.availability(pending))
    }

    /// Asks an active member for a consultation. Refused for oneself
    /// (`BAD_USER_INPUT`), for an expert who does not take requests
    /// (`CONFLICT` reason `NOT_ACCEPTING`) or has as many waiting as they
    /// chose (`EXPERT_AT_CAPACITY`), for a second waiting request to the
    /// same expert (`ALREADY_PENDING`), and for a requester with
    /// [`MAX_PENDING_REQUESTS`] waiting (`TOO_MANY_PENDING`). Topic and
    /// message pass the leak guard; a held request reaches the expert only
    /// once a moderator releases it. The expert has seven days to answer.
    pub async fn request_consultation(
        &self,
        viewer: &Viewer,
        request: ConsultationRequest,
    ) -> AppResult<ConsultationRecord> {
        let requester = participant(viewer)?.member_id;
        if request.expert == requester {
            return Err(AppError::bad_input(
                "input.expertId",
                "ask another member, not yourself",
            ));
        }
        let topic = bounded(&request.topic, "input.topic", 1, MAX_TOPIC_CHARS)?;
        let message = bounded(&request.message, "input.message", 1, MAX_MESSAGE_CHARS)?;
        let now = self.ctx.now();
        let id = ConsultationId::new();
        let screening = self
            .ctx
            .screener
            .screen(
                now,
                ScreenRequest {
                    author: requester,
                    subject_type: CONSULTATION_NODE,
                    subject_id: id.0,
                    audience: TextAudience::Alumni,
                    fields: vec![("input.topic", &topic), ("input.message", &message)],
                    confirm_warnings: request.confirm_warnings,
                },
            )
            .await?;
        let consultation = ConsultationRecord {
            id,
            requester_id: requester,
            expert_id: request.expert,
            topic,
            message,
            state: ConsultationState::Pending,
            reply: None,
            share_email: false,
            moderation: screening.state,
            created_at: now,
            expires_at: now + Duration::days(ANSWER_WITHIN_DAYS),
            responded_at: None,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::lock_members(conn, &[requester, request.expert]).await?;
            if self
                .membership
                .active_contacts_in(conn, &[request.expert])
                .await?
                .is_empty()
            {
                return Err(AppError::NotFound { entity: "Member" });
            }
            let settings = store::settings(conn, request.expert)
                .await?
                .unwrap_or_else(|| ExpertSettingsRecord::defaults(request.expert));
            if !settings.accepts_consultations {
                return Err(conflict(
                    "this member does not take consultation requests",
                    "NOT_ACCEPTING",
                ));
            }
            if store::has_pending(conn, requester, request.expert).await? {
                return Err(conflict(
                    "your earlier request to this member is still waiting for an answer",
                    "ALREADY_PENDING",
                ));
            }
            if store::pending_from_requester(conn, requester, now).await? >= MAX_PENDING_REQUESTS {
                return Err(conflict(
                    &format!(
                        "you have {MAX_PENDING_REQUESTS} requests waiting; wait for an answer or withdraw one"
                    ),
                    "TOO_MANY_PENDING",
                ));
            }
            let pending = store::pending_for_expert(conn, request.expert, now).await?;
            if settings.availability(pending) == ConsultationAvailability::AtCapacity {
                return Err(conflict(
                    "this member has as many requests waiting as they take; try again later",
                    "EXPERT_AT_CAPACITY",
                ));
            }
            let tags = self.tags_in(conn, &request.tags, "input.tags", now).await?;
            let tag_ids: Vec<Uuid> = tags.iter().map(|tag| tag.id.0).collect();
            store::insert(conn, &consultation, &tag_ids).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            if consultation.moderation.is_public() {
                self.tell_expert_in(conn, now, &consultation).await?;
            }
            Ok(consultation)
        })
        .await
    }

    async fn tell_expert_in(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
        consultation: &ConsultationRecord,
    ) -> AppResult<()> {
        let notice = Notice::new(
            &CONSULTATION_REQUESTED,
            consultation.expert_id,
            consultation.id,
        )
        .payload(json!({ "consultationId": consultation.id }))
        .mail(MailContent {
            subject: format!("相談の依頼が届きました: {}", consultation.topic),
            paragraphs: vec![format!(
                "会員から「{}」について相談の依頼が届きました。{}日以内に、受けるかどうかをお返事ください。",
                consultation.topic, ANSWER_WITHIN_DAYS
            )],
            link: Some(consultation_link(consultation.id)),
        });
        self.notify.notify_in(conn, now, vec![notice]).await
    }

    /// Accepts or declines a waiting request (its expert only). On
    /// accepting, the expert chooses whether the requester sees their
    /// address; their profile's links follow the profile's own setting.
    /// The reply passes the leak guard. `CONFLICT` reason `NOT_PENDING`
    /// once answered, withdrawn or expired, `EXPIRED` past its time.
    pub async fn answer_consultation(
        &self,
        viewer: &Viewer,
        id: ConsultationId,
        answer: ConsultationAnswer,
    ) -> AppResult<ConsultationRecord> {
        let expert = participant(viewer)?.member_id;
        let reply = reply_text(answer.reply.as_deref())?;
        let screening = match &reply {
            Some(reply) => Some(
                self.screen_note(
                    expert,
                    (CONSULTATION_NODE, id.0),
                    "reply",
                    reply,
                    answer.confirm_warnings,
                )
                .await?,
            ),
            None => None,
        };
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = store::lock(conn, id)
                .await?
                .filter(|found| found.expert_id == expert && found.moderation.is_public())
                .ok_or(AppError::NotFound {
                    entity: "Consultation",
                })?;
            waiting(&current, now)?;
            let (state, share_email) = if answer.accept {
                (ConsultationState::Accepted, answer.share_email)
            } else {
                (ConsultationState::Declined, false)
            };
            let answered =
                store::answer(conn, id, state, reply.as_deref(), share_email, now).await?;
            if let Some(screening) = &screening {
                self.ctx.screener.record_in(conn, now, screening).await?;
            }
            let (subject, paragraph) = if answer.accept {
                (
                    format!("相談を受けてもらえました: {}", answered.topic),
                    "相談の依頼が受け入れられました。連絡先を確認して、相手に連絡してください。",
                )
            } else {
                (
                    format!("相談の依頼への返事: {}", answered.topic),
                    "今回は相談を受けられないとの返事がありました。",
                )
            };
            let notice = Notice::new(&CONSULTATION_ANSWERED, answered.requester_id, id)
                .payload(json!({ "consultationId": id, "accepted": answer.accept }))
                .mail(MailContent {
                    subject,
                    paragraphs: vec![paragraph.to_owned()],
                    link: Some(consultation_link(id)),
                });
            self.notify.notify_in(conn, now, vec![notice]).await?;
            Ok(answered)
        })
        .await
    }

    /// Takes back the viewer's own waiting request.
    pub async fn withdraw_consultation(
        &self,
        viewer: &Viewer,
        id: ConsultationId,
    ) -> AppResult<ConsultationRecord> {
        let requester = participant(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = store::lock(conn, id)
                .await?
                .filter(|found| found.requester_id == requester)
                .ok_or(AppError::NotFound {
                    entity: "Consultation",
                })?;
            waiting(&current, now)?;
            Ok(store::withdraw(conn, id).await?)
        })
        .await
    }

    /// A page of the requests the viewer sent or received, newest first;
    /// an expert never sees what the leak guard held or a moderator took
    /// back.
    pub async fn my_consultations(
        &self,
        viewer: &Viewer,
        role: ConsultationRole,
        state: Option<ConsultationState>,
        page: &PageRequest<Uuid>,
    ) -> AppResult<Vec<ConsultationRecord>> {
        let filter = list_filter(viewer, role, state)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::page(&mut conn, &filter, page).await?)
    }

    /// How many requests [`Self::my_consultations`] lists.
    pub async fn my_consultation_count(
        &self,
        viewer: &Viewer,
        role: ConsultationRole,
        state: Option<ConsultationState>,
    ) -> AppResult<ListSize> {
        let filter = list_filter(viewer, role, state)?;
        let mut conn = self.ctx.conn().await?;
        Ok(ListSize::from_capped_count(
            store::count(&mut conn, &filter).await?,
        ))
    }

    /// Requests among `ids` the viewer may see.
    pub async fn consultations_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[ConsultationId],
    ) -> AppResult<Vec<ConsultationRecord>> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::by_ids(&mut conn, ids)
            .await?
            .into_iter()
            .filter(|consultation| sees_consultation(viewer, consultation))
            .collect())
    }

    /// The tags of requests the viewer may see.
    pub async fn consultation_tags(
        &self,
        viewer: &Viewer,
        ids: &[ConsultationId],
    ) -> AppResult<HashMap<ConsultationId, Vec<TagRecord>>> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let visible: Vec<ConsultationId> = store::by_ids(&mut conn, ids)
            .await?
            .into_iter()
            .filter(|consultation| sees_consultation(viewer, consultation))
            .map(|consultation| consultation.id)
            .collect();
        let pairs = store::tags_of(&mut conn, &visible).await?;
        self.group_tags_in(&mut conn, pairs).await
    }

    /// Tags of several subjects from `(subject, tag id)` pairs, each
    /// subject's in name order.
    pub(super) async fn group_tags_in<K: std::hash::Hash + Eq>(
        &self,
        conn: &mut AsyncPgConnection,
        pairs: Vec<(K, Uuid)>,
    ) -> AppResult<HashMap<K, Vec<TagRecord>>> {
        let ids: Vec<TagId> = pairs.iter().map(|(_, tag)| TagId(*tag)).collect();
        let tags: HashMap<Uuid, TagRecord> = self
            .membership
            .tags_by_ids_in(conn, &ids)
            .await?
            .into_iter()
            .map(|tag| (tag.id.0, tag))
            .collect();
        let mut grouped: HashMap<K, Vec<TagRecord>> = HashMap::new();
        for (subject, tag) in pairs {
            if let Some(tag) = tags.get(&tag) {
                grouped.entry(subject).or_default().push(tag.clone());
            }
        }
        for tags in grouped.values_mut() {
            tags.sort_by(|a, b| a.slug.cmp(&b.slug));
        }
        Ok(grouped)
    }

    /// How the viewer may reach the expert of each accepted request among
    /// `ids`: for its requester (and the expert, who sees what they
    /// shared) only. The address only if the expert chose to share it;
    /// their profile's links unless they keep them private or moderation
    /// withholds them. Absent for anything else: pending, declined,
    /// expired or withdrawn requests, other viewers, moderators included.
    pub async fn consultation_contacts(
        &self,
        viewer: &Viewer,
        ids: &[ConsultationId],
    ) -> AppResult<HashMap<ConsultationId, ConsultationContact>> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let accepted: Vec<ConsultationRecord> = store::by_ids(&mut conn, ids)
            .await?
            .into_iter()
            .filter(|consultation| {
                consultation.state == ConsultationState::Accepted
                    && (viewer.is_member(consultation.requester_id)
                        || viewer.is_member(consultation.expert_id))
                    && sees_consultation(viewer, consultation)
            })
            .collect();
        if accepted.is_empty() {
            return Ok(HashMap::new());
        }
        let experts: Vec<MemberId> = accepted
            .iter()
            .map(|consultation| consultation.expert_id)
            .collect();
        let contacts: HashMap<MemberId, _> = self
            .membership
            .active_contacts_in(&mut conn, &experts)
            .await?
            .into_iter()
            .map(|contact| (contact.member_id, contact))
            .collect();
        Ok(accepted
            .into_iter()
            .filter_map(|consultation| {
                let contact = contacts.get(&consultation.expert_id)?;
                Some((
                    consultation.id,
                    ConsultationContact {
                        email: contact.email.clone().filter(|_| consultation.share_email),
                        links: contact.shareable_links().to_vec(),
                    },
                ))
            })
            .collect())
    }

    /// A held request a moderator released reaches its expert now: it gets
    /// its full time to be answered, and the expert is told. In the review
    /// queue's transaction, before the state changes.
    pub(crate) async fn release_consultation_in(
        &self,
        conn: &mut AsyncPgConnection,
        id: ConsultationId,
    ) -> AppResult<()> {
        let now = self.ctx.now();
        let expires_at = now + Duration::days(ANSWER_WITHIN_DAYS);
        if let Some(released) = store::restart_held(conn, id, expires_at).await? {
            self.tell_expert_in(conn, now, &released).await?;
        }
        Ok(())
    }

    /// Marks waiting requests past their time as expired and tells each
    /// requester. Idempotent.
    pub(crate) async fn expire_consultations_in(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
    ) -> AppResult<usize> {
        let expired = store::expire_due(conn, now).await?;
        let notices = expired
            .iter()
            .map(|consultation| {
                Notice::new(&CONSULTATION_EXPIRED, consultation.requester_id, consultation.id)
                    .payload(json!({ "consultationId": consultation.id }))
                    .mail(MailContent {
                        subject: format!("相談の依頼が期限切れになりました: {}", consultation.topic),
                        paragraphs: vec![format!(
                            "{ANSWER_WITHIN_DAYS}日のあいだに返事がなかったため、相談の依頼は期限切れになりました。別の会員に相談することもできます。"
                        )],
                        link: Some(consultation_link(consultation.id)),
                    })
            })
            .collect();
        self.notify.notify_in(conn, now, notices).await?;
        Ok(expired.len())
    }
}

/// A request can still be answered or withdrawn.
fn waiting(consultation: &ConsultationRecord, now: DateTime<Utc>) -> AppResult<()> {
    if consultation.state != ConsultationState::Pending {
        return Err(conflict(
            &format!("this request is {}", consultation.state),
            "NOT_PENDING",
        ));
    }
    if consultation.expires_at <= now {
        return Err(conflict("this request has expired", "EXPIRED"));
    }
    Ok(())
}

fn list_filter(
    viewer: &Viewer,
    role: ConsultationRole,
    state: Option<ConsultationState>,
) -> AppResult<ListFilter> {
    Ok(ListFilter {
        member: participant(viewer)?.member_id,
        sent: role == ConsultationRole::Requester,
        state,
    })
}

fn consultation_link(id: ConsultationId) -> (String, String) {
    (
        "相談を開く".to_owned(),
        format!("/consultations/{}", id.to_global().as_str()),
    )
}
