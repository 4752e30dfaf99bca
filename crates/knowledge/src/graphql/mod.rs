//! The knowledge domain's GraphQL: objects, inputs and roots per concept,
//! merged into the crate's roots.

mod follows;
mod questions;
mod routing;
mod search;

use async_graphql::MergedObject;

use crate::KnowledgeService;
use alumni_core::Viewer;

pub use questions::{Answer, Question, load_answer, load_question};
pub use routing::RoutingSettingsObject;
pub use search::{ExpertEntry, KnowledgeItem, SearchHit};

/// The knowledge domain's queries.
#[derive(MergedObject, Default)]
pub struct KnowledgeQuery(
    follows::FollowsQuery,
    questions::QuestionsQuery,
    routing::RoutingQuery,
    search::SearchQuery,
);

/// The knowledge domain's mutations.
#[derive(MergedObject, Default)]
pub struct KnowledgeMutation(
    follows::FollowsMutation,
    questions::QuestionsMutation,
    routing::RoutingMutation,
);

/// Adds the per-request DataLoaders bound to `viewer`.
pub fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &KnowledgeService,
    viewer: &Viewer,
    caching: bool,
) {
    questions::attach_question_loaders(data, service, viewer, caching);
}
