//! Queries of the knowledge domain, over the caller's connection.

pub mod articles;
pub mod comments;
pub mod documents;
pub mod helpful;
pub mod questions;
