//! The object types of the events API. Field-level rules (join URL,
//! internal-only material, a registration's private particulars) are
//! applied here, on the object, so every path that yields one obeys them.

use alumni_core::graphql::{data, item_selections, selects, viewer};
use alumni_core::pagination::{Connection, PageRequest, connection_complexity};
use alumni_core::{AppError, NodeId, Role, Viewer};
use alumni_membership::Member;
use alumni_membership::graphql::{find_member, prefetch_members};
use async_graphql::{Context, ID, Lookahead, Object, Result};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::error::EventsError;
use crate::graphql::loader::{
    AttendanceOf, MaterialsOf, MyRegistrationFor, RegistrationPageOf, RequestLoader, SpeakersOf,
};
use crate::model::{
    Attendance, Audience, Confidentiality, EventFormat, EventId, EventKind, EventRecord,
    EventStatus, MaterialKind, MaterialRecord, RegistrationRecord, RegistrationStatus, Seats,
    SpeakerRecord,
};
use crate::service::EventsService;
use crate::visibility::{sees_join_url, sees_registration_details};

pub(crate) fn loader<'a>(ctx: &Context<'a>) -> Result<&'a RequestLoader, AppError> {
    data::<RequestLoader>(ctx)
}

fn now(ctx: &Context<'_>) -> Result<DateTime<Utc>, AppError> {
    Ok(data::<EventsService>(ctx)?.now())
}

/// Loads an event through the request's loader; `NOT_FOUND` if it does not
/// exist or the viewer may not see it.
pub async fn load_event(ctx: &Context<'_>, id: EventId) -> Result<Event, AppError> {
    loader(ctx)?
        .load_one(id)
        .await
        .map_err(|error| error.to_app_error())?
        .map(Event::from)
        .ok_or(AppError::NotFound { entity: "Event" })
}

/// The viewer's own registration for `event_id`, if any.
async fn my_registration(
    ctx: &Context<'_>,
    event_id: EventId,
) -> Result<Option<RegistrationRecord>, EventsError> {
    if !matches!(viewer(ctx)?, Viewer::Member(_)) {
        return Ok(None);
    }
    Ok(loader(ctx)?
        .load_one(MyRegistrationFor(event_id))
        .await?
        .flatten())
}

