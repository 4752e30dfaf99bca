//! Rows of the events schema, the enums stored in them, and the invariants
//! on their values.

use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::events::{calendar_feeds, events, materials, registrations, speakers};

typed_id!(
    /// Identifies an event.
    EventId,
    "Event"
);

typed_id!(
    /// Identifies a member's registration for an event.
    RegistrationId,
    "Registration"
);

typed_id!(
    /// Identifies one speaker slot of an event.
    SpeakerId,
    "Speaker"
);

typed_id!(
    /// Identifies a material (slides, a recording) attached to an event.
    MaterialId,
    "Material"
);

alumni_core::text_enum! {
    /// What sort of event it is.
    pub enum EventKind {
        /// A former employee talks to current employees about what they do now.
        AlumniTalk = "ALUMNI_TALK",
        /// An exchange meetup run by the secretariat.
        Meetup = "MEETUP",
        /// An internal tech study session (勉強会) opened to alumni.
        StudySession = "STUDY_SESSION",
        /// A seminar with invited speakers.
        Seminar = "SEMINAR",
        /// A hands-on workshop.
        Workshop = "WORKSHOP",
    }
}

alumni_core::text_enum! {
    /// Where the event takes place.
    pub enum EventFormat {
        /// At a venue.
        InPerson = "IN_PERSON",
        /// Online; the join URL is shown to confirmed attendees only.
        Online = "ONLINE",
        /// At a venue and online.
        Hybrid = "HYBRID",
    }
}

alumni_core::text_enum! {
    /// Who may register for an event.
    pub enum Audience {
        /// Members holding the ALUMNUS role.
        Alumni = "ALUMNI",
        /// Members holding the EMPLOYEE role.
        Employees = "EMPLOYEES",
        /// Every signed-in member.
        Everyone = "EVERYONE",
    }
}

alumni_core::text_enum! {
    /// Where an event is in its life.
    pub enum EventStatus {
        /// Being prepared; visible to the secretariat only.
        Draft = "DRAFT",
        /// Announced; members may register while the window is open.
        Published = "PUBLISHED",
        /// Called off; registrations stay, marked by the event's status.
        Cancelled = "CANCELLED",
        /// Published and over. Not stored: a published event is completed
        /// once its end has passed.
        Completed = "COMPLETED",
    }
}

