//! Queries over the `notify` schema.

pub mod digests;
pub mod notifications;
pub mod outbox;
pub mod preferences;
