//! Personal calendar feeds: their tokens and the events they list.

use alumni_core::MemberId;
use alumni_core::moderation::ModerationState;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{CalendarFeedRecord, EventRecord, RegistrationStatus};
use crate::schema::events::{calendar_feeds, events, registrations};

/// Stores the member's feed, replacing any earlier token.
pub async fn replace_feed(
    conn: &mut AsyncPgConnection,
    feed: &CalendarFeedRecord,
) -> QueryResult<()> {
    diesel::insert_into(calendar_feeds::table)
        .values(feed)
        .on_conflict(calendar_feeds::member_id)
        .do_update()
        .set((
            calendar_feeds::token_hash.eq(excluded(calendar_feeds::token_hash)),
            calendar_feeds::created_at.eq(excluded(calendar_feeds::created_at)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets the member's feed token; returns whether there was one.
pub async fn delete_feed(conn: &mut AsyncPgConnection, member_id: MemberId) -> QueryResult<bool> {
    let deleted = diesel::delete(calendar_feeds::table.find(member_id))
        .execute(conn)
        .await?;
    Ok(deleted > 0)
}

/// Whose feed token has this hash.
pub async fn feed_owner(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<MemberId>> {
    calendar_feeds::table
        .filter(calendar_feeds::token_hash.eq(token_hash))
        .select(calendar_feeds::member_id)
        .first(conn)
        .await
        .optional()
}

/// When the member's current feed token was issued, if there is one.
pub async fn feed_issued_at(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
) -> QueryResult<Option<DateTime<Utc>>> {
    calendar_feeds::table
        .find(member_id)
        .select(calendar_feeds::created_at)
        .first(conn)
        .await
        .optional()
}

/// The events a member holds a confirmed seat for, most recent start first
/// (at most `limit`): what their feed lists.
pub async fn confirmed_events_of(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    limit: i64,
) -> QueryResult<Vec<EventRecord>> {
    registrations::table
        .inner_join(events::table)
        .filter(registrations::member_id.eq(member_id))
        .filter(registrations::status.eq(RegistrationStatus::Confirmed))
        .filter(events::moderation.eq(ModerationState::Visible))
        .order((events::starts_at.desc(), events::id.desc()))
        .select(EventRecord::as_select())
        .limit(limit)
        .load(conn)
        .await
}