/// Loads, one batch per association, what the selected fields of `events`
/// will ask for, so a page costs the same statements however many items it
/// has and however long they take to resolve.
pub(crate) async fn prefetch_events(
    ctx: &Context<'_>,
    selections: &[Lookahead<'_>],
    events: &[EventRecord],
) -> Result<(), EventsError> {
    let loader = loader(ctx)?;
    loader
        .feed_many(events.iter().map(|event| (event.id, event.clone())))
        .await;
    let ids: Vec<EventId> = events.iter().map(|event| event.id).collect();
    if selects(selections, &["speakers"]) {
        let speakers = loader
            .load_many(ids.iter().map(|id| SpeakersOf(*id)))
            .await?;
        if selects(selections, &["speakers", "member"]) {
            let members = speakers.values().flatten().filter_map(|s| s.member_id);
            prefetch_members(ctx, members).await?;
        }
    }
    if selects(selections, &["materials"]) {
        loader
            .load_many(ids.iter().map(|id| MaterialsOf(*id)))
            .await?;
    }
    let viewer = viewer(ctx)?;
    let needs_mine = selects(selections, &["myRegistration"])
        || (selects(selections, &["joinUrl"]) && !viewer.has_role(Role::Secretariat));
    if needs_mine && matches!(viewer, Viewer::Member(_)) {
        loader
            .load_many(ids.iter().map(|id| MyRegistrationFor(*id)))
            .await?;
    }
    if selects(selections, &["attendance"]) && viewer.has_role(Role::Secretariat) {
        loader
            .load_many(ids.iter().map(|id| AttendanceOf(*id)))
            .await?;
    }
    Ok(())
}

/// Like [`prefetch_events`], for registrations: their members, their
/// events, and what the events' selected fields need. `own` says they are
/// the viewer's own, which then also answers `myRegistration`.
pub(crate) async fn prefetch_registrations(
    ctx: &Context<'_>,
    selections: &[Lookahead<'_>],
    registrations: &[RegistrationRecord],
    own: bool,
) -> Result<(), EventsError> {
    let loader = loader(ctx)?;
    if own {
        loader
            .feed_many(registrations.iter().map(|registration| {
                (
                    MyRegistrationFor(registration.event_id),
                    Some(registration.clone()),
                )
            }))
            .await;
    }
    if selects(selections, &["member"]) {
        prefetch_members(
            ctx,
            registrations
                .iter()
                .map(|registration| registration.member_id),
        )
        .await?;
    }
    if selects(selections, &["event"]) || selects(selections, &["attendance"]) {
        let events = loader
            .load_many(
                registrations
                    .iter()
                    .map(|registration| registration.event_id),
            )
            .await?;
        let events: Vec<EventRecord> = events.into_values().collect();
        let event_selections: Vec<Lookahead<'_>> = selections
            .iter()
            .map(|selection| selection.field("event"))
            .collect();
        prefetch_events(ctx, &event_selections, &events).await?;
    }
    Ok(())
}

/// `time` in the zone `zone` as RFC 3339 (e.g. `2026-04-01T19:00:00+09:00`).
fn in_zone(time: DateTime<Utc>, zone: &str) -> String {
    match zone.parse::<Tz>() {
        Ok(zone) => time.with_timezone(&zone).to_rfc3339(),
        Err(_) => time.to_rfc3339(),
    }
}

/// A talk, meetup, study session or other event.
// Boxed: the record is large, and `Node` holds an `Event` beside smaller
// objects.
pub struct Event(Box<EventRecord>);

impl From<EventRecord> for Event {
    fn from(record: EventRecord) -> Self {
        Self(Box::new(record))
    }
}

impl Event {
    /// The event's id.
    pub fn event_id(&self) -> EventId {
        self.0.id
    }
}

/// A talk, meetup, study session or other event. Signed-in members see
/// published, cancelled and completed events; drafts are for the
/// secretariat.
#[Object]
impl Event {
    /// Opaque global id; resolves through `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Description, in Markdown.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// What sort of event.
    async fn kind(&self) -> EventKind {
        self.0.kind
    }

    /// In person, online or hybrid.
    async fn format(&self) -> EventFormat {
        self.0.format
    }

    /// Where it takes place (in-person and hybrid events).
    async fn venue(&self) -> Option<&str> {
        self.0.venue.as_deref()
    }

    /// Where to join online. Only for members with a confirmed seat and the
    /// secretariat; `null` for everyone else (and for in-person events).
    async fn join_url(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(url) = &self.0.join_url else {
            return Ok(None);
        };
        let viewer = viewer(ctx)?;
        let mine = if viewer.has_role(Role::Secretariat) {
            None
        } else {
            my_registration(ctx, self.0.id).await?
        };
        Ok(sees_join_url(viewer, mine.as_ref()).then(|| url.clone()))
    }

    /// Start (UTC).
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }

    /// End (UTC).
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }

    /// IANA time zone the event is announced in, e.g. `Asia/Tokyo`.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }

    /// Start in the event's time zone, RFC 3339 with offset (e.g.
    /// `2026-04-01T19:00:00+09:00`).
    async fn local_starts_at(&self) -> String {
        in_zone(self.0.starts_at, &self.0.time_zone)
    }

    /// End in the event's time zone, RFC 3339 with offset.
    async fn local_ends_at(&self) -> String {
        in_zone(self.0.ends_at, &self.0.time_zone)
    }

    /// Who may register.
    async fn audience(&self) -> Audience {
        self.0.audience
    }

    /// When registration opens.
    async fn registration_opens_at(&self) -> DateTime<Utc> {
        self.0.registration_opens_at
    }

    /// When registration closes.
    async fn registration_closes_at(&self) -> DateTime<Utc> {
        self.0.registration_closes_at
    }

    /// Whether registration is open now (published, within the window).
    async fn registration_open(&self, ctx: &Context<'_>) -> Result<bool> {
        let now = now(ctx)?;
        Ok(self.0.status == EventStatus::Published
            && self.0.registration_opens_at <= now
            && now < self.0.registration_closes_at)
    }

    /// Seats in all; `null` for no limit.
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }

    /// Seats left and waitlist length now.
    async fn seats(&self) -> SeatAvailability {
        SeatAvailability(self.0.seats())
    }

    /// Draft, published, cancelled, or completed (published and over).
    async fn status(&self, ctx: &Context<'_>) -> Result<EventStatus> {
        Ok(self.0.status_at(now(ctx)?))
    }

    /// The speakers, in programme order.
    async fn speakers(&self, ctx: &Context<'_>) -> Result<Vec<Speaker>> {
        let speakers = loader(ctx)?.load_one(SpeakersOf(self.0.id)).await?;
        Ok(speakers
            .unwrap_or_default()
            .into_iter()
            .map(Speaker)
            .collect())
    }

    /// Slides, recordings and documents the viewer may see. Internal-only
    /// material is shown to employees and the secretariat only.
    async fn materials(&self, ctx: &Context<'_>) -> Result<Vec<Material>> {
        let materials = loader(ctx)?.load_one(MaterialsOf(self.0.id)).await?;
        Ok(materials
            .unwrap_or_default()
            .into_iter()
            .map(Material)
            .collect())
    }

    /// The viewer's own registration, if they registered (also when
    /// cancelled).
    async fn my_registration(&self, ctx: &Context<'_>) -> Result<Option<Registration>> {
        Ok(my_registration(ctx, self.0.id).await?.map(Registration))
    }

    /// The attendee list: confirmed first, then the waitlist by position,
    /// then cancelled. Secretariat only.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn registrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only registrations with this status.")] status: Option<
            RegistrationStatus,
        >,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Registration>> {
        viewer(ctx)?.require_role(Role::Secretariat)?;
        let page = PageRequest::new(first, after, last, before)?;
        let loader = loader(ctx)?;
        let rows = loader
            .load_one(RegistrationPageOf {
                event_id: self.0.id,
                status,
                page: (&page).into(),
            })
            .await?
            .unwrap_or_default();
        loader.feed_one(self.0.id, (*self.0).clone()).await;
        prefetch_registrations(ctx, &item_selections(ctx), &rows, false).await?;
        Ok(page.into_connection(rows, RegistrationRecord::page_key, Registration))
    }

    /// Check-in counts. Secretariat only.
    async fn attendance(&self, ctx: &Context<'_>) -> Result<AttendanceSummary> {
        viewer(ctx)?.require_role(Role::Secretariat)?;
        let counts = loader(ctx)?.load_one(AttendanceOf(self.0.id)).await?;
        let ended = self.0.ends_at <= now(ctx)?;
        Ok(AttendanceSummary {
            attended: counts.map_or(0, |c| c.attended),
            not_checked_in: counts.map_or(0, |c| c.not_checked_in),
            ended,
        })
    }

    /// Path of this event's iCalendar file on this server (send the
    /// `Authorization` header when fetching it).
    async fn calendar_path(&self) -> String {
        format!("/events/{}.ics", self.0.id.to_global().0)
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When it was published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }

    /// When it was cancelled.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }
}

