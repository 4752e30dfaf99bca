//! The per-request DataLoader of the events domain. One loader type serves
//! every association (events by id, programmes, materials, the viewer's own
//! registrations, attendee pages, attendance counts), each keyed by its own
//! key type, so a list of any length costs one statement per association.
//! It carries the request's viewer, so cached values never cross viewers.
//!
//! Batching by timing alone (keys requested within a millisecond) splits a
//! large list into several batches when resolving it takes longer, so list
//! resolvers also prefetch what their items will ask for with one
//! `load_many` per association (see `prefetch` in the objects module); the
//! per-request cache then answers the items.

use std::collections::HashMap;

use alumni_core::Viewer;
use alumni_core::pagination::{Direction, PageRequest};
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

use crate::error::EventsError;
use crate::model::{
    EventId, EventRecord, MaterialRecord, RegistrationPageKey, RegistrationRecord,
    RegistrationStatus, SpeakerRecord,
};
use crate::service::EventsService;
use crate::store::AttendanceCounts;

/// Batches the events domain's look-ups of one request.
pub struct EventsLoader {
    service: EventsService,
    viewer: Viewer,
}

/// The loader as it sits in request data.
pub type RequestLoader = DataLoader<EventsLoader, HashMapCache>;

/// A loader for `viewer` that caches what it loaded. For one request only:
/// a cache kept longer would serve stale data.
pub fn events_loader(service: EventsService, viewer: Viewer) -> RequestLoader {
    DataLoader::with_cache(
        EventsLoader { service, viewer },
        tokio::spawn,
        HashMapCache::default(),
    )
}

/// Key: the programme of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpeakersOf(pub EventId);

/// Key: the materials of an event the viewer may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MaterialsOf(pub EventId);

/// Key: the viewer's own registration for an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MyRegistrationFor(pub EventId);

/// Key: check-in counts of an event (secretariat).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AttendanceOf(pub EventId);

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

/// Groups `rows` by event, with an empty list for every key that has none.
fn group_by_event<K, R>(
    keys: &[K],
    key_event: impl Fn(&K) -> EventId,
    rows: Vec<R>,
    row_event: impl Fn(&R) -> EventId,
) -> HashMap<K, Vec<R>>
where
    K: Clone + Eq + std::hash::Hash,
{
    let mut by_event: HashMap<EventId, Vec<R>> = HashMap::new();
    for row in rows {
        by_event.entry(row_event(&row)).or_default().push(row);
    }
    keys.iter()
        .map(|key| {
            let rows = by_event.remove(&key_event(key)).unwrap_or_default();
            (key.clone(), rows)
        })
        .collect()
}

fn event_ids<K>(keys: &[K], key_event: impl Fn(&K) -> EventId) -> Vec<EventId> {
    keys.iter().map(key_event).collect()
}

impl Loader<EventId> for EventsLoader {
    type Value = EventRecord;
    type Error = EventsError;

    async fn load(&self, ids: &[EventId]) -> Result<HashMap<EventId, EventRecord>, EventsError> {
        let events = self.service.events_by_ids(&self.viewer, ids).await?;
        Ok(events.into_iter().map(|event| (event.id, event)).collect())
    }
}

impl Loader<SpeakersOf> for EventsLoader {
    type Value = Vec<SpeakerRecord>;
    type Error = EventsError;

    async fn load(
        &self,
        keys: &[SpeakersOf],
    ) -> Result<HashMap<SpeakersOf, Vec<SpeakerRecord>>, EventsError> {
        let ids = event_ids(keys, |key| key.0);
        let speakers = self.service.speakers_of(&self.viewer, &ids).await?;
        Ok(group_by_event(keys, |key| key.0, speakers, |s| s.event_id))
    }
}

impl Loader<MaterialsOf> for EventsLoader {
    type Value = Vec<MaterialRecord>;
    type Error = EventsError;

    async fn load(
        &self,
        keys: &[MaterialsOf],
    ) -> Result<HashMap<MaterialsOf, Vec<MaterialRecord>>, EventsError> {
        let ids = event_ids(keys, |key| key.0);
        let materials = self.service.materials_of(&self.viewer, &ids).await?;
        Ok(group_by_event(keys, |key| key.0, materials, |m| m.event_id))
    }
}

impl Loader<MyRegistrationFor> for EventsLoader {
    // `None` is a result too, so "not registered" is cached like the rest.
    type Value = Option<RegistrationRecord>;
    type Error = EventsError;

    async fn load(
        &self,
        keys: &[MyRegistrationFor],
    ) -> Result<HashMap<MyRegistrationFor, Option<RegistrationRecord>>, EventsError> {
        let ids = event_ids(keys, |key| key.0);
        let mine = self
            .service
            .my_registrations_for(&self.viewer, &ids)
            .await?;
        let mut by_event: HashMap<EventId, RegistrationRecord> = mine
            .into_iter()
            .map(|registration| (registration.event_id, registration))
            .collect();
        Ok(keys
            .iter()
            .map(|key| (*key, by_event.remove(&key.0)))
            .collect())
    }
}

impl Loader<AttendanceOf> for EventsLoader {
    type Value = AttendanceCounts;
    type Error = EventsError;

    async fn load(
        &self,
        keys: &[AttendanceOf],
    ) -> Result<HashMap<AttendanceOf, AttendanceCounts>, EventsError> {
        let ids = event_ids(keys, |key| key.0);
        let counts = self.service.attendance_counts(&self.viewer, &ids).await?;
        let mut by_event: HashMap<EventId, AttendanceCounts> = counts
            .into_iter()
            .map(|count| (count.event_id, count))
            .collect();
        Ok(keys
            .iter()
            .map(|key| {
                let counts = by_event.remove(&key.0).unwrap_or(AttendanceCounts {
                    event_id: key.0,
                    attended: 0,
                    not_checked_in: 0,
                });
                (*key, counts)
            })
            .collect())
    }
}

impl Loader<RegistrationPageOf> for EventsLoader {
    type Value = Vec<RegistrationRecord>;
    type Error = EventsError;

    async fn load(
        &self,
        keys: &[RegistrationPageOf],
    ) -> Result<HashMap<RegistrationPageOf, Vec<RegistrationRecord>>, EventsError> {
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
            let page = PageRequest::from(&arguments);
            let rows = self
                .service
                .registration_pages(&self.viewer, &ids, status, &page)
                .await?;
            let group_keys: Vec<RegistrationPageOf> = ids
                .iter()
                .map(|event_id| RegistrationPageOf {
                    event_id: *event_id,
                    status,
                    page: arguments.clone(),
                })
                .collect();
            loaded.extend(group_by_event(
                &group_keys,
                |key| key.event_id,
                rows,
                |r| r.event_id,
            ));
        }
        Ok(loaded)
    }
}
