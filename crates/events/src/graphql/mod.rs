//! The events part of the GraphQL API: queries, mutations, the live-seats
//! subscription, and the viewer's own registrations under `me`.

mod loader;
mod objects;

use alumni_core::graphql::{data, item_selections, viewer};
use alumni_core::pagination::{Connection, PageRequest, connection_complexity};
use alumni_core::{AppError, MemberId, NodeId, Viewer};
use async_graphql::{
    Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject, Subscription,
};
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt as _};

pub use loader::{EventsLoader, RequestLoader, events_loader};
pub use objects::{
    AttendanceSummary, Event, Material, Registration, SeatAvailability, Speaker, load_event,
};

use objects::{prefetch_events, prefetch_registrations};

use crate::model::{
    Audience, Confidentiality, EventFormat, EventId, EventKind, EventRecord, MaterialKind,
};
use crate::service::{EventChanges, EventsService, NewEvent, NewMaterial, SpeakerSlot};
use crate::store::{EventListFilter, MyRegistrationFilter};

/// Adds what one request needs from the events domain: a fresh loader
/// carrying the viewer, caching for this request only.
pub fn insert_request_data(
    data: &mut async_graphql::Data,
    service: &EventsService,
    viewer: &Viewer,
) {
    data.insert(events_loader(service.clone(), viewer.clone()));
}

/// Adds what a WebSocket connection needs: a loader carrying the viewer
/// that batches but never caches, since one connection runs many
/// operations over time and must not answer from stale data.
pub fn insert_connection_data(
    data: &mut async_graphql::Data,
    service: &EventsService,
    viewer: &Viewer,
) {
    let loader = events_loader(service.clone(), viewer.clone());
    loader.enable_all_cache(false);
    data.insert(loader);
}

fn service<'a>(ctx: &Context<'a>) -> Result<&'a EventsService, AppError> {
    data::<EventsService>(ctx)
}

fn event_id(id: &ID, field: &str) -> Result<EventId, AppError> {
    EventId::from_global(id, field)
}

async fn my_registrations_page(
    ctx: &Context<'_>,
    upcoming: Option<bool>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<Connection<Registration>> {
    let page = PageRequest::new(first, after, last, before)?;
    let rows = service(ctx)?
        .my_registrations(viewer(ctx)?, MyRegistrationFilter { upcoming }, &page)
        .await?;
    let registrations: Vec<_> = rows
        .iter()
        .map(|(registration, _)| registration.clone())
        .collect();
    prefetch_registrations(ctx, &item_selections(ctx), &registrations, true).await?;
    Ok(page.into_connection(
        rows,
        |(registration, starts_at)| (*starts_at, registration.event_id.0),
        |(registration, _)| Registration(registration),
    ))
}

/// Narrows the event list; every given field must match.
#[derive(InputObject, Default)]
pub struct EventFilter {
    /// Only events starting at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only events starting before this time.
    pub to: Option<DateTime<Utc>>,
    /// Only events of this kind.
    pub kind: Option<EventKind>,
    /// Only events for this audience.
    pub audience: Option<Audience>,
    /// `true`: only events not yet over; `false`: only events that are over.
    pub upcoming: Option<bool>,
}

/// Events queries.
#[derive(Default)]
pub struct EventsQuery;

/// Events queries.
#[Object]
impl EventsQuery {
    /// Events by start time, earliest first (read backward with `last` for
    /// the most recent past ones). Drafts are listed for the secretariat
    /// only. Signed-in members only.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<EventFilter>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Event>> {
        let filter = filter.unwrap_or_default();
        let filter = EventListFilter {
            from: filter.from,
            to: filter.to,
            kind: filter.kind,
            audience: filter.audience,
            upcoming: filter.upcoming,
        };
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service(ctx)?
            .list_events(viewer(ctx)?, &filter, &page)
            .await?;
        prefetch_events(ctx, &item_selections(ctx), &rows).await?;
        Ok(page.into_connection(rows, EventRecord::page_key, Event::from))
    }

    /// One event; `NOT_FOUND` if it does not exist or is a draft the viewer
    /// may not see.
    async fn event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] id: ID,
    ) -> Result<Event> {
        let id = event_id(&id, "id")?;
        viewer(ctx)?.identity()?;
        Ok(load_event(ctx, id).await?)
    }

    /// The viewer's confirmed and waitlisted registrations, by the event's
    /// start. Same as `me { registrations }`.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn my_registrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "`true`: events not yet over; `false`: events that are over.")]
        upcoming: Option<bool>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Registration>> {
        my_registrations_page(ctx, upcoming, first, after, last, before).await
    }
}

