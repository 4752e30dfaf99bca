//! Shared foundations of the Alumni Network backend.
//!
//! Every domain crate builds on these: typed ids and Relay global ids
//! ([`id`]), the viewer of a request and their roles ([`viewer`]), the one
//! error type with its stable codes ([`error`]), keyset cursor pagination
//! ([`pagination`]), the database pool ([`db`]), an injectable clock
//! ([`clock`]), the append-only audit log ([`audit`]), the CSV files people
//! open in spreadsheets ([`csv`]), what the database can store of a
//! client's input ([`input`]), who is calling from where ([`client`]), and
//! the kept outcomes of requests retried under an idempotency key
//! ([`idempotency`]), the durable job queue ([`jobs`]) and changes
//! announced to every server process ([`live`]).

mod api_schema;
pub mod audit;
pub mod client;
pub mod clock;
pub mod csv;
pub mod db;
pub mod domain;
pub mod enums;
pub mod error;
pub mod graphql;
pub mod id;
pub mod idempotency;
pub mod input;
pub mod jobs;
pub mod live;
pub mod markdown;
pub mod moderation;
pub mod pagination;
pub mod request;
mod schema;
pub mod search;
pub mod secrets;
pub mod suppression;
pub mod viewer;

pub use client::{Caller, ClientAddress};
pub use clock::{Clock, SharedClock};
pub use db::{DbConn, DbPool};
pub use error::AppError;
pub use id::{GlobalId, MemberId, NodeId, SessionId};
pub use viewer::{Identity, Role, RoleSet, Standing, Viewer};

/// What every service call needs besides the viewer: the database, the
/// clock, and the changes announced by the database. One per process,
/// cheap to clone.
#[derive(Clone)]
pub struct ServiceContext {
    /// The connection pool.
    pub pool: DbPool,
    /// The source of "now".
    pub clock: SharedClock,
    /// Changes announced to every process (seats, notifications, jobs).
    pub live: live::Live,
    /// The leak guard every text passes on save (installed by the gateway).
    pub screener: moderation::Screener,
}

impl ServiceContext {
    /// Checks out a database connection (`SERVICE_UNAVAILABLE` if the
    /// database cannot be reached in time).
    pub async fn conn(&self) -> Result<DbConn, AppError> {
        db::connection(&self.pool).await
    }

    /// The current time from the context's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

/// Result of service functions.
pub type AppResult<T> = Result<T, AppError>;
