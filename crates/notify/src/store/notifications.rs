//! Notifications: written for a member, listed newest first, marked read.

use alumni_core::MemberId;
use alumni_core::pagination::{ListOrder, PageRequest, capped_count, seek};
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{NotificationId, NotificationPageKey, NotificationRecord};
use crate::schema::notify::notifications;

/// Records notifications.
pub async fn insert(conn: &mut AsyncPgConnection, rows: &[NotificationRecord]) -> QueryResult<()> {
    diesel::insert_into(notifications::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

fn of_member(member: MemberId, unread_only: bool) -> notifications::BoxedQuery<'static, Pg> {
    let mut query = notifications::table
        .filter(notifications::member_id.eq(member))
        .into_boxed();
    if unread_only {
        query = query.filter(notifications::read_at.is_null());
    }
    query
}

/// One page of a member's notifications, newest first, in reading order.
pub async fn page(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    unread_only: bool,
    page: &PageRequest<NotificationPageKey>,
) -> QueryResult<Vec<NotificationRecord>> {
    seek(
        of_member(member, unread_only).select(NotificationRecord::as_select()),
        page,
        (notifications::created_at, notifications::id),
        ListOrder::Descending,
    )
    .load(conn)
    .await
}

/// How many notifications of a member there are (unread ones only, if
/// asked), counted up to the cap.
pub async fn count(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    unread_only: bool,
) -> QueryResult<i64> {
    capped_count(of_member(member, unread_only).select(notifications::id))
        .get_result(conn)
        .await
}

/// A member's notifications among `ids`.
pub async fn of_member_by_ids(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    ids: &[NotificationId],
) -> QueryResult<Vec<NotificationRecord>> {
    notifications::table
        .filter(notifications::member_id.eq(member))
        .filter(notifications::id.eq_any(ids))
        .select(NotificationRecord::as_select())
        .load(conn)
        .await
}

/// Marks a member's unread notifications read: those among `ids`, or all
/// of them. Returns how many changed.
pub async fn mark_read(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    ids: Option<&[NotificationId]>,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    let unread = notifications::table
        .filter(notifications::member_id.eq(member))
        .filter(notifications::read_at.is_null());
    match ids {
        Some(ids) => {
            diesel::update(unread.filter(notifications::id.eq_any(ids)))
                .set(notifications::read_at.eq(at))
                .execute(conn)
                .await
        }
        None => {
            diesel::update(unread)
                .set(notifications::read_at.eq(at))
                .execute(conn)
                .await
        }
    }
}

/// Every notification of a member, oldest first (for their data export).
pub async fn all_of(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<Vec<NotificationRecord>> {
    notifications::table
        .filter(notifications::member_id.eq(member))
        .order((notifications::created_at.asc(), notifications::id.asc()))
        .select(NotificationRecord::as_select())
        .load(conn)
        .await
}

/// Removes every notification of a member.
pub async fn delete_of(conn: &mut AsyncPgConnection, member: MemberId) -> QueryResult<usize> {
    diesel::delete(notifications::table.filter(notifications::member_id.eq(member)))
        .execute(conn)
        .await
}
