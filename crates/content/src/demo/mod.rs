//! Demo data.

pub mod data;
