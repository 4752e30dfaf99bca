//! The events domain: talks, meetups and study sessions with registration
//! that never overbooks.
//!
//! This crate owns the PostgreSQL schema `events`: events with their
//! speakers and materials, registrations with an automatic waitlist and
//! check-in codes, and personal calendar feeds. Members are referred to by
//! [`alumni_core::MemberId`]; their data comes through `alumni-membership`.
//! How seats stay consistent under concurrency is described in
//! [`service`].

pub mod calendar;
pub mod demo;
pub mod error;
pub mod export;
pub mod graphql;
pub mod model;
mod schema;
pub mod seats;
pub mod service;
pub mod store;
pub mod visibility;

pub use error::{EventsError, EventsResult, Refusal};
pub use graphql::{EventsMutation, EventsQuery, EventsSubscription, EventsViewer};
pub use model::EventId;
pub use service::EventsService;
