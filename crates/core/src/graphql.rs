//! Helpers for resolvers: reaching request data without panicking.

use std::any::Any;

use async_graphql::{Context, Lookahead};

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

/// The selections of the items of the connection being resolved:
/// `nodes { … }` and `edges { node { … } }`. Narrow them with
/// `Lookahead::field` to follow nested lists.
pub fn item_selections<'a>(ctx: &'a Context<'a>) -> Vec<Lookahead<'a>> {
    let look_ahead = ctx.look_ahead();
    vec![
        look_ahead.field("nodes"),
        look_ahead.field("edges").field("node"),
    ]
}

/// Whether any of `selections` selects the field at `path` below it.
///
/// List resolvers use it to load, in one batch, the associations their
/// items will need before the items are resolved. Batching then does not
/// depend on scheduling: async-graphql's DataLoader dispatches a batch on a
/// timer, and resolving a long list yields part-way (as `FuturesUnordered`
/// does), so keys of one page could otherwise be split across batches.
pub fn selects(selections: &[Lookahead<'_>], path: &[&str]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    selections.iter().any(|selection| {
        rest.iter()
            .fold(selection.field(first), |selection, name| {
                selection.field(name)
            })
            .exists()
    })
}

/// Whether the query selects `path` below the items of the connection
/// being resolved (see [`selects`]).
pub fn selects_in_items(ctx: &Context<'_>, path: &[&str]) -> bool {
    selects(&item_selections(ctx), path)
}
