//! Queries of trust and safety; nothing here is visible outside the crate.

pub mod cases;
pub mod rules;
