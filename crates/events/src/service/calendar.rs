//! iCalendar files of single events, and members' personal feeds.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::secrets::{self, ExposeSecret as _, SecretString};
use alumni_core::{AppError, AppResult, MemberId, Role, Viewer};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;

use super::EventsService;
use crate::ics::{self, CalendarEntry};
use crate::model::{CalendarFeedRecord, EventId};
use crate::store::feeds as store;
use crate::visibility::sees_join_url;

/// Most events in a personal calendar feed (the most recent ones).
pub const FEED_LIMIT: i64 = 500;
/// Prefix of calendar feed tokens, so leaked ones are recognisable.
pub const FEED_TOKEN_PREFIX: &str = "calf_";

impl EventsService {
    /// One event as an iCalendar file, with the join URL if the viewer may
    /// see it.
    pub async fn event_calendar(&self, viewer: &Viewer, event_id: EventId) -> AppResult<String> {
        let event = self.event(viewer, event_id).await?;
        let include_join_url = if viewer.has_role(Role::Secretariat) {
            true
        } else {
            let mine = self.my_registrations_for(viewer, &[event_id]).await?;
            sees_join_url(viewer, mine.first())
        };
        Ok(ics::render(
            &event.fields.title,
            [CalendarEntry {
                event: &event,
                include_join_url,
            }],
            self.ctx.now(),
        ))
    }

    /// Issues a new secret token for the viewer's personal calendar feed;
    /// any earlier token stops working. The token is shown only now.
    pub async fn issue_calendar_feed(&self, viewer: &Viewer) -> AppResult<SecretString> {
        let identity = viewer.identity()?;
        let token = secrets::token(FEED_TOKEN_PREFIX)?;
        let now = self.ctx.now();
        let feed = CalendarFeedRecord {
            member_id: identity.member_id,
            token_hash: secrets::hash(token.expose_secret()),
            created_at: now,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::replace_feed(conn, &feed).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("events.calendar_feed_issued")
                    .by(identity.member_id)
                    .on(identity.member_id),
            )
            .await
        })
        .await?;
        Ok(token)
    }

    /// Revokes the viewer's calendar feed token; returns whether there was
    /// one.
    pub async fn revoke_calendar_feed(&self, viewer: &Viewer) -> AppResult<bool> {
        let member_id = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        self.revoke_feed_in(&mut conn, member_id, "revokeCalendarFeed")
            .await
    }

    /// Deletes `member_id`'s feed token on the caller's connection,
    /// recording which operation did ("sign out everywhere" ends the feed,
    /// a credential like a session, in the transaction that ends the
    /// sessions). Returns whether there was a feed.
    pub async fn revoke_feed_in(
        &self,
        conn: &mut AsyncPgConnection,
        member_id: MemberId,
        by_operation: &str,
    ) -> AppResult<bool> {
        let now = self.ctx.now();
        conn.transaction(async |conn| {
            let revoked = store::delete_feed(conn, member_id).await?;
            if revoked {
                audit::record(
                    conn,
                    now,
                    AuditEntry::new("events.calendar_feed_revoked")
                        .by(member_id)
                        .on(member_id)
                        .details(json!({ "operation": by_operation })),
                )
                .await?;
            }
            Ok(revoked)
        })
        .await
    }

    /// When the viewer's current feed token was issued, if there is one.
    pub async fn calendar_feed_issued_at(
        &self,
        viewer: &Viewer,
    ) -> AppResult<Option<DateTime<Utc>>> {
        let identity = viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::feed_issued_at(&mut conn, identity.member_id).await?)
    }

    /// The personal feed behind `token`: the events its owner holds a
    /// confirmed seat for (the most recent [`FEED_LIMIT`]), with join URLs,
    /// since a confirmed attendee may see them. `NOT_FOUND` for unknown or
    /// revoked tokens.
    pub async fn feed_calendar(&self, token: &str) -> AppResult<String> {
        let not_found = || AppError::NotFound { entity: "Calendar" };
        if !token.starts_with(FEED_TOKEN_PREFIX) {
            return Err(not_found());
        }
        let mut conn = self.ctx.conn().await?;
        let owner = store::feed_owner(&mut conn, &secrets::hash(token))
            .await?
            .ok_or_else(not_found)?;
        // A suspended member's feed goes quiet with their account.
        if !self.membership.may_sign_in(&mut conn, owner).await? {
            return Err(not_found());
        }
        let events = store::confirmed_events_of(&mut conn, owner, FEED_LIMIT).await?;
        Ok(ics::render(
            "Alumni Network events",
            events.iter().map(|event| CalendarEntry {
                event,
                include_join_url: true,
            }),
            self.ctx.now(),
        ))
    }
}
