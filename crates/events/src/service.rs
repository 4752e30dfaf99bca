//! Rules of events, registration, check-in, materials and calendars. Every
//! public function that acts for a client takes the [`Viewer`] and decides
//! from it.
//!
//! **Seats.** Every change of an event's registrations runs in one
//! transaction that first locks the event row (`SELECT … FOR UPDATE`). The
//! row holds the seat counters, so the decision "confirmed or waitlisted,
//! at which position" is taken on numbers no one else can change until the
//! commit; concurrent registrations for one event queue on the lock, those
//! for different events do not meet. Promotion from the waitlist happens in
//! the same transaction as the cancellation or capacity change that frees
//! the seat. `CHECK (confirmed_count <= capacity)` and a deferred unique
//! constraint on waitlist positions back the rules up in the database.

use std::collections::HashMap;
use std::future::ready;

use alumni_core::audit::{self, AuditEntry};
use alumni_core::pagination::PageRequest;
use alumni_core::{AppError, MemberId, Role, ServiceContext, Viewer};
use alumni_membership::MembershipService;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use futures_util::{Stream, StreamExt as _, stream};
use serde_json::json;
use sha2::{Digest as _, Sha256};
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

use crate::calendar::{self, CalendarEntry};
use crate::error::{EventsError, EventsResult, Refusal};
use crate::export::{self, AttendeeRow};
use crate::model::{
    Audience, Confidentiality, EventDetails, EventFormat, EventId, EventKind, EventPageKey,
    EventRecord, EventStatus, MaterialId, MaterialKind, MaterialRecord, MyRegistrationPageKey,
    RegistrationId, RegistrationPageKey, RegistrationRecord, RegistrationStatus, Seats, SpeakerId,
    SpeakerRecord,
};
use crate::seats::SeatsHub;
use crate::store::{self, AttendanceCounts, EventListFilter, MyRegistrationFilter};
use crate::visibility::{
    in_audience, sees_drafts, sees_event, sees_join_url, visible_confidentiality,
};

/// The zone events are announced in unless another is given.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Tokyo";
/// Check-in opens this long before the start.
pub const CHECK_IN_OPENS_BEFORE_START: Duration = Duration::hours(2);
/// Longest title of an event or material.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest event description.
pub const MAX_DESCRIPTION_CHARS: usize = 20_000;
/// Largest capacity accepted.
pub const MAX_CAPACITY: i32 = 100_000;
/// Most speakers on one programme.
pub const MAX_SPEAKERS: usize = 20;
/// Most events in a personal calendar feed (the most recent ones).
pub const FEED_LIMIT: i64 = 500;
/// Registrations read per statement while exporting.
const EXPORT_BATCH: usize = 500;
/// Prefix of calendar feed tokens, so leaked ones are recognisable.
pub const FEED_TOKEN_PREFIX: &str = "calf_";
/// Characters of check-in codes: no 0/O or 1/I, so codes read aloud or
/// typed from paper are not mistaken.
const CHECK_IN_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A speaker on the programme: a member or a named guest.
#[derive(Debug, Clone)]
pub enum SpeakerSlot {
    /// A member of the network.
    Member {
        /// The member.
        member_id: MemberId,
        /// Affiliation or a one-line introduction.
        affiliation: Option<String>,
    },
    /// Someone without an account.
    Guest {
        /// Their name.
        name: String,
        /// Affiliation or a one-line introduction.
        affiliation: Option<String>,
    },
}

/// A new event.
#[derive(Debug, Clone)]
pub struct NewEvent {
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
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// IANA zone; [`DEFAULT_TIME_ZONE`] if absent.
    pub time_zone: Option<String>,
    /// Who may register.
    pub audience: Audience,
    /// Registration opens; at creation if absent.
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// Registration closes; at the start if absent.
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// Seats; no limit if absent.
    pub capacity: Option<i32>,
    /// The programme.
    pub speakers: Vec<SpeakerSlot>,
}

/// Changes to an event; absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct EventChanges {
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New kind.
    pub kind: Option<EventKind>,
    /// New format.
    pub format: Option<EventFormat>,
    /// New venue (`Some(None)` clears it).
    pub venue: Option<Option<String>>,
    /// New join URL (`Some(None)` clears it).
    pub join_url: Option<Option<String>>,
    /// New start.
    pub starts_at: Option<DateTime<Utc>>,
    /// New end.
    pub ends_at: Option<DateTime<Utc>>,
    /// New zone.
    pub time_zone: Option<String>,
    /// New audience.
    pub audience: Option<Audience>,
    /// New opening of registration.
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// New closing of registration.
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// New programme, replacing the old one.
    pub speakers: Option<Vec<SpeakerSlot>>,
}

/// A material to attach.
#[derive(Debug, Clone)]
pub struct NewMaterial {
    /// Slides, recording, document.
    pub kind: MaterialKind,
    /// Title.
    pub title: String,
    /// Link (http or https).
    pub url: String,
    /// Who may see it.
    pub confidentiality: Confidentiality,
}

/// The outcome of a change of capacity.
#[derive(Debug, Clone)]
pub struct CapacityChange {
    /// The event after the change.
    pub event: EventRecord,
    /// Registrations promoted from the waitlist, in waitlist order.
    pub promoted: Vec<RegistrationRecord>,
}

