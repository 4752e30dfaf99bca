//! Members' choices, and one-click unsubscribe.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::{AppError, AppResult, Viewer, secrets};
use diesel_async::AsyncConnection as _;
use serde_json::json;

use super::{DIGEST_MAIL, NotifyService};

/// The daily job that removes old unsubscribe tokens.
pub const PURGE_UNSUBSCRIBE_TOKENS: &str = "notify.purge_unsubscribe_tokens";

/// How long a mail's unsubscribe link works.
pub const UNSUBSCRIBE_LINKS_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(180);
use crate::model::{DigestFrequency, NoticeKind, NotificationChannel, PreferenceRecord};
use crate::rules;
use crate::store::{digests, preferences as store};

impl NotifyService {
    /// Every kind with the viewer's channel for it (chosen or default), in
    /// the kinds' order.
    pub async fn preferences(
        &self,
        viewer: &Viewer,
    ) -> AppResult<Vec<(NoticeKind, NotificationChannel)>> {
        let member = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        let chosen = store::of_member(&mut conn, member).await?;
        Ok(self
            .kinds
            .iter()
            .map(|kind| {
                let choice = chosen
                    .iter()
                    .find(|choice| choice.kind == kind.name)
                    .map(|choice| choice.channel);
                (*kind, rules::channel(kind, choice))
            })
            .collect())
    }

    /// Sets how the viewer hears of `kind`.
    pub async fn set_preference(
        &self,
        viewer: &Viewer,
        kind: &str,
        channel: NotificationChannel,
    ) -> AppResult<(NoticeKind, NotificationChannel)> {
        let member = viewer.identity()?.member_id;
        let kind = *self.kind(kind, "kind")?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        store::upsert(
            &mut conn,
            &PreferenceRecord {
                member_id: member,
                kind: kind.name.to_owned(),
                channel,
                updated_at: now,
            },
        )
        .await?;
        Ok((kind, channel))
    }

    /// The daily `notify.purge_unsubscribe_tokens` job: unsubscribe links
    /// older than [`UNSUBSCRIBE_LINKS_KEPT`] stop working (their page
    /// points to the settings instead), so the table does not grow with
    /// every mail sent.
    pub async fn purge_unsubscribe_tokens(&self) -> AppResult<()> {
        let mut conn = self.ctx.conn().await?;
        let purged =
            store::purge_unsubscribe_tokens(&mut conn, self.ctx.now() - UNSUBSCRIBE_LINKS_KEPT)
                .await?;
        tracing::info!(purged, "purged old unsubscribe tokens");
        Ok(())
    }

    /// One-click unsubscribe (RFC 8058): the token of a mail's
    /// `List-Unsubscribe` address stops mail of its kind for its member
    /// (the notifications stay in the app); a digest's turns the digest
    /// off. `NOT_FOUND` for a token the
    /// network never issued.
    pub async fn unsubscribe(&self, token: &str) -> AppResult<()> {
        let hash = secrets::hash(token);
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let (member, kind) =
                store::unsubscribe_token(conn, &hash)
                    .await?
                    .ok_or(AppError::NotFound {
                        entity: "UnsubscribeToken",
                    })?;
            if kind == DIGEST_MAIL {
                digests::set_frequency(conn, member, DigestFrequency::Off, now).await?;
            } else {
                store::upsert(
                    conn,
                    &PreferenceRecord {
                        member_id: member,
                        kind: kind.clone(),
                        channel: NotificationChannel::InApp,
                        updated_at: now,
                    },
                )
                .await?;
            }
            audit::record(
                conn,
                now,
                AuditEntry::new("notify.unsubscribed")
                    .on(member)
                    .details(json!({ "kind": kind })),
            )
            .await
        })
        .await
    }
}
