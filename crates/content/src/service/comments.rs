//! Comments, one level deep, open to everyone the post's audience admits.

use alumni_core::moderation::{self, ModerationState, ScreenRequest};
use alumni_core::{AppError, AppResult, Viewer};
use diesel_async::AsyncConnection as _;

use super::{ContentService, bounded};
use crate::model::{CommentId, CommentRecord, PostId, PostRecord};
use crate::store::{comments as store, posts as posts_store};
use crate::visibility::{sees_post, text_audience};

/// The node type of comments, as the review queue names them.
pub const COMMENT_NODE: &str = "Comment";

/// Longest comment, in characters.
const MAX_COMMENT_CHARS: usize = 4000;

impl ContentService {
    async fn visible_post(&self, viewer: &Viewer, id: PostId) -> AppResult<PostRecord> {
        let mut conn = self.ctx.conn().await?;
        let reader = self.reader_in(&mut conn, viewer).await?;
        posts_store::by_ids(&mut conn, &[id])
            .await?
            .pop()
            .filter(|post| sees_post(viewer, &reader, post))
            .ok_or(AppError::NotFound { entity: "Post" })
    }

    /// Comments on a post the viewer can see, or answers a comment on it
    /// (one level deep: answers to answers join the same thread). The text
    /// passes the leak guard for the post's audience.
    pub async fn comment(
        &self,
        viewer: &Viewer,
        post_id: PostId,
        parent: Option<CommentId>,
        body: &str,
        confirm_warnings: bool,
    ) -> AppResult<CommentRecord> {
        let author = viewer.identity()?.member_id;
        let body = bounded(body, "body", MAX_COMMENT_CHARS, true)?;
        let post = self.visible_post(viewer, post_id).await?;
        let now = self.ctx.now();
        let id = CommentId::new();
        let screening = self
            .ctx
            .screener
            .screen(
                now,
                ScreenRequest {
                    author,
                    subject_type: COMMENT_NODE,
                    subject_id: id.0,
                    audience: text_audience(&post.audience),
                    fields: vec![("body", &body)],
                    confirm_warnings,
                },
            )
            .await?;
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let parent_id = match parent {
                Some(parent) => {
                    let found = store::by_ids(conn, &[parent])
                        .await?
                        .pop()
                        .filter(|found| found.post_id == post_id)
                        .ok_or_else(|| {
                            AppError::bad_input("parentId", "no such comment on this post")
                        })?;
                    Some(found.parent_id.unwrap_or(found.id))
                }
                None => None,
            };
            let comment = CommentRecord {
                id,
                post_id,
                parent_id,
                author_id: Some(author),
                body,
                moderation: screening.state,
                created_at: now,
                updated_at: now,
                deleted_at: None,
            };
            store::insert(conn, &comment).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            Ok(comment)
        })
        .await
    }

    /// Changes the text of the viewer's own comment (checked again).
    pub async fn edit_comment(
        &self,
        viewer: &Viewer,
        id: CommentId,
        body: &str,
        confirm_warnings: bool,
    ) -> AppResult<CommentRecord> {
        let author = viewer.identity()?.member_id;
        let body = bounded(body, "body", MAX_COMMENT_CHARS, true)?;
        let mut conn = self.ctx.conn().await?;
        let comment = store::by_ids(&mut conn, &[id])
            .await?
            .pop()
            .filter(|comment| comment.author_id == Some(author) && comment.deleted_at.is_none())
            .ok_or(AppError::NotFound { entity: "Comment" })?;
        drop(conn);
        let post = self.visible_post(viewer, comment.post_id).await?;
        let now = self.ctx.now();
        let screening = self
            .ctx
            .screener
            .screen(
                now,
                ScreenRequest {
                    author,
                    subject_type: COMMENT_NODE,
                    subject_id: id.0,
                    audience: text_audience(&post.audience),
                    fields: vec![("body", &body)],
                    confirm_warnings,
                },
            )
            .await?;
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = store::lock(conn, id)
                .await?
                .ok_or(AppError::NotFound { entity: "Comment" })?;
            let state = current.moderation.after_edit(screening.state);
            let updated = store::update_body(conn, id, &body, state, now).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            Ok(updated)
        })
        .await
    }

    /// Deletes the viewer's own comment: its text goes, answers stay.
    pub async fn delete_comment(&self, viewer: &Viewer, id: CommentId) -> AppResult<()> {
        let author = viewer.identity()?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::lock(conn, id)
                .await?
                .filter(|comment| comment.author_id == Some(author) && comment.deleted_at.is_none())
                .ok_or(AppError::NotFound { entity: "Comment" })?;
            Ok::<_, AppError>(store::delete(conn, id, now).await?)
        })
        .await
    }

    /// The comments of several posts the viewer sees, as the viewer may
    /// see them (withheld ones only for their author and moderators).
    pub async fn comments_of(
        &self,
        viewer: &Viewer,
        posts: &[PostId],
    ) -> AppResult<Vec<CommentRecord>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::of_posts(&mut conn, posts)
            .await?
            .into_iter()
            .filter(|comment| moderation::sees(viewer, comment.moderation, comment.author_id))
            .collect())
    }

    /// Comments among `ids` the viewer may see (on posts they see).
    pub async fn comments_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[CommentId],
    ) -> AppResult<Vec<CommentRecord>> {
        let mut conn = self.ctx.conn().await?;
        let reader = self.reader_in(&mut conn, viewer).await?;
        let comments = store::by_ids(&mut conn, ids).await?;
        let post_ids: Vec<PostId> = comments.iter().map(|comment| comment.post_id).collect();
        let visible: Vec<PostId> = posts_store::by_ids(&mut conn, &post_ids)
            .await?
            .into_iter()
            .filter(|post| sees_post(viewer, &reader, post))
            .map(|post| post.id)
            .collect();
        Ok(comments
            .into_iter()
            .filter(|comment| {
                visible.contains(&comment.post_id)
                    && moderation::sees(viewer, comment.moderation, comment.author_id)
            })
            .collect())
    }

    /// Sets a comment's moderation state (for the review queue).
    pub(crate) async fn set_comment_moderation_in(
        conn: &mut diesel_async::AsyncPgConnection,
        id: CommentId,
        state: ModerationState,
    ) -> AppResult<()> {
        Ok(store::set_moderation(conn, id, state).await?)
    }
}
