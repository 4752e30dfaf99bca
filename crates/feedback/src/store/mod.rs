//! Queries over the feedback schema. Private to the crate.

pub mod items;
pub mod proposals;
pub mod results;
pub mod summary;
pub mod surveys;
pub mod themes;
