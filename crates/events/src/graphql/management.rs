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

// Both conversions take their input apart field by field, so a field added
// to an input and forgotten here fails to compile.

impl CreateEventInput {
    /// The new event, with the documented defaults for what was omitted.
    fn into_new_event(self, now: DateTime<Utc>) -> Result<NewEvent, AppError> {
        let CreateEventInput {
            title,
            description,
            kind,
            format,
            venue,
            join_url,
            starts_at,
            ends_at,
            time_zone,
            audience,
            registration_opens_at,
            registration_closes_at,
            capacity,
            speakers,
        } = self;
        let fields = EventFields {
            title,
            description,
            kind,
            format,
            venue,
            join_url,
            starts_at,
            ends_at,
            time_zone: time_zone.unwrap_or_else(|| DEFAULT_TIME_ZONE.to_owned()),
            audience,
            registration_opens_at: registration_opens_at
                .unwrap_or_else(|| rules::default_registration_opens(now, starts_at)),
            registration_closes_at: registration_closes_at.unwrap_or(starts_at),
        };
        Ok(NewEvent {
            fields,
            capacity,
            speakers: speaker_slots(speakers)?,
            confirm_warnings: false,
        })
    }
}

impl UpdateEventInput {
    /// The new programme, if one was given.
    fn take_speakers(&mut self) -> Result<Option<Vec<SpeakerSlot>>, AppError> {
        self.speakers.take().map(speaker_slots).transpose()
    }

    /// The edit of the particulars, which the service applies to the values
    /// as they stand, under the event's lock. Omitted fields stay as they
    /// are.
    fn into_edit(self) -> impl Fn(&mut EventFields) + Send + Sync {
        let UpdateEventInput {
            title,
            description,
            kind,
            format,
            venue,
            join_url,
            starts_at,
            ends_at,
            time_zone,
            audience,
            registration_opens_at,
            registration_closes_at,
            speakers: _,
        } = self;
        move |fields| {
            replace(&mut fields.title, title.clone());
            replace(&mut fields.description, description.clone());
            replace(&mut fields.kind, kind);
            replace(&mut fields.format, format);
            venue.clone().update_to(&mut fields.venue);
            join_url.clone().update_to(&mut fields.join_url);
            replace(&mut fields.starts_at, starts_at);
            replace(&mut fields.ends_at, ends_at);
            replace(&mut fields.time_zone, time_zone.clone());
            replace(&mut fields.audience, audience);
            replace(&mut fields.registration_opens_at, registration_opens_at);
            replace(&mut fields.registration_closes_at, registration_closes_at);
        }
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
    /// Creates a draft event. Secretariat only. Its title, description,
    /// venue and programme pass the leak guard (for alumni unless the
    /// event is for employees): `CONTENT_BLOCKED` saves nothing, a held
    /// event is seen only by the secretariat and moderators until released.
    async fn create_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: CreateEventInput,
        #[graphql(
            desc = "Save although the leak guard warned about the texts (the confirmation is recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<Event> {
        let service = service(ctx)?;
        let new = NewEvent {
            confirm_warnings,
            ..input.into_new_event(now(ctx)?)?
        };
        Ok(Event::from(service.create_event(viewer(ctx)?, new).await?))
    }

    /// Changes an event's particulars or programme. Secretariat only;
    /// cancelled events answer `CONFLICT` (`EVENT_CANCELLED`).
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] id: ID,
        #[graphql(desc = "The changes.")] mut input: UpdateEventInput,
        #[graphql(
            desc = "Save although the leak guard warned about the texts (the confirmation is recorded).",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<Event> {
        let id = event_id(&id, "id")?;
        let speakers = input.take_speakers()?;
        let event = service(ctx)?
            .update_event(
                viewer(ctx)?,
                id,
                input.into_edit(),
                speakers,
                confirm_warnings,
            )
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

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::rules::sample;

    #[test]
    fn creation_fills_the_documented_defaults() {
        let expected = sample::fields();
        let input = CreateEventInput {
            title: expected.title.clone(),
            description: expected.description.clone(),
            kind: expected.kind,
            format: expected.format,
            venue: expected.venue.clone(),
            join_url: expected.join_url.clone(),
            starts_at: expected.starts_at,
            ends_at: expected.ends_at,
            time_zone: None,
            audience: expected.audience,
            registration_opens_at: None,
            registration_closes_at: None,
            capacity: Some(30),
            speakers: Vec::new(),
        };
        let new = input.into_new_event(sample::now()).unwrap();
        assert_eq!(new.fields, expected);
        assert_eq!(new.capacity, Some(30));
    }

    #[test]
    fn an_edit_keeps_omitted_fields_and_clears_nulls() {
        let before = sample::fields();
        let later = before.ends_at + Duration::hours(1);
        let input = UpdateEventInput {
            title: Some("Rust 入門勉強会".into()),
            description: None,
            kind: None,
            format: None,
            venue: MaybeUndefined::Null,
            join_url: MaybeUndefined::Undefined,
            starts_at: None,
            ends_at: Some(later),
            time_zone: None,
            audience: None,
            registration_opens_at: None,
            registration_closes_at: None,
            speakers: None,
        };
        let mut fields = before.clone();
        input.into_edit()(&mut fields);
        assert_eq!(
            fields,
            EventFields {
                title: "Rust 入門勉強会".into(),
                venue: None,
                ends_at: later,
                ..before
            }
        );
    }
}
