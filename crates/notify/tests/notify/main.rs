//! Notifications against the real server and database: in the app, by
//! mail over a real SMTP server, live across two server processes.

mod digests;
mod live;
mod mail;
mod notifications;
mod support;