/// The signed-in member's part of the events domain, as part of `me` (which
/// the gateway offers to signed-in viewers only; the fields read the viewer
/// from the request).
#[derive(Default)]
pub struct EventsViewer;

/// The signed-in member's registrations and calendar feed.
#[Object]
impl EventsViewer {
    /// The viewer's confirmed and waitlisted registrations, by the event's
    /// start.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn registrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "`true`: events not yet over; `false`: events that are over.")]
        upcoming: Option<bool>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Registration>> {
        my_registrations_page(ctx, upcoming, first, after, last, before).await
    }

    /// When the viewer's personal calendar feed URL was issued; `null` if
    /// they have none (issue one with `issueCalendarFeed`).
    async fn calendar_feed_issued_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        Ok(service(ctx)?.calendar_feed_issued_at(viewer(ctx)?).await?)
    }
}

/// A speaker on the programme: give `memberId` for a member, or
/// `guestName` for a guest.
#[derive(InputObject)]
pub struct SpeakerInput {
    /// Global id of the speaking member.
    pub member_id: Option<ID>,
    /// Name of a guest speaker without an account.
    pub guest_name: Option<String>,
    /// Affiliation or a one-line introduction.
    pub affiliation: Option<String>,
}

fn speaker_slots(speakers: Vec<SpeakerInput>) -> Result<Vec<SpeakerSlot>, AppError> {
    speakers
        .into_iter()
        .map(|speaker| match (speaker.member_id, speaker.guest_name) {
            (Some(id), None) => Ok(SpeakerSlot::Member {
                member_id: MemberId::from_global(&id, "input.speakers")?,
                affiliation: speaker.affiliation,
            }),
            (None, Some(name)) => Ok(SpeakerSlot::Guest {
                name,
                affiliation: speaker.affiliation,
            }),
            _ => Err(AppError::bad_input(
                "input.speakers",
                "give either memberId or guestName for each speaker",
            )),
        })
        .collect()
}

/// A new event, created as a draft.
#[derive(InputObject)]
pub struct CreateEventInput {
    /// Title (1–200 characters).
    pub title: String,
    /// Description, in Markdown.
    #[graphql(default)]
    pub description: String,
    /// What sort of event.
    pub kind: EventKind,
    /// In person, online or hybrid.
    pub format: EventFormat,
    /// Venue; required for in-person and hybrid events.
    pub venue: Option<String>,
    /// Join URL; required for online and hybrid events, shown only to
    /// confirmed attendees.
    pub join_url: Option<String>,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// IANA time zone to announce it in (default `Asia/Tokyo`).
    pub time_zone: Option<String>,
    /// Who may register.
    pub audience: Audience,
    /// When registration opens (default: now).
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// When registration closes (default: at the start).
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// Seats; omit for no limit.
    pub capacity: Option<i32>,
    /// Speakers in programme order.
    #[graphql(default)]
    pub speakers: Vec<SpeakerInput>,
}

