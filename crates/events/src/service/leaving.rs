//! What a member leaving the network gives up, inside the transaction that
//! erases them.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::{AppResult, MemberId};
use diesel_async::AsyncPgConnection;
use serde_json::json;

use super::EventsService;
use super::registrations::cancel_in;
use crate::model::Seats;
use crate::store::{feeds, registrations};

/// Seats freed inside a transaction that is still open: announced to live
/// subscribers only once it commits, so nobody hears of a change that was
/// rolled back.
#[derive(Debug)]
#[must_use = "announce the seats once the transaction has committed"]
pub struct ReleasedSeats(Vec<Seats>);

impl EventsService {
    /// Frees what a leaving member holds, inside the caller's transaction
    /// (the gateway's, which also erases the member): their seats and
    /// waitlist places for events that have not begun (a freed seat goes to
    /// the waitlist, as on any cancellation) and their calendar feed. The
    /// returned seat changes are for [`announce`](Self::announce) once that
    /// transaction has committed.
    pub async fn release_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        member_id: MemberId,
    ) -> AppResult<ReleasedSeats> {
        let now = self.ctx.now();
        let held = registrations::upcoming_events_held_by(conn, member_id, now).await?;
        let mut changes = Vec::with_capacity(held.len());
        for event_id in &held {
            if let (_, Some(seats)) = cancel_in(conn, member_id, *event_id, now).await? {
                changes.push(seats);
            }
        }
        feeds::delete_feed(conn, member_id).await?;
        audit::record(
            conn,
            now,
            AuditEntry::new("events.member_released")
                .by(member_id)
                .on(member_id)
                .details(json!({ "registrationsCancelled": held.len() })),
        )
        .await?;
        Ok(ReleasedSeats(changes))
    }

    /// Tells live subscribers about seats that changed in a transaction
    /// that has now committed.
    pub fn announce(&self, released: ReleasedSeats) {
        for seats in released.0 {
            self.seats.publish(seats);
        }
    }
}
