//! Live seat counts: every committed change of an event's seats is
//! published here, and subscriptions pick out the events they watch.
//!
//! The hub lives in the process. Each snapshot carries the event row's
//! `seats_version`, taken under the row lock, so a subscriber that receives
//! two snapshots out of order keeps the newer one.

use tokio::sync::broadcast;

use crate::model::Seats;

/// How many snapshots a slow subscriber may fall behind before it re-reads
/// the current state instead.
const BACKLOG: usize = 1024;

/// Fans seat changes out to subscribers.
#[derive(Clone)]
pub struct SeatsHub {
    sender: broadcast::Sender<Seats>,
}

impl Default for SeatsHub {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(BACKLOG);
        Self { sender }
    }
}

impl SeatsHub {
    /// Announces a committed change.
    pub fn publish(&self, seats: Seats) {
        // No subscriber is not an error: nobody is watching.
        let _ = self.sender.send(seats);
    }

    /// Receives every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Seats> {
        self.sender.subscribe()
    }
}
