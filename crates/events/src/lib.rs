//! The events domain: talks, meetups and study sessions with registration
//! that never overbooks.
//!
//! This crate owns the PostgreSQL schema `events`: events with their
//! speakers and materials, registrations with an automatic waitlist and
//! check-in codes, and personal calendar feeds. Members are referred to by
//! [`alumni_core::MemberId`]; their data comes through `alumni-membership`.
//! How seats stay consistent under concurrency is described in
//! [`service`]; why an action is refused, in [`Refusal`].

mod attendees_csv;
pub mod demo;
pub mod digest;
pub mod domain;
pub mod graphql;
mod ics;
pub mod live;
pub mod model;
pub mod moderation;
pub mod notices;
mod refusal;
pub mod rules;
mod schema;
pub mod service;
mod store;
pub mod visibility;

pub use graphql::{EventsMutation, EventsQuery, EventsSubscription, EventsViewer};
pub use model::EventId;
pub use refusal::Refusal;
pub use service::EventsService;
