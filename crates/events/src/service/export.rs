//! Data leaving the domain: the attendee list for the secretariat, and a
//! member's own data.

use std::collections::HashMap;

use alumni_core::audit::{self, AuditEntry};
use alumni_core::pagination::PageRequest;
use alumni_core::{AppError, AppResult, MemberId, Role, Viewer};
use chrono_tz::Tz;
use diesel_async::AsyncPgConnection;
use serde_json::json;

use super::EventsService;
use crate::attendees_csv::{self, AttendeeRow};
use crate::model::{EventId, RegistrationPageKey, RegistrationRecord};
use crate::store::{feeds, registrations};

/// Registrations (and members) read per statement while exporting.
const EXPORT_BATCH: usize = 500;

impl EventsService {
    /// The attendee list of an event as CSV (UTF-8 with BOM). Secretariat
    /// only; recorded in the audit log.
    pub async fn attendees_csv(&self, viewer: &Viewer, event_id: EventId) -> AppResult<Vec<u8>> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let event = self.event(viewer, event_id).await?;
        let now = self.ctx.now();
        let time_zone: Tz = event.fields.time_zone.parse().map_err(AppError::internal)?;
        let mut registrations = Vec::new();
        let mut page = PageRequest::<RegistrationPageKey>::first(EXPORT_BATCH);
        loop {
            let batch = self
                .registration_pages(viewer, &[event_id], None, &page)
                .await?;
            let more = batch.len() > EXPORT_BATCH;
            registrations.extend(batch.into_iter().take(EXPORT_BATCH));
            if !more {
                break;
            }
            page.after = registrations.last().map(RegistrationRecord::page_key);
        }
        let member_ids: Vec<MemberId> = registrations.iter().map(|r| r.member_id).collect();
        let mut members = HashMap::new();
        for chunk in member_ids.chunks(EXPORT_BATCH) {
            for member in self.membership.members_by_ids(viewer, chunk).await? {
                members.insert(member.id(), member);
            }
        }
        let event_ended = event.has_ended(now);
        let csv = attendees_csv::write(registrations.iter().map(|registration| AttendeeRow {
            registration,
            member: members.get(&registration.member_id),
            event_ended,
            time_zone,
        }))?;
        let mut conn = self.ctx.conn().await?;
        audit::record(
            &mut conn,
            now,
            AuditEntry::new("events.attendees_exported")
                .by(identity.member_id)
                .on(event_id)
                .details(json!({ "rows": registrations.len() })),
        )
        .await?;
        Ok(csv)
    }

    /// Everything the events domain holds about the viewer, for their data
    /// export: their registrations (with check-in codes and times) and
    /// whether they have a calendar feed, read on the caller's connection
    /// (the gateway's, shared by every domain's part). Whatever the terms,
    /// as a data-subject right.
    pub async fn export_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        viewer: &Viewer,
    ) -> AppResult<serde_json::Value> {
        let member_id = viewer.session()?.member_id;
        let registrations = registrations::registrations_with_events_of(conn, member_id).await?;
        let feed_issued_at = feeds::feed_issued_at(conn, member_id).await?;
        Ok(json!({
            "registrations": registrations.iter().map(|(registration, event)| json!({
                "eventId": event.id,
                "eventTitle": event.fields.title,
                "eventStartsAt": event.fields.starts_at,
                "status": registration.status,
                "waitlistPosition": registration.waitlist_position,
                "checkInCode": registration.check_in_code,
                "registeredAt": registration.registered_at,
                "confirmedAt": registration.confirmed_at,
                "cancelledAt": registration.cancelled_at,
                "checkedInAt": registration.checked_in_at,
            })).collect::<Vec<_>>(),
            "calendarFeedIssuedAt": feed_issued_at,
        }))
    }
}