/// Seats freed inside a transaction that is still open: announced to live
/// subscribers only once it commits, so nobody hears of a change that was
/// rolled back.
#[derive(Debug)]
#[must_use = "announce the seats once the transaction has committed"]
pub struct ReleasedSeats(Vec<Seats>);

/// The events domain's services.
#[derive(Clone)]
pub struct EventsService {
    ctx: ServiceContext,
    membership: MembershipService,
    seats: SeatsHub,
}

impl EventsService {
    /// Services over a database and clock; member data comes from
    /// `membership`.
    pub fn new(ctx: ServiceContext, membership: MembershipService) -> Self {
        Self {
            ctx,
            membership,
            seats: SeatsHub::default(),
        }
    }

    /// The current time from the service's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.ctx.now()
    }

    /// The same services reading time from `clock` (demo data is written
    /// through the real rules at past and future times).
    pub(crate) fn with_clock(&self, clock: alumni_core::SharedClock) -> Self {
        Self {
            ctx: ServiceContext {
                pool: self.ctx.pool.clone(),
                clock,
            },
            ..self.clone()
        }
    }

    // ---- managing events (secretariat) ----------------------------------

    /// Creates a draft event. Secretariat only.
    pub async fn create_event(&self, viewer: &Viewer, new: NewEvent) -> EventsResult<EventRecord> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let now = self.ctx.now();
        let starts_at = new.starts_at;
        let details = EventDetails {
            title: new.title,
            description: new.description,
            kind: new.kind,
            format: new.format,
            venue: new.venue,
            join_url: new.join_url,
            starts_at,
            ends_at: new.ends_at,
            time_zone: new
                .time_zone
                .unwrap_or_else(|| DEFAULT_TIME_ZONE.to_owned()),
            audience: new.audience,
            registration_opens_at: new.registration_opens_at.unwrap_or(now.min(starts_at)),
            registration_closes_at: new.registration_closes_at.unwrap_or(starts_at),
        };
        let details = validate_details(details)?;
        validate_capacity(new.capacity)?;
        let event = EventRecord {
            id: EventId::new(),
            title: details.title,
            description: details.description,
            kind: details.kind,
            format: details.format,
            venue: details.venue,
            join_url: details.join_url,
            starts_at: details.starts_at,
            ends_at: details.ends_at,
            time_zone: details.time_zone,
            audience: details.audience,
            registration_opens_at: details.registration_opens_at,
            registration_closes_at: details.registration_closes_at,
            capacity: new.capacity,
            status: EventStatus::Draft,
            confirmed_count: 0,
            waitlist_count: 0,
            seats_version: 0,
            created_by: identity.member_id,
            created_at: now,
            updated_at: now,
            published_at: None,
            cancelled_at: None,
        };
        let slots = speaker_records(event.id, new.speakers)?;
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::insert_event(conn, &event).await?;
            replace_speakers(conn, event.id, &slots).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("events.event_created")
                    .by(identity.member_id)
                    .on(event.id)
                    .details(json!({ "kind": event.kind.as_str(), "capacity": event.capacity })),
            )
            .await?;
            Ok::<_, EventsError>(())
        })
        .await?;
        Ok(event)
    }

    /// Changes an event's particulars or programme. Secretariat only;
    /// cancelled events are refused.
    pub async fn update_event(
        &self,
        viewer: &Viewer,
        event_id: EventId,
        changes: EventChanges,
    ) -> EventsResult<EventRecord> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let now = self.ctx.now();
        let slots = changes
            .speakers
            .clone()
            .map(|speakers| speaker_records(event_id, speakers))
            .transpose()?;
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let event = lock_visible(conn, viewer, event_id).await?;
            if event.status == EventStatus::Cancelled {
                return Err(Refusal::EventCancelled.into());
            }
            let details = validate_details(apply_changes(event.details(), changes))?;
            let updated = store::update_event_details(conn, event_id, &details, now).await?;
            if let Some(slots) = &slots {
                replace_speakers(conn, event_id, slots).await?;
            }
            audit::record(
                conn,
                now,
                AuditEntry::new("events.event_updated")
                    .by(identity.member_id)
                    .on(event_id),
            )
            .await?;
            Ok(updated)
        })
        .await
    }

    /// Publishes a draft; publishing a published event changes nothing.
    /// Secretariat only.
    pub async fn publish_event(
        &self,
        viewer: &Viewer,
        event_id: EventId,
    ) -> EventsResult<EventRecord> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let event = lock_visible(conn, viewer, event_id).await?;
            match event.status {
                EventStatus::Draft => {}
                EventStatus::Cancelled => return Err(Refusal::EventCancelled.into()),
                EventStatus::Published | EventStatus::Completed => return Ok(event),
            }
            let published = store::publish_event(conn, event_id, now).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("events.event_published")
                    .by(identity.member_id)
                    .on(event_id),
            )
            .await?;
            Ok(published)
        })
        .await
    }

    /// Cancels an event; its registrations stay and show the event as
    /// cancelled. Cancelling twice changes nothing. Secretariat only.
    pub async fn cancel_event(
        &self,
        viewer: &Viewer,
        event_id: EventId,
    ) -> EventsResult<EventRecord> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let event = lock_visible(conn, viewer, event_id).await?;
            if event.status == EventStatus::Cancelled {
                return Ok(event);
            }
            let cancelled = store::cancel_event(conn, event_id, now).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("events.event_cancelled")
                    .by(identity.member_id)
                    .on(event_id)
                    .details(json!({
                        "confirmed": event.confirmed_count,
                        "waitlisted": event.waitlist_count,
                    })),
            )
            .await?;
            Ok(cancelled)
        })
        .await
    }

    /// Sets the capacity (`None`: no limit). Raising it promotes from the
    /// waitlist at once; lowering it below the confirmed count is refused.
    /// Secretariat only.
    pub async fn set_capacity(
        &self,
        viewer: &Viewer,
        event_id: EventId,
        capacity: Option<i32>,
    ) -> EventsResult<CapacityChange> {
        let identity = viewer.require_role(Role::Secretariat)?;
        validate_capacity(capacity)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let change = conn
            .transaction(async |conn| {
                let event = lock_visible(conn, viewer, event_id).await?;
                if event.status == EventStatus::Cancelled {
                    return Err(Refusal::EventCancelled.into());
                }
                if let Some(capacity) = capacity
                    && capacity < event.confirmed_count
                {
                    return Err(Refusal::CapacityBelowConfirmed {
                        confirmed: event.confirmed_count,
                    }
                    .into());
                }
                let seats = Seats {
                    capacity,
                    ..event.seats()
                };
                let (seats, promoted) = fill_free_seats(conn, seats, now).await?;
                let updated = store::set_seats(
                    conn,
                    event_id,
                    capacity,
                    seats.confirmed,
                    seats.waitlisted,
                    now,
                )
                .await?;
                audit::record(
                    conn,
                    now,
                    AuditEntry::new("events.capacity_changed")
                        .by(identity.member_id)
                        .on(event_id)
                        .details(json!({
                            "from": event.capacity,
                            "to": capacity,
                            "promoted": promoted.len(),
                        })),
                )
                .await?;
                Ok::<_, EventsError>(CapacityChange {
                    event: updated,
                    promoted,
                })
            })
            .await?;
        self.seats.publish(change.event.seats());
        Ok(change)
    }

    // ---- registration ---------------------------------------------------

    /// Registers the viewer: `CONFIRMED` while seats remain, otherwise
    /// `WAITLISTED` at the end of the waitlist. Registering again while
    /// registered returns the registration unchanged.
    pub async fn register(
        &self,
        viewer: &Viewer,
        event_id: EventId,
    ) -> EventsResult<RegistrationRecord> {
        let identity = viewer.identity()?;
        let now = self.ctx.now();
        let check_in_code = new_check_in_code()?;
        let mut conn = self.ctx.conn().await?;
        let (registration, seats) = conn
            .transaction(async |conn| {
                let event = lock_visible(conn, viewer, event_id).await?;
                if event.status == EventStatus::Cancelled {
                    return Err(Refusal::EventCancelled.into());
                }
                let existing = store::registration_of(conn, event_id, identity.member_id).await?;
                if let Some(existing) = existing.as_ref().filter(|r| r.is_active()) {
                    return Ok((existing.clone(), None));
                }
                check_registration_allowed(viewer, &event, now)?;
                let before = event.seats();
                let waitlist_position = (!before.has_free_seat()).then_some(before.waitlisted + 1);
                let registration = match existing {
                    Some(cancelled) => {
                        store::reactivate_registration(conn, cancelled.id, waitlist_position, now)
                            .await?
                    }
                    None => {
                        let registration = RegistrationRecord {
                            id: RegistrationId::new(),
                            event_id,
                            member_id: identity.member_id,
                            status: if waitlist_position.is_some() {
                                RegistrationStatus::Waitlisted
                            } else {
                                RegistrationStatus::Confirmed
                            },
                            waitlist_position,
                            check_in_code,
                            registered_at: now,
                            confirmed_at: waitlist_position.is_none().then_some(now),
                            cancelled_at: None,
                            checked_in_at: None,
                            updated_at: now,
                        };
                        store::insert_registration(conn, &registration)
                            .await
                            .map_err(code_collision_is_conflict)?;
                        registration
                    }
                };
                let (confirmed, waitlisted) = match waitlist_position {
                    None => (before.confirmed + 1, before.waitlisted),
                    Some(_) => (before.confirmed, before.waitlisted + 1),
                };
                let updated =
                    store::set_seats(conn, event_id, event.capacity, confirmed, waitlisted, now)
                        .await?;
                Ok::<_, EventsError>((registration, Some(updated.seats())))
            })
            .await?;
        if let Some(seats) = seats {
            self.seats.publish(seats);
        }
        Ok(registration)
    }

    /// Cancels the viewer's registration. A confirmed seat goes at once to
    /// the first on the waitlist; a waitlisted member's place closes up.
    /// Cancelling a cancelled registration returns it unchanged.
    pub async fn cancel_registration(
        &self,
        viewer: &Viewer,
        event_id: EventId,
    ) -> EventsResult<RegistrationRecord> {
        let identity = viewer.identity()?;
        self.cancel_for(identity.member_id, event_id, Some(viewer))
            .await
    }

    /// Cancels `member_id`'s registration for `event_id`, promoting from the
    /// waitlist. With a viewer, the event must be visible to them; without,
    /// the member is leaving and every event counts.
    async fn cancel_for(
        &self,
        member_id: MemberId,
        event_id: EventId,
        viewer: Option<&Viewer>,
    ) -> EventsResult<RegistrationRecord> {
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let (registration, seats) = conn
            .transaction(async |conn| cancel_in(conn, member_id, event_id, viewer, now).await)
            .await?;
        if let Some(seats) = seats {
            self.seats.publish(seats);
        }
        Ok(registration)
    }

    /// Checks in the holder of `code`. Checking in twice changes nothing.
    /// Secretariat only.
    pub async fn check_in(
        &self,
        viewer: &Viewer,
        event_id: EventId,
        code: &str,
    ) -> EventsResult<RegistrationRecord> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let code = code.trim().to_uppercase();
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            // The lock orders check-in after any cancellation in flight.
            let event = lock_visible(conn, viewer, event_id).await?;
            if event.status == EventStatus::Cancelled {
                return Err(Refusal::EventCancelled.into());
            }
            let opens_at = event.starts_at - CHECK_IN_OPENS_BEFORE_START;
            if now < opens_at {
                return Err(Refusal::CheckInNotOpen { opens_at }.into());
            }
            let registration = store::registration_by_code(conn, event_id, &code)
                .await?
                .ok_or(AppError::NotFound {
                    entity: "Registration",
                })?;
            if registration.status != RegistrationStatus::Confirmed {
                return Err(Refusal::NotConfirmed.into());
            }
            if registration.checked_in_at.is_some() {
                return Ok(registration);
            }
            let checked_in = store::check_in(conn, registration.id, now).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("events.attendee_checked_in")
                    .by(identity.member_id)
                    .on(event_id)
                    .details(json!({ "memberId": registration.member_id })),
            )
            .await?;
            Ok(checked_in)
        })
        .await
    }

    /// Attaches slides, a recording or a document, once the event has
    /// begun. Secretariat only.
    pub async fn add_material(
        &self,
        viewer: &Viewer,
        event_id: EventId,
        new: NewMaterial,
    ) -> EventsResult<MaterialRecord> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let title = validate_title(&new.title, "input.title")?;
        let url = validate_url(&new.url, "input.url")?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let event = lock_visible(conn, viewer, event_id).await?;
            if event.status == EventStatus::Cancelled {
                return Err(Refusal::EventCancelled.into());
            }
            if now < event.starts_at {
                return Err(Refusal::EventNotStarted.into());
            }
            let material = MaterialRecord {
                id: MaterialId::new(),
                event_id,
                kind: new.kind,
                title,
                url,
                confidentiality: new.confidentiality,
                added_by: identity.member_id,
                added_at: now,
            };
            store::insert_material(conn, &material).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("events.material_added")
                    .by(identity.member_id)
                    .on(event_id)
                    .details(json!({ "confidentiality": material.confidentiality.as_str() })),
            )
            .await?;
            Ok(material)
        })
        .await
    }

    // ---- reading --------------------------------------------------------

    /// Events by id as the viewer may see them; others are absent.
    pub async fn events_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[EventId],
    ) -> EventsResult<Vec<EventRecord>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        let events = store::events_by_ids(&mut conn, ids).await?;
        Ok(events
            .into_iter()
            .filter(|event| sees_event(viewer, event))
            .collect())
    }

    /// One event, or `NOT_FOUND` if it does not exist or the viewer may not
    /// see it.
    pub async fn event(&self, viewer: &Viewer, id: EventId) -> EventsResult<EventRecord> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        store::event(&mut conn, id)
            .await?
            .filter(|event| sees_event(viewer, event))
            .ok_or_else(|| AppError::NotFound { entity: "Event" }.into())
    }

    /// A page of events by start; drafts only for the secretariat.
    pub async fn list_events(
        &self,
        viewer: &Viewer,
        filter: &EventListFilter,
        page: &PageRequest<EventPageKey>,
    ) -> EventsResult<Vec<EventRecord>> {
        viewer.identity()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        Ok(store::list_events(&mut conn, filter, sees_drafts(viewer), now, page).await?)
    }

    /// The programmes of several events (which the caller has already
    /// found visible).
    pub async fn speakers_of(
        &self,
        viewer: &Viewer,
        event_ids: &[EventId],
    ) -> EventsResult<Vec<SpeakerRecord>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::speakers_of(&mut conn, event_ids).await?)
    }

    /// The materials of several events that the viewer may see.
    pub async fn materials_of(
        &self,
        viewer: &Viewer,
        event_ids: &[EventId],
    ) -> EventsResult<Vec<MaterialRecord>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::materials_of(&mut conn, event_ids, visible_confidentiality(viewer)).await?)
    }

    /// The viewer's own registrations for several events.
    pub async fn my_registrations_for(
        &self,
        viewer: &Viewer,
        event_ids: &[EventId],
    ) -> EventsResult<Vec<RegistrationRecord>> {
        let identity = viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::registrations_of_member(&mut conn, identity.member_id, event_ids).await?)
    }

    /// A page of the viewer's live registrations, by the event's start.
    pub async fn my_registrations(
        &self,
        viewer: &Viewer,
        filter: MyRegistrationFilter,
        page: &PageRequest<MyRegistrationPageKey>,
    ) -> EventsResult<Vec<(RegistrationRecord, DateTime<Utc>)>> {
        let identity = viewer.identity()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        Ok(store::my_registrations(&mut conn, identity.member_id, filter, now, page).await?)
    }

    /// One page of the attendee list of each event. Secretariat only.
    pub async fn registration_pages(
        &self,
        viewer: &Viewer,
        event_ids: &[EventId],
        status: Option<RegistrationStatus>,
        page: &PageRequest<RegistrationPageKey>,
    ) -> EventsResult<Vec<RegistrationRecord>> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::registration_pages(&mut conn, event_ids, status, page).await?)
    }

    /// Check-in counts of several events. Secretariat only.
    pub async fn attendance_counts(
        &self,
        viewer: &Viewer,
        event_ids: &[EventId],
    ) -> EventsResult<Vec<AttendanceCounts>> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::attendance_counts(&mut conn, event_ids).await?)
    }

    /// The current seat counts of an event the viewer may see, then every
    /// change as it is committed. Changes that arrive out of order are
    /// dropped; a subscriber that falls too far behind re-reads the state.
    pub async fn seat_updates(
        &self,
        viewer: &Viewer,
        event_id: EventId,
    ) -> EventsResult<impl Stream<Item = Seats> + Send + use<>> {
        // Subscribe before reading, so no change between the two is lost.
        let receiver = self.seats.subscribe();
        let initial = self.event(viewer, event_id).await?.seats();
        let service = self.clone();
        let changes = BroadcastStream::new(receiver).filter_map(move |message| {
            let service = service.clone();
            async move {
                match message {
                    Ok(seats) => (seats.event_id == event_id).then_some(seats),
                    Err(BroadcastStreamRecvError::Lagged(_)) => {
                        service.current_seats(event_id).await.ok()
                    }
                }
            }
        });
        let mut latest = initial.version;
        let newer_changes = changes.filter(move |seats| {
            let newer = seats.version > latest;
            if newer {
                latest = seats.version;
            }
            ready(newer)
        });
        Ok(stream::once(ready(initial)).chain(newer_changes))
    }

    async fn current_seats(&self, event_id: EventId) -> EventsResult<Seats> {
        let mut conn = self.ctx.conn().await?;
        store::event(&mut conn, event_id)
            .await?
            .map(|event| event.seats())
            .ok_or_else(|| AppError::NotFound { entity: "Event" }.into())
    }

    // ---- calendar -------------------------------------------------------

    /// One event as an iCalendar file, with the join URL if the viewer may
    /// see it.
    pub async fn event_calendar(&self, viewer: &Viewer, event_id: EventId) -> EventsResult<String> {
        let event = self.event(viewer, event_id).await?;
        let include_join_url = if viewer.has_role(Role::Secretariat) {
            true
        } else {
            let mine = self.my_registrations_for(viewer, &[event_id]).await?;
            sees_join_url(viewer, mine.first())
        };
        Ok(calendar::render(
            &event.title,
            [CalendarEntry {
                event: &event,
                include_join_url,
            }],
            self.ctx.now(),
        ))
    }

    /// Issues a new secret token for the viewer's personal calendar feed;
    /// any earlier token stops working. The token is shown only now.
    pub async fn issue_calendar_feed(&self, viewer: &Viewer) -> EventsResult<String> {
        let identity = viewer.identity()?;
        let token = format!(
            "{FEED_TOKEN_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(random_bytes::<32>()?)
        );
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::replace_feed_token(conn, identity.member_id, &sha256(&token), now).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("events.calendar_feed_issued")
                    .by(identity.member_id)
                    .on(identity.member_id),
            )
            .await?;
            Ok::<_, EventsError>(())
        })
        .await?;
        Ok(token)
    }

    /// Revokes the viewer's calendar feed token; returns whether there was
    /// one.
    pub async fn revoke_calendar_feed(&self, viewer: &Viewer) -> EventsResult<bool> {
        let member_id = viewer.identity()?.member_id;
        self.delete_feed(member_id, "revokeCalendarFeed").await
    }

    /// Revokes the viewer's calendar feed as part of signing out
    /// everywhere (`revokeAllMySessions`): the feed URL is a credential like
    /// a session. Possible whatever the terms, as signing out is. Returns
    /// whether there was a feed.
    pub async fn revoke_calendar_feed_with_sessions(&self, viewer: &Viewer) -> EventsResult<bool> {
        let member_id = viewer.session()?.member_id;
        self.delete_feed(member_id, "revokeAllMySessions").await
    }

    /// Deletes `member_id`'s feed token, recording which operation did.
    async fn delete_feed(&self, member_id: MemberId, by_operation: &str) -> EventsResult<bool> {
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let revoked = store::delete_feed_token(conn, member_id).await?;
            if revoked {
                audit::record(
                    conn,
                    now,
                    AuditEntry::new("events.calendar_feed_revoked")
                        .by(member_id)
                        .on(member_id)
                        .details(json!({ "operation": by_operation })),
                )
                .await?;
            }
            Ok(revoked)
        })
        .await
    }

    /// When the viewer's current feed token was issued, if there is one.
    pub async fn calendar_feed_issued_at(
        &self,
        viewer: &Viewer,
    ) -> EventsResult<Option<DateTime<Utc>>> {
        let identity = viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::feed_issued_at(&mut conn, identity.member_id).await?)
    }

    /// The personal feed behind `token`: the events its owner holds a
    /// confirmed seat for (the most recent [`FEED_LIMIT`]), with join URLs,
    /// since a confirmed attendee may see them. `NOT_FOUND` for unknown or
    /// revoked tokens.
    pub async fn feed_calendar(&self, token: &str) -> EventsResult<String> {
        let not_found = || EventsError::from(AppError::NotFound { entity: "Calendar" });
        if !token.starts_with(FEED_TOKEN_PREFIX) {
            return Err(not_found());
        }
        let mut conn = self.ctx.conn().await?;
        let owner = store::feed_owner(&mut conn, &sha256(token))
            .await?
            .ok_or_else(not_found)?;
        // A suspended member's feed goes quiet with their account.
        if !self.membership.may_sign_in(&mut conn, owner).await? {
            return Err(not_found());
        }
        let events = store::confirmed_events_of(&mut conn, owner, FEED_LIMIT).await?;
        Ok(calendar::render(
            "Alumni Network events",
            events.iter().map(|event| CalendarEntry {
                event,
                include_join_url: true,
            }),
            self.ctx.now(),
        ))
    }

    /// Frees what a leaving member holds, inside the caller's transaction
    /// (the gateway's, which also erases the member): their seats and
    /// waitlist places for events that have not begun (a freed seat goes to
    /// the waitlist, as on any cancellation) and their calendar feed. The
    /// returned seat changes are for [`announce`](Self::announce) once that
    /// transaction has committed.
    pub async fn release_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        member_id: MemberId,
    ) -> EventsResult<ReleasedSeats> {
        let now = self.ctx.now();
        let held = store::upcoming_events_held_by(conn, member_id, now).await?;
        let mut changes = Vec::with_capacity(held.len());
        for event_id in &held {
            if let (_, Some(seats)) = cancel_in(conn, member_id, *event_id, None, now).await? {
                changes.push(seats);
            }
        }
        store::delete_feed_token(conn, member_id).await?;
        audit::record(
            conn,
            now,
            AuditEntry::new("events.member_released")
                .by(member_id)
                .on(member_id)
                .details(serde_json::json!({ "registrationsCancelled": held.len() })),
        )
        .await?;
        Ok(ReleasedSeats(changes))
    }

    /// Tells live subscribers about seats that changed in a transaction
    /// that has now committed.
    pub fn announce(&self, released: ReleasedSeats) {
        for seats in released.0 {
            self.seats.publish(seats);
        }
    }

    /// Everything the events domain holds about the viewer, for their data
    /// export: their registrations (with check-in codes and times) and
    /// whether they have a calendar feed. Whatever the terms, as a
    /// data-subject right.
    pub async fn export_my_data(&self, viewer: &Viewer) -> EventsResult<serde_json::Value> {
        let member_id = viewer.session()?.member_id;
        let mut conn = self.ctx.conn().await?;
        let registrations = store::registrations_with_events_of(&mut conn, member_id).await?;
        let feed_issued_at = store::feed_issued_at(&mut conn, member_id).await?;
        Ok(serde_json::json!({
            "registrations": registrations.iter().map(|(registration, event)| serde_json::json!({
                "eventId": event.id,
                "eventTitle": event.title,
                "eventStartsAt": event.starts_at,
                "status": registration.status,
                "waitlistPosition": registration.waitlist_position,
                "checkInCode": registration.check_in_code,
                "registeredAt": registration.registered_at,
                "confirmedAt": registration.confirmed_at,
                "cancelledAt": registration.cancelled_at,
                "checkedInAt": registration.checked_in_at,
            })).collect::<Vec<_>>(),
            "calendarFeedIssuedAt": feed_issued_at,
        }))
    }

    // ---- export ---------------------------------------------------------

    /// The attendee list of an event as CSV (UTF-8 with BOM). Secretariat
    /// only; recorded in the audit log.
    pub async fn attendees_csv(&self, viewer: &Viewer, event_id: EventId) -> EventsResult<Vec<u8>> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let event = self.event(viewer, event_id).await?;
        let now = self.ctx.now();
        let time_zone: Tz = event.time_zone.parse().map_err(AppError::internal)?;
        let mut registrations = Vec::new();
        let mut page = PageRequest::<RegistrationPageKey>::first(EXPORT_BATCH);
        loop {
            let batch = self
                .registration_pages(viewer, &[event_id], None, &page)
                .await?;
            let more = batch.len() > EXPORT_BATCH;
            registrations.extend(batch.into_iter().take(EXPORT_BATCH));
            if !more {
                break;
            }
            page.after = registrations.last().map(RegistrationRecord::page_key);
        }
        let member_ids: Vec<MemberId> = registrations.iter().map(|r| r.member_id).collect();
        let mut members = HashMap::new();
        for chunk in member_ids.chunks(EXPORT_BATCH) {
            for member in self.membership.members_by_ids(viewer, chunk).await? {
                members.insert(member.id, member);
            }
        }
        let event_ended = event.ends_at <= now;
        let csv = export::write_csv(registrations.iter().map(|registration| AttendeeRow {
            registration,
            member: members.get(&registration.member_id),
            event_ended,
            time_zone,
        }))?;
        let mut conn = self.ctx.conn().await?;
        audit::record(
            &mut conn,
            now,
            AuditEntry::new("events.attendees_exported")
                .by(identity.member_id)
                .on(event_id)
                .details(json!({ "rows": registrations.len() })),
        )
        .await?;
        Ok(csv)
    }
}

