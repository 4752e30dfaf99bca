//! Events: what they are, when and where, and their seat counters.

use alumni_core::moderation::ModerationState;
use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::events::events;

typed_id!(
    /// Identifies an event.
    EventId,
    "Event"
);

alumni_core::text_enum! {
    /// What sort of event it is.
    pub enum EventKind stored in "events.events.kind" {
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
    pub enum EventFormat stored in "events.events.format" {
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
    pub enum Audience stored in "events.events.audience" {
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
    pub enum EventStatus stored in "events.events.status" except "COMPLETED" {
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

/// The particulars of an event that the secretariat writes, defined once:
/// the row embeds them (read and inserted with it), an edit writes them as
/// its changeset, and both GraphQL inputs convert into them in one place
/// (`graphql/management.rs`). A new particular is a column, a field here,
/// a field of each input with its line in the conversion, its field on
/// the `Event` object, and whatever `rules::validate_fields` should check.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = events, treat_none_as_null = true)]
pub struct EventFields {
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
}

/// An event as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = events)]
pub struct EventRecord {
    /// Event id.
    pub id: EventId,
    /// What the secretariat wrote.
    #[diesel(embed)]
    pub fields: EventFields,
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
    /// Whether members see it (the leak guard may hold it, a moderator
    /// hide it).
    pub moderation: ModerationState,
}

impl EventRecord {
    /// The status at `now`: a published event whose end has passed is
    /// completed.
    pub fn status_at(&self, now: DateTime<Utc>) -> EventStatus {
        match self.status {
            EventStatus::Published if self.fields.ends_at <= now => EventStatus::Completed,
            status => status,
        }
    }

    /// Whether the event is over at `now`.
    pub fn has_ended(&self, now: DateTime<Utc>) -> bool {
        self.fields.ends_at <= now
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
        (self.fields.starts_at, self.id.0)
    }
}

/// Sort key of event lists: start, then id.
pub type EventPageKey = (DateTime<Utc>, uuid::Uuid);

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_names_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
        }
        assert_eq!(EventKind::parse("PARTY"), None);
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
