//! The magazine against the real server and database: the state machine
//! with scheduled publishing, audiences on every path, reading, reactions,
//! comments, the leak guard, search, statistics and data rights.

mod audiences;
mod issues;
mod lifecycle;
mod reading;
mod statements;
mod support;