/// Changes to an event; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateEventInput {
    /// New title.
    pub title: Option<String>,
    /// New description, in Markdown.
    pub description: Option<String>,
    /// New kind.
    pub kind: Option<EventKind>,
    /// New format.
    pub format: Option<EventFormat>,
    /// New venue; `null` clears it.
    pub venue: MaybeUndefined<String>,
    /// New join URL; `null` clears it.
    pub join_url: MaybeUndefined<String>,
    /// New start.
    pub starts_at: Option<DateTime<Utc>>,
    /// New end.
    pub ends_at: Option<DateTime<Utc>>,
    /// New IANA time zone.
    pub time_zone: Option<String>,
    /// New audience.
    pub audience: Option<Audience>,
    /// New opening of registration.
    pub registration_opens_at: Option<DateTime<Utc>>,
    /// New closing of registration.
    pub registration_closes_at: Option<DateTime<Utc>>,
    /// New programme, replacing the old one.
    pub speakers: Option<Vec<SpeakerInput>>,
}

fn maybe(value: MaybeUndefined<String>) -> Option<Option<String>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(value) => Some(Some(value)),
    }
}

/// Material to attach to an event.
#[derive(InputObject)]
pub struct AddMaterialInput {
    /// Slides, recording or document.
    pub kind: MaterialKind,
    /// Title.
    pub title: String,
    /// Link (http or https).
    pub url: String,
    /// Who may see it.
    pub confidentiality: Confidentiality,
}

/// A newly issued personal calendar feed.
#[derive(SimpleObject)]
pub struct CalendarFeed {
    /// The secret token; shown only now. Issuing a new one revokes it.
    pub token: String,
    /// Path of the feed on this server, to subscribe to from a calendar app.
    pub path: String,
}

/// Events mutations.
#[derive(Default)]
pub struct EventsMutation;

