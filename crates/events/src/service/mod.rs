//! The events domain's rules applied for a viewer: authorisation, short
//! transactions, audit entries; one module per concept. Every public
//! function that acts for a client takes the [`Viewer`] and decides from
//! it; the decisions themselves are in [`rules`](crate::rules).
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

mod calendar;
mod check_in;
mod events;
mod export;
mod leaving;
mod materials;
mod registrations;
mod seats;

use alumni_core::{AppError, AppResult, ServiceContext, SharedClock, Viewer};
use alumni_membership::MembershipService;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

pub use calendar::{FEED_LIMIT, FEED_TOKEN_PREFIX};
pub use events::{EVENT_NODE, NewEvent};
pub use materials::{MATERIAL_NODE, NewMaterial};
pub use seats::CapacityChange;

use crate::model::{EventId, EventRecord};
use alumni_notify::NotifyService;

use crate::store::events as store;
use crate::visibility::sees_event;

/// The events domain's services.
#[derive(Clone)]
pub struct EventsService {
    pub(crate) ctx: ServiceContext,
    membership: MembershipService,
    pub(crate) notify: NotifyService,
}

impl EventsService {
    /// Services over a database and clock; member data comes from
    /// `membership`, and members are told of things through `notify`.
    pub fn new(ctx: ServiceContext, membership: MembershipService, notify: NotifyService) -> Self {
        Self {
            ctx,
            membership,
            notify,
        }
    }

    /// The current time from the service's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.ctx.now()
    }

    /// The same services reading time from `clock` (demo data is written
    /// through the real rules at past and future times).
    pub(crate) fn with_clock(&self, clock: SharedClock) -> Self {
        Self {
            ctx: ServiceContext {
                clock,
                ..self.ctx.clone()
            },
            ..self.clone()
        }
    }
}

/// Locks the event, or `NOT_FOUND` if the viewer may not see it.
async fn lock_visible(
    conn: &mut AsyncPgConnection,
    viewer: &Viewer,
    event_id: EventId,
) -> AppResult<EventRecord> {
    store::lock_event(conn, event_id)
        .await?
        .filter(|event| sees_event(viewer, event))
        .ok_or(AppError::NotFound { entity: "Event" })
}
