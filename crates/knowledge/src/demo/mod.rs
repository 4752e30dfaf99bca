//! Demo data of the knowledge domain, written through the services.

mod board;

use alumni_core::AppResult;
use alumni_membership::demo::DemoMembers;

use crate::KnowledgeService;

/// Writes the demo community's articles, questions, answers, experts,
/// consultations and board posts.
pub async fn seed(service: &KnowledgeService, members: &DemoMembers) -> AppResult<()> {
    board::seed_board(service, members).await?;
    Ok(())
}
