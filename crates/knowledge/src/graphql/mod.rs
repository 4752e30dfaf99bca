//! The knowledge domain's GraphQL: objects, inputs and roots per concept,
//! merged into the crate's roots.

#[macro_use]
mod viewer_loader;

mod board;
mod consultations;
mod routing;

use async_graphql::MergedObject;

use crate::KnowledgeService;
use alumni_core::Viewer;

pub use board::{BoardInterest, BoardKind, BoardPost, load_board_post};
pub use consultations::{Consultation, ExpertSettings, load_consultation};
pub use routing::RoutingSettingsObject;

/// The knowledge domain's queries.
#[derive(MergedObject, Default)]
pub struct KnowledgeQuery(
    routing::RoutingQuery,
    consultations::ConsultationQuery,
    board::BoardQuery,
);

/// The knowledge domain's mutations.
#[derive(MergedObject, Default)]
pub struct KnowledgeMutation(
    routing::RoutingMutation,
    consultations::ConsultationMutation,
    board::BoardMutation,
);

/// Adds the per-request DataLoaders bound to `viewer`.
pub fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &KnowledgeService,
    viewer: &Viewer,
    caching: bool,
) {
    consultations::attach_loaders(data, service, viewer, caching);
    board::attach_loaders(data, service, viewer, caching);
}
