//! Notifications in GraphQL. A notification links to its subject in any
//! domain and carries a payload typed by its kind, so its object, the
//! viewer's list and the live subscription are stitched here, where every
//! domain's types meet. A domain that adds a kind of notification adds its
//! payload type to [`NotificationPayload`] and its kinds to [`payload_of`].

use alumni_core::graphql::{data, selects_in_items, viewer};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, GlobalId, NodeId};
use alumni_events::graphql::{
    Event, Registration, load_event, load_registration, prefetch_events_and_registrations,
};
use alumni_events::model::RegistrationId;
use alumni_events::{EventId, notices as event_notices};
use alumni_membership::graphql::{Application, load_application};
use alumni_membership::model::ApplicationId;
use alumni_notify::graphql::{NotificationPreference, digest_frequency, preferences};
use alumni_notify::membership as application_notices;
use alumni_notify::{DigestFrequency, NotificationId, NotificationRecord, NotifyService};
use async_graphql::{Context, ID, Object, Result, Subscription, Union};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt as _};
use serde::Deserialize;

use alumni_content::graphql::{NewsletterIssue, load_issue};
use alumni_content::model::IssueId;
use alumni_feedback::graphql::{
    FeedbackItem, Proposal, ProposalUpdate, load_feedback_item, load_proposal, load_proposal_update,
};
use alumni_feedback::model::{FeedbackItemId, ProposalId, ProposalResponse, ProposalUpdateId};
use alumni_feedback::notices as feedback_notices;
use alumni_knowledge::graphql::{
    Answer, BoardPost, Consultation, Question, load_answer, load_board_post, load_consultation,
    load_question,
};
use alumni_knowledge::model::{AnswerId, BoardPostId, ConsultationId, QuestionId};
use alumni_knowledge::notices as knowledge_notices;
use alumni_trust::model::{CaseId, Resolution};

use crate::api::resolve_node;
use crate::domains::Node;
use crate::moderation::{ModerationCase, load_case};

/// The viewer's notifications, for `me`.
#[derive(Default)]
pub struct NotificationsViewer;

/// The viewer's notifications.
#[Object]
impl NotificationsViewer {
    /// The viewer's notifications, newest first.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only those not yet read.")] unread_only: Option<bool>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Notification>> {
        let service = data::<NotifyService>(ctx)?.clone();
        let viewer = viewer(ctx)?.clone();
        let unread_only = unread_only.unwrap_or(false);
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.notifications(&viewer, unread_only, &page).await?;
        if selects_in_items(ctx, &["subject"]) || selects_in_items(ctx, &["payload"]) {
            prefetch_linked(ctx, &rows).await?;
        }
        let total_count =
            TotalCount::lazy(
                async move { service.count_notifications(&viewer, unread_only).await },
            );
        Ok(page.into_connection(
            rows,
            NotificationRecord::page_key,
            Notification,
            total_count,
        ))
    }

    /// How many of the viewer's notifications are unread (at most 10,000).
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> Result<i32> {
        let unread = data::<NotifyService>(ctx)?
            .count_notifications(viewer(ctx)?, true)
            .await?;
        Ok(i32::try_from(unread.count).unwrap_or(i32::MAX))
    }

    /// How the viewer hears of each kind of notification.
    async fn notification_preferences(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<NotificationPreference>> {
        preferences(ctx).await
    }

    /// How often the viewer gets the activity digest by mail (weekly by
    /// default; sent only with the newsletter consent, and only when
    /// something is new since their last visit).
    async fn digest_frequency(&self, ctx: &Context<'_>) -> Result<DigestFrequency> {
        digest_frequency(ctx).await
    }
}

/// Loads what a page of notifications links to, one batch per type.
async fn prefetch_linked(ctx: &Context<'_>, rows: &[NotificationRecord]) -> Result<(), AppError> {
    let mut events = Vec::new();
    let mut registrations = Vec::new();
    for row in rows {
        match (row.subject_type.as_deref(), row.subject_id) {
            (Some(EventId::NODE_TYPE), Some(id)) => events.push(EventId(id)),
            (Some(RegistrationId::NODE_TYPE), Some(id)) => registrations.push(RegistrationId(id)),
            _ => {}
        }
        match payload_of(&row.kind, &row.payload) {
            Some(NotificationPayload::Seat(seat)) => {
                events.push(seat.ids.event_id);
                registrations.push(seat.ids.registration_id);
            }
            Some(NotificationPayload::EventChange(change)) => events.push(change.event_id),
            _ => {}
        }
    }
    prefetch_events_and_registrations(ctx, events, registrations).await
}

