//! Newsletter issues: put together, sent, kept in the archive.

use alumni_core::MemberId;
use alumni_core::pagination::{ListOrder, PageRequest, capped_count, seek};
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::audience::admitted;
use crate::model::{IssueId, IssueRecord, IssueState, PostId};
use crate::schema::content::{issue_posts, issue_recipients, issues};
use crate::visibility::Reader;

/// Saves a new issue with its posts in order; `false` when its number is
/// taken.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    issue: &IssueRecord,
    posts: &[PostId],
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(issues::table)
        .values(issue)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    if inserted == 0 {
        return Ok(false);
    }
    let rows: Vec<_> = posts
        .iter()
        .zip(1..)
        .map(|(post, position)| {
            (
                issue_posts::issue_id.eq(issue.id),
                issue_posts::post_id.eq(*post),
                issue_posts::position.eq(position),
            )
        })
        .collect();
    diesel::insert_into(issue_posts::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(true)
}

/// One issue, locked for the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, id: IssueId) -> QueryResult<Option<IssueRecord>> {
    issues::table
        .find(id)
        .select(IssueRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Issues by id, whatever their state.
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[IssueId],
) -> QueryResult<Vec<IssueRecord>> {
    issues::table
        .filter(issues::id.eq_any(ids))
        .select(IssueRecord::as_select())
        .load(conn)
        .await
}

/// Marks an issue sent.
pub async fn publish(
    conn: &mut AsyncPgConnection,
    id: IssueId,
    now: DateTime<Utc>,
) -> QueryResult<IssueRecord> {
    diesel::update(issues::table.find(id))
        .set((
            issues::state.eq(IssueState::Published),
            issues::published_at.eq(now),
            issues::updated_at.eq(now),
        ))
        .returning(IssueRecord::as_returning())
        .get_result(conn)
        .await
}

/// The posts of several issues, in order.
pub async fn posts_of(
    conn: &mut AsyncPgConnection,
    ids: &[IssueId],
) -> QueryResult<Vec<(IssueId, PostId)>> {
    issue_posts::table
        .filter(issue_posts::issue_id.eq_any(ids))
        .order((issue_posts::issue_id, issue_posts::position))
        .select((issue_posts::issue_id, issue_posts::post_id))
        .load(conn)
        .await
}

/// Fixes who an issue was sent to.
pub async fn insert_recipients(
    conn: &mut AsyncPgConnection,
    id: IssueId,
    members: &[MemberId],
) -> QueryResult<()> {
    for chunk in members.chunks(5000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|member| {
                (
                    issue_recipients::issue_id.eq(id),
                    issue_recipients::member_id.eq(*member),
                )
            })
            .collect();
        diesel::insert_into(issue_recipients::table)
            .values(rows)
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// How many members an issue was sent to.
pub async fn recipient_count(conn: &mut AsyncPgConnection, id: IssueId) -> QueryResult<i64> {
    issue_recipients::table
        .filter(issue_recipients::issue_id.eq(id))
        .count()
        .get_result(conn)
        .await
}

fn archive(reader: &Reader) -> issues::BoxedQuery<'static, Pg> {
    let mut query = issues::table
        .filter(issues::state.eq(IssueState::Published))
        .filter(issues::moderation.eq(alumni_core::moderation::ModerationState::Visible))
        .into_boxed();
    if !reader.is_secretariat() {
        // The audience rule of `content.admits`, as for posts.
        query = query.filter(admitted("content.issues", reader));
    }
    query
}

/// One page of back issues the reader's audience admits, newest first.
pub async fn archive_page(
    conn: &mut AsyncPgConnection,
    reader: &Reader,
    page: &PageRequest<(DateTime<Utc>, Uuid)>,
) -> QueryResult<Vec<IssueRecord>> {
    seek(
        archive(reader).select(IssueRecord::as_select()),
        page,
        (issues::published_at.assume_not_null(), issues::id),
        ListOrder::Descending,
    )
    .load(conn)
    .await
}

/// How many back issues the archive lists, up to the cap.
pub async fn archive_count(conn: &mut AsyncPgConnection, reader: &Reader) -> QueryResult<i64> {
    capped_count(archive(reader).select(issues::id))
        .get_result(conn)
        .await
}

/// Issues not yet sent, newest first (at most 100).
pub async fn drafts(conn: &mut AsyncPgConnection) -> QueryResult<Vec<IssueRecord>> {
    issues::table
        .filter(issues::state.eq(IssueState::Draft))
        .order((issues::created_at.desc(), issues::id.desc()))
        .limit(100)
        .select(IssueRecord::as_select())
        .load(conn)
        .await
}
