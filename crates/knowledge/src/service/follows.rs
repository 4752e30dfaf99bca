//! Following tags, for the digest.

use alumni_core::{AppError, AppResult, Viewer};
use alumni_membership::model::TagRecord;

use super::{KnowledgeService, participant, refused};
use crate::store::{follows, tags};

impl KnowledgeService {
    /// Follows a tag (a name or alias; it must exist): new articles with
    /// it appear in the member's digest. At most 50 tags
    /// (`CONFLICT`, reason `TOO_MANY_FOLLOWED`).
    pub async fn follow_tag(&self, viewer: &Viewer, name: &str) -> AppResult<Vec<TagRecord>> {
        let member = participant(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let tag = tags::resolve(&mut conn, name)
            .await?
            .ok_or(AppError::NotFound { entity: "Tag" })?;
        let followed = follows::followed(&mut conn, member).await?;
        if !followed.contains(&tag) && followed.len() as i64 >= follows::MAX_FOLLOWED {
            return Err(refused(
                "you follow as many tags as one can",
                "TOO_MANY_FOLLOWED",
            ));
        }
        follows::follow(&mut conn, member, tag, now).await?;
        drop(conn);
        self.followed_tags(viewer).await
    }

    /// Stops following a tag.
    pub async fn unfollow_tag(&self, viewer: &Viewer, name: &str) -> AppResult<Vec<TagRecord>> {
        let member = participant(viewer)?.member_id;
        let mut conn = self.ctx.conn().await?;
        if let Some(tag) = tags::resolve(&mut conn, name).await? {
            follows::unfollow(&mut conn, member, tag).await?;
        }
        drop(conn);
        self.followed_tags(viewer).await
    }

    /// The tags the viewer follows, in the order they followed them.
    pub async fn followed_tags(&self, viewer: &Viewer) -> AppResult<Vec<TagRecord>> {
        let member = participant(viewer)?.member_id;
        let mut conn = self.ctx.conn().await?;
        let ids = follows::followed(&mut conn, member).await?;
        let mut tags = self.membership.tags_by_ids_in(&mut conn, &ids).await?;
        tags.sort_by_key(|tag| ids.iter().position(|id| *id == tag.id));
        Ok(tags)
    }
}
