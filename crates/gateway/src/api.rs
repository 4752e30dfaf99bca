//! The stitched GraphQL schema: each domain's roots merged into one API.
//!
//! [`schema_builder`] is the single definition used by the server, the
//! tests and `alumni export-schema`.

use alumni_core::graphql::{data, viewer};
use alumni_core::{AppError, GlobalId, MemberId, NodeId, Viewer};
use alumni_events::graphql::{Event, load_event};
use alumni_events::{EventId, EventsMutation, EventsQuery, EventsSubscription, EventsViewer};
use alumni_membership::graphql::{
    Application, Company, TermsVersion, load_application, load_company, load_member,
    prefetch_members,
};
use alumni_membership::model::{ApplicationId, CompanyId, TermsVersionId};
use alumni_membership::{Member, MembershipMutation, MembershipQuery, MembershipViewer};
use async_graphql::{
    Context, ID, Interface, Json, MergedObject, MergedSubscription, Object, Result, Schema,
    SchemaBuilder,
};
use diesel_async::AsyncConnection as _;
use serde_json::json;

use crate::app::Services;

/// The most ids `nodes(ids:)` resolves at once.
pub const MAX_NODES: usize = 100;

/// An object with a global id. Any such id resolves through `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id of the object."))]
pub enum Node {
    /// A member of the network.
    Member(Member),
    /// The company or a predecessor.
    Company(Company),
    /// A membership application.
    Application(Application),
    /// A version of the terms of use.
    TermsVersion(TermsVersion),
    /// An event.
    Event(Event),
}

/// The signed-in member's own view of the network: their account and, per
/// domain, what is theirs.
#[derive(MergedObject)]
#[graphql(name = "Viewer")]
pub struct ViewerObject(MembershipViewer, EventsViewer);

/// Queries every client shares: who am I, and resolving global ids.
#[derive(Default)]
pub struct GatewayQuery;

/// Queries every client shares.
#[Object]
impl GatewayQuery {
    /// The signed-in member; `null` when signed out. A rejected session
    /// (expired, revoked, unknown token) answers `UNAUTHENTICATED` so the
    /// client knows to sign in again.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<ViewerObject>> {
        let viewer = viewer(ctx)?;
        if *viewer == Viewer::Anonymous {
            return Ok(None);
        }
        // Signed in but not (yet) allowed in, with outstanding terms or a
        // pending application, answers with the reason rather than a
        // partial `me`.
        let identity = viewer.identity()?;
        Ok(Some(ViewerObject(
            MembershipViewer::new(identity.clone()),
            EventsViewer,
        )))
    }

    /// Any object by its global id, with the viewer's visibility applied.
    /// `null` when no object has the id or the viewer may not see it (as
    /// Relay expects); a malformed id answers `BAD_USER_INPUT`.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the object.")] id: ID,
    ) -> Result<Option<Node>> {
        let global = GlobalId::decode(&id, "id")?;
        match resolve_node(ctx, global).await {
            Ok(node) => Ok(Some(node)),
            Err(AppError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other.into()),
        }
    }

    /// Several objects by global id, in the order asked (at most 100).
    /// Each id no object has, or the viewer may not see, gives `null`.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids of the objects.")] ids: Vec<ID>,
    ) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(
                AppError::bad_input("ids", format!("at most {MAX_NODES} ids at once")).into(),
            );
        }
        let globals = ids
            .iter()
            .map(|id| GlobalId::decode(id, "ids"))
            .collect::<Result<Vec<_>, _>>()?;
        // Members, the usual case, in one batch up front; the look-ups below
        // then read the request's cache whatever the scheduling.
        let members = globals
            .iter()
            .filter(|global| global.node_type == MemberId::NODE_TYPE)
            .map(|global| MemberId::from_uuid(global.uuid));
        prefetch_members(ctx, members).await?;
        let mut resolved = Vec::with_capacity(globals.len());
        let lookups = globals.into_iter().map(|global| resolve_node(ctx, global));
        for result in futures_util::future::join_all(lookups).await {
            resolved.push(match result {
                Ok(node) => Some(node),
                Err(AppError::NotFound { .. }) => None,
                Err(other) => return Err(other.into()),
            });
        }
        Ok(resolved)
    }
}

