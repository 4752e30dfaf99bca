//! The events part of the GraphQL API, one module per concept, merged into
//! [`EventsQuery`] and [`EventsMutation`] for the gateway, with the
//! live-seats subscription ([`EventsSubscription`]) and the viewer's own
//! registrations under `me` ([`EventsViewer`]).

mod calendar;
mod event;
mod loaders;
mod management;
mod material;
mod registration;
mod seats;
mod viewer;

use alumni_core::graphql::{data, load_now};
use alumni_core::{AppError, NodeId};
use async_graphql::{Context, ID, MergedObject};
use chrono::{DateTime, Utc};

pub use calendar::CalendarFeed;
pub use event::{Event, Speaker, load_event};
pub use loaders::attach_loaders;
pub use material::{Material, load_material};
pub use registration::{AttendanceSummary, Registration, load_registration};
pub use seats::{EventsSubscription, SeatAvailability};
pub use viewer::EventsViewer;

use crate::model::{EventId, RegistrationId};
use crate::service::EventsService;

/// Every events query.
#[derive(MergedObject, Default)]
pub struct EventsQuery(event::EventQuery, registration::RegistrationQuery);

/// Every events mutation.
#[derive(MergedObject, Default)]
pub struct EventsMutation(
    management::EventMutation,
    registration::RegistrationMutation,
    material::MaterialMutation,
    calendar::CalendarMutation,
);

fn service<'a>(ctx: &Context<'a>) -> Result<&'a EventsService, AppError> {
    data::<EventsService>(ctx)
}

/// Now by the service's clock, which tests and demo data set.
fn now(ctx: &Context<'_>) -> Result<DateTime<Utc>, AppError> {
    Ok(service(ctx)?.now())
}

fn event_id(id: &ID, field: &str) -> Result<EventId, AppError> {
    EventId::from_global(id, field)
}

/// Loads events and registrations by id into the request's loader caches
/// in one batch each, for lists elsewhere whose items link to them (a page
/// of notifications), so the items' look-ups cost nothing more whatever
/// the page's length.
pub async fn prefetch_events_and_registrations(
    ctx: &Context<'_>,
    events: Vec<EventId>,
    registrations: Vec<RegistrationId>,
) -> Result<(), AppError> {
    if !registrations.is_empty() {
        load_now::<loaders::RegistrationLoader, _>(ctx, registrations).await?;
    }
    if !events.is_empty() {
        load_now::<loaders::EventLoader, _>(ctx, events).await?;
    }
    Ok(())
}
