//! The signed-in member's part of the events domain under `me`.

use alumni_core::graphql::viewer;
use alumni_core::pagination::{Connection, connection_complexity};
use async_graphql::{Context, Object, Result};
use chrono::{DateTime, Utc};

use super::registration::{Registration, my_registrations_page};
use super::service;

/// The signed-in member's part of the events domain, as part of `me` (which
/// the gateway offers to signed-in viewers only; the fields read the viewer
/// from the request).
#[derive(Default)]
pub struct EventsViewer;

/// The signed-in member's registrations and calendar feed.
#[Object]
impl EventsViewer {
    /// The viewer's confirmed and waitlisted registrations, by the event's
    /// start.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn registrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "`true`: events not yet over; `false`: events that are over.")]
        upcoming: Option<bool>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Registration>> {
        my_registrations_page(ctx, upcoming, first, after, last, before).await
    }

    /// When the viewer's personal calendar feed URL was issued; `null` if
    /// they have none (issue one with `issueCalendarFeed`).
    async fn calendar_feed_issued_at(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        Ok(service(ctx)?.calendar_feed_issued_at(viewer(ctx)?).await?)
    }
}
