//! Comments on published articles, one level deep: a reply answers a
//! comment, and a reply to a reply joins the thread of the comment it
//! hangs on (so any comment can be answered, and threads stay flat).
//!
//! Whoever reads an article reads its comments, except held or hidden
//! ones, which only their author and moderators see. An author deleting
//! their comment erases its text and keeps its place, so replies keep
//! their thread.

use std::collections::HashMap;

use alumni_core::moderation::{self, ScreenRequest, Screening};
use alumni_core::{AppError, AppResult, MemberId, Viewer};
use diesel_async::AsyncConnection as _;

use super::articles::text_audience;
use super::{KnowledgeService, bounded, participant};
use crate::model::{
    ArticleCommentId, ArticleCommentRecord, ArticleId, ArticleRecord, ArticleState,
};
use crate::store::{articles as articles_store, comments as store};

/// The node type of article comments, as the review queue names them.
pub const ARTICLE_COMMENT_NODE: &str = "ArticleComment";

/// Comments one article takes, replies and deleted ones included. A cap
/// on writing rather than on listing, so every comment written is listed.
pub const MAX_COMMENTS_PER_ARTICLE: i64 = 500;

/// Longest comment, in characters.
const MAX_COMMENT_CHARS: usize = 4000;

impl KnowledgeService {
    async fn screen_comment(
        &self,
        author: MemberId,
        id: ArticleCommentId,
        article: &ArticleRecord,
        body: &str,
        confirm_warnings: bool,
    ) -> AppResult<Screening> {
        self.ctx
            .screener
            .screen(
                self.ctx.now(),
                ScreenRequest {
                    author,
                    subject_type: ARTICLE_COMMENT_NODE,
                    subject_id: id.0,
                    audience: text_audience(article.audience),
                    fields: vec![("body", body)],
                    confirm_warnings,
                },
            )
            .await
    }

    /// Comments on a published article the viewer reads, or replies to a
    /// comment on it (`parent`; a reply to a reply joins its thread). The
    /// text passes the leak guard for the article's audience. `CONFLICT`
    /// reason `NOT_PUBLISHED` on a draft, `TOO_MANY_COMMENTS` past
    /// [`MAX_COMMENTS_PER_ARTICLE`].
    pub async fn add_article_comment(
        &self,
        viewer: &Viewer,
        article_id: ArticleId,
        parent: Option<ArticleCommentId>,
        body: &str,
        confirm_warnings: bool,
    ) -> AppResult<ArticleCommentRecord> {
        let author = participant(viewer)?.member_id;
        let body = bounded(body, "body", 1, MAX_COMMENT_CHARS)?;
        let mut conn = self.ctx.conn().await?;
        let article = Self::readable_article_in(&mut conn, viewer, article_id).await?;
        drop(conn);
        if article.state != ArticleState::Published {
            return Err(AppError::Conflict {
                message: "comments open once the article is published".to_owned(),
                reason: Some("NOT_PUBLISHED"),
            });
        }
        let id = ArticleCommentId::new();
        let screening = self
            .screen_comment(author, id, &article, &body, confirm_warnings)
            .await?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            // The article's lock makes the count and the insert one step.
            articles_store::lock(conn, article_id)
                .await?
                .filter(|article| {
                    article.state == ArticleState::Published
                        && super::articles::sees_article(viewer, article)
                })
                .ok_or(AppError::NotFound { entity: "Article" })?;
            if store::count_on(conn, article_id).await? >= MAX_COMMENTS_PER_ARTICLE {
                return Err(AppError::Conflict {
                    message: format!(
                        "an article takes at most {MAX_COMMENTS_PER_ARTICLE} comments"
                    ),
                    reason: Some("TOO_MANY_COMMENTS"),
                });
            }
            let parent_id = match parent {
                Some(parent) => {
                    let found = store::by_ids(conn, &[parent])
                        .await?
                        .pop()
                        .filter(|found| {
                            found.article_id == article_id
                                && moderation::sees(viewer, found.moderation, found.author_id)
                        })
                        .ok_or_else(|| {
                            AppError::bad_input("parentId", "no such comment on this article")
                        })?;
                    Some(found.parent_id.unwrap_or(found.id))
                }
                None => None,
            };
            let comment = ArticleCommentRecord {
                id,
                article_id,
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

    /// Changes the text of the viewer's own comment on an article they
    /// still read (checked again; a clean edit never releases a held
    /// comment).
    pub async fn edit_article_comment(
        &self,
        viewer: &Viewer,
        id: ArticleCommentId,
        body: &str,
        confirm_warnings: bool,
    ) -> AppResult<ArticleCommentRecord> {
        let author = participant(viewer)?.member_id;
        let body = bounded(body, "body", 1, MAX_COMMENT_CHARS)?;
        let mut conn = self.ctx.conn().await?;
        let comment = store::by_ids(&mut conn, &[id])
            .await?
            .pop()
            .filter(|comment| comment.author_id == Some(author) && comment.deleted_at.is_none())
            .ok_or(AppError::NotFound {
                entity: "ArticleComment",
            })?;
        let article = Self::readable_article_in(&mut conn, viewer, comment.article_id).await?;
        drop(conn);
        let screening = self
            .screen_comment(author, id, &article, &body, confirm_warnings)
            .await?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = store::lock(conn, id)
                .await?
                .filter(|comment| comment.author_id == Some(author) && comment.deleted_at.is_none())
                .ok_or(AppError::NotFound {
                    entity: "ArticleComment",
                })?;
            let state = current.moderation.after_edit(screening.state);
            let updated = store::update_body(conn, id, &body, state, now).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            Ok(updated)
        })
        .await
    }

