//! Registrations: a member's seat or waitlist place for an event, and its
//! check-in.

use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::EventId;
use crate::schema::events::registrations;

typed_id!(
    /// Identifies a member's registration for an event.
    RegistrationId,
    "Registration"
);

alumni_core::text_enum! {
    /// Where a registration stands.
    pub enum RegistrationStatus stored in "events.registrations.status" {
        /// Holds a seat.
        Confirmed = "CONFIRMED",
        /// Waiting for a seat; promoted in order of arrival when one frees up.
        Waitlisted = "WAITLISTED",
        /// Given up by the member.
        Cancelled = "CANCELLED",
    }
}

alumni_core::text_enum! {
    /// Whether a confirmed attendee came, once the event is over.
    pub enum Attendance {
        /// Checked in.
        Attended = "ATTENDED",
        /// Held a seat but never checked in.
        NoShow = "NO_SHOW",
    }
}

/// A registration as stored.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = registrations)]
pub struct RegistrationRecord {
    /// Registration id.
    pub id: RegistrationId,
    /// For which event.
    pub event_id: EventId,
    /// Who registered.
    pub member_id: MemberId,
    /// Where it stands.
    pub status: RegistrationStatus,
    /// 1-based place on the waitlist, for waitlisted registrations only.
    pub waitlist_position: Option<i32>,
    /// Code the secretariat checks the attendee in by.
    pub check_in_code: String,
    /// When the member (last) registered.
    pub registered_at: DateTime<Utc>,
    /// When a seat was given.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// When the member cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
    /// When the attendee was checked in.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl RegistrationRecord {
    /// Whether the registration holds a seat or waits for one.
    pub fn is_active(&self) -> bool {
        self.status != RegistrationStatus::Cancelled
    }

    /// Attended or no-show, once the event has ended (`None` before, and
    /// for registrations without a seat).
    pub fn attendance(&self, event_ended: bool) -> Option<Attendance> {
        match (self.status, self.checked_in_at) {
            (RegistrationStatus::Confirmed, Some(_)) => Some(Attendance::Attended),
            (RegistrationStatus::Confirmed, None) if event_ended => Some(Attendance::NoShow),
            _ => None,
        }
    }

    /// Pagination key of an attendee list: confirmed first, then the
    /// waitlist by position, then cancelled; by arrival within each. The
    /// first two parts are the generated columns `list_rank` and
    /// `list_position`.
    pub fn page_key(&self) -> RegistrationPageKey {
        let rank = match self.status {
            RegistrationStatus::Confirmed => 0,
            RegistrationStatus::Waitlisted => 1,
            RegistrationStatus::Cancelled => 2,
        };
        (
            rank,
            self.waitlist_position.unwrap_or(0),
            self.registered_at,
            self.id.0,
        )
    }
}

/// Sort key of attendee lists (see [`RegistrationRecord::page_key`]).
pub type RegistrationPageKey = (i16, i32, DateTime<Utc>, uuid::Uuid);

/// Sort key of a member's own registrations: the event's start, then the
/// event id.
pub type MyRegistrationPageKey = (DateTime<Utc>, uuid::Uuid);

/// Which of a member's registrations to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct MyRegistrationFilter {
    /// `true`: events not yet ended; `false`: ended events.
    pub upcoming: Option<bool>,
}

/// Attended and not-yet-checked-in counts of an event's confirmed seats.
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

impl AttendanceCounts {
    /// The counts of an event nobody holds a seat for.
    pub fn none(event_id: EventId) -> Self {
        Self {
            event_id,
            attended: 0,
            not_checked_in: 0,
        }
    }
}
