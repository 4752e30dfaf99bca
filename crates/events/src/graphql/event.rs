//! Events in GraphQL: the `Event` object with its programme, the event
//! list, and the prefetching that keeps a page's statements flat.

use alumni_core::graphql::{
    feed_many, item_selections, load_many, load_one, selects, shared_loader, viewer,
};
use alumni_core::moderation::{ModerationState, moderates};
use alumni_core::pagination::{
    Connection, ListSize, PageRequest, TotalCount, connection_complexity,
};
use alumni_core::{AppError, NodeId, Role, Viewer};
use alumni_membership::Member;
use alumni_membership::graphql::{find_member, prefetch_members};
use async_graphql::{Context, ID, InputObject, InputType as _, Lookahead, Object, Result};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::loaders::{
    AttendanceLoader, EventLoader, MaterialsLoader, MyRegistrationLoader, PageArguments,
    RegistrationPageLoader, RegistrationPageOf, RegistrationTallyLoader, SpeakersLoader,
};
use super::material::Material;
use super::registration::{AttendanceSummary, Registration, prefetch_registrations};
use super::seats::SeatAvailability;
use super::{event_id, now, service};
use crate::model::{
    AttendanceCounts, Audience, EventFormat, EventId, EventKind, EventListFilter, EventRecord,
    EventStatus, RegistrationRecord, RegistrationStatus, SpeakerRecord,
};
use crate::rules;
use crate::visibility::sees_join_url;

/// Loads an event through the request's loader; `NOT_FOUND` if it does not
/// exist or the viewer may not see it.
pub async fn load_event(ctx: &Context<'_>, id: EventId) -> Result<Event, AppError> {
    load_one::<EventLoader, _>(ctx, id)
        .await?
        .map(Event::from)
        .ok_or(AppError::NotFound { entity: "Event" })
}

/// The viewer's own registration for `event_id`, if any.
async fn my_registration(
    ctx: &Context<'_>,
    event_id: EventId,
) -> Result<Option<RegistrationRecord>, AppError> {
    if !matches!(viewer(ctx)?, Viewer::Member(_)) {
        return Ok(None);
    }
    Ok(load_one::<MyRegistrationLoader, _>(ctx, event_id)
        .await?
        .flatten())
}

