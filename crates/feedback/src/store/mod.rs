//! Queries over the feedback schema. Private to the crate.

pub mod items;
pub mod proposals;
pub mod themes;
