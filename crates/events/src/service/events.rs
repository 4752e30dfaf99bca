//! Managing events (the secretariat) and reading them (every member).

use alumni_core::audit::{self, AuditEntry};
use alumni_core::moderation::{ScreenRequest, Screening, TextAudience};
use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::{AppError, AppResult, MemberId, Role, Viewer};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;

use super::{EventsService, lock_visible};
use crate::model::{
    Audience, EventFields, EventId, EventListFilter, EventPageKey, EventRecord, EventStatus,
    SpeakerRecord, SpeakerSlot,
};
use crate::notices;
use crate::rules;
use crate::store::{events as store, speakers};
use crate::visibility::{sees_drafts, sees_event, sees_withheld};

/// Which events lists show the viewer besides published, visible ones.
fn withheld(viewer: &Viewer) -> (bool, bool) {
    (sees_drafts(viewer), sees_withheld(viewer))
}

/// A new event.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Its particulars.
    pub fields: EventFields,
    /// Seats; `None` for no limit.
    pub capacity: Option<i32>,
    /// The programme.
    pub speakers: Vec<SpeakerSlot>,
    /// Whether the author confirmed the leak guard's warnings.
    pub confirm_warnings: bool,
}

/// The node type of events, as the review queue names them.
pub const EVENT_NODE: &str = "Event";

/// The texts of an event the leak guard reads, under their input fields:
/// the particulars, and the programme when it is being replaced.
fn screened_texts(
    fields: &EventFields,
    speakers: Option<&[SpeakerRecord]>,
) -> Vec<(&'static str, String)> {
    let mut texts = vec![
        ("input.title", fields.title.clone()),
        ("input.description", fields.description.clone()),
    ];
    if let Some(venue) = &fields.venue {
        texts.push(("input.venue", venue.clone()));
    }
    if let Some(speakers) = speakers {
        let programme: Vec<&str> = speakers
            .iter()
            .flat_map(|speaker| {
                [
                    speaker.guest_name.as_deref(),
                    speaker.affiliation.as_deref(),
                ]
            })
            .flatten()
            .collect();
        texts.push(("input.speakers", programme.join("\n")));
    }
    texts
}

/// Who reads an event's texts: internal events only employees.
fn text_audience(fields: &EventFields) -> TextAudience {
    match fields.audience {
        Audience::Employees => TextAudience::EmployeesOnly,
        Audience::Alumni | Audience::Everyone => TextAudience::Alumni,
    }
}