/// A notification of the viewer's by id; `NOT_FOUND` for anyone else's.
pub async fn load_notification(
    ctx: &Context<'_>,
    id: NotificationId,
) -> Result<Notification, AppError> {
    data::<NotifyService>(ctx)?
        .notifications_by_ids(viewer(ctx)?, &[id])
        .await?
        .pop()
        .map(Notification)
        .ok_or(AppError::NotFound {
            entity: "Notification",
        })
}

/// Something the network told the viewer.
pub struct Notification(NotificationRecord);

/// Something the network told the viewer.
#[Object]
impl Notification {
    /// Opaque global id; resolves through `node(id:)` for its member only.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Its kind, e.g. `events.registration_confirmed` (as
    /// `notificationPreferences` lists them).
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the viewer read it; `null` while unread.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }

    /// What it is about, as the viewer may see it now; `null` when that
    /// is gone or hidden from them.
    async fn subject(&self, ctx: &Context<'_>) -> Result<Option<Node>> {
        let (Some(node_type), Some(uuid)) = (&self.0.subject_type, self.0.subject_id) else {
            return Ok(None);
        };
        let global = GlobalId {
            node_type: node_type.clone(),
            uuid,
        };
        visible(resolve_node(ctx, global).await)
    }

    /// The particulars of its kind; `null` for a kind this server does not
    /// know (written by a newer version).
    async fn payload(&self) -> Option<NotificationPayload> {
        payload_of(&self.0.kind, &self.0.payload)
    }
}

/// The particulars of a notification, by its kind.
#[derive(Union)]
pub enum NotificationPayload {
    /// A seat confirmed, on registering or from the waitlist.
    Seat(SeatNotice),
    /// An event the viewer registered for changed or was cancelled.
    EventChange(EventChangeNotice),
    /// The viewer's application was decided.
    Application(ApplicationNotice),
    /// Moderators decided about content the viewer wrote.
    Moderation(ModerationNotice),
    /// A new issue of the magazine.
    Issue(IssueNotice),
    /// A question routed to the viewer, an answer to their question, their
    /// answer accepted, or (the secretariat) a question nobody answered.
    Question(QuestionNotice),
    /// A consultation request to or from the viewer moved on.
    Consultation(ConsultationNotice),
    /// Something about the viewer's post on the collaboration board.
    BoardPost(BoardPostNotice),
    /// The secretariat replied to the viewer's named feedback.
    FeedbackReply(FeedbackReplyNotice),
    /// A proposal to management the viewer follows was published,
    /// answered, moved on or done.
    Proposal(ProposalNotice),
}

/// The typed payload of a notification of `kind`.
fn payload_of(kind: &str, payload: &serde_json::Value) -> Option<NotificationPayload> {
    if kind == event_notices::REGISTRATION_CONFIRMED.name
        || kind == event_notices::PROMOTED_FROM_WAITLIST.name
    {
        let ids: SeatIds = parsed(payload)?;
        return Some(NotificationPayload::Seat(SeatNotice {
            ids,
            from_waitlist: kind == event_notices::PROMOTED_FROM_WAITLIST.name,
        }));
    }
    if kind == event_notices::EVENT_CHANGED.name || kind == event_notices::EVENT_CANCELLED.name {
        return parsed(payload).map(NotificationPayload::EventChange);
    }
    if application_notices::KINDS
        .iter()
        .any(|known| known.name == kind)
    {
        let (id, approved) = application_notices::decided_application(payload)?;
        return Some(NotificationPayload::Application(ApplicationNotice {
            id,
            approved,
        }));
    }
    if kind == alumni_trust::service::CASE_DECIDED.name {
        return parsed(payload).map(NotificationPayload::Moderation);
    }
    if kind == alumni_content::notices::ISSUE_PUBLISHED.name {
        return parsed(payload).map(NotificationPayload::Issue);
    }
    if [
        &knowledge_notices::QUESTION_ROUTED,
        &knowledge_notices::ANSWER_POSTED,
        &knowledge_notices::ANSWER_ACCEPTED,
        &knowledge_notices::QUESTION_ESCALATED,
    ]
    .iter()
    .any(|known| known.name == kind)
    {
        return parsed(payload).map(NotificationPayload::Question);
    }
    if [
        &knowledge_notices::CONSULTATION_REQUESTED,
        &knowledge_notices::CONSULTATION_ANSWERED,
        &knowledge_notices::CONSULTATION_EXPIRED,
    ]
    .iter()
    .any(|known| known.name == kind)
    {
        return parsed(payload).map(NotificationPayload::Consultation);
    }
    if kind == knowledge_notices::BOARD_INTEREST.name
        || kind == knowledge_notices::BOARD_POST_EXPIRED.name
    {
        return parsed(payload).map(NotificationPayload::BoardPost);
    }
    if kind == feedback_notices::FEEDBACK_REPLIED.name {
        return parsed(payload).map(NotificationPayload::FeedbackReply);
    }
    if [
        &feedback_notices::PROPOSAL_PUBLISHED,
        &feedback_notices::PROPOSAL_ANSWERED,
        &feedback_notices::PROPOSAL_PROGRESSED,
        &feedback_notices::PROPOSAL_DONE,
    ]
    .iter()
    .any(|known| known.name == kind)
    {
        return parsed(payload).map(NotificationPayload::Proposal);
    }
    None
}