/// Seats left and waitlist length of an event at one moment. Says nothing
/// about who holds the seats or waits.
pub struct SeatAvailability(pub(crate) Seats);

/// Seats left and waitlist length of an event at one moment.
#[Object]
impl SeatAvailability {
    /// The event.
    async fn event_id(&self) -> ID {
        self.0.event_id.to_global()
    }

    /// Seats in all; `null` for no limit.
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }

    /// Seats still free; `null` for no limit.
    async fn seats_left(&self) -> Option<i32> {
        self.0.seats_left()
    }

    /// How many members are waiting for a seat.
    async fn waitlist_length(&self) -> i32 {
        self.0.waitlisted
    }
}

/// A speaker on an event's programme: a member or a named guest.
pub struct Speaker(SpeakerRecord);

/// A speaker on an event's programme: a member of the network or a named
/// guest.
#[Object]
impl Speaker {
    /// The speaker, if a member (as the viewer may see them).
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        match self.0.member_id {
            Some(member_id) => Ok(find_member(ctx, member_id).await?),
            None => Ok(None),
        }
    }

    /// The speaker's name, if a guest.
    async fn guest_name(&self) -> Option<&str> {
        self.0.guest_name.as_deref()
    }

    /// Affiliation or a one-line introduction.
    async fn affiliation(&self) -> Option<&str> {
        self.0.affiliation.as_deref()
    }
}

