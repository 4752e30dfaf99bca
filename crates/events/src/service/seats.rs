//! Capacity, promotion from the waitlist, and live seat counts.

use std::future::ready;

use alumni_core::audit::{self, AuditEntry};
use alumni_core::{AppError, AppResult, Role, Viewer};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use futures_util::{Stream, StreamExt as _, stream};
use serde_json::json;
use tokio_stream::wrappers::BroadcastStream;

use super::{EventsService, lock_visible};
use crate::live::{SEATS_CHANNEL, announced_seats};
use crate::model::{EventId, EventRecord, RegistrationRecord, Seats};
use crate::notices;
use crate::rules;
use crate::store::{events as store, registrations};

/// The outcome of a change of capacity.
#[derive(Debug, Clone)]
pub struct CapacityChange {
    /// The event after the change.
    pub event: EventRecord,
    /// Registrations promoted from the waitlist, in waitlist order.
    pub promoted: Vec<RegistrationRecord>,
}

impl EventsService {
    /// Sets the capacity (`None`: no limit). Raising it promotes from the
    /// waitlist at once; lowering it below the confirmed count is refused.
    /// Secretariat only.
    pub async fn set_capacity(
        &self,
        viewer: &Viewer,
        event_id: EventId,
        capacity: Option<i32>,
    ) -> AppResult<CapacityChange> {
        let identity = viewer.require_role(Role::Secretariat)?;
        rules::validate_capacity(capacity)?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let change = conn
            .transaction(async |conn| {
                let event = lock_visible(conn, viewer, event_id).await?;
                rules::not_cancelled(&event)?;
                let seats = rules::change_capacity(event.seats(), capacity)?;
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
                Ok::<_, AppError>(CapacityChange {
                    event: updated,
                    promoted,
                })
            })
            .await?;
        Ok(change)
    }

    /// The current seat counts of an event the viewer may see, then every
    /// change as it is committed. Changes that arrive out of order are
    /// dropped; a subscriber that falls too far behind re-reads the state.
    pub async fn seat_updates(
        &self,
        viewer: &Viewer,
        event_id: EventId,
    ) -> AppResult<impl Stream<Item = Seats> + Send + use<>> {
        // Subscribe before reading, so no change between the two is lost.
        let receiver = self.ctx.live.subscribe(SEATS_CHANNEL);
        let initial = self.event(viewer, event_id).await?.seats();
        let service = self.clone();
        let changes = BroadcastStream::new(receiver).filter_map(move |message| {
            let service = service.clone();
            async move {
                // A snapshot of another event is skipped; after a lag or a
                // lost connection (nothing readable) the state is re-read.
                match message.ok().map(|payload| announced_seats(&payload)) {
                    Some(Some(seats)) => (seats.event_id == event_id).then_some(seats),
                    _ => service.current_seats(event_id).await.ok(),
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

    async fn current_seats(&self, event_id: EventId) -> AppResult<Seats> {
        let mut conn = self.ctx.conn().await?;
        store::event(&mut conn, event_id)
            .await?
            .map(|event| event.seats())
            .ok_or(AppError::NotFound { entity: "Event" })
    }
}

/// Confirms waitlisted members while seats are free; returns the new
/// counters and whom it promoted. The caller holds the event lock.
pub(super) async fn fill_free_seats(
    conn: &mut AsyncPgConnection,
    seats: Seats,
    now: DateTime<Utc>,
) -> AppResult<(Seats, Vec<RegistrationRecord>)> {
    let promoted =
        registrations::promote_waitlisted(conn, seats.event_id, rules::promotions(seats), now)
            .await?;
    let moved = i32::try_from(promoted.len()).map_err(AppError::internal)?;
    let given = promoted
        .iter()
        .map(|registration| registration.id)
        .collect();
    notices::seats_given(conn, now, given, true).await?;
    Ok((rules::promote(seats, moved), promoted))
}