/// Events mutations.
#[Object]
impl EventsMutation {
    /// Creates a draft event. Secretariat only.
    async fn create_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: CreateEventInput,
    ) -> Result<Event> {
        let new = NewEvent {
            title: input.title,
            description: input.description,
            kind: input.kind,
            format: input.format,
            venue: input.venue,
            join_url: input.join_url,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            time_zone: input.time_zone,
            audience: input.audience,
            registration_opens_at: input.registration_opens_at,
            registration_closes_at: input.registration_closes_at,
            capacity: input.capacity,
            speakers: speaker_slots(input.speakers)?,
        };
        let event = service(ctx)?.create_event(viewer(ctx)?, new).await?;
        Ok(Event::from(event))
    }

    /// Changes an event's particulars or programme. Secretariat only;
    /// cancelled events answer `CONFLICT` (`EVENT_CANCELLED`).
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] id: ID,
        #[graphql(desc = "The changes.")] input: UpdateEventInput,
    ) -> Result<Event> {
        let id = event_id(&id, "id")?;
        let changes = EventChanges {
            title: input.title,
            description: input.description,
            kind: input.kind,
            format: input.format,
            venue: maybe(input.venue),
            join_url: maybe(input.join_url),
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            time_zone: input.time_zone,
            audience: input.audience,
            registration_opens_at: input.registration_opens_at,
            registration_closes_at: input.registration_closes_at,
            speakers: input.speakers.map(speaker_slots).transpose()?,
        };
        let event = service(ctx)?
            .update_event(viewer(ctx)?, id, changes)
            .await?;
        Ok(Event::from(event))
    }

    /// Publishes a draft, so members can see it and register. Secretariat
    /// only.
    async fn publish_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] id: ID,
    ) -> Result<Event> {
        let id = event_id(&id, "id")?;
        Ok(Event::from(
            service(ctx)?.publish_event(viewer(ctx)?, id).await?,
        ))
    }

    /// Cancels an event; every registration then shows it as cancelled.
    /// Secretariat only.
    async fn cancel_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] id: ID,
    ) -> Result<Event> {
        let id = event_id(&id, "id")?;
        Ok(Event::from(
            service(ctx)?.cancel_event(viewer(ctx)?, id).await?,
        ))
    }

    /// Sets the number of seats (`null`: no limit). Raising it confirms
    /// members from the waitlist at once, in order; lowering it below the
    /// confirmed count answers `CONFLICT` (`CAPACITY_BELOW_CONFIRMED`).
    /// Secretariat only.
    async fn set_event_capacity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] id: ID,
        #[graphql(desc = "Seats in all; `null` for no limit.")] capacity: Option<i32>,
    ) -> Result<Event> {
        let id = event_id(&id, "id")?;
        let change = service(ctx)?
            .set_capacity(viewer(ctx)?, id, capacity)
            .await?;
        Ok(Event::from(change.event))
    }

    /// Registers the viewer: `CONFIRMED` while seats remain, otherwise
    /// `WAITLISTED` with a position. Registering again returns the same
    /// registration. Refusals: `CONFLICT` with `extensions.reason`
    /// `REGISTRATION_NOT_OPEN`, `REGISTRATION_CLOSED`, `EVENT_CANCELLED` or
    /// `EVENT_NOT_PUBLISHED`; `FORBIDDEN` with `OUTSIDE_AUDIENCE`.
    async fn register_for_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] event_id: ID,
    ) -> Result<Registration> {
        let id = self::event_id(&event_id, "eventId")?;
        Ok(Registration(
            service(ctx)?.register(viewer(ctx)?, id).await?,
        ))
    }

    /// Cancels the viewer's registration; a freed seat goes at once to the
    /// first on the waitlist. Refused once the event has begun (`CONFLICT`,
    /// `EVENT_STARTED`).
    async fn cancel_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] event_id: ID,
    ) -> Result<Registration> {
        let id = self::event_id(&event_id, "eventId")?;
        Ok(Registration(
            service(ctx)?.cancel_registration(viewer(ctx)?, id).await?,
        ))
    }

    /// Checks in the attendee holding `code`, from two hours before the
    /// start. Secretariat only.
    async fn check_in_attendee(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] event_id: ID,
        #[graphql(desc = "The attendee's check-in code (case does not matter).")] code: String,
    ) -> Result<Registration> {
        let id = self::event_id(&event_id, "eventId")?;
        Ok(Registration(
            service(ctx)?.check_in(viewer(ctx)?, id, &code).await?,
        ))
    }

    /// Attaches slides, a recording or a document once the event has begun.
    /// Secretariat only.
    async fn add_event_material(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] event_id: ID,
        #[graphql(desc = "The material.")] input: AddMaterialInput,
    ) -> Result<Material> {
        let id = self::event_id(&event_id, "eventId")?;
        let new = NewMaterial {
            kind: input.kind,
            title: input.title,
            url: input.url,
            confidentiality: input.confidentiality,
        };
        Ok(Material(
            service(ctx)?.add_material(viewer(ctx)?, id, new).await?,
        ))
    }

    /// Issues a secret URL for the viewer's personal calendar feed of
    /// confirmed registrations; any earlier URL stops working.
    async fn issue_calendar_feed(&self, ctx: &Context<'_>) -> Result<CalendarFeed> {
        let token = service(ctx)?.issue_calendar_feed(viewer(ctx)?).await?;
        Ok(CalendarFeed {
            path: format!("/calendar/{token}.ics"),
            token,
        })
    }

    /// Revokes the viewer's calendar feed URL. Returns whether there was
    /// one.
    async fn revoke_calendar_feed(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(service(ctx)?.revoke_calendar_feed(viewer(ctx)?).await?)
    }
}

/// Events subscriptions.
#[derive(Default)]
pub struct EventsSubscription;

/// Events subscriptions.
#[Subscription]
impl EventsSubscription {
    /// Seats left and waitlist length of an event: the current numbers
    /// first, then every change as it happens.
    async fn event_seats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] event_id: ID,
    ) -> Result<impl Stream<Item = SeatAvailability> + use<>> {
        let id = self::event_id(&event_id, "eventId")?;
        let updates = service(ctx)?.seat_updates(viewer(ctx)?, id).await?;
        Ok(updates.map(SeatAvailability))
    }
}
