//! The feedback domain's GraphQL: objects, inputs and roots per concept,
//! merged into the crate's roots.

#[macro_use]
mod viewer_loader;

mod items;
mod proposals;
mod results;
mod summary;
mod surveys;
mod themes;

use async_graphql::MergedObject;

use crate::FeedbackService;
use alumni_core::Viewer;

pub use items::{FeedbackItem, load_feedback_item};
pub use proposals::{Proposal, ProposalUpdate, load_proposal, load_proposal_update};
pub use surveys::{Survey, SurveyQuestion, load_survey, load_survey_question};
pub use themes::{FeedbackTheme, load_feedback_theme};

/// The feedback domain's queries.
#[derive(MergedObject, Default)]
pub struct FeedbackQuery(
    items::ItemsQuery,
    themes::ThemesQuery,
    proposals::ProposalsQuery,
    surveys::SurveysQuery,
    summary::SummaryQuery,
);

/// The feedback domain's mutations.
#[derive(MergedObject, Default)]
pub struct FeedbackMutation(
    items::ItemsMutation,
    themes::ThemesMutation,
    proposals::ProposalsMutation,
    surveys::SurveysMutation,
);

/// Adds the per-request DataLoaders bound to `viewer`.
pub fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &FeedbackService,
    viewer: &Viewer,
    caching: bool,
) {
    items::attach_loaders(data, service, viewer, caching);
    themes::attach_loaders(data, service, viewer, caching);
    proposals::attach_loaders(data, service, viewer, caching);
    surveys::attach_loaders(data, service, viewer, caching);
}
