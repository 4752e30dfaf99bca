//! Live seat counts: every committed change of an event's seats is
//! announced by the database (the `events_announce_seats` trigger) on
//! [`SEATS_CHANNEL`], to every server process, and subscriptions pick out
//! the events they watch.
//!
//! Each announcement carries the event row's `seats_version`, taken under
//! the row lock, so a subscriber that receives two snapshots out of order
//! keeps the newer one.

use serde::Deserialize;
use uuid::Uuid;

use crate::model::{EventId, Seats};

/// The channel seat changes are announced on.
pub const SEATS_CHANNEL: &str = "alumni_event_seats";

#[derive(Deserialize)]
struct Announced {
    event_id: Uuid,
    capacity: Option<i32>,
    confirmed: i32,
    waitlisted: i32,
    version: i64,
}

/// The seats an announcement tells of; `None` for anything else (such as
/// [`alumni_core::live::RESYNC`]), on which subscribers re-read.
pub(crate) fn announced_seats(payload: &str) -> Option<Seats> {
    let announced: Announced = serde_json::from_str(payload).ok()?;
    Some(Seats {
        event_id: EventId(announced.event_id),
        capacity: announced.capacity,
        confirmed: announced.confirmed,
        waitlisted: announced.waitlisted,
        version: announced.version,
    })
}
