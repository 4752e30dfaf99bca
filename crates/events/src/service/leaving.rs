//! What a member leaving the network gives up, inside the transaction that
//! erases them.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::{AppResult, MemberId};
use diesel_async::AsyncPgConnection;
use serde_json::json;

use super::EventsService;
use super::registrations::cancel_in;
use crate::store::{feeds, registrations};

impl EventsService {
    /// Frees what a leaving member holds, inside the caller's transaction
    /// (the gateway's, which also erases the member): their seats and
    /// waitlist places for events that have not begun (a freed seat goes to
    /// the waitlist, as on any cancellation) and their calendar feed. Live
    /// subscribers hear of the freed seats when that transaction commits.
    pub async fn release_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        member_id: MemberId,
    ) -> AppResult<()> {
        let now = self.ctx.now();
        let held = registrations::upcoming_events_held_by(conn, member_id, now).await?;
        for event_id in &held {
            cancel_in(conn, member_id, *event_id, now).await?;
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
        Ok(())
    }
}
