//! The hourly sweep of what runs out: consultation requests nobody
//! answered in time, and board posts that left the board.

use alumni_core::jobs::{Every, JobRegistry};
use alumni_core::{AppError, AppResult};
use diesel_async::AsyncConnection as _;

use super::KnowledgeService;

/// The recurring job that expires requests and tells authors of expired
/// posts (payload: its hour).
pub const EXPIRE: &str = "knowledge.expire";

/// Registers [`EXPIRE`], every hour.
pub(super) fn register(service: &KnowledgeService, registry: &mut JobRegistry) {
    let service = service.clone();
    registry
        .handle(EXPIRE, move |_run| {
            let service = service.clone();
            async move { Ok(service.expire().await?) }
        })
        .every(EXPIRE, Every::Hour);
}

impl KnowledgeService {
    /// Expires waiting requests past their time and tells their
    /// requesters; tells the authors of posts that left the board since
    /// the last run that they can renew them. Each is marked as it is
    /// told, so running again (or twice in an hour) tells no one twice.
    async fn expire(&self) -> AppResult<()> {
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let (consultations, posts) = conn
            .transaction(async |conn| {
                let consultations = self.expire_consultations_in(conn, now).await?;
                let posts = self.note_expired_posts_in(conn, now).await?;
                Ok::<_, AppError>((consultations, posts))
            })
            .await?;
        tracing::info!(
            consultations,
            posts,
            "expired consultation requests and board posts"
        );
        Ok(())
    }
}
