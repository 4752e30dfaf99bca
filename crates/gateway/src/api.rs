//! The stitched GraphQL schema: each domain's roots merged into one API.
//!
//! [`schema_builder`] is the single definition used by the server, the
//! tests and `alumni export-schema`.

use std::collections::HashMap;

use alumni_core::domain::Leaving;
use alumni_core::graphql::{data, viewer};
use alumni_core::{AppError, GlobalId, NodeId as _, Viewer};
use alumni_membership::MembershipService;
use alumni_membership::graphql::Tag;
use alumni_membership::model::TagId;
use async_graphql::{Context, ID, Json, Object, Result, Schema, SchemaBuilder};
use diesel_async::AsyncConnection as _;
use serde_json::json;

use crate::domains::{
    Domains, MutationRoot, NODE_TYPES, Node, QueryRoot, SubscriptionRoot, ViewerObject,
};

/// The most ids `nodes(ids:)` resolves at once.
pub const MAX_NODES: usize = 100;

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
        Ok(Some(ViewerObject::new(viewer.identity()?)))
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
            Err(AppError::NotFound { .. } | AppError::Forbidden { .. }) => Ok(None),
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
        // Each type that can, in one batch up front; the look-ups below then
        // read the request's cache whatever the scheduling.
        let mut by_type: HashMap<&str, Vec<uuid::Uuid>> = HashMap::new();
        for global in &globals {
            by_type
                .entry(global.node_type.as_str())
                .or_default()
                .push(global.uuid);
        }
        for node_type in NODE_TYPES {
            if let (Some(prefetch), Some(ids)) =
                (node_type.prefetch, by_type.remove(node_type.name))
            {
                prefetch(ctx, ids).await?;
            }
        }
        let mut resolved = Vec::with_capacity(globals.len());
        let lookups = globals.into_iter().map(|global| resolve_node(ctx, global));
        for result in futures_util::future::join_all(lookups).await {
            resolved.push(match result {
                Ok(node) => Some(node),
                Err(AppError::NotFound { .. } | AppError::Forbidden { .. }) => None,
                Err(other) => return Err(other.into()),
            });
        }
        Ok(resolved)
    }
}

pub(crate) async fn resolve_node(ctx: &Context<'_>, global: GlobalId) -> Result<Node, AppError> {
    match NODE_TYPES
        .iter()
        .find(|node_type| node_type.name == global.node_type)
    {
        Some(node_type) => (node_type.load)(ctx, global.uuid).await,
        None => Err(AppError::NotFound { entity: "Node" }),
    }
}

/// A member's rights over their data, which span every domain.
#[derive(Default)]
pub struct DataRightsMutation;

/// A member's rights over their data (APPI / GDPR), across every domain.
/// Both stay available while acceptance of new terms is outstanding.
#[Object]
impl DataRightsMutation {
    /// Everything the network holds about the viewer, as JSON, one key per
    /// domain, read as one consistent snapshot. Recorded in the audit log.
    async fn export_my_data(&self, ctx: &Context<'_>) -> Result<Json<serde_json::Value>> {
        let domains = data::<Domains>(ctx)?;
        let viewer = viewer(ctx)?;
        let context = data::<MembershipService>(ctx)?.context();
        let mut conn = context.conn().await?;
        let parts = conn
            .build_transaction()
            .repeatable_read()
            .run(async |conn| {
                let mut parts = serde_json::Map::new();
                for domain in domains.iter() {
                    if let Some(part) = domain.export_member(conn, viewer).await? {
                        parts.insert(domain.name().to_owned(), part);
                    }
                }
                Ok::<_, AppError>(parts)
            })
            .await?;
        let mut export = serde_json::Map::new();
        export.insert("exportedAt".to_owned(), json!(context.now()));
        export.extend(parts);
        Ok(Json(serde_json::Value::Object(export)))
    }

