//! Comments on posts, one level deep.

use alumni_core::MemberId;
use alumni_core::moderation::ModerationState;
use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{CommentId, CommentRecord, PostId};
use crate::schema::content::comments;

/// Saves a comment.
pub async fn insert(conn: &mut AsyncPgConnection, comment: &CommentRecord) -> QueryResult<()> {
    diesel::insert_into(comments::table)
        .values(comment)
        .execute(conn)
        .await?;
    Ok(())
}

/// One comment, locked for the transaction.
pub async fn lock(
    conn: &mut AsyncPgConnection,
    id: CommentId,
) -> QueryResult<Option<CommentRecord>> {
    comments::table
        .find(id)
        .select(CommentRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Comments by id.
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[CommentId],
) -> QueryResult<Vec<CommentRecord>> {
    comments::table
        .filter(comments::id.eq_any(ids))
        .select(CommentRecord::as_select())
        .load(conn)
        .await
}

/// Replaces a comment's text (and its state, after the leak guard).
pub async fn update_body(
    conn: &mut AsyncPgConnection,
    id: CommentId,
    body: &str,
    moderation: ModerationState,
    now: DateTime<Utc>,
) -> QueryResult<CommentRecord> {
    diesel::update(comments::table.find(id))
        .set((
            comments::body.eq(body),
            comments::moderation.eq(moderation),
            comments::updated_at.eq(now),
        ))
        .returning(CommentRecord::as_returning())
        .get_result(conn)
        .await
}

/// Deletes a comment by its author: the text goes, the place stays (its
/// answers keep their thread).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: CommentId,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(comments::table.find(id))
        .set((comments::body.eq(""), comments::deleted_at.eq(now)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets whether members see a comment.
pub async fn set_moderation(
    conn: &mut AsyncPgConnection,
    id: CommentId,
    state: ModerationState,
) -> QueryResult<()> {
    diesel::update(comments::table.find(id))
        .set(comments::moderation.eq(state))
        .execute(conn)
        .await?;
    Ok(())
}

/// Most comments listed under one post.
pub const MAX_PER_POST: i64 = 500;

/// The comments of several posts, oldest first, at most
/// [`MAX_PER_POST`] of each (so one busy post never crowds out another's
/// comments on the same page).
pub async fn of_posts(
    conn: &mut AsyncPgConnection,
    posts: &[PostId],
) -> QueryResult<Vec<CommentRecord>> {
    let ids: Vec<uuid::Uuid> = posts.iter().map(|post| post.0).collect();
    diesel::sql_query(
        "SELECT id, post_id, parent_id, author_id, body, moderation, created_at, updated_at, \
         deleted_at FROM (SELECT c.*, row_number() OVER (PARTITION BY post_id \
         ORDER BY created_at, id) AS n FROM content.comments c WHERE post_id = ANY($1)) numbered \
         WHERE n <= $2 ORDER BY created_at, id",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ids)
    .bind::<diesel::sql_types::BigInt, _>(MAX_PER_POST)
    .load(conn)
    .await
}

/// Visible comments of several posts, counted.
pub async fn counts(
    conn: &mut AsyncPgConnection,
    posts: &[PostId],
) -> QueryResult<Vec<(PostId, i64)>> {
    comments::table
        .filter(comments::post_id.eq_any(posts))
        .filter(comments::moderation.eq(ModerationState::Visible))
        .filter(comments::deleted_at.is_null())
        .group_by(comments::post_id)
        .select((comments::post_id, count_star()))
        .load(conn)
        .await
}

/// A member's comments, for their data export.
pub async fn by_member(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<Vec<CommentRecord>> {
    comments::table
        .filter(comments::author_id.eq(member))
        .order(comments::created_at)
        .select(CommentRecord::as_select())
        .load(conn)
        .await
}

/// A leaving member's comments stay as "withdrawn member", text erased.
pub async fn forget_member(conn: &mut AsyncPgConnection, member: MemberId) -> QueryResult<()> {
    diesel::update(comments::table.filter(comments::author_id.eq(member)))
        .set((
            comments::author_id.eq(None::<MemberId>),
            comments::body.eq(""),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
