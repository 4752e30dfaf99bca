//! Changes announced to every server process: PostgreSQL `LISTEN/NOTIFY`.
//!
//! Changes are announced by triggers on the tables that hold them (seat
//! counts, notifications, new jobs) with `pg_notify`, so no path that
//! changes them can forget to; PostgreSQL delivers a notification when the
//! transaction commits, and never if it rolls back, so no subscriber hears
//! of a change that did not happen (no "after commit" hook is needed). Each
//! process holds one [`Live`] with one listening connection for every
//! channel, and fans what arrives out to its own subscribers; several
//! processes on one database therefore each deliver every change.
//!
//! Payloads are small (ids and counters, at most 8,000 bytes): subscribers
//! read what they show through the services, as the viewer may see it.
//! While the listening connection is down nothing arrives; when it comes
//! back every channel receives [`RESYNC`], on which subscribers re-read
//! what they show.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use diesel_async::{AsyncConnection as _, AsyncPgConnection, SimpleAsyncConnection as _};
use futures_util::StreamExt as _;
use tokio::sync::{broadcast, watch};

/// Sent to every channel after the listening connection was re-established:
/// something may have been missed.
pub const RESYNC: &str = "";

/// How many announcements a slow subscriber may fall behind before it
/// misses some (it then sees a lag and should re-read).
const BACKLOG: usize = 1024;

/// The longest pause between attempts to reconnect.
const LONGEST_RECONNECT_PAUSE: Duration = Duration::from_secs(10);

/// One process's subscription to the database's announcements.
#[derive(Clone)]
pub struct Live(Arc<Inner>);

struct Inner {
    database_url: String,
    channels: HashMap<&'static str, broadcast::Sender<String>>,
    listening: watch::Sender<bool>,
}

impl Live {
    /// A hub for `channels` of the database at `database_url`; nothing is
    /// received until [`Live::listen`] runs.
    pub fn new(database_url: impl Into<String>, channels: &[&'static str]) -> Self {
        let channels = channels
            .iter()
            .map(|channel| (*channel, broadcast::channel(BACKLOG).0))
            .collect();
        Self(Arc::new(Inner {
            database_url: database_url.into(),
            channels,
            listening: watch::channel(false).0,
        }))
    }

    /// Receives every announcement on `channel` from now on.
    ///
    /// # Panics
    /// When `channel` is not one of the hub's (a bug in the caller).
    pub fn subscribe(&self, channel: &str) -> broadcast::Receiver<String> {
        self.0
            .channels
            .get(channel)
            .unwrap_or_else(|| panic!("no live channel {channel}"))
            .subscribe()
    }

    /// Resolves once the hub is listening (for tests and readiness: what
    /// is committed from then on is heard).
    pub async fn listening(&self) {
        let mut listening = self.0.listening.subscribe();
        // The sender lives as long as `self`.
        let _ = listening.wait_for(|listening| *listening).await;
    }

    /// Listens until the process ends: connects, `LISTEN`s on every
    /// channel and passes each notification on; reconnects with a growing
    /// pause (at most 10 s) when the connection is lost.
    pub async fn listen(self) {
        let mut pause = Duration::from_millis(100);
        let mut first = true;
        loop {
            let outcome = self.listen_once(&mut first).await;
            self.0.listening.send_replace(false);
            match outcome {
                Ok(()) => tracing::warn!("the live connection closed; reconnecting"),
                Err(error) => tracing::warn!(%error, "the live connection failed; reconnecting"),
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(LONGEST_RECONNECT_PAUSE);
        }
    }

    async fn listen_once(&self, first: &mut bool) -> Result<(), diesel::ConnectionError> {
        let mut conn = AsyncPgConnection::establish(&self.0.database_url).await?;
        let mut listen = String::from("SET application_name = 'alumni-live';");
        for channel in self.0.channels.keys() {
            listen.push_str(&format!("LISTEN {channel};"));
        }
        conn.batch_execute(&listen)
            .await
            .map_err(|error| diesel::ConnectionError::BadConnection(error.to_string()))?;
        self.0.listening.send_replace(true);
        if !std::mem::take(first) {
            for sender in self.0.channels.values() {
                let _ = sender.send(RESYNC.to_owned());
            }
        }
        let mut notifications = std::pin::pin!(conn.notifications_stream());
        while let Some(notification) = notifications.next().await {
            let notification = notification
                .map_err(|error| diesel::ConnectionError::BadConnection(error.to_string()))?;
            if let Some(sender) = self.0.channels.get(notification.channel.as_str()) {
                // No subscriber is not an error: nobody is watching.
                let _ = sender.send(notification.payload);
            }
        }
        Ok(())
    }
}
