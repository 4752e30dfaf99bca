//! Queries of the knowledge domain, over the caller's connection.

pub mod board;
pub mod consultations;
pub mod documents;
pub mod questions;