/// About a question of the knowledge community.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionNotice {
    question_id: QuestionId,
    answer_id: Option<AnswerId>,
    round: Option<i32>,
}

/// About a question of the knowledge community.
#[Object]
impl QuestionNotice {
    /// The question; `null` if it is no longer visible.
    async fn question(&self, ctx: &Context<'_>) -> Result<Option<Question>> {
        visible(load_question(ctx, self.question_id).await)
    }

    /// The answer posted or accepted; `null` for other kinds or if it is
    /// no longer visible.
    async fn answer(&self, ctx: &Context<'_>) -> Result<Option<Answer>> {
        match self.answer_id {
            Some(id) => visible(load_answer(ctx, id).await),
            None => Ok(None),
        }
    }

    /// For a routed question: the round of routing (1 when it was asked,
    /// 2 when it was still unanswered later).
    async fn round(&self) -> Option<i32> {
        self.round
    }
}

/// A consultation request to or from the viewer: sent to them, answered,
/// or expired unanswered (the notification's kind says which).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsultationNotice {
    consultation_id: ConsultationId,
    accepted: Option<bool>,
}

/// A consultation request to or from the viewer: sent to them, answered,
/// or expired unanswered (the notification's kind says which).
#[Object]
impl ConsultationNotice {
    /// The request, as it stands now; `null` if it is no longer visible.
    async fn consultation(&self, ctx: &Context<'_>) -> Result<Option<Consultation>> {
        visible(load_consultation(ctx, self.consultation_id).await)
    }

    /// For an answer: whether the expert accepted.
    async fn accepted(&self) -> Option<bool> {
        self.accepted
    }
}

/// Something about the viewer's post on the collaboration board: a member
/// is interested, or it left the board and can be renewed (the
/// notification's kind says which).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BoardPostNotice {
    post_id: BoardPostId,
}

/// Something about the viewer's post on the collaboration board: a member
/// is interested, or it left the board and can be renewed (the
/// notification's kind says which).
#[Object]
impl BoardPostNotice {
    /// The post; `null` if it is no longer visible.
    async fn post(&self, ctx: &Context<'_>) -> Result<Option<BoardPost>> {
        visible(load_board_post(ctx, self.post_id).await)
    }
}

/// The secretariat replied to the viewer's named feedback.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedbackReplyNotice {
    item_id: FeedbackItemId,
}

/// The secretariat replied to the viewer's named feedback.
#[Object]
impl FeedbackReplyNotice {
    /// The item, with its replies; `null` if it is no longer visible.
    async fn item(&self, ctx: &Context<'_>) -> Result<Option<FeedbackItem>> {
        visible(load_feedback_item(ctx, self.item_id).await)
    }
}

/// A proposal to management the viewer follows was published (they
/// follow it as an author of its feedback), answered, moved on or done
/// (the notification's kind says which).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProposalNotice {
    proposal_id: ProposalId,
    response: Option<ProposalResponse>,
    update_id: Option<ProposalUpdateId>,
    progress: Option<i32>,
}

/// A proposal to management the viewer follows was published (they
/// follow it as an author of its feedback), answered, moved on or done
/// (the notification's kind says which).
#[Object]
impl ProposalNotice {
    /// The proposal as it stands now; `null` if it is no longer visible.
    async fn proposal(&self, ctx: &Context<'_>) -> Result<Option<Proposal>> {
        visible(load_proposal(ctx, self.proposal_id).await)
    }

    /// For an answer: management's answer.
    async fn response(&self) -> Option<ProposalResponse> {
        self.response
    }