impl EventsService {
    /// Creates a draft event. Secretariat only.
    pub async fn create_event(&self, viewer: &Viewer, new: NewEvent) -> AppResult<EventRecord> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let now = self.ctx.now();
        let fields = rules::validate_fields(new.fields)?;
        rules::validate_capacity(new.capacity)?;
        let id = EventId::new();
        let slots = rules::speaker_records(id, new.speakers)?;
        let screening = self
            .screen_event(
                identity.member_id,
                id,
                &fields,
                Some(&slots),
                new.confirm_warnings,
            )
            .await?;
        let event = EventRecord {
            id,
            fields,
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
            moderation: screening.state,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::insert_event(conn, &event).await?;
            replace_speakers(conn, event.id, &slots).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("events.event_created")
                    .by(identity.member_id)
                    .on(event.id)
                    .details(
                        json!({ "kind": event.fields.kind.as_str(), "capacity": event.capacity }),
                    ),
            )
            .await
        })
        .await?;
        Ok(event)
    }

    /// Changes an event's particulars with `edit` and, if given, replaces
    /// its programme. `edit` runs under the event's lock on the values as
    /// they stand, so changes to other fields made meanwhile are kept.
    /// The edited texts pass the leak guard again (see `create_event`).
    /// Secretariat only; cancelled events are refused.
    pub async fn update_event(
        &self,
        viewer: &Viewer,
        event_id: EventId,
        edit: impl Fn(&mut EventFields) + Send + Sync,
        speakers: Option<Vec<SpeakerSlot>>,
        confirm_warnings: bool,
    ) -> AppResult<EventRecord> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let now = self.ctx.now();
        let slots = speakers
            .map(|speakers| rules::speaker_records(event_id, speakers))
            .transpose()?;
        // The leak guard reads the texts as the edit leaves them, before
        // the transaction; should they change meanwhile, the edit is
        // refused rather than saved unchecked.
        let mut conn = self.ctx.conn().await?;
        let current = store::event(&mut conn, event_id)
            .await?
            .filter(|event| sees_event(viewer, event))
            .ok_or(AppError::NotFound { entity: "Event" })?;
        drop(conn);
        let mut edited = current.fields.clone();
        edit(&mut edited);
        let screened = screened_texts(&edited, slots.as_deref());
        let screening = self
            .screen_event(
                identity.member_id,
                event_id,
                &edited,
                slots.as_deref(),
                confirm_warnings,
            )
            .await?;
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let event = lock_visible(conn, viewer, event_id).await?;
            rules::not_cancelled(&event)?;
            let mut fields = event.fields.clone();
            edit(&mut fields);
            let fields = rules::validate_fields(fields)?;
            if screened_texts(&fields, slots.as_deref()) != screened
                || text_audience(&fields) != screening.audience
            {
                return Err(AppError::Conflict {
                    message: "the event changed while this edit was checked; try again".into(),
                    reason: Some("CHANGED_MEANWHILE"),
                });
            }
            let changed = notices::changes_worth_telling(&event.fields, &fields);
            let mut updated = store::update_event_fields(conn, event_id, &fields, now).await?;
            let moderation = event.moderation.after_edit(screening.state);
            if moderation != event.moderation {
                store::set_moderation(conn, event_id, moderation).await?;
                updated.moderation = moderation;
            }
            self.ctx.screener.record_in(conn, now, &screening).await?;
            if event.status == EventStatus::Published && !changed.is_empty() {
                notices::event_altered(conn, now, event_id, false, changed).await?;
            }
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
    ) -> AppResult<EventRecord> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let event = lock_visible(conn, viewer, event_id).await?;
            rules::not_cancelled(&event)?;
            if event.status != EventStatus::Draft {
                return Ok(event);
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
    pub async fn cancel_event(&self, viewer: &Viewer, event_id: EventId) -> AppResult<EventRecord> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let event = lock_visible(conn, viewer, event_id).await?;
            if event.status == EventStatus::Cancelled {
                return Ok(event);
            }
            let cancelled = store::cancel_event(conn, event_id, now).await?;
            if event.status == EventStatus::Published {
                notices::event_altered(conn, now, event_id, true, Vec::new()).await?;
            }
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

    /// Passes an event's texts through the leak guard, for the audience
    /// its particulars name.
    async fn screen_event(
        &self,
        author: MemberId,
        event_id: EventId,
        fields: &EventFields,
        speakers: Option<&[SpeakerRecord]>,
        confirm_warnings: bool,
    ) -> AppResult<Screening> {
        let texts = screened_texts(fields, speakers);
        self.ctx
            .screener
            .screen(
                self.ctx.now(),
                ScreenRequest {
                    author,
                    subject_type: EVENT_NODE,
                    subject_id: event_id.0,
                    audience: text_audience(fields),
                    fields: texts
                        .iter()
                        .map(|(field, text)| (*field, text.as_str()))
                        .collect(),
                    confirm_warnings,
                },
            )
            .await
    }

    /// Events by id as the viewer may see them; others are absent.
    pub async fn events_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[EventId],
    ) -> AppResult<Vec<EventRecord>> {
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
    pub async fn event(&self, viewer: &Viewer, id: EventId) -> AppResult<EventRecord> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        store::event(&mut conn, id)
            .await?
            .filter(|event| sees_event(viewer, event))
            .ok_or(AppError::NotFound { entity: "Event" })
    }

    /// A page of events by start; drafts only for the secretariat.
    pub async fn list_events(
        &self,
        viewer: &Viewer,
        filter: &EventListFilter,
        page: &PageRequest<EventPageKey>,
    ) -> AppResult<Vec<EventRecord>> {
        viewer.identity()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        Ok(store::list_events(&mut conn, filter, withheld(viewer), now, page).await?)
    }

    /// How many events [`list_events`](Self::list_events) lists.
    pub async fn count_events(
        &self,
        viewer: &Viewer,
        filter: &EventListFilter,
    ) -> AppResult<ListSize> {
        viewer.identity()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        Ok(store::count_events(&mut conn, filter, withheld(viewer), now).await?)
    }

    /// The programmes of several events (which the caller has already
    /// found visible).
    pub async fn speakers_of(
        &self,
        viewer: &Viewer,
        event_ids: &[EventId],
    ) -> AppResult<Vec<SpeakerRecord>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(speakers::speakers_of(&mut conn, event_ids).await?)
    }
}

/// Replaces the programme; an unknown member id is the caller's mistake.
async fn replace_speakers(
    conn: &mut AsyncPgConnection,
    event_id: EventId,
    slots: &[SpeakerRecord],
) -> AppResult<()> {
    speakers::replace_speakers(conn, event_id, slots)
        .await
        .map_err(|error| match error {
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                AppError::bad_input("input.speakers", "no member has this id")
            }
            other => other.into(),
        })
}
