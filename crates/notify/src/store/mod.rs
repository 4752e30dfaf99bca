//! Queries over the `notify` schema.

pub mod notifications;
pub mod outbox;
pub mod preferences;
