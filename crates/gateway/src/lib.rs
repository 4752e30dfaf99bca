//! The Alumni Network server.
//!
//! The gateway stitches the domains' GraphQL roots into one schema
//! ([`api`]), serves it over HTTP with authentication, limits, health
//! checks and idempotent retries ([`http`], [`limits`], [`idempotency`]),
//! and provides the `alumni` command line ([`cli`]).

// The merged roots' resolvers nest one future per domain root; with
// trust and safety's two roots the compiler's default depth is exceeded.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod database;
pub mod domains;
pub mod graphiql;
pub mod graphql_http;
pub mod http;
pub mod idempotency;
pub mod jobs;
pub mod limits;
pub mod moderation;
pub mod notifications;
pub mod persisted;
pub mod seed;
pub mod server;
pub mod socket;
pub mod telemetry;

pub use api::{AppSchema, schema_builder, sdl};
pub use app::{App, AppSettings};
