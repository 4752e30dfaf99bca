//! Registrations: seats and waitlist places, their moves, and the lists
//! they appear in.

use alumni_core::moderation::ModerationState;
use std::collections::HashMap;

use alumni_core::MemberId;
use alumni_core::pagination::{ListOrder, ListSize, PageRequest, capped_count, seek};
use chrono::{DateTime, Utc};
use diesel::dsl::{InnerJoin, IntoBoxed};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, SmallInt, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::model::{
    Audience, EventId, EventRecord, EventStatus, MyRegistrationFilter, MyRegistrationPageKey,
    RegistrationId, RegistrationPageKey, RegistrationRecord, RegistrationStatus,
};
use crate::schema::events::{events, registrations};

/// The member's registration for the event, whatever its status.
pub async fn registration_of(
    conn: &mut AsyncPgConnection,
    event_id: EventId,
    member_id: MemberId,
) -> QueryResult<Option<RegistrationRecord>> {
    registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::member_id.eq(member_id))
        .select(RegistrationRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// Registrations by id, whatever their status.
pub async fn registrations_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[RegistrationId],
) -> QueryResult<Vec<RegistrationRecord>> {
    registrations::table
        .filter(registrations::id.eq_any(ids))
        .select(RegistrationRecord::as_select())
        .load(conn)
        .await
}

/// The member's registrations for several events.
pub async fn registrations_of_member(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    event_ids: &[EventId],
) -> QueryResult<Vec<RegistrationRecord>> {
    registrations::table
        .filter(registrations::member_id.eq(member_id))
        .filter(registrations::event_id.eq_any(event_ids))
        .select(RegistrationRecord::as_select())
        .load(conn)
        .await
}

/// Registers a member who has never registered for the event, in one
/// statement run on its own (no transaction around it): the event's row is
/// locked, a seat taken if one is free (otherwise the next waitlist place),
/// and the registration inserted, all inside PostgreSQL, so the lock every
/// registration for the event queues on is held for the statement and its
/// commit only, never across a round trip to the server. This is
/// [`rules::place_registration`](crate::rules::place_registration) in SQL;
/// the event is changed only if it is still as the caller checked it
/// (published, in the audience the caller checked, open for registration
/// at `registration.registered_at`), and `None` means it no longer is (the
/// caller then takes the locked path, which says why).
pub async fn register_new(
    conn: &mut AsyncPgConnection,
    audience: Audience,
    registration: &NewRegistration<'_>,
) -> QueryResult<Option<RegistrationRecord>> {
    // `sql_query`: diesel has no data-modifying CTE. Parsed on each use,
    // which costs microseconds before the lock is taken, not while it is
    // held.
    diesel::sql_query(
        "WITH seat AS ( \
             SELECT id, capacity IS NULL OR confirmed_count < capacity AS free \
             FROM events.events \
             WHERE id = $1 AND status = 'PUBLISHED' AND audience = $2 \
               AND registration_opens_at <= $3 AND $3 < registration_closes_at \
             FOR UPDATE), \
         counted AS ( \
             UPDATE events.events AS event \
             SET confirmed_count = event.confirmed_count + seat.free::int, \
                 waitlist_count = event.waitlist_count + (NOT seat.free)::int, \
                 seats_version = event.seats_version + 1, \
                 updated_at = $3 \
             FROM seat WHERE event.id = seat.id \
             RETURNING seat.free, event.waitlist_count) \
         INSERT INTO events.registrations \
             (id, event_id, member_id, status, waitlist_position, check_in_code, \
              registered_at, confirmed_at, updated_at) \
         SELECT $4, $1, $5, CASE WHEN free THEN 'CONFIRMED' ELSE 'WAITLISTED' END, \
                CASE WHEN free THEN NULL ELSE waitlist_count END, $6, \
                $3, CASE WHEN free THEN $3 END, $3 \
         FROM counted \
         RETURNING id, event_id, member_id, status, waitlist_position, check_in_code, \
                   registered_at, confirmed_at, cancelled_at, checked_in_at, updated_at",
    )
    .bind::<diesel::sql_types::Uuid, _>(registration.event_id)
    .bind::<Text, _>(audience)
    .bind::<Timestamptz, _>(registration.registered_at)
    .bind::<diesel::sql_types::Uuid, _>(registration.id)
    .bind::<diesel::sql_types::Uuid, _>(registration.member_id)
    .bind::<Text, _>(registration.check_in_code)
    .get_result(conn)
    .await
    .optional()
}

