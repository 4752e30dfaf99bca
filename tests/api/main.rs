//! End-to-end tests of the API over real HTTP: each test starts the real
//! router on an ephemeral port over a database of its own.

mod audit;
mod auth;
mod cli;
mod connections;
mod domains;
mod graphiql;
mod health;
mod http_spec;
mod idempotency;
mod input;
mod jobs;
mod limits;
mod node;
mod outage;
mod pool;
mod schema;
mod socket;
mod stored_enums;
mod throttling;
