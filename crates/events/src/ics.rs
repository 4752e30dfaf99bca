//! iCalendar (RFC 5545) files: one event, or a member's personal feed.
//!
//! Times are written in UTC (`DTSTART:20260401T000000Z`), which every
//! calendar converts to its user's zone and which needs no `VTIMEZONE`
//! block; the event's own zone is named in the description. A cancelled
//! event stays in the file with `STATUS:CANCELLED`, so subscribed calendars
//! mark it rather than silently dropping it.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component as _, EventLike as _, EventStatus as IcsStatus};

use crate::model::{EventFormat, EventRecord, EventStatus};

/// Product identifier written into every file.
const PRODUCT_ID: &str = "-//Alumni Network//Events//EN";

/// One event to write, with what the reader of the file may see.
pub struct CalendarEntry<'a> {
    /// The event.
    pub event: &'a EventRecord,
    /// Whether the join URL may be written (see
    /// [`sees_join_url`](crate::visibility::sees_join_url)).
    pub include_join_url: bool,
}

/// The file's text for `entries`, named `name` (shown by calendar apps for
/// subscribed feeds), stamped `now`.
pub fn render<'a>(
    name: &str,
    entries: impl IntoIterator<Item = CalendarEntry<'a>>,
    now: DateTime<Utc>,
) -> String {
    let mut calendar = Calendar::empty();
    calendar
        .append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODUCT_ID))
        .append_property(("CALSCALE", "GREGORIAN"))
        .append_property(("METHOD", "PUBLISH"))
        .name(name);
    for entry in entries {
        calendar.push(vevent(&entry, now));
    }
    calendar.done().to_string()
}

fn vevent(entry: &CalendarEntry<'_>, now: DateTime<Utc>) -> icalendar::Event {
    let event = entry.event;
    let join_url = entry
        .include_join_url
        .then_some(event.fields.join_url.as_deref())
        .flatten();
    let mut description = event.fields.description.clone();
    if let Some(url) = join_url {
        description.push_str(&format!("\n\nJoin online: {url}"));
    }
    description.push_str(&format!("\n\nTime zone: {}", event.fields.time_zone));

    let mut vevent = icalendar::Event::new();
    vevent
        .uid(&format!("{}@events.alumni-network", event.id))
        .timestamp(now)
        .starts(event.fields.starts_at)
        .ends(event.fields.ends_at)
        .summary(&event.fields.title)
        .description(description.trim_start())
        .created(event.created_at)
        .last_modified(event.updated_at)
        .add_property("CATEGORIES", event.fields.kind.as_str())
        .status(if event.status == EventStatus::Cancelled {
            IcsStatus::Cancelled
        } else {
            IcsStatus::Confirmed
        });
    if let Some(location) = location(event, join_url) {
        vevent.location(&location);
    }
    if let Some(url) = join_url {
        vevent.url(url);
    }
    vevent.done()
}

fn location(event: &EventRecord, join_url: Option<&str>) -> Option<String> {
    match (event.fields.format, event.fields.venue.as_deref(), join_url) {
        (EventFormat::Online, _, Some(url)) => Some(url.to_owned()),
        (EventFormat::Online, _, None) => Some("Online".to_owned()),
        (EventFormat::Hybrid, Some(venue), _) => Some(format!("{venue} / Online")),
        (_, venue, _) => venue.map(str::to_owned),
    }
}