/// Cancels `member_id`'s registration for `event_id` inside the caller's
/// transaction, under the event row's lock; a freed seat goes to the first
/// waitlisted member. Returns the registration and, when the seats changed,
/// their new state to announce once the transaction has committed.
async fn cancel_in(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    event_id: EventId,
    viewer: Option<&Viewer>,
    now: DateTime<Utc>,
) -> EventsResult<(RegistrationRecord, Option<Seats>)> {
    let event = match viewer {
        Some(viewer) => lock_visible(conn, viewer, event_id).await?,
        None => store::lock_event(conn, event_id)
            .await?
            .ok_or(AppError::NotFound { entity: "Event" })?,
    };
    let existing = store::registration_of(conn, event_id, member_id)
        .await?
        .ok_or(AppError::NotFound {
            entity: "Registration",
        })?;
    if !existing.is_active() {
        return Ok((existing, None));
    }
    if event.status == EventStatus::Cancelled {
        return Err(Refusal::EventCancelled.into());
    }
    if now >= event.starts_at {
        return Err(Refusal::EventStarted.into());
    }
    let cancelled = store::cancel_registration(conn, existing.id, now).await?;
    let before = event.seats();
    let seats = match (existing.status, existing.waitlist_position) {
        (RegistrationStatus::Waitlisted, Some(position)) => {
            store::close_waitlist_gap(conn, event_id, position).await?;
            Seats {
                waitlisted: before.waitlisted - 1,
                ..before
            }
        }
        _ => {
            let freed = Seats {
                confirmed: before.confirmed - 1,
                ..before
            };
            fill_free_seats(conn, freed, now).await?.0
        }
    };
    let updated = store::set_seats(
        conn,
        event_id,
        event.capacity,
        seats.confirmed,
        seats.waitlisted,
        now,
    )
    .await?;
    Ok((cancelled, Some(updated.seats())))
}

