//! Queries of the events schema: async functions over a connection, one
//! module per concept. Functions that change seats expect the caller to
//! hold the event row's lock ([`events::lock_event`]) in the same
//! transaction. Decisions live in the services and `rules`, not here.

pub mod check_in;
pub mod events;
pub mod feeds;
pub mod materials;
pub mod registrations;
pub mod speakers;
