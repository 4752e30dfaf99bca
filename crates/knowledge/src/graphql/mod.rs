//! The knowledge domain's GraphQL: objects, inputs and roots per concept,
//! merged into the crate's roots.

mod articles;
mod helpful;
mod routing;

use alumni_core::graphql::request_loader;
use async_graphql::MergedObject;

use crate::KnowledgeService;
use alumni_core::Viewer;

pub use articles::{Article, ArticleComment, ArticleRevision, load_article, load_article_comment};
pub use routing::RoutingSettingsObject;

/// The knowledge domain's queries.
#[derive(MergedObject, Default)]
pub struct KnowledgeQuery(routing::RoutingQuery, articles::ArticleQuery);

/// The knowledge domain's mutations.
#[derive(MergedObject, Default)]
pub struct KnowledgeMutation(routing::RoutingMutation, articles::ArticleMutation);

/// Adds the per-request DataLoaders bound to `viewer`.
pub fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &KnowledgeService,
    viewer: &Viewer,
    caching: bool,
) {
    data.insert(request_loader(
        helpful::MarkedHelpfulLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        caching,
    ));
    articles::attach_loaders(data, service, viewer, caching);
}