/// Locks the event, or `NOT_FOUND` if the viewer may not see it.
async fn lock_visible(
    conn: &mut AsyncPgConnection,
    viewer: &Viewer,
    event_id: EventId,
) -> EventsResult<EventRecord> {
    store::lock_event(conn, event_id)
        .await?
        .filter(|event| sees_event(viewer, event))
        .ok_or_else(|| AppError::NotFound { entity: "Event" }.into())
}

/// Confirms waitlisted members while seats are free; returns the new
/// counters and whom it promoted. The caller holds the event lock.
async fn fill_free_seats(
    conn: &mut AsyncPgConnection,
    seats: Seats,
    now: DateTime<Utc>,
) -> EventsResult<(Seats, Vec<RegistrationRecord>)> {
    let free = seats
        .capacity
        .map_or(seats.waitlisted, |capacity| capacity - seats.confirmed);
    let promoted =
        store::promote_waitlisted(conn, seats.event_id, free.min(seats.waitlisted), now).await?;
    let moved = i32::try_from(promoted.len()).map_err(AppError::internal)?;
    Ok((
        Seats {
            confirmed: seats.confirmed + moved,
            waitlisted: seats.waitlisted - moved,
            ..seats
        },
        promoted,
    ))
}

/// Refuses registration outside the window, for drafts, and outside the
/// audience.
fn check_registration_allowed(
    viewer: &Viewer,
    event: &EventRecord,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if event.status == EventStatus::Draft {
        return Err(Refusal::EventNotPublished);
    }
    if !in_audience(viewer, event.audience) {
        return Err(Refusal::OutsideAudience(event.audience));
    }
    if now < event.registration_opens_at {
        return Err(Refusal::RegistrationNotOpen {
            opens_at: event.registration_opens_at,
        });
    }
    if now >= event.registration_closes_at {
        return Err(Refusal::RegistrationClosed);
    }
    Ok(())
}

