//! The knowledge domain's GraphQL: objects, inputs and roots per concept,
//! merged into the crate's roots.

mod routing;

use async_graphql::MergedObject;

use crate::KnowledgeService;
use alumni_core::Viewer;

pub use routing::RoutingSettingsObject;

/// The knowledge domain's queries.
#[derive(MergedObject, Default)]
pub struct KnowledgeQuery(routing::RoutingQuery);

/// The knowledge domain's mutations.
#[derive(MergedObject, Default)]
pub struct KnowledgeMutation(routing::RoutingMutation);

/// Adds the per-request DataLoaders bound to `viewer`.
pub fn attach_loaders(
    _data: &mut async_graphql::Data,
    _service: &KnowledgeService,
    _viewer: &Viewer,
    _caching: bool,
) {
}
