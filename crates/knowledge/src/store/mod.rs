//! Queries of the knowledge domain, over the caller's connection.

pub mod documents;
pub mod questions;
pub mod routing;
pub mod tags;
