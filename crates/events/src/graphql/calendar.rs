//! Personal calendar feeds in GraphQL.

use alumni_core::graphql::viewer;
use alumni_core::secrets::ExposeSecret as _;
use async_graphql::{Context, Object, Result, SimpleObject};

use super::service;

/// A newly issued personal calendar feed.
#[derive(SimpleObject)]
pub struct CalendarFeed {
    /// The secret token; shown only now. Issuing a new one revokes it.
    pub token: String,
    /// Path of the feed on this server, to subscribe to from a calendar app.
    pub path: String,
}

/// Mutations on the viewer's calendar feed.
#[derive(Default)]
pub struct CalendarMutation;

/// Mutations on the viewer's calendar feed.
#[Object]
impl CalendarMutation {
    /// Issues a secret URL for the viewer's personal calendar feed of
    /// confirmed registrations; any earlier URL stops working.
    async fn issue_calendar_feed(&self, ctx: &Context<'_>) -> Result<CalendarFeed> {
        let token = service(ctx)?.issue_calendar_feed(viewer(ctx)?).await?;
        let token = token.expose_secret();
        Ok(CalendarFeed {
            path: format!("/calendar/{token}.ics"),
            token: token.to_owned(),
        })
    }

    /// Revokes the viewer's calendar feed URL. Returns whether there was
    /// one.
    async fn revoke_calendar_feed(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(service(ctx)?.revoke_calendar_feed(viewer(ctx)?).await?)
    }
}
