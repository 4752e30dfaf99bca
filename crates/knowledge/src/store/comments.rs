//! Comments on articles, one level deep.

use alumni_core::moderation::ModerationState;
use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{ArticleCommentId, ArticleCommentRecord, ArticleId};
use crate::schema::knowledge::article_comments;

/// Saves a comment.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    comment: &ArticleCommentRecord,
) -> QueryResult<()> {
    diesel::insert_into(article_comments::table)
        .values(comment)
        .execute(conn)
        .await?;
    Ok(())
}

/// One comment, locked for the transaction.
pub async fn lock(
    conn: &mut AsyncPgConnection,
    id: ArticleCommentId,
) -> QueryResult<Option<ArticleCommentRecord>> {
    article_comments::table
        .find(id)
        .select(ArticleCommentRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Comments by id.
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[ArticleCommentId],
) -> QueryResult<Vec<ArticleCommentRecord>> {
    article_comments::table
        .filter(article_comments::id.eq_any(ids))
        .select(ArticleCommentRecord::as_select())
        .load(conn)
        .await
}

/// Every comment of several articles, in the order they were written (ids
/// are UUID v7); bounded, as an article takes at most
/// [`MAX_COMMENTS_PER_ARTICLE`](crate::service::MAX_COMMENTS_PER_ARTICLE).
pub async fn of_articles(
    conn: &mut AsyncPgConnection,
    articles: &[ArticleId],
) -> QueryResult<Vec<ArticleCommentRecord>> {
    article_comments::table
        .filter(article_comments::article_id.eq_any(articles))
        .order((article_comments::article_id, article_comments::id))
        .select(ArticleCommentRecord::as_select())
        .load(conn)
        .await
}

/// Comments an article holds, whatever their state (for its cap).
pub async fn count_on(conn: &mut AsyncPgConnection, article: ArticleId) -> QueryResult<i64> {
    article_comments::table
        .filter(article_comments::article_id.eq(article))
        .select(count_star())
        .get_result(conn)
        .await
}

/// Visible comments of several articles that are not deleted, counted.
pub async fn counts(
    conn: &mut AsyncPgConnection,
    articles: &[ArticleId],
) -> QueryResult<Vec<(ArticleId, i64)>> {
    article_comments::table
        .filter(article_comments::article_id.eq_any(articles))
        .filter(article_comments::moderation.eq(ModerationState::Visible))
        .filter(article_comments::deleted_at.is_null())
        .group_by(article_comments::article_id)
        .select((article_comments::article_id, count_star()))
        .load(conn)
        .await
}

/// Replaces a comment's text (and its state, after the leak guard).
pub async fn update_body(
    conn: &mut AsyncPgConnection,
    id: ArticleCommentId,
    body: &str,
    moderation: ModerationState,
    now: DateTime<Utc>,
) -> QueryResult<ArticleCommentRecord> {
    diesel::update(article_comments::table.find(id))
        .set((
            article_comments::body.eq(body),
            article_comments::moderation.eq(moderation),
            article_comments::updated_at.eq(now),
        ))
        .returning(ArticleCommentRecord::as_returning())
        .get_result(conn)
        .await
}

/// Deletes a comment for its author: the text goes, the place stays so
/// its replies keep their thread.
pub async fn erase(
    conn: &mut AsyncPgConnection,
    id: ArticleCommentId,
    now: DateTime<Utc>,
) -> QueryResult<ArticleCommentRecord> {
    diesel::update(article_comments::table.find(id))
        .set((
            article_comments::body.eq(""),
            article_comments::deleted_at.eq(now),
            article_comments::updated_at.eq(now),
        ))
        .returning(ArticleCommentRecord::as_returning())
        .get_result(conn)
        .await
}
