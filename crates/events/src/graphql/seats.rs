//! Seat availability in GraphQL, and its live subscription.

use alumni_core::NodeId;
use alumni_core::graphql::viewer;
use async_graphql::{Context, ID, Object, Result, Subscription};
use futures_util::{Stream, StreamExt as _};

use super::{event_id, service};
use crate::model::Seats;

/// Seats left and waitlist length of an event at one moment. Says nothing
/// about who holds the seats or waits.
pub struct SeatAvailability(pub(super) Seats);

/// Seats left and waitlist length of an event at one moment.
#[Object]
impl SeatAvailability {
    /// The event.
    async fn event_id(&self) -> ID {
        self.0.event_id.to_global()
    }

    /// Seats in all; `null` for no limit.
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }

    /// Seats still free; `null` for no limit.
    async fn seats_left(&self) -> Option<i32> {
        self.0.seats_left()
    }

    /// How many members are waiting for a seat.
    async fn waitlist_length(&self) -> i32 {
        self.0.waitlisted
    }
}

/// Events subscriptions.
#[derive(Default)]
pub struct EventsSubscription;

/// Events subscriptions.
#[Subscription]
impl EventsSubscription {
    /// Seats left and waitlist length of an event: the current numbers
    /// first, then every change as it happens.
    async fn event_seats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] event_id: ID,
    ) -> Result<impl Stream<Item = SeatAvailability> + use<>> {
        let id = self::event_id(&event_id, "eventId")?;
        let updates = service(ctx)?.seat_updates(viewer(ctx)?, id).await?;
        Ok(updates.map(SeatAvailability))
    }
}
