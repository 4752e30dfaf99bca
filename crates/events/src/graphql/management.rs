//! Managing events (the secretariat): the create and update inputs, their
//! conversion into [`EventFields`] (in one place, below the inputs), and
//! the mutations.

use alumni_core::graphql::viewer;
use alumni_core::{AppError, MemberId, NodeId};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};

use super::event::Event;
use super::{event_id, now, service};
use crate::model::{Audience, EventFields, EventFormat, EventKind, SpeakerSlot};
use crate::rules::{self, DEFAULT_TIME_ZONE};
use crate::service::NewEvent;

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

impl CreateEventInput {
    /// The new event, with the documented defaults for what was omitted.
    fn into_new_event(self, now: DateTime<Utc>) -> Result<NewEvent, AppError> {
        let fields = EventFields {
            title: self.title,
            description: self.description,
            kind: self.kind,
            format: self.format,
            venue: self.venue,
            join_url: self.join_url,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: self
                .time_zone
                .unwrap_or_else(|| DEFAULT_TIME_ZONE.to_owned()),
            audience: self.audience,
            registration_opens_at: self
                .registration_opens_at
                .unwrap_or_else(|| rules::default_registration_opens(now, self.starts_at)),
            registration_closes_at: self.registration_closes_at.unwrap_or(self.starts_at),
        };
        Ok(NewEvent {
            fields,
            capacity: self.capacity,
            speakers: speaker_slots(self.speakers)?,
        })
    }
}

impl UpdateEventInput {
    /// The edit of the particulars (the service applies it to the values
    /// as they stand, under the event's lock) and the new programme, if
    /// one was given.
    fn into_changes(
        self,
    ) -> Result<
        (
            impl FnOnce(&mut EventFields) + Send,
            Option<Vec<SpeakerSlot>>,
        ),
        AppError,
    > {
        let speakers = self.speakers.map(speaker_slots).transpose()?;
        let edit = move |fields: &mut EventFields| {
            replace(&mut fields.title, self.title);
            replace(&mut fields.description, self.description);
            replace(&mut fields.kind, self.kind);
            replace(&mut fields.format, self.format);
            self.venue.update_to(&mut fields.venue);
            self.join_url.update_to(&mut fields.join_url);
            replace(&mut fields.starts_at, self.starts_at);
            replace(&mut fields.ends_at, self.ends_at);
            replace(&mut fields.time_zone, self.time_zone);
            replace(&mut fields.audience, self.audience);
            replace(
                &mut fields.registration_opens_at,
                self.registration_opens_at,
            );
            replace(
                &mut fields.registration_closes_at,
                self.registration_closes_at,
            );
        };
        Ok((edit, speakers))
    }
}

fn replace<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
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

/// Mutations managing events.
#[derive(Default)]
pub struct EventMutation;

/// Mutations managing events.
#[Object]
impl EventMutation {
    /// Creates a draft event. Secretariat only.
    async fn create_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: CreateEventInput,
    ) -> Result<Event> {
        let service = service(ctx)?;
        let new = input.into_new_event(now(ctx)?)?;
        Ok(Event::from(service.create_event(viewer(ctx)?, new).await?))
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
        let (edit, speakers) = input.into_changes()?;
        let event = service(ctx)?
            .update_event(viewer(ctx)?, id, edit, speakers)
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
}
