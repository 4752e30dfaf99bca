//! The membership part of the GraphQL API.

use std::collections::HashMap;

use alumni_core::audit::{AuditEvent, AuditFilter};
use alumni_core::graphql::{data, viewer};
use alumni_core::pagination::{Connection, PageRequest, connection_complexity};
use alumni_core::{AppError, GlobalId, Identity, MemberId, NodeId, Role, SessionId, Viewer};
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, ID, InputObject, Json, Object, Result};
use chrono::{DateTime, Utc};

use crate::service::MembershipService;
use crate::visibility::MemberView;

/// A member of the network: anyone with an account, whatever their roles.
pub struct Member(MemberView);

impl Member {
    /// Wraps a view already filtered for the viewer.
    pub fn new(view: MemberView) -> Self {
        Self(view)
    }

    /// The member's id.
    pub fn member_id(&self) -> MemberId {
        self.0.id
    }
}

/// A member of the network: anyone with an account, whatever their roles.
/// Fields the viewer may not see are `null`.
#[Object]
impl Member {
    /// Opaque global id; resolves through `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// E-mail address. Visible only to the member themselves and to the
    /// secretariat; `null` for everyone else.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Roles the member holds.
    async fn roles(&self) -> Vec<Role> {
        self.0.roles.iter().collect()
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Batches member look-ups of one request. Created per request with that
/// request's viewer, so cached views never cross viewers.
pub struct MemberLoader {
    service: MembershipService,
    viewer: Viewer,
}

impl Loader<MemberId> for MemberLoader {
    type Value = MemberView;
    type Error = AppError;

    async fn load(&self, ids: &[MemberId]) -> Result<HashMap<MemberId, MemberView>, AppError> {
        let views = self.service.members_by_ids(&self.viewer, ids).await?;
        Ok(views.into_iter().map(|view| (view.id, view)).collect())
    }
}

/// The per-request member loader.
pub fn member_loader(service: MembershipService, viewer: Viewer) -> DataLoader<MemberLoader> {
    DataLoader::new(MemberLoader { service, viewer }, tokio::spawn)
}

/// Loads one member through the request's loader; `NOT_FOUND` if absent.
pub async fn load_member(ctx: &Context<'_>, id: MemberId) -> Result<Member, AppError> {
    data::<DataLoader<MemberLoader>>(ctx)?
        .load_one(id)
        .await?
        .map(Member)
        .ok_or(AppError::NotFound { entity: "Member" })
}

/// The signed-in member's own account, as part of `me`.
pub struct MembershipViewer {
    identity: Identity,
}

impl MembershipViewer {
    /// The account part of `me` for a signed-in viewer.
    pub fn new(identity: Identity) -> Self {
        Self { identity }
    }
}

/// The signed-in member's own account.
#[Object]
impl MembershipViewer {
    /// The viewer's own member record, with every field they may see.
    async fn member(&self, ctx: &Context<'_>) -> Result<Member> {
        Ok(load_member(ctx, self.identity.member_id).await?)
    }

    /// Roles the viewer holds in this session.
    async fn roles(&self) -> Vec<Role> {
        self.identity.roles.iter().collect()
    }

    /// When the current session expires; sign in again after that.
    async fn session_expires_at(&self) -> DateTime<Utc> {
        self.identity.session_expires_at
    }
}

/// Result of a successful `login`.
pub struct LoginPayload {
    token: String,
    expires_at: DateTime<Utc>,
    member: MemberView,
}

/// Result of a successful `login`: the bearer token and who signed in.
#[Object]
impl LoginPayload {
    /// Bearer token: send it as `Authorization: Bearer <token>`. Shown once;
    /// the server keeps only its hash.
    async fn token(&self) -> &str {
        &self.token
    }

    /// When the session expires.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// The member now signed in.
    async fn member(&self) -> Member {
        Member(self.member.clone())
    }
}

/// Membership queries.
#[derive(Default)]
pub struct MembershipQuery;

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

/// Membership queries.
#[Object]
impl MembershipQuery {
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
        Ok(page.into_connection(rows, AuditEvent::page_key, AuditEventEntry))
    }
}

/// An entry of the audit log.
pub struct AuditEventEntry(AuditEvent);

/// An entry of the append-only audit log: who did what to which entity,
/// when, and in which request.
#[Object(name = "AuditEvent")]
impl AuditEventEntry {
    /// Entry id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
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

/// Membership mutations.
#[derive(Default)]
pub struct MembershipMutation;

/// Membership mutations.
#[Object]
impl MembershipMutation {
    /// Signs in and returns a bearer token. Wrong credentials answer
    /// `UNAUTHENTICATED`; after repeated failures for one address, attempts
    /// answer `RATE_LIMITED` with `extensions.retryAfterSeconds`.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "E-mail address of the account.")] email: String,
        #[graphql(desc = "The account's password.")] password: String,
    ) -> Result<LoginPayload> {
        let service = data::<MembershipService>(ctx)?;
        let session = service.login(&email, &password).await?;
        let member = self_view(
            service,
            &session.member_id,
            session.session_id,
            session.expires_at,
        )
        .await?;
        Ok(LoginPayload {
            token: session.token,
            expires_at: session.expires_at,
            member,
        })
    }

    /// Ends the current session. Returns `true`.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        data::<MembershipService>(ctx)?.logout(viewer(ctx)?).await?;
        Ok(true)
    }

    /// Ends every session of the signed-in member, the current one
    /// included. Returns how many sessions were ended.
    async fn revoke_all_my_sessions(&self, ctx: &Context<'_>) -> Result<i32> {
        let revoked = data::<MembershipService>(ctx)?
            .revoke_all_my_sessions(viewer(ctx)?)
            .await?;
        Ok(i32::try_from(revoked).unwrap_or(i32::MAX))
    }
}

/// The newly signed-in member as they see themselves.
async fn self_view(
    service: &MembershipService,
    member_id: &MemberId,
    session_id: SessionId,
    session_expires_at: DateTime<Utc>,
) -> Result<MemberView, AppError> {
    let identity = Identity {
        member_id: *member_id,
        session_id,
        session_expires_at,
        roles: Default::default(),
    };
    service.member(&Viewer::Member(identity), *member_id).await
}
