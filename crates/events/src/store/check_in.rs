//! Checking attendees in at the door, and the counts it yields.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Array;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::model::{AttendanceCounts, EventId, RegistrationId, RegistrationRecord};
use crate::schema::events::registrations;

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
