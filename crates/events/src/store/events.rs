//! Events and their seat counters.

use alumni_core::moderation::ModerationState;
use alumni_core::pagination::{ListOrder, ListSize, PageRequest, capped_count, seek};
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{
    Audience, EventFields, EventId, EventListFilter, EventPageKey, EventRecord, EventStatus,
};
use crate::schema::events::events;

/// Inserts an event.
pub async fn insert_event(conn: &mut AsyncPgConnection, event: &EventRecord) -> QueryResult<()> {
    diesel::insert_into(events::table)
        .values(event)
        .execute(conn)
        .await?;
    Ok(())
}

/// The event, locked until the end of the transaction: every change of its
/// registrations, seats and status goes through this lock, so concurrent
/// registrations queue here instead of reading stale counters.
pub async fn lock_event(
    conn: &mut AsyncPgConnection,
    id: EventId,
) -> QueryResult<Option<EventRecord>> {
    events::table
        .find(id)
        .select(EventRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Events by id; missing ids are absent.
pub async fn events_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[EventId],
) -> QueryResult<Vec<EventRecord>> {
    events::table
        .filter(events::id.eq_any(ids))
        .select(EventRecord::as_select())
        .load(conn)
        .await
}

/// One event.
pub async fn event(conn: &mut AsyncPgConnection, id: EventId) -> QueryResult<Option<EventRecord>> {
    events::table
        .find(id)
        .select(EventRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// A page of events ordered by start, in reading order.
pub async fn list_events(
    conn: &mut AsyncPgConnection,
    filter: &EventListFilter,
    include_withheld: (bool, bool),
    now: DateTime<Utc>,
    page: &PageRequest<EventPageKey>,
) -> QueryResult<Vec<EventRecord>> {
    seek(
        listed(filter, include_withheld, now).select(EventRecord::as_select()),
        page,
        (events::starts_at, events::id),
        ListOrder::Ascending,
    )
    .load(conn)
    .await
}

/// How many events [`list_events`] lists.
pub async fn count_events(
    conn: &mut AsyncPgConnection,
    filter: &EventListFilter,
    include_withheld: (bool, bool),
    now: DateTime<Utc>,
) -> QueryResult<ListSize> {
    let counted = capped_count(listed(filter, include_withheld, now).select(events::id))
        .get_result(conn)
        .await?;
    Ok(ListSize::from_capped_count(counted))
}

/// Events matching `filter`, in no order; drafts and events withheld by
/// moderation only if `(include_drafts, include_moderated)` say so.
fn listed(
    filter: &EventListFilter,
    (include_drafts, include_moderated): (bool, bool),
    now: DateTime<Utc>,
) -> events::BoxedQuery<'static, Pg> {
    let mut query = events::table.into_boxed::<Pg>();
    if !include_drafts {
        query = query.filter(events::status.ne(EventStatus::Draft));
    }
    if !include_moderated {
        query = query.filter(events::moderation.eq(ModerationState::Visible));
    }
    if let Some(from) = filter.from {
        query = query.filter(events::starts_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(events::starts_at.lt(to));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(events::kind.eq(kind));
    }
    if let Some(audience) = filter.audience {
        query = query.filter(events::audience.eq(audience));
    }
    match filter.upcoming {
        Some(true) => query = query.filter(events::ends_at.gt(now)),
        Some(false) => query = query.filter(events::ends_at.le(now)),
        None => {}
    }
    query
}

/// Published events of `audiences` published after `since` whose
/// registration is still open at `now`, by start, at most `limit`; and how
/// many there are in all.
pub async fn open_published_since(
    conn: &mut AsyncPgConnection,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    audiences: &[Audience],
    limit: i64,
) -> QueryResult<(Vec<EventRecord>, i64)> {
    let open = || {
        events::table
            .filter(events::status.eq(EventStatus::Published))
            .filter(events::moderation.eq(ModerationState::Visible))
            .filter(events::published_at.gt(since))
            .filter(events::registration_closes_at.gt(now))
            .filter(events::audience.eq_any(audiences.to_vec()))
    };
    let listed = open()
        .order((events::starts_at, events::id))
        .limit(limit)
        .select(EventRecord::as_select())
        .load(conn)
        .await?;
    let total = if (listed.len() as i64) < limit {
        listed.len() as i64
    } else {
        open().count().get_result(conn).await?
    };
    Ok((listed, total))
}

/// Sets whether members see an event.
pub async fn set_moderation(
    conn: &mut AsyncPgConnection,
    id: EventId,
    state: ModerationState,
) -> QueryResult<()> {
    diesel::update(events::table.find(id))
        .set(events::moderation.eq(state))
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes the particulars the secretariat edits.
pub async fn update_event_fields(
    conn: &mut AsyncPgConnection,
    id: EventId,
    fields: &EventFields,
    now: DateTime<Utc>,
) -> QueryResult<EventRecord> {
    diesel::update(events::table.find(id))
        .set((fields, events::updated_at.eq(now)))
        .returning(EventRecord::as_returning())
        .get_result(conn)
        .await
}

/// Publishes a draft.
pub async fn publish_event(
    conn: &mut AsyncPgConnection,
    id: EventId,
    now: DateTime<Utc>,
) -> QueryResult<EventRecord> {
    diesel::update(events::table.find(id))
        .set((
            events::status.eq(EventStatus::Published),
            events::published_at.eq(now),
            events::updated_at.eq(now),
        ))
        .returning(EventRecord::as_returning())
        .get_result(conn)
        .await
}

/// Cancels an event (draft or published).
pub async fn cancel_event(
    conn: &mut AsyncPgConnection,
    id: EventId,
    now: DateTime<Utc>,
) -> QueryResult<EventRecord> {
    diesel::update(events::table.find(id))
        .set((
            events::status.eq(EventStatus::Cancelled),
            events::cancelled_at.eq(now),
            events::updated_at.eq(now),
        ))
        .returning(EventRecord::as_returning())
        .get_result(conn)
        .await
}

/// Sets capacity and the seat counters together, bumping the seats version.
/// The table's `CHECK (confirmed_count <= capacity)` refuses any
/// overbooking that slipped past the caller.
pub async fn set_seats(
    mut conn: &AsyncPgConnection,
    id: EventId,
    capacity: Option<i32>,
    confirmed: i32,
    waitlisted: i32,
    now: DateTime<Utc>,
) -> QueryResult<EventRecord> {
    diesel::update(events::table.find(id))
        .set((
            events::capacity.eq(capacity),
            events::confirmed_count.eq(confirmed),
            events::waitlist_count.eq(waitlisted),
            events::seats_version.eq(events::seats_version + 1_i64),
            events::updated_at.eq(now),
        ))
        .returning(EventRecord::as_returning())
        .get_result(&mut conn)
        .await
}
