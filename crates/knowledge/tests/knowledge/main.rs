//! The knowledge domain against the real server and database: articles,
//! questions and answers, routing, experts, consultations, the
//! collaboration board, tags, search, the leak guard and data rights.

mod board;
mod consultations;
mod routing_settings;
mod support;
