//! The feedback domain: alumni tell the company what was wrong (and what
//! was good), named or truly anonymous; the secretariat groups what it
//! hears into themes, replies, and writes proposals to management whose
//! answers and results members follow ("you said, we did"); surveys whose
//! results are shown only for groups large enough to hide anyone.

pub mod demo;
pub mod digest;
pub mod domain;
pub mod graphql;
pub mod model;
pub mod moderation;
pub mod notices;
mod schema;
pub mod service;
mod store;

pub use service::FeedbackService;
