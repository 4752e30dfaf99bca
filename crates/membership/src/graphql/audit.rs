//! The audit log, read by the secretariat.

use alumni_core::audit::{AuditEvent, AuditEventId, AuditFilter};
use alumni_core::graphql::{data, load_many, load_one, selects_in_items, viewer};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, GlobalId, MemberId, NodeId};
use async_graphql::{Context, ID, InputObject, Json, Object, Result};
use chrono::{DateTime, Utc};

use super::loaders::{AuditEventLoader, MemberLoader};
use super::member::{Member, load_member};
use crate::service::MembershipService;

/// Narrows the audit log; every given field must match.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    /// Only this action, e.g. `membership.login_failed`.
    pub action: Option<String>,
    /// Only actions by this member.
    pub actor_id: Option<ID>,
    /// Only actions on this entity (any global id).
    pub subject_id: Option<ID>,
}

/// The audit log.
#[derive(Default)]
pub struct AuditQuery;

/// The audit log.
#[Object]
impl AuditQuery {
    /// The audit log of security-relevant actions, newest first. Secretariat
    /// only.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the log.")] filter: Option<AuditEventFilter>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<AuditEventEntry>> {
        let service = data::<MembershipService>(ctx)?;
        let viewer = viewer(ctx)?;
        let filter = filter.unwrap_or_default();
        let filter = AuditFilter {
            action: filter.action,
            actor: filter
                .actor_id
                .map(|id| MemberId::from_global(&id, "filter.actorId"))
                .transpose()?,
            subject: filter
                .subject_id
                .map(|id| GlobalId::decode(&id, "filter.subjectId").map(|global| global.uuid))
                .transpose()?,
        };
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.audit_events(viewer, &filter, &page).await?;
        if selects_in_items(ctx, &["actor"]) {
            let actors = rows.iter().filter_map(|event| event.actor_id).map(MemberId);
            load_many::<MemberLoader, _>(ctx, actors).await?;
        }
        let total_count = TotalCount::lazy({
            let (service, viewer) = (service.clone(), viewer.clone());
            async move { service.count_audit_events(&viewer, &filter).await }
        });
        Ok(page.into_connection(rows, AuditEvent::page_key, AuditEventEntry, total_count))
    }
}

/// An entry of the audit log.
pub struct AuditEventEntry(AuditEvent);

/// An audit log entry by id (secretariat only); `NOT_FOUND` otherwise.
pub async fn load_audit_event(
    ctx: &Context<'_>,
    id: AuditEventId,
) -> Result<AuditEventEntry, AppError> {
    load_one::<AuditEventLoader, _>(ctx, id)
        .await?
        .map(AuditEventEntry)
        .ok_or(AppError::NotFound {
            entity: "AuditEvent",
        })
}

/// An entry of the append-only audit log: who did what to which entity,
/// when, and in which request.
#[Object(name = "AuditEvent")]
impl AuditEventEntry {
    /// Opaque global id; resolves through `node(id:)`.
    pub async fn id(&self) -> ID {
        AuditEventId::from_uuid(self.0.id).to_global()
    }

    /// When it happened.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }

    /// What happened, as a dotted verb such as `membership.login_failed`.
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// The member who acted; `null` for the system and the command line.
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        match self.0.actor_id {
            None => Ok(None),
            Some(id) => match load_member(ctx, MemberId(id)).await {
                Ok(member) => Ok(Some(member)),
                Err(AppError::NotFound { .. }) => Ok(None),
                Err(err) => Err(err.into()),
            },
        }
    }

    /// Global id of the entity acted on, if any.
    async fn subject_id(&self) -> Option<ID> {
        let node_type = self.0.subject_type.clone()?;
        let uuid = self.0.subject_id?;
        Some(GlobalId { node_type, uuid }.encode())
    }

    /// Type of the entity acted on, e.g. `Member`.
    async fn subject_type(&self) -> Option<&str> {
        self.0.subject_type.as_deref()
    }

    /// Non-personal particulars of the action.
    async fn details(&self) -> Json<&serde_json::Value> {
        Json(&self.0.details)
    }

    /// Id of the HTTP request that caused it, to match with server logs.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}
