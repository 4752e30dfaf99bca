//! Demo data of the feedback domain, written through the services as
//! members, the secretariat and management would: a year of feedback in
//! Japanese, named and anonymous, triaged into themes with replies, and
//! proposals to management from those themes.

mod items;
mod proposals;

use alumni_core::AppResult;
use alumni_membership::demo::DemoMembers;

use crate::FeedbackService;

/// Writes the demo feedback.
pub async fn seed(service: &FeedbackService, members: &DemoMembers) -> AppResult<()> {
    let themes = items::seed(service, members).await?;
    proposals::seed(service, members, &themes).await
}
