//! Trust and safety: the leak guard and watched words every member- or
//! secretariat-written text passes on save, members' reports, and the
//! review queue where moderators release, hide or delete content.
//!
//! Domains reach it through `alumni_core::moderation` (the screen every
//! save calls, and the targets whose state the queue changes), so that
//! membership below it and the domains above it share one API; see
//! "Trust and safety" in `docs/architecture.md`.

pub mod demo;
pub mod domain;
pub mod engine;
pub mod graphql;
pub mod model;
mod schema;
pub mod service;
mod store;

pub use graphql::{TrustMutation, TrustQuery};
pub use service::TrustService;