/// Loads, one batch per association, what the selected fields of `events`
/// will ask for, so a page costs the same statements however many items it
/// has and however long they take to resolve.
pub(super) async fn prefetch_events(
    ctx: &Context<'_>,
    selections: &[Lookahead<'_>],
    events: &[EventRecord],
) -> Result<(), AppError> {
    feed_many::<EventLoader, _>(ctx, events.iter().map(|event| (event.id, event.clone()))).await?;
    let ids: Vec<EventId> = events.iter().map(|event| event.id).collect();
    if selects(selections, &["speakers"]) {
        let speakers = load_many::<SpeakersLoader, _>(ctx, ids.iter().copied()).await?;
        if selects(selections, &["speakers", "member"]) {
            let members = speakers.values().flatten().filter_map(|s| s.member_id);
            prefetch_members(ctx, members).await?;
        }
    }
    if selects(selections, &["materials"]) {
        load_many::<MaterialsLoader, _>(ctx, ids.iter().copied()).await?;
    }
    let viewer = viewer(ctx)?;
    let needs_mine = selects(selections, &["myRegistration"])
        || (selects(selections, &["joinUrl"]) && !viewer.has_role(Role::Secretariat));
    if needs_mine && matches!(viewer, Viewer::Member(_)) {
        load_many::<MyRegistrationLoader, _>(ctx, ids.iter().copied()).await?;
    }
    if selects(selections, &["attendance"]) && viewer.has_role(Role::Secretariat) {
        load_many::<AttendanceLoader, _>(ctx, ids.iter().copied()).await?;
    }
    if viewer.has_role(Role::Secretariat) {
        for (status, page) in attendee_pages_selected(selections) {
            let keys = ids.iter().map(|event_id| RegistrationPageOf {
                event_id: *event_id,
                status,
                page: page.clone(),
            });
            load_many::<RegistrationPageLoader, _>(ctx, keys).await?;
        }
        if selects(selections, &["registrations", "totalCount"]) {
            load_many::<RegistrationTallyLoader, _>(ctx, ids.iter().copied()).await?;
        }
    }
    Ok(())
}

/// The attendee-list pages the items select, one per distinct `status` and
/// page arguments (aliases may ask for several). Arguments that do not
/// parse are left to the field's resolver to report.
fn attendee_pages_selected(
    selections: &[Lookahead<'_>],
) -> Vec<(Option<RegistrationStatus>, PageArguments)> {
    let mut pages = Vec::new();
    let fields = selections
        .iter()
        .flat_map(|selection| selection.field("registrations").selection_fields());
    for field in fields {
        let Ok(arguments) = field.arguments() else {
            continue;
        };
        let argument = |name: &str| {
            arguments
                .iter()
                .find(|(argument, _)| argument.as_str() == name)
                .map(|(_, value)| value.clone())
        };
        let parsed = (|| {
            let status = Option::<RegistrationStatus>::parse(argument("status")).ok()?;
            let page = PageRequest::new(
                Option::<i32>::parse(argument("first")).ok()?,
                Option::<String>::parse(argument("after")).ok()?,
                Option::<i32>::parse(argument("last")).ok()?,
                Option::<String>::parse(argument("before")).ok()?,
            )
            .ok()?;
            Some((status, PageArguments::from(&page)))
        })();
        if let Some(page) = parsed
            && !pages.contains(&page)
        {
            pages.push(page);
        }
    }
    pages
}

/// `time` in the zone `zone` as RFC 3339 (e.g. `2026-04-01T19:00:00+09:00`).
fn in_zone(time: DateTime<Utc>, zone: &str) -> String {
    match zone.parse::<Tz>() {
        Ok(zone) => time.with_timezone(&zone).to_rfc3339(),
        Err(_) => time.to_rfc3339(),
    }
}

/// A talk, meetup, study session or other event.
// Boxed: the record is large, and `Node` holds an `Event` beside smaller
// objects.
pub struct Event(Box<EventRecord>);

impl From<EventRecord> for Event {
    fn from(record: EventRecord) -> Self {
        Self(Box::new(record))
    }
}

impl Event {
    /// The event's id.
    pub fn event_id(&self) -> EventId {
        self.0.id
    }

    /// The event as stored.
    pub(super) fn record(&self) -> &EventRecord {
        &self.0
    }
}

/// A talk, meetup, study session or other event. Signed-in members see
/// published, cancelled and completed events; drafts are for the
/// secretariat.
#[Object]
impl Event {
    /// Opaque global id; resolves through `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.fields.title
    }

    /// Description, in Markdown.
    async fn description(&self) -> &str {
        &self.0.fields.description
    }

    /// What sort of event.
    async fn kind(&self) -> EventKind {
        self.0.fields.kind
    }

    /// In person, online or hybrid.
    async fn format(&self) -> EventFormat {
        self.0.fields.format
    }

    /// Where it takes place (in-person and hybrid events).
    async fn venue(&self) -> Option<&str> {
        self.0.fields.venue.as_deref()
    }

    /// Where to join online. Only for members with a confirmed seat and the
    /// secretariat; `null` for everyone else (and for in-person events).
    async fn join_url(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(url) = &self.0.fields.join_url else {
            return Ok(None);
        };
        let viewer = viewer(ctx)?;
        let mine = if viewer.has_role(Role::Secretariat) {
            None
        } else {
            my_registration(ctx, self.0.id).await?
        };
        Ok(sees_join_url(viewer, mine.as_ref()).then(|| url.clone()))
    }

    /// Start (UTC).
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.fields.starts_at
    }

    /// End (UTC).
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.fields.ends_at
    }

    /// IANA time zone the event is announced in, e.g. `Asia/Tokyo`.
    async fn time_zone(&self) -> &str {
        &self.0.fields.time_zone
    }

    /// Start in the event's time zone, RFC 3339 with offset (e.g.
    /// `2026-04-01T19:00:00+09:00`).
    async fn local_starts_at(&self) -> String {
        in_zone(self.0.fields.starts_at, &self.0.fields.time_zone)
    }

    /// End in the event's time zone, RFC 3339 with offset.
    async fn local_ends_at(&self) -> String {
        in_zone(self.0.fields.ends_at, &self.0.fields.time_zone)
    }

    /// Who may register.
    async fn audience(&self) -> Audience {
        self.0.fields.audience
    }

    /// When registration opens.
    async fn registration_opens_at(&self) -> DateTime<Utc> {
        self.0.fields.registration_opens_at
    }

    /// When registration closes.
    async fn registration_closes_at(&self) -> DateTime<Utc> {
        self.0.fields.registration_closes_at
    }

    /// Whether registration is open now (published, within the window).
    async fn registration_open(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(rules::registration_open(&self.0, now(ctx)?))
    }

    /// Seats in all; `null` for no limit.
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }

    /// Seats left and waitlist length now.
    async fn seats(&self) -> SeatAvailability {
        SeatAvailability(self.0.seats())
    }

    /// Whether members see it (`HELD` by the leak guard, `HIDDEN` or
    /// `DELETED` by a moderator): for moderators and the secretariat;
    /// `null` for others, who see visible events only.
    async fn moderation(&self, ctx: &Context<'_>) -> Result<Option<ModerationState>> {
        Ok(moderates(viewer(ctx)?).then_some(self.0.moderation))
    }

    /// Draft, published, cancelled, or completed (published and over).
    async fn status(&self, ctx: &Context<'_>) -> Result<EventStatus> {
        Ok(self.0.status_at(now(ctx)?))
    }

    /// The speakers, in programme order.
    async fn speakers(&self, ctx: &Context<'_>) -> Result<Vec<Speaker>> {
        let speakers = load_one::<SpeakersLoader, _>(ctx, self.0.id).await?;
        Ok(speakers
            .unwrap_or_default()
            .into_iter()
            .map(Speaker)
            .collect())
    }

    /// Slides, recordings and documents the viewer may see. Internal-only
    /// material is shown to employees and the secretariat only.
    async fn materials(&self, ctx: &Context<'_>) -> Result<Vec<Material>> {
        let materials = load_one::<MaterialsLoader, _>(ctx, self.0.id).await?;
        Ok(materials
            .unwrap_or_default()
            .into_iter()
            .map(Material)
            .collect())
    }

    /// The viewer's own registration, if they registered (also when
    /// cancelled).
    async fn my_registration(&self, ctx: &Context<'_>) -> Result<Option<Registration>> {
        Ok(my_registration(ctx, self.0.id).await?.map(Registration))
    }

    /// The attendee list: confirmed first, then the waitlist by position,
    /// then cancelled. Secretariat only.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn registrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only registrations with this status.")] status: Option<
            RegistrationStatus,
        >,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Registration>> {
        viewer(ctx)?.require_role(Role::Secretariat)?;
        let page = PageRequest::new(first, after, last, before)?;
        let key = RegistrationPageOf {
            event_id: self.0.id,
            status,
            page: (&page).into(),
        };
        let rows = load_one::<RegistrationPageLoader, _>(ctx, key)
            .await?
            .unwrap_or_default();
        feed_many::<EventLoader, _>(ctx, [(self.0.id, (*self.0).clone())]).await?;
        prefetch_registrations(ctx, &item_selections(ctx), &rows, false).await?;
        // Through a loader that a list of events fills in advance (see
        // `prefetch_events`), so their counts take one statement.
        let tallies = shared_loader::<RegistrationTallyLoader>(ctx)?;
        let event_id = self.0.id;
        let total_count = TotalCount::lazy(async move {
            let tally = tallies.load_one(event_id).await?.unwrap_or_default();
            Ok(ListSize::from_capped_count(tally.matching(status)))
        });
        Ok(page.into_connection(
            rows,
            RegistrationRecord::page_key,
            Registration,
            total_count,
        ))
    }

    /// Check-in counts. Secretariat only.
    async fn attendance(&self, ctx: &Context<'_>) -> Result<AttendanceSummary> {
        viewer(ctx)?.require_role(Role::Secretariat)?;
        let counts = load_one::<AttendanceLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_else(|| AttendanceCounts::none(self.0.id));
        Ok(AttendanceSummary::new(counts, self.0.has_ended(now(ctx)?)))
    }

    /// Path of this event's iCalendar file on this server (send the
    /// `Authorization` header when fetching it).
    async fn calendar_path(&self) -> String {
        format!("/events/{}.ics", self.0.id.to_global().0)
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When it was published.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }

    /// When it was cancelled.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }
}

