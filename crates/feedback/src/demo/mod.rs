//! Demo data of the feedback domain, written through the services as
//! members and the secretariat would: a year of feedback in Japanese,
//! named and anonymous, triaged into themes with replies; a closed survey
//! with published results and an open one.

mod items;
mod surveys;

use alumni_core::AppResult;
use alumni_membership::demo::DemoMembers;

use crate::FeedbackService;

/// Writes the demo feedback and surveys.
pub async fn seed(service: &FeedbackService, members: &DemoMembers) -> AppResult<()> {
    items::seed(service, members).await?;
    surveys::seed(service, members).await
}
