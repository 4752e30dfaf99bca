//! The append-only audit log of security-relevant actions.
//!
//! Services append an [`AuditEntry`] in the same transaction as the change it
//! records, so an action and its record commit or roll back together. The
//! table refuses `UPDATE`, `DELETE` and `TRUNCATE` at the database level.
//! Entries name people by id only; details must not hold personal data, so
//! erasing a member's personal fields leaves the log intact and harmless.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::error::AppError;
use crate::id::{MemberId, NodeId};
use crate::pagination::{ListOrder, ListSize, PageRequest, capped_count, seek};
use crate::request;
use crate::schema::audit::events;

/// An action to record.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    action: &'static str,
    actor: Option<MemberId>,
    subject: Option<(&'static str, Uuid)>,
    details: serde_json::Value,
}

impl AuditEntry {
    /// An entry for `action`, a dotted verb such as `membership.login_failed`.
    pub fn new(action: &'static str) -> Self {
        Self {
            action,
            actor: None,
            subject: None,
            details: serde_json::Value::Object(Default::default()),
        }
    }

    /// The member who acted (omit for the system and the command line).
    pub fn by(mut self, actor: MemberId) -> Self {
        self.actor = Some(actor);
        self
    }

    /// The entity acted on.
    pub fn on<I: NodeId>(mut self, subject: I) -> Self {
        self.subject = Some((I::NODE_TYPE, subject.uuid()));
        self
    }

    /// Non-personal particulars: ids, counts, reasons.
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

#[derive(Insertable)]
#[diesel(table_name = events)]
struct NewEvent<'a> {
    id: Uuid,
    occurred_at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    action: &'a str,
    subject_type: Option<&'a str>,
    subject_id: Option<Uuid>,
    details: &'a serde_json::Value,
    request_id: Option<String>,
}

/// Appends `entry`, stamped with `at` and the current request id.
pub async fn record(
    conn: &mut AsyncPgConnection,
    at: DateTime<Utc>,
    entry: AuditEntry,
) -> Result<(), AppError> {
    let row = NewEvent {
        id: Uuid::now_v7(),
        occurred_at: at,
        actor_id: entry.actor.map(|actor| actor.0),
        action: entry.action,
        subject_type: entry.subject.map(|(node_type, _)| node_type),
        subject_id: entry.subject.map(|(_, id)| id),
        details: &entry.details,
        request_id: request::current_request_id(),
    };
    diesel::insert_into(events::table)
        .values(&row)
        .execute(conn)
        .await?;
    Ok(())
}

crate::typed_id!(
    /// Id of an audit log entry.
    AuditEventId,
    "AuditEvent"
);

/// A recorded action.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct AuditEvent {
    /// Entry id.
    pub id: Uuid,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The member who acted, if any.
    pub actor_id: Option<Uuid>,
    /// Dotted verb.
    pub action: String,
    /// GraphQL type name of the subject.
    pub subject_type: Option<String>,
    /// Id of the subject.
    pub subject_id: Option<Uuid>,
    /// Particulars.
    pub details: serde_json::Value,
    /// The request that caused it.
    pub request_id: Option<String>,
}

impl AuditEvent {
    /// The keyset pagination key: newest first.
    pub fn page_key(&self) -> AuditPageKey {
        (self.occurred_at, self.id)
    }
}

/// Sort key of the audit log (newest first).
pub type AuditPageKey = (DateTime<Utc>, Uuid);

/// Which entries to list; every field narrows the list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Exactly this action.
    pub action: Option<String>,
    /// Done by this member.
    pub actor: Option<MemberId>,
    /// Done to this entity.
    pub subject: Option<Uuid>,
}

/// One page of the log, newest first, in reading order (see
/// [`PageRequest::into_connection`]).
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &AuditFilter,
    page: &PageRequest<AuditPageKey>,
) -> Result<Vec<AuditEvent>, AppError> {
    let query = seek(
        filtered(filter).select(AuditEvent::as_select()),
        page,
        (events::occurred_at, events::id),
        ListOrder::Descending,
    );
    Ok(query.load(conn).await?)
}

/// How many entries match `filter`, counted up to [`COUNT_CAP`](crate::pagination::COUNT_CAP).
pub async fn count(
    conn: &mut AsyncPgConnection,
    filter: &AuditFilter,
) -> Result<ListSize, AppError> {
    let counted = capped_count(filtered(filter).select(events::id))
        .get_result(conn)
        .await?;
    Ok(ListSize::from_capped_count(counted))
}

fn filtered(filter: &AuditFilter) -> events::BoxedQuery<'static, Pg> {
    let mut query = events::table.into_boxed();
    if let Some(action) = &filter.action {
        query = query.filter(events::action.eq(action.clone()));
    }
    if let Some(actor) = filter.actor {
        query = query.filter(events::actor_id.eq(actor.0));
    }
    if let Some(subject) = filter.subject {
        query = query.filter(events::subject_id.eq(subject));
    }
    query
}

/// Entries by id.
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[AuditEventId],
) -> Result<Vec<AuditEvent>, AppError> {
    let ids: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
    Ok(events::table
        .filter(events::id.eq_any(ids))
        .select(AuditEvent::as_select())
        .load(conn)
        .await?)
}

/// Every entry a member acted in or was the subject of, oldest first (for
/// the member's data export). Answered from the actor and subject indexes.
pub async fn concerning(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> Result<Vec<AuditEvent>, AppError> {
    Ok(events::table
        .filter(
            events::actor_id
                .eq(member.0)
                .or(events::subject_id.eq(member.0)),
        )
        .order((events::occurred_at.asc(), events::id.asc()))
        .select(AuditEvent::as_select())
        .load(conn)
        .await?)
}