alumni_core::text_enum! {
    /// Where a registration stands.
    pub enum RegistrationStatus {
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

alumni_core::text_enum! {
    /// What a material is.
    pub enum MaterialKind {
        /// Slides of a talk.
        Slides = "SLIDES",
        /// A video recording.
        Recording = "RECORDING",
        /// Any other document.
        Document = "DOCUMENT",
    }
}

alumni_core::text_enum! {
    /// Who may see a material.
    pub enum Confidentiality {
        /// Every member who can see the event, alumni included.
        AlumniOk = "ALUMNI_OK",
        /// Employees and the secretariat only: never shown to alumni.
        InternalOnly = "INTERNAL_ONLY",
    }
}

/// An event as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = events)]
pub struct EventRecord {
    /// Event id.
    pub id: EventId,
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: String,
    /// What sort of event.
    pub kind: EventKind,
    /// In person, online or both.
    pub format: EventFormat,
    /// Where it takes place (in person and hybrid).
    pub venue: Option<String>,
    /// Where to join online (online and hybrid); confirmed attendees only.
    pub join_url: Option<String>,
    /// Start, UTC.
    pub starts_at: DateTime<Utc>,
    /// End, UTC.
    pub ends_at: DateTime<Utc>,
    /// IANA time zone the event is announced in.
    pub time_zone: String,
    /// Who may register.
    pub audience: Audience,
    /// Registration opens.
    pub registration_opens_at: DateTime<Utc>,
    /// Registration closes.
    pub registration_closes_at: DateTime<Utc>,
    /// Seats; `None` for no limit.
    pub capacity: Option<i32>,
    /// Stored status: never `Completed` (see [`EventRecord::status_at`]).
    pub status: EventStatus,
    /// Confirmed registrations.
    pub confirmed_count: i32,
    /// Waitlisted registrations.
    pub waitlist_count: i32,
    /// Bumped with every change of the two counters.
    pub seats_version: i64,
    /// Who created it.
    pub created_by: MemberId,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When it was published.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was cancelled.
    pub cancelled_at: Option<DateTime<Utc>>,
}

impl EventRecord {
    /// The status at `now`: a published event whose end has passed is
    /// completed.
    pub fn status_at(&self, now: DateTime<Utc>) -> EventStatus {
        match self.status {
            EventStatus::Published if self.ends_at <= now => EventStatus::Completed,
            status => status,
        }
    }

    /// The seat counters as they stand in this row.
    pub fn seats(&self) -> Seats {
        Seats {
            event_id: self.id,
            capacity: self.capacity,
            confirmed: self.confirmed_count,
            waitlisted: self.waitlist_count,
            version: self.seats_version,
        }
    }

    /// Pagination key of the event list (by start).
    pub fn page_key(&self) -> EventPageKey {
        (self.starts_at, self.id.0)
    }
}

/// The editable particulars of an event, as one update.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = events, treat_none_as_null = true)]
pub struct EventDetails {
    /// Title.
    pub title: String,
    /// Markdown description.
    pub description: String,
    /// What sort of event.
    pub kind: EventKind,
    /// In person, online or both.
    pub format: EventFormat,
    /// Venue (in person and hybrid).
    pub venue: Option<String>,
    /// Join URL (online and hybrid).
    pub join_url: Option<String>,
    /// Start, UTC.
    pub starts_at: DateTime<Utc>,
    /// End, UTC.
    pub ends_at: DateTime<Utc>,
    /// IANA time zone.
    pub time_zone: String,
    /// Who may register.
    pub audience: Audience,
    /// Registration opens.
    pub registration_opens_at: DateTime<Utc>,
    /// Registration closes.
    pub registration_closes_at: DateTime<Utc>,
}

impl EventRecord {
    /// The editable particulars of this event.
    pub fn details(&self) -> EventDetails {
        EventDetails {
            title: self.title.clone(),
            description: self.description.clone(),
            kind: self.kind,
            format: self.format,
            venue: self.venue.clone(),
            join_url: self.join_url.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: self.time_zone.clone(),
            audience: self.audience,
            registration_opens_at: self.registration_opens_at,
            registration_closes_at: self.registration_closes_at,
        }
    }
}

/// Sort key of event lists: start, then id.
pub type EventPageKey = (DateTime<Utc>, uuid::Uuid);

/// Seat counters of an event at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seats {
    /// The event.
    pub event_id: EventId,
    /// Seats in all; `None` for no limit.
    pub capacity: Option<i32>,
    /// Seats taken.
    pub confirmed: i32,
    /// Members waiting.
    pub waitlisted: i32,
    /// Increases with every change; later snapshots have higher versions.
    pub version: i64,
}

impl Seats {
    /// Seats still free; `None` when there is no limit.
    pub fn seats_left(&self) -> Option<i32> {
        self.capacity
            .map(|capacity| (capacity - self.confirmed).max(0))
    }

    /// Whether one more member can be confirmed.
    pub fn has_free_seat(&self) -> bool {
        self.capacity
            .is_none_or(|capacity| self.confirmed < capacity)
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

/// A speaker slot as stored: a member or a named guest.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = speakers)]
pub struct SpeakerRecord {
    /// Slot id.
    pub id: SpeakerId,
    /// The event.
    pub event_id: EventId,
    /// 1-based order on the programme.
    pub position: i32,
    /// The speaker, if a member.
    pub member_id: Option<MemberId>,
    /// The speaker's name, if a guest.
    pub guest_name: Option<String>,
    /// Affiliation or a one-line introduction.
    pub affiliation: Option<String>,
}

/// A material as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = materials)]
pub struct MaterialRecord {
    /// Material id.
    pub id: MaterialId,
    /// The event.
    pub event_id: EventId,
    /// Slides, recording, document.
    pub kind: MaterialKind,
    /// Title.
    pub title: String,
    /// Link to it.
    pub url: String,
    /// Who may see it.
    pub confidentiality: Confidentiality,
    /// Who attached it.
    pub added_by: MemberId,
    /// When.
    pub added_at: DateTime<Utc>,
}

/// A member's personal calendar feed as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_feeds)]
pub struct CalendarFeedRecord {
    /// Whose feed.
    pub member_id: MemberId,
    /// SHA-256 of the URL token.
    pub token_hash: Vec<u8>,
    /// When the current token was issued.
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(EventKind::parse("PARTY"), None);
        assert_eq!(
            Confidentiality::parse("INTERNAL_ONLY"),
            Some(Confidentiality::InternalOnly)
        );
    }

    #[test]
    fn seats_left_never_goes_negative() {
        let seats = Seats {
            event_id: EventId::new(),
            capacity: Some(3),
            confirmed: 3,
            waitlisted: 2,
            version: 1,
        };
        assert_eq!(seats.seats_left(), Some(0));
        assert!(!seats.has_free_seat());
        let unlimited = Seats {
            capacity: None,
            ..seats
        };
        assert_eq!(unlimited.seats_left(), None);
        assert!(unlimited.has_free_seat());
    }
}
