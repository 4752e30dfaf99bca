//! The knowledge domain's GraphQL: objects, inputs and roots per concept,
//! merged into the crate's roots.

#[macro_use]
mod viewer_loader;

mod articles;
mod board;
mod consultations;
mod follows;
mod helpful;
mod questions;
mod routing;
mod search;

use async_graphql::MergedObject;

use crate::KnowledgeService;
use alumni_core::Viewer;
use helpful::MarkedHelpfulLoader;

pub use articles::{Article, ArticleComment, ArticleRevision, load_article, load_article_comment};
pub use board::{BoardInterest, BoardKind, BoardPost, load_board_post};
pub use consultations::{Consultation, ExpertSettings, load_consultation};
pub use questions::{Answer, Question, load_answer, load_question};
pub use routing::RoutingSettingsObject;
pub use search::{ExpertEntry, KnowledgeItem, SearchHit};

/// The knowledge domain's queries.
#[derive(MergedObject, Default)]
pub struct KnowledgeQuery(
    articles::ArticleQuery,
    board::BoardQuery,
    consultations::ConsultationQuery,
    follows::FollowsQuery,
    questions::QuestionsQuery,
    routing::RoutingQuery,
    search::SearchQuery,
);

/// The knowledge domain's mutations.
#[derive(MergedObject, Default)]
pub struct KnowledgeMutation(
    articles::ArticleMutation,
    board::BoardMutation,
    consultations::ConsultationMutation,
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
    attach_viewer_loaders!(data, service, viewer, caching; MarkedHelpfulLoader);
    articles::attach_loaders(data, service, viewer, caching);
    questions::attach_question_loaders(data, service, viewer, caching);
    consultations::attach_loaders(data, service, viewer, caching);
    board::attach_loaders(data, service, viewer, caching);
}
