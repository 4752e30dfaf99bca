//! What events tell members: a seat confirmed (on registering, or from the
//! waitlist), and an event changed or cancelled. The change enqueues a job
//! in its own transaction (or, for a first registration made in one
//! statement, right after it); the job tells the members through the
//! notification API, so no notification work happens while an event's row
//! is locked.

use alumni_core::jobs::{self, JobError, JobRegistry, JobRun, NewJob};
use alumni_core::{AppResult, MemberId};
use alumni_notify::{MailContent, Notice, NoticeKind, NotificationChannel};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::model::{EventFields, EventId, EventRecord, RegistrationId, RegistrationStatus};
use crate::service::EventsService;
use crate::store::{events, registrations};

/// A seat confirmed on registering.
pub const REGISTRATION_CONFIRMED: NoticeKind = NoticeKind {
    name: "events.registration_confirmed",
    description: "イベントへの参加が確定したとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// A seat given to a member who was waiting.
pub const PROMOTED_FROM_WAITLIST: NoticeKind = NoticeKind {
    name: "events.promoted_from_waitlist",
    description: "キャンセル待ちから参加が確定したとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// The time or place of an event the member registered for changed.
pub const EVENT_CHANGED: NoticeKind = NoticeKind {
    name: "events.event_changed",
    description: "申し込んだイベントの日時や場所が変わったとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// An event the member registered for was cancelled.
pub const EVENT_CANCELLED: NoticeKind = NoticeKind {
    name: "events.event_cancelled",
    description: "申し込んだイベントが中止になったとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// Every kind of notification about events.
pub const KINDS: [NoticeKind; 4] = [
    REGISTRATION_CONFIRMED,
    PROMOTED_FROM_WAITLIST,
    EVENT_CHANGED,
    EVENT_CANCELLED,
];

const SEATS_GIVEN: &str = "events.seats_given";
const EVENT_ALTERED: &str = "events.event_altered";

#[derive(Debug, Serialize, Deserialize)]
struct SeatsGiven {
    registrations: Vec<RegistrationId>,
    from_waitlist: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct EventAltered {
    event_id: EventId,
    cancelled: bool,
    changed: Vec<String>,
}

/// Enqueues the notices of seats given to `registrations`, in the
/// caller's transaction.
pub(crate) async fn seats_given(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    registrations: Vec<RegistrationId>,
    from_waitlist: bool,
) -> AppResult<()> {
    if registrations.is_empty() {
        return Ok(());
    }
    let job = NewJob::new(
        SEATS_GIVEN,
        SeatsGiven {
            registrations,
            from_waitlist,
        },
    );
    jobs::enqueue(conn, now, job).await?;
    Ok(())
}

/// What changed between two versions of an event that its attendees
/// must hear of: the time, the place, the way to join.
pub(crate) fn changes_worth_telling(before: &EventFields, after: &EventFields) -> Vec<String> {
    let mut changed = Vec::new();
    if before.starts_at != after.starts_at || before.ends_at != after.ends_at {
        changed.push("TIME".to_owned());
    }
    if before.format != after.format || before.venue != after.venue {
        changed.push("PLACE".to_owned());
    }
    if before.join_url != after.join_url {
        changed.push("JOIN_URL".to_owned());
    }
    changed
}

/// Enqueues the notices of a change (or the cancellation) of an event, in
/// the caller's transaction.
pub(crate) async fn event_altered(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    event_id: EventId,
    cancelled: bool,
    changed: Vec<String>,
) -> AppResult<()> {
    let mut job = NewJob::new(
        EVENT_ALTERED,
        EventAltered {
            event_id,
            cancelled,
            changed,
        },
    );
    if cancelled {
        job = job.key(format!("cancelled:{event_id}"));
    }
    jobs::enqueue(conn, now, job).await?;
    Ok(())
}

/// Registers the handlers of the jobs above.
pub(crate) fn register_jobs(service: &EventsService, registry: &mut JobRegistry) {
    let seats = service.clone();
    registry.handle(SEATS_GIVEN, move |run| {
        let service = seats.clone();
        async move { service.tell_seats_given(run).await }
    });
    let altered = service.clone();
    registry.handle(EVENT_ALTERED, move |run| {
        let service = altered.clone();
        async move { service.tell_event_altered(run).await }
    });
}

/// When and where, as attendees read it.
pub(crate) fn when_and_where(event: &EventRecord) -> Vec<String> {
    let zone: Tz = event
        .fields
        .time_zone
        .parse()
        .unwrap_or(chrono_tz::Asia::Tokyo);
    let starts = event.fields.starts_at.with_timezone(&zone);
    let ends = event.fields.ends_at.with_timezone(&zone);
    let mut lines = vec![format!(
        "日時: {} 〜 {} ({})",
        starts.format("%Y年%m月%d日 %H:%M"),
        ends.format("%H:%M"),
        event.fields.time_zone
    )];
    if let Some(venue) = &event.fields.venue {
        lines.push(format!("会場: {venue}"));
    }
    lines
}

pub(crate) fn event_link(event: &EventRecord) -> Option<(String, String)> {
    Some((
        "イベントの詳細".to_owned(),
        format!(
            "/events/{}",
            alumni_core::NodeId::to_global(&event.id).as_str()
        ),
    ))
}

impl EventsService {
    async fn tell_seats_given(&self, run: JobRun) -> Result<(), JobError> {
        let given: SeatsGiven = run.payload()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let held: Vec<_> = registrations::registrations_by_ids(&mut conn, &given.registrations)
            .await?
            .into_iter()
            .filter(|registration| registration.status == RegistrationStatus::Confirmed)
            .collect();
        let Some(first) = held.first() else {
            return Ok(());
        };
        let Some(event) = events::event(&mut conn, first.event_id).await? else {
            return Ok(());
        };
        if event.fields.ends_at <= now {
            // Over by the time the job runs: nothing worth telling.
            return Ok(());
        }
        let kind = if given.from_waitlist {
            &PROMOTED_FROM_WAITLIST
        } else {
            &REGISTRATION_CONFIRMED
        };
        let subject = if given.from_waitlist {
            format!("キャンセル待ちから参加確定: {}", event.fields.title)
        } else {
            format!("参加確定: {}", event.fields.title)
        };
        let opening = if given.from_waitlist {
            format!(
                "キャンセル待ちをしていた「{}」に空きが出たため、参加が確定しました。",
                event.fields.title
            )
        } else {
            format!("「{}」への参加が確定しました。", event.fields.title)
        };
        let mut paragraphs = vec![opening];
        paragraphs.extend(when_and_where(&event));
        let notices = held
            .iter()
            .map(|registration| {
                Notice::new(kind, registration.member_id, registration.id)
                    .payload(json!({
                        "registrationId": registration.id,
                        "eventId": event.id,
                    }))
                    .mail(MailContent {
                        subject: subject.clone(),
                        paragraphs: paragraphs.clone(),
                        link: event_link(&event),
                    })
            })
            .collect();
        conn.transaction(async |conn| self.notify.notify_in(conn, now, notices).await)
            .await?;
        Ok(())
    }

    async fn tell_event_altered(&self, run: JobRun) -> Result<(), JobError> {
        let altered: EventAltered = run.payload()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let Some(event) = events::event(&mut conn, altered.event_id).await? else {
            return Ok(());
        };
        if event.fields.ends_at <= now {
            return Ok(());
        }
        let members: Vec<MemberId> = registrations::active_members_of(&mut conn, event.id).await?;
        let (kind, subject, opening) = if altered.cancelled {
            (
                &EVENT_CANCELLED,
                format!("中止のお知らせ: {}", event.fields.title),
                format!(
                    "お申し込みいただいた「{}」は中止になりました。",
                    event.fields.title
                ),
            )
        } else {
            (
                &EVENT_CHANGED,
                format!("変更のお知らせ: {}", event.fields.title),
                format!(
                    "お申し込みいただいた「{}」の日時または場所が変わりました。",
                    event.fields.title
                ),
            )
        };
        let mut paragraphs = vec![opening];
        if !altered.cancelled {
            paragraphs.extend(when_and_where(&event));
        }
        let notices = members
            .into_iter()
            .map(|member| {
                Notice::new(kind, member, event.id)
                    .payload(json!({
                        "eventId": event.id,
                        "cancelled": altered.cancelled,
                        "changed": altered.changed,
                    }))
                    .mail(MailContent {
                        subject: subject.clone(),
                        paragraphs: paragraphs.clone(),
                        link: event_link(&event),
                    })
            })
            .collect();
        conn.transaction(async |conn| self.notify.notify_in(conn, now, notices).await)
            .await?;
        Ok(())
    }
}
