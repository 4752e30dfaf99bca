//! Demo data of the knowledge domain, written through the services.

mod articles;

use alumni_core::AppResult;
use alumni_membership::demo::DemoMembers;

pub use articles::seed_articles;

use crate::KnowledgeService;

/// Writes the demo community's articles, questions, answers, experts,
/// consultations and board posts.
pub async fn seed(service: &KnowledgeService, members: &DemoMembers) -> AppResult<()> {
    seed_articles(service, members).await?;
    Ok(())
}
