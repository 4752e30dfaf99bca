//! Queries of the magazine; nothing here is visible outside the crate.

pub mod audience;
pub mod comments;
pub mod issues;
pub mod posts;
pub mod reading;
