//! Checking attendees in at the door, and the counts the secretariat sees.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::{AppError, AppResult, Role, Viewer};
use diesel_async::AsyncConnection as _;
use serde_json::json;

use super::{EventsService, lock_visible};
use crate::model::{AttendanceCounts, EventId, RegistrationRecord};
use crate::rules;
use crate::store::check_in as store;

impl EventsService {
    /// Checks in the holder of `code`. Checking in twice changes nothing.
    /// Secretariat only.
    pub async fn check_in(
        &self,
        viewer: &Viewer,
        event_id: EventId,
        code: &str,
    ) -> AppResult<RegistrationRecord> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let code = code.trim().to_uppercase();
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            // The lock orders check-in after any cancellation in flight.
            let event = lock_visible(conn, viewer, event_id).await?;
            rules::check_in_open(&event, now)?;
            let registration = store::registration_by_code(conn, event_id, &code)
                .await?
                .ok_or(AppError::NotFound {
                    entity: "Registration",
                })?;
            rules::may_check_in(&registration)?;
            if registration.checked_in_at.is_some() {
                return Ok(registration);
            }
            let checked_in = store::check_in(conn, registration.id, now).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("events.attendee_checked_in")
                    .by(identity.member_id)
                    .on(event_id)
                    .details(json!({ "memberId": registration.member_id })),
            )
            .await?;
            Ok(checked_in)
        })
        .await
    }

    /// Check-in counts of several events. Secretariat only.
    pub async fn attendance_counts(
        &self,
        viewer: &Viewer,
        event_ids: &[EventId],
    ) -> AppResult<Vec<AttendanceCounts>> {
        viewer.require_role(Role::Secretariat)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::attendance_counts(&mut conn, event_ids).await?)
    }
}
