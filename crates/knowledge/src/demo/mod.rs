//! Demo data of the knowledge domain, written through the services:
//! questions and answers on cloud migration, Kubernetes 運用, 要件定義 and
//! legacy COBOL, experts with varied availability.

mod questions;

mod articles;

mod board;

mod year;

use alumni_core::AppResult;
use alumni_membership::demo::DemoMembers;

pub use articles::seed_articles;

use crate::KnowledgeService;

/// Writes the demo community's articles, questions, answers, experts,
/// consultations and board posts.
pub async fn seed(service: &KnowledgeService, members: &DemoMembers) -> AppResult<()> {
    seed_articles(service, members).await?;
    board::seed_board(service, members).await?;
    questions::seed(service, members).await
}