/// A speaker on an event's programme: a member or a named guest.
pub struct Speaker(SpeakerRecord);

/// A speaker on an event's programme: a member of the network or a named
/// guest.
#[Object]
impl Speaker {
    /// The speaker, if a member (as the viewer may see them).
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        match self.0.member_id {
            Some(member_id) => Ok(find_member(ctx, member_id).await?),
            None => Ok(None),
        }
    }

    /// The speaker's name, if a guest.
    async fn guest_name(&self) -> Option<&str> {
        self.0.guest_name.as_deref()
    }

    /// Affiliation or a one-line introduction.
    async fn affiliation(&self) -> Option<&str> {
        self.0.affiliation.as_deref()
    }
}

/// Narrows the event list; every given field must match.
#[derive(InputObject, Default)]
pub struct EventFilter {
    /// Only events starting at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only events starting before this time.
    pub to: Option<DateTime<Utc>>,
    /// Only events of this kind.
    pub kind: Option<EventKind>,
    /// Only events for this audience.
    pub audience: Option<Audience>,
    /// `true`: only events not yet over; `false`: only events that are over.
    pub upcoming: Option<bool>,
}

impl From<EventFilter> for EventListFilter {
    fn from(filter: EventFilter) -> Self {
        Self {
            from: filter.from,
            to: filter.to,
            kind: filter.kind,
            audience: filter.audience,
            upcoming: filter.upcoming,
        }
    }
}

/// Queries on events.
#[derive(Default)]
pub struct EventQuery;

/// Queries on events.
#[Object]
impl EventQuery {
    /// Events by start time, earliest first (read backward with `last` for
    /// the most recent past ones). Drafts are listed for the secretariat
    /// only. Signed-in members only.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<EventFilter>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Event>> {
        let filter = EventListFilter::from(filter.unwrap_or_default());
        let page = PageRequest::new(first, after, last, before)?;
        let (service, viewer) = (service(ctx)?, viewer(ctx)?);
        let rows = service.list_events(viewer, &filter, &page).await?;
        prefetch_events(ctx, &item_selections(ctx), &rows).await?;
        let total_count = TotalCount::lazy({
            let (service, viewer) = (service.clone(), viewer.clone());
            async move { service.count_events(&viewer, &filter).await }
        });
        Ok(page.into_connection(rows, EventRecord::page_key, Event::from, total_count))
    }

    /// One event; `NOT_FOUND` if it does not exist or is a draft the viewer
    /// may not see.
    async fn event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] id: ID,
    ) -> Result<Event> {
        let id = event_id(&id, "id")?;
        viewer(ctx)?.identity()?;
        Ok(load_event(ctx, id).await?)
    }
}
