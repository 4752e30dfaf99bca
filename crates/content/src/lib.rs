//! The content domain: the secretariat's magazine. Posts move through
//! draft → scheduled → published → archived; members read them (reading is
//! taking part), react and comment; the secretariat learns how posts are
//! read by cohort without ever learning about one person.

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
pub mod visibility;

pub use service::ContentService;
