//! Demo data of the feedback domain, written through the services as
//! members, the secretariat and management would: a year of feedback in
//! Japanese, named and anonymous, triaged into themes with replies;
//! proposals to management from those themes; a closed survey with
//! published results and an open one.

mod items;
mod proposals;
mod surveys;

use alumni_core::AppResult;
use alumni_membership::demo::DemoMembers;

use crate::FeedbackService;

/// Writes the demo feedback and surveys.
pub async fn seed(service: &FeedbackService, members: &DemoMembers) -> AppResult<()> {
    let themes = items::seed(service, members).await?;
    proposals::seed(service, members, &themes).await?;
    surveys::seed(service, members).await
}
