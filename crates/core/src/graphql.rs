//! Helpers for resolvers: reaching request data without panicking, the
//! per-request DataLoaders every domain uses, and look-ahead for prefetching.

use std::any::Any;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
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

/// A DataLoader as it sits in request data, one per loader type; shared,
/// so that work deferred past the resolver (a lazy count) can still batch.
pub type RequestLoader<L> = Arc<DataLoader<L, HashMapCache>>;

/// Wraps `loader` for the data of one request (`cache`: each value is
/// loaded once per request) or of one WebSocket connection (no cache: the
/// connection outlives any one operation, so loaders only batch there).
/// Loaders carry the viewer and are never shared between requests, so no
/// cached value crosses viewers.
pub fn request_loader<L: Send + Sync + 'static>(loader: L, cache: bool) -> RequestLoader<L> {
    let loader = DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default());
    loader.enable_all_cache(cache);
    Arc::new(loader)
}

/// The request's loader of type `L` itself, for a future that outlives the
/// resolver (see [`TotalCount::lazy`](crate::pagination::TotalCount::lazy)).
pub fn shared_loader<L: Send + Sync + 'static>(
    ctx: &Context<'_>,
) -> Result<RequestLoader<L>, AppError> {
    data::<RequestLoader<L>>(ctx).cloned()
}

/// What a loader answers for `keys`: each value found under its key, and
/// every key that found nothing as `None`, so that misses are cached too and
/// never asked for again.
pub fn with_misses<K, V>(
    keys: &[K],
    found: impl IntoIterator<Item = V>,
    key_of: impl Fn(&V) -> K,
) -> HashMap<K, Option<V>>
where
    K: Hash + Eq + Clone,
{
    let mut answers: HashMap<K, Option<V>> = keys.iter().map(|key| (key.clone(), None)).collect();
    for value in found {
        answers.insert(key_of(&value), Some(value));
    }
    answers
}

/// Several values through the request's loader of type `L`, in one batch;
/// they stay in the request's cache for the fields that need them.
pub async fn load_many<L, K>(
    ctx: &Context<'_>,
    keys: impl IntoIterator<Item = K>,
) -> Result<HashMap<K, L::Value>, AppError>
where
    L: Loader<K, Error = AppError>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    data::<RequestLoader<L>>(ctx)?.load_many(keys).await
}

/// One value through the request's loader of type `L`.
pub async fn load_one<L, K>(ctx: &Context<'_>, key: K) -> Result<Option<L::Value>, AppError>
where
    L: Loader<K, Error = AppError>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    data::<RequestLoader<L>>(ctx)?.load_one(key).await
}

/// Values for `keys` through loader `L` at once, kept in the request's
/// cache for the fields that ask for them next. Unlike [`load_many`] it
/// does not wait for the DataLoader's batching timer (a millisecond or
/// more per round), so a top-level list resolver that knows every key
/// before its items resolve saves that wait. Only for such resolvers: a
/// resolver that runs once per item of an enclosing list must batch
/// through [`load_many`], or each item would cost a statement.
pub async fn load_now<L, K>(
    ctx: &Context<'_>,
    keys: impl IntoIterator<Item = K>,
) -> Result<HashMap<K, L::Value>, AppError>
where
    L: Loader<K, Error = AppError>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    let loader = data::<RequestLoader<L>>(ctx)?;
    let mut seen = HashSet::new();
    let keys: Vec<K> = keys
        .into_iter()
        .filter(|key| seen.insert(key.clone()))
        .collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let values = loader.loader().load(&keys).await?;
    loader.feed_many(values.clone()).await;
    Ok(values)
}

/// Puts values the resolver already holds (the rows of a list) into the
/// request's cache of loader `L`, so fields asking for them again are
/// answered without a statement.
pub async fn feed_many<L, K>(
    ctx: &Context<'_>,
    values: impl IntoIterator<Item = (K, L::Value)>,
) -> Result<(), AppError>
where
    L: Loader<K, Error = AppError>,
    K: Send + Sync + Hash + Eq + Clone + 'static,
{
    data::<RequestLoader<L>>(ctx)?.feed_many(values).await;
    Ok(())
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
