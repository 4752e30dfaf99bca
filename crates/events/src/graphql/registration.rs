//! Registrations in GraphQL: the `Registration` object, the viewer's own
//! list, registering, cancelling and checking in.

use alumni_core::graphql::{feed_many, item_selections, load_many, load_one, selects, viewer};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, NodeId as _};
use alumni_membership::Member;
use alumni_membership::graphql::{find_member, prefetch_members};
use async_graphql::{Context, ID, Lookahead, Object, Result};
use chrono::{DateTime, Utc};

use super::event::{Event, load_event, prefetch_events};
use super::loaders::{EventLoader, MyRegistrationLoader, RegistrationLoader};
use super::{event_id, now, service};
use crate::model::{
    Attendance, AttendanceCounts, EventRecord, MyRegistrationFilter, RegistrationId,
    RegistrationRecord, RegistrationStatus,
};
use crate::visibility::sees_registration_details;

/// Like `prefetch_events`, for registrations: their members, their events,
/// and what the events' selected fields need. `own` says they are the
/// viewer's own, which then also answers `myRegistration`.
pub(super) async fn prefetch_registrations(
    ctx: &Context<'_>,
    selections: &[Lookahead<'_>],
    registrations: &[RegistrationRecord],
    own: bool,
) -> Result<(), AppError> {
    if own {
        feed_many::<MyRegistrationLoader, _>(
            ctx,
            registrations
                .iter()
                .map(|registration| (registration.event_id, Some(registration.clone()))),
        )
        .await?;
    }
    if selects(selections, &["member"]) {
        prefetch_members(
            ctx,
            registrations
                .iter()
                .map(|registration| registration.member_id),
        )
        .await?;
    }
    if selects(selections, &["event"]) || selects(selections, &["attendance"]) {
        let events = load_many::<EventLoader, _>(
            ctx,
            registrations
                .iter()
                .map(|registration| registration.event_id),
        )
        .await?;
        let events: Vec<EventRecord> = events.into_values().collect();
        let event_selections: Vec<Lookahead<'_>> = selections
            .iter()
            .map(|selection| selection.field("event"))
            .collect();
        prefetch_events(ctx, &event_selections, &events).await?;
    }
    Ok(())
}

/// A page of the viewer's confirmed and waitlisted registrations, by the
/// event's start (`myRegistrations` and `me { registrations }`).
pub(super) async fn my_registrations_page(
    ctx: &Context<'_>,
    upcoming: Option<bool>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<Connection<Registration>> {
    let page = PageRequest::new(first, after, last, before)?;
    let (service, viewer) = (service(ctx)?, viewer(ctx)?);
    let filter = MyRegistrationFilter { upcoming };
    let rows = service.my_registrations(viewer, filter, &page).await?;
    let registrations: Vec<_> = rows
        .iter()
        .map(|(registration, _)| registration.clone())
        .collect();
    prefetch_registrations(ctx, &item_selections(ctx), &registrations, true).await?;
    let total_count = TotalCount::lazy({
        let (service, viewer) = (service.clone(), viewer.clone());
        async move { service.count_my_registrations(&viewer, filter).await }
    });
    Ok(page.into_connection(
        rows,
        |(registration, starts_at)| (*starts_at, registration.event_id.0),
        |(registration, _)| Registration(registration),
        total_count,
    ))
}

/// A member's registration for an event.
pub struct Registration(pub(super) RegistrationRecord);

/// A registration the viewer may see (their own; anyone's for the
/// secretariat); `NOT_FOUND` otherwise.
pub async fn load_registration(
    ctx: &Context<'_>,
    id: RegistrationId,
) -> Result<Registration, AppError> {
    load_one::<RegistrationLoader, _>(ctx, id)
        .await?
        .map(Registration)
        .ok_or(AppError::NotFound {
            entity: "Registration",
        })
}

/// A member's registration for an event. The waitlist position and the
/// check-in code are shown only to the member and the secretariat.
#[Object]
impl Registration {
    /// Opaque global id; resolves through `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The event (its `status` shows whether it was cancelled).
    async fn event(&self, ctx: &Context<'_>) -> Result<Event> {
        Ok(load_event(ctx, self.0.event_id).await?)
    }

    /// The registered member, as the viewer may see them.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        Ok(find_member(ctx, self.0.member_id).await?)
    }

    /// Confirmed, waitlisted or cancelled.
    async fn status(&self) -> RegistrationStatus {
        self.0.status
    }

    /// 1-based place on the waitlist, while waitlisted.
    async fn waitlist_position(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        let viewer = viewer(ctx)?;
        Ok(sees_registration_details(viewer, &self.0)
            .then_some(self.0.waitlist_position)
            .flatten())
    }

    /// Code to show at the door, once confirmed.
    async fn check_in_code(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        let viewer = viewer(ctx)?;
        let shown = sees_registration_details(viewer, &self.0)
            && self.0.status == RegistrationStatus::Confirmed;
        Ok(shown.then_some(self.0.check_in_code.as_str()))
    }

    /// When the member (last) registered.
    async fn registered_at(&self) -> DateTime<Utc> {
        self.0.registered_at
    }

    /// When a seat was given.
    async fn confirmed_at(&self) -> Option<DateTime<Utc>> {
        self.0.confirmed_at
    }

    /// When the member cancelled.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }

    /// When the member was checked in.
    async fn checked_in_at(&self) -> Option<DateTime<Utc>> {
        self.0.checked_in_at
    }

    /// Attended or no-show, once the event is over; `null` before, and for
    /// registrations without a seat.
    async fn attendance(&self, ctx: &Context<'_>) -> Result<Option<Attendance>> {
        let ended = match load_event(ctx, self.0.event_id).await {
            Ok(event) => event.record().has_ended(now(ctx)?),
            Err(AppError::NotFound { .. }) => false,
            Err(error) => return Err(error.into()),
        };
        Ok(self.0.attendance(ended))
    }
}

/// Check-in counts of an event.
pub struct AttendanceSummary {
    counts: AttendanceCounts,
    ended: bool,
}

impl AttendanceSummary {
    /// The counts of an event, which has `ended` or not.
    pub(super) fn new(counts: AttendanceCounts, ended: bool) -> Self {
        Self { counts, ended }
    }
}

/// Check-in counts of an event.
#[Object]
impl AttendanceSummary {
    /// Confirmed attendees checked in.
    async fn attended(&self) -> i64 {
        self.counts.attended
    }

    /// Confirmed attendees not checked in, once the event is over; `null`
    /// before that.
    async fn no_show(&self) -> Option<i64> {
        self.ended.then_some(self.counts.not_checked_in)
    }

    /// Confirmed attendees not (yet) checked in.
    async fn not_checked_in(&self) -> i64 {
        self.counts.not_checked_in
    }
}

/// Queries on the viewer's registrations.
#[derive(Default)]
pub struct RegistrationQuery;

/// Queries on the viewer's registrations.
#[Object]
impl RegistrationQuery {
    /// The viewer's confirmed and waitlisted registrations, by the event's
    /// start. Same as `me { registrations }`.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn my_registrations(
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
}

/// Mutations on registrations.
#[derive(Default)]
pub struct RegistrationMutation;

/// Mutations on registrations.
#[Object]
impl RegistrationMutation {
    /// Registers the viewer: `CONFIRMED` while seats remain, otherwise
    /// `WAITLISTED` with a position. Registering again returns the same
    /// registration. Refusals: `CONFLICT` with `extensions.reason`
    /// `REGISTRATION_NOT_OPEN`, `REGISTRATION_CLOSED`, `EVENT_CANCELLED` or
    /// `EVENT_NOT_PUBLISHED`; `FORBIDDEN` with `OUTSIDE_AUDIENCE`.
    async fn register_for_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] event_id: ID,
    ) -> Result<Registration> {
        let id = self::event_id(&event_id, "eventId")?;
        Ok(Registration(
            service(ctx)?.register(viewer(ctx)?, id).await?,
        ))
    }

    /// Cancels the viewer's registration; a freed seat goes at once to the
    /// first on the waitlist. Refused once the event has begun (`CONFLICT`,
    /// `EVENT_STARTED`).
    async fn cancel_registration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] event_id: ID,
    ) -> Result<Registration> {
        let id = self::event_id(&event_id, "eventId")?;
        Ok(Registration(
            service(ctx)?.cancel_registration(viewer(ctx)?, id).await?,
        ))
    }

    /// Checks in the attendee holding `code`, from two hours before the
    /// start. Secretariat only.
    async fn check_in_attendee(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] event_id: ID,
        #[graphql(desc = "The attendee's check-in code (case does not matter).")] code: String,
    ) -> Result<Registration> {
        let id = self::event_id(&event_id, "eventId")?;
        Ok(Registration(
            service(ctx)?.check_in(viewer(ctx)?, id, &code).await?,
        ))
    }
}