/// A first registration, before its seat or waitlist place is known.
#[derive(Debug, Clone, Copy)]
pub struct NewRegistration<'a> {
    /// Its id.
    pub id: RegistrationId,
    /// For which event.
    pub event_id: EventId,
    /// Who registers.
    pub member_id: MemberId,
    /// Its check-in code.
    pub check_in_code: &'a str,
    /// When.
    pub registered_at: DateTime<Utc>,
}

/// Records a first registration.
pub async fn insert_registration(
    mut conn: &AsyncPgConnection,
    registration: &RegistrationRecord,
) -> QueryResult<()> {
    diesel::insert_into(registrations::table)
        .values(registration)
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Turns a cancelled registration into a new one (confirmed, or waitlisted
/// at `waitlist_position`), as if the member had just arrived. `NotFound`
/// if it is no longer cancelled.
pub async fn reactivate_registration(
    mut conn: &AsyncPgConnection,
    id: RegistrationId,
    waitlist_position: Option<i32>,
    now: DateTime<Utc>,
) -> QueryResult<RegistrationRecord> {
    let status = if waitlist_position.is_some() {
        RegistrationStatus::Waitlisted
    } else {
        RegistrationStatus::Confirmed
    };
    diesel::update(registrations::table.find(id))
        .filter(registrations::status.eq(RegistrationStatus::Cancelled))
        .set((
            registrations::status.eq(status),
            registrations::waitlist_position.eq(waitlist_position),
            registrations::registered_at.eq(now),
            registrations::confirmed_at.eq(waitlist_position.is_none().then_some(now)),
            registrations::cancelled_at.eq(None::<DateTime<Utc>>),
            registrations::checked_in_at.eq(None::<DateTime<Utc>>),
            registrations::updated_at.eq(now),
        ))
        .returning(RegistrationRecord::as_returning())
        .get_result(&mut conn)
        .await
}

/// Cancels a registration.
pub async fn cancel_registration(
    conn: &mut AsyncPgConnection,
    id: RegistrationId,
    now: DateTime<Utc>,
) -> QueryResult<RegistrationRecord> {
    diesel::update(registrations::table.find(id))
        .set((
            registrations::status.eq(RegistrationStatus::Cancelled),
            registrations::waitlist_position.eq(None::<i32>),
            registrations::confirmed_at.eq(None::<DateTime<Utc>>),
            registrations::cancelled_at.eq(now),
            registrations::checked_in_at.eq(None::<DateTime<Utc>>),
            registrations::updated_at.eq(now),
        ))
        .returning(RegistrationRecord::as_returning())
        .get_result(conn)
        .await
}

/// Moves everyone behind `position` on the waitlist one place forward.
pub async fn close_waitlist_gap(
    conn: &mut AsyncPgConnection,
    event_id: EventId,
    position: i32,
) -> QueryResult<()> {
    diesel::update(
        registrations::table
            .filter(registrations::event_id.eq(event_id))
            .filter(registrations::status.eq(RegistrationStatus::Waitlisted))
            .filter(registrations::waitlist_position.gt(position)),
    )
    .set(registrations::waitlist_position.eq(registrations::waitlist_position - 1))
    .execute(conn)
    .await?;
    Ok(())
}

/// Confirms the first `count` members of the waitlist and moves the rest
/// forward; returns the promoted registrations in waitlist order.
pub async fn promote_waitlisted(
    conn: &mut AsyncPgConnection,
    event_id: EventId,
    count: i32,
    now: DateTime<Utc>,
) -> QueryResult<Vec<RegistrationRecord>> {
    if count <= 0 {
        return Ok(Vec::new());
    }
    let head: Vec<RegistrationId> = registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::status.eq(RegistrationStatus::Waitlisted))
        .filter(registrations::waitlist_position.le(count))
        .order(registrations::waitlist_position)
        .select(registrations::id)
        .load(conn)
        .await?;
    if head.is_empty() {
        return Ok(Vec::new());
    }
    let promoted = diesel::update(registrations::table.filter(registrations::id.eq_any(&head)))
        .set((
            registrations::status.eq(RegistrationStatus::Confirmed),
            registrations::waitlist_position.eq(None::<i32>),
            registrations::confirmed_at.eq(now),
            registrations::updated_at.eq(now),
        ))
        .returning(RegistrationRecord::as_returning())
        .get_results::<RegistrationRecord>(conn)
        .await?;
    let moved_up = i32::try_from(head.len()).unwrap_or(count);
    diesel::update(
        registrations::table
            .filter(registrations::event_id.eq(event_id))
            .filter(registrations::status.eq(RegistrationStatus::Waitlisted)),
    )
    .set(registrations::waitlist_position.eq(registrations::waitlist_position - moved_up))
    .execute(conn)
    .await?;
    // In waitlist order, which RETURNING does not keep.
    let mut by_id: HashMap<RegistrationId, RegistrationRecord> = promoted
        .into_iter()
        .map(|registration| (registration.id, registration))
        .collect();
    Ok(head.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// One page of the attendee list of each of `event_ids` (confirmed, then
/// the waitlist, then cancelled), in one statement: a lateral join runs the
/// keyset query per event on `registrations_list_idx`.
pub async fn registration_pages(
    conn: &mut AsyncPgConnection,
    event_ids: &[EventId],
    status: Option<RegistrationStatus>,
    page: &PageRequest<RegistrationPageKey>,
) -> QueryResult<Vec<RegistrationRecord>> {
    let ids: Vec<Uuid> = event_ids.iter().map(|id| id.0).collect();
    let order = if page.reads_in_list_order() {
        "ASC"
    } else {
        "DESC"
    };
    // Raw SQL binds need their `$n` placeholders written out.
    let mut placeholders = (1..).map(|n| format!("${n}"));
    let mut next = move || placeholders.next().unwrap_or_default();
    let mut query = diesel::sql_query(format!(
        "SELECT r.id, r.event_id, r.member_id, r.status, r.waitlist_position, r.check_in_code, \
         r.registered_at, r.confirmed_at, r.cancelled_at, r.checked_in_at, r.updated_at \
         FROM unnest({}::uuid[]) AS wanted(event_id) CROSS JOIN LATERAL ( \
         SELECT * FROM events.registrations r WHERE r.event_id = wanted.event_id",
        next()
    ))
    .into_boxed::<Pg>()
    .bind::<Array<diesel::sql_types::Uuid>, _>(ids);
    if let Some(status) = status {
        query = query
            .sql(format!(" AND r.status = {}", next()))
            .bind::<Text, _>(status.as_str().to_owned());
    }
    for (operator, key) in [(">", page.after), ("<", page.before)] {
        if let Some((rank, position, at, id)) = key {
            query = query
                .sql(format!(
                    " AND (r.list_rank, r.list_position, r.registered_at, r.id) {operator} ({}, {}, {}, {})",
                    next(),
                    next(),
                    next(),
                    next()
                ))
                .bind::<SmallInt, _>(rank)
                .bind::<Integer, _>(position)
                .bind::<Timestamptz, _>(at)
                .bind::<diesel::sql_types::Uuid, _>(id);
        }
    }
    query
        .sql(format!(
            " ORDER BY r.list_rank {order}, r.list_position {order}, r.registered_at {order}, r.id {order} \
             LIMIT {}) r \
             ORDER BY r.event_id, r.list_rank {order}, r.list_position {order}, r.registered_at {order}, r.id {order}",
            next()
        ))
        .bind::<BigInt, _>(page.fetch_limit())
        .load(conn)
        .await
}

/// A page of a member's live (confirmed or waitlisted) registrations,
/// ordered by the event's start, with that start as the page key.
pub async fn my_registrations(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    filter: MyRegistrationFilter,
    now: DateTime<Utc>,
    page: &PageRequest<MyRegistrationPageKey>,
) -> QueryResult<Vec<(RegistrationRecord, DateTime<Utc>)>> {
    seek(
        live_of_member(member_id, filter, now)
            .select((RegistrationRecord::as_select(), events::starts_at)),
        page,
        (events::starts_at, events::id),
        ListOrder::Ascending,
    )
    .load(conn)
    .await
}

/// How many registrations [`my_registrations`] lists.
pub async fn count_my_registrations(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    filter: MyRegistrationFilter,
    now: DateTime<Utc>,
) -> QueryResult<ListSize> {
    let counted = capped_count(live_of_member(member_id, filter, now).select(registrations::id))
        .get_result(conn)
        .await?;
    Ok(ListSize::from_capped_count(counted))
}

type WithEvents = IntoBoxed<'static, InnerJoin<registrations::table, events::table>, Pg>;

/// The member's registrations that are not cancelled, with their events,
/// in no order.
fn live_of_member(
    member_id: MemberId,
    filter: MyRegistrationFilter,
    now: DateTime<Utc>,
) -> WithEvents {
    let mut query = registrations::table
        .inner_join(events::table)
        .filter(registrations::member_id.eq(member_id))
        .filter(registrations::status.ne(RegistrationStatus::Cancelled))
        // An event withdrawn by moderation leaves the member's list too.
        .filter(events::moderation.eq(ModerationState::Visible))
        .into_boxed::<Pg>();
    match filter.upcoming {
        Some(true) => query = query.filter(events::ends_at.gt(now)),
        Some(false) => query = query.filter(events::ends_at.le(now)),
        None => {}
    }
    query
}

/// How many registrations each event has in each status.
pub async fn registration_tallies(
    conn: &mut AsyncPgConnection,
    event_ids: &[EventId],
) -> QueryResult<Vec<(EventId, RegistrationStatus, i64)>> {
    let ids: Vec<Uuid> = event_ids.iter().map(|id| id.0).collect();
    registrations::table
        .filter(registrations::event_id.eq_any(ids))
        .group_by((registrations::event_id, registrations::status))
        .select((
            registrations::event_id,
            registrations::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)
        .await
}

/// Events that have not begun and for which the member holds a seat or a
/// waitlist place.
pub async fn upcoming_events_held_by(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    now: DateTime<Utc>,
) -> QueryResult<Vec<EventId>> {
    registrations::table
        .inner_join(events::table)
        .filter(registrations::member_id.eq(member_id))
        .filter(registrations::status.ne(RegistrationStatus::Cancelled))
        .filter(events::status.eq(EventStatus::Published))
        .filter(events::starts_at.gt(now))
        .select(events::id)
        .load(conn)
        .await
}

/// Every registration of a member with its event, newest event first (for
/// the member's data export).
pub async fn registrations_with_events_of(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
) -> QueryResult<Vec<(RegistrationRecord, EventRecord)>> {
    registrations::table
        .inner_join(events::table)
        .filter(registrations::member_id.eq(member_id))
        .order((events::starts_at.desc(), events::id.desc()))
        .select((RegistrationRecord::as_select(), EventRecord::as_select()))
        .load(conn)
        .await
}

/// The members holding a seat or a waitlist place for the event.
pub async fn active_members_of(
    conn: &mut AsyncPgConnection,
    event_id: EventId,
) -> QueryResult<Vec<MemberId>> {
    registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::status.ne(RegistrationStatus::Cancelled))
        .select(registrations::member_id)
        .load(conn)
        .await
}
