//! "Helpful" marks on articles, questions and answers: the same rule for
//! all three, over [`crate::store::helpful`].

use std::collections::HashSet;

use alumni_core::{AppResult, MemberId, Viewer};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::KnowledgeService;
use crate::store::helpful::{self, Counted};

/// Marks `subject` helpful for `member` (`on`) or takes the mark back,
/// keeping the count in `counted` in step; whether anything changed (a
/// second mark, or taking back a mark never made, changes nothing). Runs
/// in the caller's transaction, after it checked that the member may read
/// the subject and did not write it.
pub(crate) async fn set_helpful_in(
    conn: &mut AsyncPgConnection,
    counted: Counted,
    subject: Uuid,
    member: MemberId,
    on: bool,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let changed = if on {
        helpful::mark(conn, subject, member, now).await?
    } else {
        helpful::unmark(conn, subject, member).await?
    };
    if changed {
        helpful::adjust_count(conn, counted, subject, if on { 1 } else { -1 }).await?;
    }
    Ok(changed)
}

impl KnowledgeService {
    /// Which of `subjects` (articles, questions or answers the viewer
    /// already sees) the viewer marked helpful.
    pub async fn marked_helpful(
        &self,
        viewer: &Viewer,
        subjects: &[Uuid],
    ) -> AppResult<HashSet<Uuid>> {
        let member = super::participant(viewer)?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(helpful::marked_by(&mut conn, member, subjects).await?)
    }
}
