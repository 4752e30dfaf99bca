//! The knowledge domain against the real server and database: articles,
//! questions and answers, routing, experts, consultations, the
//! collaboration board, tags, search, the leak guard and data rights.

mod articles;
mod board;
mod consultations;
mod digest;
mod experts;
mod questions;
mod routing;
mod routing_settings;
mod search;
mod support;