async fn resolve_node(ctx: &Context<'_>, global: GlobalId) -> Result<Node, AppError> {
    match global.node_type.as_str() {
        MemberId::NODE_TYPE => Ok(Node::Member(
            load_member(ctx, MemberId::from_uuid(global.uuid)).await?,
        )),
        CompanyId::NODE_TYPE => Ok(Node::Company(
            load_company(ctx, CompanyId::from_uuid(global.uuid)).await?,
        )),
        ApplicationId::NODE_TYPE => Ok(Node::Application(
            load_application(ctx, ApplicationId::from_uuid(global.uuid)).await?,
        )),
        TermsVersionId::NODE_TYPE => {
            let terms = data::<Services>(ctx)?
                .membership
                .terms_version(TermsVersionId::from_uuid(global.uuid))
                .await?;
            Ok(Node::TermsVersion(TermsVersion::new(terms)))
        }
        EventId::NODE_TYPE => Ok(Node::Event(
            load_event(ctx, EventId::from_uuid(global.uuid)).await?,
        )),
        _ => Err(AppError::NotFound { entity: "Node" }),
    }
}

/// The root of every query.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(GatewayQuery, MembershipQuery, EventsQuery);

/// A member's rights over their data, which span every domain.
#[derive(Default)]
pub struct DataRightsMutation;

/// A member's rights over their data (APPI / GDPR), across every domain.
/// Both stay available while acceptance of new terms is outstanding.
#[Object]
impl DataRightsMutation {
    /// Everything the network holds about the viewer, as JSON, one key per
    /// domain. Recorded in the audit log.
    async fn export_my_data(&self, ctx: &Context<'_>) -> Result<Json<serde_json::Value>> {
        let services = data::<Services>(ctx)?;
        let viewer = viewer(ctx)?;
        let membership = services.membership.export_my_data(viewer).await?;
        let events = services.events.export_my_data(viewer).await?;
        Ok(Json(json!({
            "exportedAt": services.membership.context().now(),
            "membership": membership,
            "events": events,
        })))
    }

    /// Leaves the network: sessions end, seats and waitlist places for
    /// events that have not begun are given up (the waitlist moves up), the
    /// calendar feed stops, the profile leaves the directory, and personal
    /// data is erased; the audit log keeps only ids. All of it happens in
    /// one transaction: it happens whole or not at all. Pass
    /// `confirm: true`. The last secretariat member cannot leave
    /// (`CONFLICT`).
    async fn withdraw_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Must be `true`: withdrawal cannot be undone.")] confirm: bool,
    ) -> Result<bool> {
        if !confirm {
            return Err(AppError::bad_input(
                "confirm",
                "withdrawal cannot be undone; pass `true` to confirm",
            )
            .into());
        }
        let services = data::<Services>(ctx)?;
        let viewer = viewer(ctx)?;
        let mut conn = services.membership.context().conn().await?;
        let released = conn
            .transaction(async |conn| {
                let member_id = services.membership.withdraw_in(conn, viewer).await?;
                services.events.release_member_in(conn, member_id).await
            })
            .await?;
        services.events.announce(released);
        Ok(true)
    }
}

/// Signing out everywhere, which ends credentials in several domains.
#[derive(Default)]
pub struct SignOutMutation;

/// Signing out everywhere.
#[Object]
impl SignOutMutation {
    /// Ends every session of the signed-in member, the current one
    /// included, closes their live subscriptions, and revokes their
    /// personal calendar feed (issue a new one afterwards). Returns how many
    /// sessions were ended.
    async fn revoke_all_my_sessions(&self, ctx: &Context<'_>) -> Result<i32> {
        let services = data::<Services>(ctx)?;
        let viewer = viewer(ctx)?;
        // The personal calendar feed goes too: its URL is a credential, and
        // "sign out everywhere" is what a member does after losing a device.
        // The feed goes first: should the second step fail, the member
        // still has the session to try again with.
        services
            .events
            .revoke_calendar_feed_with_sessions(viewer)
            .await?;
        let revoked = services.membership.revoke_all_my_sessions(viewer).await?;
        Ok(i32::try_from(revoked).unwrap_or(i32::MAX))
    }
}

/// The root of every mutation.
#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    MembershipMutation,
    EventsMutation,
    DataRightsMutation,
    SignOutMutation,
);

/// The root of every subscription (served over graphql-transport-ws at
/// `/graphql/ws`).
#[derive(MergedSubscription, Default)]
#[graphql(name = "Subscription")]
pub struct SubscriptionRoot(EventsSubscription);

/// The API's schema type.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema with every domain's types; add runtime data and limits, then
/// `finish()`.
pub fn schema_builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .register_output_type::<Node>()
}

/// The schema in SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    schema_builder().finish().sdl()
}