    /// For progress or completion: the newest entry of the timeline;
    /// `null` if it is no longer visible.
    async fn update(&self, ctx: &Context<'_>) -> Result<Option<ProposalUpdate>> {
        match self.update_id {
            Some(id) => visible(load_proposal_update(ctx, id).await),
            None => Ok(None),
        }
    }

    /// For progress or completion: the progress it left the proposal at
    /// (0–100).
    async fn progress(&self) -> Option<i32> {
        self.progress
    }
}

/// A new issue of the magazine.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IssueNotice {
    issue_id: IssueId,
}

/// A new issue of the magazine.
#[Object]
impl IssueNotice {
    /// The issue; `null` if it is no longer visible.
    async fn issue(&self, ctx: &Context<'_>) -> Result<Option<NewsletterIssue>> {
        visible(load_issue(ctx, self.issue_id).await)
    }
}

/// Moderators decided about content the viewer wrote.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModerationNotice {
    case_id: CaseId,
    resolution: Resolution,
}

/// Moderators decided about content the viewer wrote.
#[Object]
impl ModerationNotice {
    /// The decision.
    async fn resolution(&self) -> Resolution {
        self.resolution
    }

    /// The case, with the note and whether it can be appealed; `null` if
    /// it is no longer visible.
    async fn case(&self, ctx: &Context<'_>) -> Result<Option<ModerationCase>> {
        visible(load_case(ctx, self.case_id).await)
    }
}

fn parsed<T: serde::de::DeserializeOwned>(payload: &serde_json::Value) -> Option<T> {
    serde_json::from_value(payload.clone()).ok()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SeatIds {
    registration_id: RegistrationId,
    event_id: EventId,
}

/// A seat given to the viewer.
pub struct SeatNotice {
    ids: SeatIds,
    from_waitlist: bool,
}

/// A seat given to the viewer.
#[Object]
impl SeatNotice {
    /// The registration, as it stands now; `null` if it is no longer visible.
    async fn registration(&self, ctx: &Context<'_>) -> Result<Option<Registration>> {
        visible(load_registration(ctx, self.ids.registration_id).await)
    }

    /// The event; `null` if it is no longer visible to the viewer.
    async fn event(&self, ctx: &Context<'_>) -> Result<Option<Event>> {
        visible(load_event(ctx, self.ids.event_id).await)
    }

    /// Whether the seat came free while the viewer was waiting for it.
    async fn from_waitlist(&self) -> bool {
        self.from_waitlist
    }
}

/// A change of an event the viewer registered for.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventChangeNotice {
    event_id: EventId,
    cancelled: bool,
    changed: Vec<String>,
}

/// A change of an event the viewer registered for.
#[Object]
impl EventChangeNotice {
    /// The event, as it is now; `null` if it is no longer visible.
    async fn event(&self, ctx: &Context<'_>) -> Result<Option<Event>> {
        visible(load_event(ctx, self.event_id).await)
    }

    /// Whether it was cancelled.
    async fn cancelled(&self) -> bool {
        self.cancelled
    }

    /// What changed: `TIME`, `PLACE`, `JOIN_URL` (empty for a
    /// cancellation).
    async fn changed(&self) -> &[String] {
        &self.changed
    }
}

/// How the viewer's application was decided.
pub struct ApplicationNotice {
    id: ApplicationId,
    approved: bool,
}

/// How the viewer's application was decided.
#[Object]
impl ApplicationNotice {
    /// The application; `null` if it is no longer visible.
    async fn application(&self, ctx: &Context<'_>) -> Result<Option<Application>> {
        visible(load_application(ctx, self.id).await)
    }

    /// Approved, or not.
    async fn approved(&self) -> bool {
        self.approved
    }
}

fn visible<T>(loaded: Result<T, AppError>) -> Result<Option<T>> {
    match loaded {
        Ok(found) => Ok(Some(found)),
        Err(AppError::NotFound { .. } | AppError::Forbidden { .. }) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// Notifications as they are made.
#[derive(Default)]
pub struct NotificationsSubscription;

/// Notifications as they are made.
#[Subscription]
impl NotificationsSubscription {
    /// Each notification made for the viewer from now on, whichever
    /// server process made it. After a reconnect, read
    /// `unreadNotificationCount` again: what was made meanwhile is not
    /// replayed.
    async fn notification_added(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = Notification> + use<>> {
        let updates = data::<NotifyService>(ctx)?.notification_updates(viewer(ctx)?)?;
        Ok(updates.map(Notification))
    }
}
