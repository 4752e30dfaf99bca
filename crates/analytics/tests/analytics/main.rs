//! The analytics crate's integration tests: the views, the dashboards over
//! HTTP GraphQL and CSV, suppression, consent, and the read-only role.

mod access;
mod consent;
mod dashboards;
mod files;
mod role;
mod support;