    /// Leaves the network: sessions end, seats and waitlist places for
    /// events that have not begun are given up (the waitlist moves up), the
    /// calendar feed stops, the profile leaves the directory, and personal
    /// data is erased; the audit log keeps only ids. Questions and answers
    /// stay under "withdrawn member" (they help others) unless
    /// `eraseContributions` is true. Named feedback loses its author; its
    /// text stays only if `keepFeedbackText` is true. All of it happens in
    /// one transaction:
    /// it happens whole or not at all. Pass `confirm: true`. The last
    /// secretariat member cannot leave (`CONFLICT`).
    async fn withdraw_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Must be `true`: withdrawal cannot be undone.")] confirm: bool,
        #[graphql(
            desc = "Also erase the questions and answers the member wrote (by default they stay, without the author's name).",
            default = false
        )]
        erase_contributions: bool,
        #[graphql(
            desc = "Let the text of the member's named feedback stay, without their name (by default it is erased with them).",
            default = false
        )]
        keep_feedback_text: bool,
    ) -> Result<bool> {
        if !confirm {
            return Err(AppError::bad_input(
                "confirm",
                "withdrawal cannot be undone; pass `true` to confirm",
            )
            .into());
        }
        let domains = data::<Domains>(ctx)?;
        let viewer = viewer(ctx)?;
        let leaving = Leaving {
            member: viewer.session()?.member_id,
            erase_contributions,
            keep_feedback_text,
        };
        let mut conn = data::<MembershipService>(ctx)?.context().conn().await?;
        conn.transaction(async |conn| {
            for domain in domains.iter() {
                domain.withdraw_member(conn, viewer, leaving).await?;
            }
            Ok::<_, AppError>(())
        })
        .await?;
        Ok(true)
    }
}

/// The secretariat's curation of the shared tag vocabulary that spans
/// every domain.
#[derive(Default)]
pub struct TagCurationMutation;

/// Curation of the shared tag vocabulary across every domain.
#[Object]
impl TagCurationMutation {
    /// Merges the tag `from` into `into`: everything tagged with `from`
    /// (members' skills, posts, articles, questions…) is tagged with
    /// `into` instead (once, where it had both), `from`'s name and aliases
    /// become aliases of `into`, `into` takes over the labels it lacks, and
    /// `from` is deleted. One transaction across every domain: it happens
    /// whole or not at all. Secretariat only; merging a tag into itself is
    /// `BAD_USER_INPUT`. Returns the remaining tag.
    async fn merge_tags(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the tag merged away.")] from: ID,
        #[graphql(desc = "Id of the tag that remains.")] into: ID,
    ) -> Result<Tag> {
        let from = TagId::from_global(&from, "from")?;
        let into = TagId::from_global(&into, "into")?;
        let domains = data::<Domains>(ctx)?;
        let membership = data::<MembershipService>(ctx)?;
        let merge = membership.plan_tag_merge(viewer(ctx)?, from, into)?;
        let mut conn = membership.context().conn().await?;
        let merged = conn
            .transaction(async |conn| {
                let merging = membership.begin_tag_merge_in(conn, merge).await?;
                for domain in domains.iter() {
                    domain
                        .merge_tag(conn, merge.source().0, merge.target().0)
                        .await?;
                }
                membership.finish_tag_merge_in(conn, merging).await
            })
            .await?;
        Ok(Tag(merged))
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
        let domains = data::<Domains>(ctx)?;
        let viewer = viewer(ctx)?;
        let mut conn = data::<MembershipService>(ctx)?.context().conn().await?;
        // Every credential in one transaction: sessions, and the personal
        // calendar feed, whose URL is a credential too ("sign out
        // everywhere" is what a member does after losing a device).
        let revoked = conn
            .transaction(async |conn| {
                let mut revoked = 0;
                for domain in domains.iter() {
                    revoked += domain.sign_out_everywhere(conn, viewer).await?;
                }
                Ok::<_, AppError>(revoked)
            })
            .await?;
        Ok(i32::try_from(revoked).unwrap_or(i32::MAX))
    }
}

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