    /// Deletes the viewer's own comment: its text goes, its replies stay.
    pub async fn delete_article_comment(
        &self,
        viewer: &Viewer,
        id: ArticleCommentId,
    ) -> AppResult<ArticleCommentRecord> {
        let author = participant(viewer)?.member_id;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::lock(conn, id)
                .await?
                .filter(|comment| comment.author_id == Some(author) && comment.deleted_at.is_none())
                .ok_or(AppError::NotFound {
                    entity: "ArticleComment",
                })?;
            Ok(store::erase(conn, id, now).await?)
        })
        .await
    }

    /// The comments of several articles the viewer reads, oldest first, as
    /// the viewer may see them.
    pub async fn comments_of_articles(
        &self,
        viewer: &Viewer,
        articles: &[ArticleId],
    ) -> AppResult<Vec<ArticleCommentRecord>> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::of_articles(&mut conn, articles)
            .await?
            .into_iter()
            .filter(|comment| moderation::sees(viewer, comment.moderation, comment.author_id))
            .collect())
    }

    /// Visible comments (not deleted) of several articles the viewer
    /// reads, counted.
    pub async fn article_comment_counts(
        &self,
        viewer: &Viewer,
        articles: &[ArticleId],
    ) -> AppResult<HashMap<ArticleId, i64>> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::counts(&mut conn, articles)
            .await?
            .into_iter()
            .collect())
    }

    /// Comments among `ids` the viewer may see, on articles they read.
    pub async fn article_comments_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[ArticleCommentId],
    ) -> AppResult<Vec<ArticleCommentRecord>> {
        participant(viewer)?;
        let mut conn = self.ctx.conn().await?;
        let comments = store::by_ids(&mut conn, ids).await?;
        let article_ids: Vec<ArticleId> =
            comments.iter().map(|comment| comment.article_id).collect();
        let readable: Vec<ArticleId> = articles_store::by_ids(&mut conn, &article_ids)
            .await?
            .into_iter()
            .filter(|article| super::articles::sees_article(viewer, article))
            .map(|article| article.id)
            .collect();
        Ok(comments
            .into_iter()
            .filter(|comment| {
                readable.contains(&comment.article_id)
                    && moderation::sees(viewer, comment.moderation, comment.author_id)
            })
            .collect())
    }
}
