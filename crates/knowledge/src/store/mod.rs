//! Queries of the knowledge domain, over the caller's connection.

pub mod articles;
pub mod board;
pub mod comments;
pub mod consultations;
pub mod documents;
pub mod experts;
pub mod follows;
pub mod helpful;
pub mod questions;
pub mod routing;
pub mod search;
pub mod sql;
pub mod tags;
