//! Trust and safety against the real server and database: the leak guard
//! on every save, reports and the review queue, what held content shows
//! on every path, and who may do what.

mod authorization;
mod every_path;
mod leak_guard;
mod queue;
mod statements;
mod support;
