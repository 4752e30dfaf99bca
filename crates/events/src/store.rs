//! Queries of the events schema. Functions that change seats expect the
//! caller to hold the event row's lock ([`lock_event`]) in the same
//! transaction.

use alumni_core::MemberId;
use alumni_core::pagination::{ListOrder, PageRequest};
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, SmallInt, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::model::{
    Audience, Confidentiality, EventDetails, EventId, EventKind, EventPageKey, EventRecord,
    EventStatus, MaterialRecord, MyRegistrationPageKey, RegistrationId, RegistrationPageKey,
    RegistrationRecord, RegistrationStatus, SpeakerRecord,
};
use crate::schema::events::{calendar_feeds, events, materials, registrations, speakers};

// ---- events -------------------------------------------------------------

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

/// Which events to list; every given field narrows the list.
#[derive(Debug, Clone, Default)]
pub struct EventListFilter {
    /// Starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub to: Option<DateTime<Utc>>,
    /// Of this kind.
    pub kind: Option<EventKind>,
    /// For this audience.
    pub audience: Option<Audience>,
    /// `true`: not yet ended; `false`: ended.
    pub upcoming: Option<bool>,
}

/// A page of events ordered by start, in reading order.
pub async fn list_events(
    conn: &mut AsyncPgConnection,
    filter: &EventListFilter,
    include_drafts: bool,
    now: DateTime<Utc>,
    page: &PageRequest<EventPageKey>,
) -> QueryResult<Vec<EventRecord>> {
    let mut query = events::table
        .select(EventRecord::as_select())
        .into_boxed::<Pg>();
    if !include_drafts {
        query = query.filter(events::status.ne(EventStatus::Draft));
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
    alumni_core::seek!(
        query,
        page,
        (events::starts_at, events::id),
        "events.events.starts_at, events.events.id",
        (Timestamptz, diesel::sql_types::Uuid),
        ListOrder::Ascending
    )
    .load(conn)
    .await
}

/// Writes the editable particulars.
pub async fn update_event_details(
    conn: &mut AsyncPgConnection,
    id: EventId,
    details: &EventDetails,
    now: DateTime<Utc>,
) -> QueryResult<EventRecord> {
    diesel::update(events::table.find(id))
        .set((details, events::updated_at.eq(now)))
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
    conn: &mut AsyncPgConnection,
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
        .get_result(conn)
        .await
}

// ---- speakers -----------------------------------------------------------

/// Replaces the programme of an event.
pub async fn replace_speakers(
    conn: &mut AsyncPgConnection,
    event_id: EventId,
    slots: &[SpeakerRecord],
) -> QueryResult<()> {
    diesel::delete(speakers::table.filter(speakers::event_id.eq(event_id)))
        .execute(conn)
        .await?;
    if !slots.is_empty() {
        diesel::insert_into(speakers::table)
            .values(slots)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The speakers of several events, in programme order.
pub async fn speakers_of(
    conn: &mut AsyncPgConnection,
    event_ids: &[EventId],
) -> QueryResult<Vec<SpeakerRecord>> {
    speakers::table
        .filter(speakers::event_id.eq_any(event_ids))
        .order((speakers::event_id, speakers::position))
        .select(SpeakerRecord::as_select())
        .load(conn)
        .await
}

// ---- registrations ------------------------------------------------------

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

/// Records a first registration.
pub async fn insert_registration(
    conn: &mut AsyncPgConnection,
    registration: &RegistrationRecord,
) -> QueryResult<()> {
    diesel::insert_into(registrations::table)
        .values(registration)
        .execute(conn)
        .await?;
    Ok(())
}

/// Turns a cancelled registration into a new one (confirmed, or waitlisted
/// at `waitlist_position`), as if the member had just arrived.
pub async fn reactivate_registration(
    conn: &mut AsyncPgConnection,
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
        .get_result(conn)
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
    let mut by_id: std::collections::HashMap<RegistrationId, RegistrationRecord> = promoted
        .into_iter()
        .map(|registration| (registration.id, registration))
        .collect();
    Ok(head.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The registration with this check-in code.
pub async fn registration_by_code(
    conn: &mut AsyncPgConnection,
    event_id: EventId,
    code: &str,
) -> QueryResult<Option<RegistrationRecord>> {
    registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::check_in_code.eq(code))
        .select(RegistrationRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// Marks a registration as checked in.
pub async fn check_in(
    conn: &mut AsyncPgConnection,
    id: RegistrationId,
    now: DateTime<Utc>,
) -> QueryResult<RegistrationRecord> {
    diesel::update(registrations::table.find(id))
        .set((
            registrations::checked_in_at.eq(now),
            registrations::updated_at.eq(now),
        ))
        .returning(RegistrationRecord::as_returning())
        .get_result(conn)
        .await
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

/// Which of a member's registrations to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct MyRegistrationFilter {
    /// `true`: events not yet ended; `false`: ended events.
    pub upcoming: Option<bool>,
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
    let mut query = registrations::table
        .inner_join(events::table)
        .filter(registrations::member_id.eq(member_id))
        .filter(registrations::status.ne(RegistrationStatus::Cancelled))
        .select((RegistrationRecord::as_select(), events::starts_at))
        .into_boxed::<Pg>();
    match filter.upcoming {
        Some(true) => query = query.filter(events::ends_at.gt(now)),
        Some(false) => query = query.filter(events::ends_at.le(now)),
        None => {}
    }
    alumni_core::seek!(
        query,
        page,
        (events::starts_at, events::id),
        "events.events.starts_at, events.events.id",
        (Timestamptz, diesel::sql_types::Uuid),
        ListOrder::Ascending
    )
    .load(conn)
    .await
}

/// Attended and no-show counts of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct AttendanceCounts {
    /// The event.
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub event_id: EventId,
    /// Confirmed and checked in.
    #[diesel(sql_type = BigInt)]
    pub attended: i64,
    /// Confirmed and not checked in.
    #[diesel(sql_type = BigInt)]
    pub not_checked_in: i64,
}

/// Check-in counts of several events, in one statement.
pub async fn attendance_counts(
    conn: &mut AsyncPgConnection,
    event_ids: &[EventId],
) -> QueryResult<Vec<AttendanceCounts>> {
    let ids: Vec<Uuid> = event_ids.iter().map(|id| id.0).collect();
    diesel::sql_query(
        "SELECT event_id, \
         count(*) FILTER (WHERE checked_in_at IS NOT NULL) AS attended, \
         count(*) FILTER (WHERE checked_in_at IS NULL) AS not_checked_in \
         FROM events.registrations \
         WHERE event_id = ANY($1) AND status = 'CONFIRMED' \
         GROUP BY event_id",
    )
    .bind::<Array<diesel::sql_types::Uuid>, _>(ids)
    .load(conn)
    .await
}

/// The events a member holds a confirmed seat for, most recent start first
/// (at most `limit`).
pub async fn confirmed_events_of(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    limit: i64,
) -> QueryResult<Vec<EventRecord>> {
    registrations::table
        .inner_join(events::table)
        .filter(registrations::member_id.eq(member_id))
        .filter(registrations::status.eq(RegistrationStatus::Confirmed))
        .order((events::starts_at.desc(), events::id.desc()))
        .select(EventRecord::as_select())
        .limit(limit)
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

// ---- materials ----------------------------------------------------------

/// Attaches a material.
pub async fn insert_material(
    conn: &mut AsyncPgConnection,
    material: &MaterialRecord,
) -> QueryResult<()> {
    diesel::insert_into(materials::table)
        .values(material)
        .execute(conn)
        .await?;
    Ok(())
}

/// The materials of several events that have one of the `levels`, oldest
/// first.
pub async fn materials_of(
    conn: &mut AsyncPgConnection,
    event_ids: &[EventId],
    levels: &[Confidentiality],
) -> QueryResult<Vec<MaterialRecord>> {
    materials::table
        .filter(materials::event_id.eq_any(event_ids))
        .filter(materials::confidentiality.eq_any(levels))
        .order((materials::event_id, materials::added_at, materials::id))
        .select(MaterialRecord::as_select())
        .load(conn)
        .await
}

// ---- calendar feeds -----------------------------------------------------

/// Stores the member's feed token hash, replacing any earlier one.
pub async fn replace_feed_token(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    token_hash: &[u8],
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(calendar_feeds::table)
        .values((
            calendar_feeds::member_id.eq(member_id),
            calendar_feeds::token_hash.eq(token_hash),
            calendar_feeds::created_at.eq(now),
        ))
        .on_conflict(calendar_feeds::member_id)
        .do_update()
        .set((
            calendar_feeds::token_hash.eq(token_hash),
            calendar_feeds::created_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets the member's feed token; returns whether there was one.
pub async fn delete_feed_token(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
) -> QueryResult<bool> {
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
