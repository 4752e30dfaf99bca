//! HR analytics across every domain: who joins, reads, comes to events,
//! asks and answers, by cohort and over time, without exposing anyone.
//!
//! The domains publish SQL views of their facts (ids, times and kinds, no
//! text); the `analytics_private` schema keeps materialised views over them,
//! refreshed together by the hourly `analytics.refresh` job as of one
//! moment; the dashboards read those pre-aggregated views and withhold
//! every group of fewer than five people, with complementary suppression
//! (see [`suppress`]). The `analytics` schema is what an analyst's own SQL
//! tools read through the role `alumni analytics grant` creates
//! ([`role`]). docs/analytics.md describes every view and column.

pub mod domain;
mod files;
pub mod graphql;
pub mod role;
pub mod service;
mod store;
pub mod suppress;

pub use service::AnalyticsService;
