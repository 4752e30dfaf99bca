//! Per-request DataLoaders of the events domain, one per association. Each
//! carries the request's viewer (so cached values never cross viewers) and
//! batches the look-ups of one request into one statement. Read them with
//! `alumni_core::graphql::{load_one, load_many}`.
//!
//! List resolvers also prefetch what their items will ask for, one
//! `load_many` per association chosen by look-ahead (`prefetch_events`,
//! `prefetch_registrations`), since batching by timing alone splits a long
//! list over several batches; the request's cache then answers the items.

use std::collections::HashMap;

use alumni_core::graphql::{request_loader, with_misses};
use alumni_core::pagination::{Direction, PageRequest};
use alumni_core::{AppError, Viewer};
use async_graphql::dataloader::Loader;

use crate::model::{
    AttendanceCounts, EventId, EventRecord, MaterialId, MaterialRecord, RegistrationId,
    RegistrationPageKey, RegistrationRecord, RegistrationStatus, SpeakerRecord,
};
use crate::service::EventsService;

/// Events the viewer may see; others are absent.
pub struct EventLoader {
    service: EventsService,
    viewer: Viewer,
}

impl Loader<EventId> for EventLoader {
    type Value = EventRecord;
    type Error = AppError;

    async fn load(&self, ids: &[EventId]) -> Result<HashMap<EventId, EventRecord>, AppError> {
        let events = self.service.events_by_ids(&self.viewer, ids).await?;
        Ok(events.into_iter().map(|event| (event.id, event)).collect())
    }
}

/// Registrations by id, as the viewer may see them (for `node(id:)`).
pub struct RegistrationLoader {
    service: EventsService,
    viewer: Viewer,
}

impl Loader<RegistrationId> for RegistrationLoader {
    type Value = RegistrationRecord;
    type Error = AppError;

    async fn load(
        &self,
        ids: &[RegistrationId],
    ) -> Result<HashMap<RegistrationId, RegistrationRecord>, AppError> {
        let found = self.service.registrations_by_ids(&self.viewer, ids).await?;
        Ok(found
            .into_iter()
            .map(|registration| (registration.id, registration))
            .collect())
    }
}

/// Materials by id, as the viewer may see them (for `node(id:)`).
pub struct MaterialLoader {
    service: EventsService,
    viewer: Viewer,
}

impl Loader<MaterialId> for MaterialLoader {
    type Value = MaterialRecord;
    type Error = AppError;

    async fn load(
        &self,
        ids: &[MaterialId],
    ) -> Result<HashMap<MaterialId, MaterialRecord>, AppError> {
        let found = self.service.materials_by_ids(&self.viewer, ids).await?;
        Ok(found
            .into_iter()
            .map(|material| (material.id, material))
            .collect())
    }
}

/// Programmes of events, in order.
pub struct SpeakersLoader {
    service: EventsService,
    viewer: Viewer,
}

impl Loader<EventId> for SpeakersLoader {
    type Value = Vec<SpeakerRecord>;
    type Error = AppError;

    async fn load(
        &self,
        ids: &[EventId],
    ) -> Result<HashMap<EventId, Vec<SpeakerRecord>>, AppError> {
        let speakers = self.service.speakers_of(&self.viewer, ids).await?;
        Ok(by_event(ids, speakers, |speaker| speaker.event_id))
    }
}

/// Materials of events that the viewer may see.
pub struct MaterialsLoader {
    service: EventsService,
    viewer: Viewer,
}

impl Loader<EventId> for MaterialsLoader {
    type Value = Vec<MaterialRecord>;
    type Error = AppError;

    async fn load(
        &self,
        ids: &[EventId],
    ) -> Result<HashMap<EventId, Vec<MaterialRecord>>, AppError> {
        let materials = self.service.materials_of(&self.viewer, ids).await?;
        Ok(by_event(ids, materials, |material| material.event_id))
    }
}

/// The viewer's own registration for events.
pub struct MyRegistrationLoader {
    service: EventsService,
    viewer: Viewer,
}

impl Loader<EventId> for MyRegistrationLoader {
    /// `None`: not registered; cached too, so it is not asked for again.
    type Value = Option<RegistrationRecord>;
    type Error = AppError;

    async fn load(
        &self,
        ids: &[EventId],
    ) -> Result<HashMap<EventId, Option<RegistrationRecord>>, AppError> {
        let mine = self.service.my_registrations_for(&self.viewer, ids).await?;
        Ok(with_misses(ids, mine, |registration| registration.event_id))
    }
}

/// Check-in counts of events (secretariat).
pub struct AttendanceLoader {
    service: EventsService,
    viewer: Viewer,
}

impl Loader<EventId> for AttendanceLoader {
    type Value = AttendanceCounts;
    type Error = AppError;

    async fn load(&self, ids: &[EventId]) -> Result<HashMap<EventId, AttendanceCounts>, AppError> {
        let mut counts: HashMap<EventId, AttendanceCounts> = self
            .service
            .attendance_counts(&self.viewer, ids)
            .await?
            .into_iter()
            .map(|counts| (counts.event_id, counts))
            .collect();
        for id in ids {
            counts
                .entry(*id)
                .or_insert_with(|| AttendanceCounts::none(*id));
        }
        Ok(counts)
    }
}

