//! Helpers for resolvers: reaching request data without panicking.

use std::any::Any;

use async_graphql::Context;

use crate::error::AppError;
use crate::viewer::Viewer;

/// Data the gateway put into the schema or the request. Missing data is a
/// wiring bug, reported as `INTERNAL` rather than a panic.
pub fn data<'a, T: Any + Send + Sync>(ctx: &Context<'a>) -> Result<&'a T, AppError> {
    ctx.data::<T>().map_err(|err| {
        AppError::internal(format!(
            "{} missing from the GraphQL context: {}",
            std::any::type_name::<T>(),
            err.message
        ))
    })
}

/// The viewer of the current request.
pub fn viewer<'a>(ctx: &Context<'a>) -> Result<&'a Viewer, AppError> {
    data::<Viewer>(ctx)
}

/// Whether the query selects `path` below the items of the connection being
/// resolved, through `nodes { … }` or `edges { node { … } }`.
///
/// Connection resolvers use it to load, in one batch, the associations the
/// page's items will need before the items are resolved. Batching then does
/// not depend on scheduling: async-graphql's DataLoader dispatches a batch
/// on a timer, and resolving a long list yields part-way (as
/// `FuturesUnordered` does), so keys of one page could otherwise be split
/// across batches.
pub fn selects_in_items(ctx: &Context<'_>, path: &[&str]) -> bool {
    let look_ahead = ctx.look_ahead();
    let mut through_nodes = look_ahead.field("nodes");
    let mut through_edges = look_ahead.field("edges").field("node");
    for name in path {
        through_nodes = through_nodes.field(name);
        through_edges = through_edges.field(name);
    }
    through_nodes.exists() || through_edges.exists()
}