fn apply_changes(mut details: EventDetails, changes: EventChanges) -> EventDetails {
    if let Some(title) = changes.title {
        details.title = title;
    }
    if let Some(description) = changes.description {
        details.description = description;
    }
    if let Some(kind) = changes.kind {
        details.kind = kind;
    }
    if let Some(format) = changes.format {
        details.format = format;
    }
    if let Some(venue) = changes.venue {
        details.venue = venue;
    }
    if let Some(join_url) = changes.join_url {
        details.join_url = join_url;
    }
    if let Some(starts_at) = changes.starts_at {
        details.starts_at = starts_at;
    }
    if let Some(ends_at) = changes.ends_at {
        details.ends_at = ends_at;
    }
    if let Some(time_zone) = changes.time_zone {
        details.time_zone = time_zone;
    }
    if let Some(audience) = changes.audience {
        details.audience = audience;
    }
    if let Some(opens_at) = changes.registration_opens_at {
        details.registration_opens_at = opens_at;
    }
    if let Some(closes_at) = changes.registration_closes_at {
        details.registration_closes_at = closes_at;
    }
    details
}

/// Checks and normalises an event's particulars; errors name the input
/// field at fault.
fn validate_details(mut details: EventDetails) -> EventsResult<EventDetails> {
    details.title = validate_title(&details.title, "input.title")?;
    if details.description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(bad_input(
            "input.description",
            format!("at most {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    if details.ends_at <= details.starts_at {
        return Err(bad_input("input.endsAt", "must be after the start"));
    }
    if details.time_zone.parse::<Tz>().is_err() {
        return Err(bad_input(
            "input.timeZone",
            "not an IANA time zone name such as Asia/Tokyo",
        ));
    }
    details.venue = details
        .venue
        .map(|venue| venue.trim().to_owned())
        .filter(|venue| !venue.is_empty());
    details.join_url = details
        .join_url
        .map(|url| validate_url(&url, "input.joinUrl"))
        .transpose()?;
    match details.format {
        EventFormat::InPerson => details.join_url = None,
        EventFormat::Online => details.venue = None,
        EventFormat::Hybrid => {}
    }
    if details.format != EventFormat::Online && details.venue.is_none() {
        return Err(bad_input(
            "input.venue",
            "in-person and hybrid events need a venue",
        ));
    }
    if details.format != EventFormat::InPerson && details.join_url.is_none() {
        return Err(bad_input(
            "input.joinUrl",
            "online and hybrid events need a join URL",
        ));
    }
    if details.registration_closes_at <= details.registration_opens_at {
        return Err(bad_input(
            "input.registrationClosesAt",
            "must be after registration opens",
        ));
    }
    if details.registration_closes_at > details.ends_at {
        return Err(bad_input(
            "input.registrationClosesAt",
            "must not be after the event ends",
        ));
    }
    Ok(details)
}

fn validate_title(title: &str, field: &str) -> EventsResult<String> {
    let title = title.trim();
    let length = title.chars().count();
    if length == 0 || length > MAX_TITLE_CHARS {
        return Err(bad_input(
            field,
            format!("between 1 and {MAX_TITLE_CHARS} characters"),
        ));
    }
    Ok(title.to_owned())
}

fn validate_url(raw: &str, field: &str) -> EventsResult<String> {
    match url::Url::parse(raw.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            Ok(url.to_string())
        }
        _ => Err(bad_input(field, "not an http(s) URL")),
    }
}

fn validate_capacity(capacity: Option<i32>) -> EventsResult<()> {
    match capacity {
        Some(capacity) if !(0..=MAX_CAPACITY).contains(&capacity) => Err(bad_input(
            "capacity",
            format!("between 0 and {MAX_CAPACITY}, or null for no limit"),
        )),
        _ => Ok(()),
    }
}

fn speaker_records(event_id: EventId, slots: Vec<SpeakerSlot>) -> EventsResult<Vec<SpeakerRecord>> {
    if slots.len() > MAX_SPEAKERS {
        return Err(bad_input(
            "input.speakers",
            format!("at most {MAX_SPEAKERS} speakers"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    slots
        .into_iter()
        .zip(1..)
        .map(|(slot, position)| {
            let (member_id, guest_name, affiliation) = match slot {
                SpeakerSlot::Member {
                    member_id,
                    affiliation,
                } => {
                    if !seen.insert(member_id) {
                        return Err(bad_input("input.speakers", "a member is listed twice"));
                    }
                    (Some(member_id), None, affiliation)
                }
                SpeakerSlot::Guest { name, affiliation } => {
                    let name = validate_title(&name, "input.speakers")?;
                    (None, Some(name), affiliation)
                }
            };
            let affiliation = affiliation
                .map(|text| text.trim().to_owned())
                .filter(|text| !text.is_empty());
            if affiliation
                .as_ref()
                .is_some_and(|text| text.chars().count() > MAX_TITLE_CHARS)
            {
                return Err(bad_input(
                    "input.speakers",
                    format!("affiliations have at most {MAX_TITLE_CHARS} characters"),
                ));
            }
            Ok(SpeakerRecord {
                id: SpeakerId::new(),
                event_id,
                position,
                member_id,
                guest_name,
                affiliation,
            })
        })
        .collect()
}

/// Replaces the programme; an unknown member id is the caller's mistake.
async fn replace_speakers(
    conn: &mut AsyncPgConnection,
    event_id: EventId,
    slots: &[SpeakerRecord],
) -> EventsResult<()> {
    store::replace_speakers(conn, event_id, slots)
        .await
        .map_err(|error| match error {
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                bad_input("input.speakers", "no member has this id")
            }
            other => other.into(),
        })
}

/// Two registrations of one event drew the same check-in code (about one
/// in a billion); the member simply tries again.
fn code_collision_is_conflict(error: DieselError) -> EventsError {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            AppError::Conflict("please try again".into()).into()
        }
        other => other.into(),
    }
}

fn bad_input(field: &str, message: impl Into<String>) -> EventsError {
    AppError::bad_input(field, message).into()
}

fn random_bytes<const N: usize>() -> EventsResult<[u8; N]> {
    let mut bytes = [0_u8; N];
    getrandom::fill(&mut bytes).map_err(|error| AppError::internal(error.to_string()))?;
    Ok(bytes)
}

/// A fresh check-in code: 8 characters of [`CHECK_IN_ALPHABET`] (40 bits).
fn new_check_in_code() -> EventsResult<String> {
    let bytes: [u8; 8] = random_bytes()?;
    Ok(bytes
        .iter()
        .map(|byte| char::from(CHECK_IN_ALPHABET[usize::from(byte % 32)]))
        .collect())
}

fn sha256(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_in_codes_fit_the_database_rule() {
        let code = new_check_in_code().unwrap();
        assert_eq!(code.len(), 8);
        assert!(code.bytes().all(|byte| CHECK_IN_ALPHABET.contains(&byte)));
        assert_ne!(code, new_check_in_code().unwrap());
    }

    #[test]
    fn urls_must_be_web_links() {
        assert!(validate_url("https://meet.example/abc", "f").is_ok());
        for bad in ["javascript:alert(1)", "ftp://x.example", "not a url", ""] {
            assert_eq!(validate_url(bad, "f").unwrap_err().code(), "BAD_USER_INPUT");
        }
    }
}