/// Key: one page of an event's attendee list (secretariat). Pages with the
/// same arguments for different events load in one statement.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegistrationPageOf {
    /// The event.
    pub event_id: EventId,
    /// Only registrations with this status.
    pub status: Option<RegistrationStatus>,
    /// The page.
    pub page: PageArguments,
}

/// A [`PageRequest`] in a form that can key a cache.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageArguments {
    forward: bool,
    size: usize,
    after: Option<RegistrationPageKey>,
    before: Option<RegistrationPageKey>,
}

impl From<&PageRequest<RegistrationPageKey>> for PageArguments {
    fn from(page: &PageRequest<RegistrationPageKey>) -> Self {
        Self {
            forward: page.direction == Direction::Forward,
            size: page.size,
            after: page.after,
            before: page.before,
        }
    }
}

impl From<&PageArguments> for PageRequest<RegistrationPageKey> {
    fn from(arguments: &PageArguments) -> Self {
        PageRequest {
            direction: if arguments.forward {
                Direction::Forward
            } else {
                Direction::Backward
            },
            size: arguments.size,
            after: arguments.after,
            before: arguments.before,
        }
    }
}

/// Pages of attendee lists (secretariat).
pub struct RegistrationPageLoader {
    service: EventsService,
    viewer: Viewer,
}

impl Loader<RegistrationPageOf> for RegistrationPageLoader {
    type Value = Vec<RegistrationRecord>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[RegistrationPageOf],
    ) -> Result<HashMap<RegistrationPageOf, Vec<RegistrationRecord>>, AppError> {
        // One statement per distinct (status, page) asked for; in practice
        // every event of a list asks for the same page.
        let mut groups: HashMap<(Option<RegistrationStatus>, PageArguments), Vec<EventId>> =
            HashMap::new();
        for key in keys {
            groups
                .entry((key.status, key.page.clone()))
                .or_default()
                .push(key.event_id);
        }
        let mut loaded = HashMap::new();
        for ((status, arguments), ids) in groups {
            let rows = self
                .service
                .registration_pages(&self.viewer, &ids, status, &(&arguments).into())
                .await?;
            let pages = by_event(&ids, rows, |registration| registration.event_id);
            loaded.extend(pages.into_iter().map(|(event_id, rows)| {
                let key = RegistrationPageOf {
                    event_id,
                    status,
                    page: arguments.clone(),
                };
                (key, rows)
            }));
        }
        Ok(loaded)
    }
}

/// How many registrations an event has in each status (secretariat).
#[derive(Debug, Clone, Default)]
pub struct RegistrationTally(HashMap<RegistrationStatus, i64>);

impl RegistrationTally {
    /// Registrations in `status`, or in any status.
    pub fn matching(&self, status: Option<RegistrationStatus>) -> i64 {
        match status {
            Some(status) => self.0.get(&status).copied().unwrap_or_default(),
            None => self.0.values().sum(),
        }
    }
}

/// Registration counts of events by status (secretariat), for the
/// attendee lists' `totalCount`.
pub struct RegistrationTallyLoader {
    service: EventsService,
    viewer: Viewer,
}

impl Loader<EventId> for RegistrationTallyLoader {
    type Value = RegistrationTally;
    type Error = AppError;

    async fn load(&self, ids: &[EventId]) -> Result<HashMap<EventId, RegistrationTally>, AppError> {
        let mut tallies: HashMap<EventId, RegistrationTally> = ids
            .iter()
            .map(|id| (*id, RegistrationTally::default()))
            .collect();
        for (event_id, status, count) in
            self.service.registration_tallies(&self.viewer, ids).await?
        {
            tallies.entry(event_id).or_default().0.insert(status, count);
        }
        Ok(tallies)
    }
}

/// Groups `rows` by event, with an empty list for every id that has none
/// (so an event without rows is cached too).
fn by_event<R>(
    ids: &[EventId],
    rows: Vec<R>,
    event_of: impl Fn(&R) -> EventId,
) -> HashMap<EventId, Vec<R>> {
    let mut grouped: HashMap<EventId, Vec<R>> = ids.iter().map(|id| (*id, Vec::new())).collect();
    for row in rows {
        grouped.entry(event_of(&row)).or_default().push(row);
    }
    grouped
}

/// Adds the events loaders to the data of one request (`cache`: each value
/// is loaded once per request) or of one WebSocket connection (no cache:
/// the connection outlives any one operation, so loaders only batch).
pub fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &EventsService,
    viewer: &Viewer,
    cache: bool,
) {
    data.insert(request_loader(
        EventLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        RegistrationLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        MaterialLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        SpeakersLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        MaterialsLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        MyRegistrationLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        AttendanceLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        RegistrationPageLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
    data.insert(request_loader(
        RegistrationTallyLoader {
            service: service.clone(),
            viewer: viewer.clone(),
        },
        cache,
    ));
}