/// Slides, a recording or a document of an event.
pub struct Material(pub(crate) MaterialRecord);

/// Slides, a recording or a document of an event, with who may see it.
#[Object]
impl Material {
    /// Slides, recording or document.
    async fn kind(&self) -> MaterialKind {
        self.0.kind
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Link to the material.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// Who may see it.
    async fn confidentiality(&self) -> Confidentiality {
        self.0.confidentiality
    }

    /// When it was attached.
    async fn added_at(&self) -> DateTime<Utc> {
        self.0.added_at
    }
}

/// A member's registration for an event.
pub struct Registration(pub(crate) RegistrationRecord);

/// A member's registration for an event. The waitlist position and the
/// check-in code are shown only to the member and the secretariat.
#[Object]
impl Registration {
    /// The event (its `status` shows whether it was cancelled).
    async fn event(&self, ctx: &Context<'_>) -> Result<Event> {
        Ok(load_event(ctx, self.0.event_id).await?)
    }

    /// The registered member, as the viewer may see them.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        Ok(find_member(ctx, self.0.member_id).await?)
    }

    /// Confirmed, waitlisted or cancelled.
    async fn status(&self) -> RegistrationStatus {
        self.0.status
    }

    /// 1-based place on the waitlist, while waitlisted.
    async fn waitlist_position(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        let viewer = viewer(ctx)?;
        Ok(sees_registration_details(viewer, &self.0)
            .then_some(self.0.waitlist_position)
            .flatten())
    }

    /// Code to show at the door, once confirmed.
    async fn check_in_code(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        let viewer = viewer(ctx)?;
        let shown = sees_registration_details(viewer, &self.0)
            && self.0.status == RegistrationStatus::Confirmed;
        Ok(shown.then_some(self.0.check_in_code.as_str()))
    }

    /// When the member (last) registered.
    async fn registered_at(&self) -> DateTime<Utc> {
        self.0.registered_at
    }

    /// When a seat was given.
    async fn confirmed_at(&self) -> Option<DateTime<Utc>> {
        self.0.confirmed_at
    }

    /// When the member cancelled.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }

    /// When the member was checked in.
    async fn checked_in_at(&self) -> Option<DateTime<Utc>> {
        self.0.checked_in_at
    }

    /// Attended or no-show, once the event is over; `null` before, and for
    /// registrations without a seat.
    async fn attendance(&self, ctx: &Context<'_>) -> Result<Option<Attendance>> {
        let ended = match load_event(ctx, self.0.event_id).await {
            Ok(event) => event.0.ends_at <= now(ctx)?,
            Err(AppError::NotFound { .. }) => false,
            Err(error) => return Err(error.into()),
        };
        Ok(self.0.attendance(ended))
    }
}

/// Check-in counts of an event.
pub struct AttendanceSummary {
    attended: i64,
    not_checked_in: i64,
    ended: bool,
}

/// Check-in counts of an event.
#[Object]
impl AttendanceSummary {
    /// Confirmed attendees checked in.
    async fn attended(&self) -> i64 {
        self.attended
    }

    /// Confirmed attendees not checked in, once the event is over; `null`
    /// before that.
    async fn no_show(&self) -> Option<i64> {
        self.ended.then_some(self.not_checked_in)
    }

    /// Confirmed attendees not (yet) checked in.
    async fn not_checked_in(&self) -> i64 {
        self.not_checked_in
    }
}
