//! Demo data of the feedback domain, written through the services as
//! members and the secretariat would: a year of feedback in Japanese,
//! named and anonymous, triaged into themes with replies.

mod items;

use alumni_core::AppResult;
use alumni_membership::demo::DemoMembers;

use crate::FeedbackService;

/// Writes the demo feedback.
pub async fn seed(service: &FeedbackService, members: &DemoMembers) -> AppResult<()> {
    items::seed(service, members).await
}
