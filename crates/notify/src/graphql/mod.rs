//! Notifications in GraphQL: preferences and marking read. The
//! `Notification` object itself, whose payload and subject come from every
//! domain, is stitched in the gateway.

use alumni_core::graphql::{data, viewer};
use alumni_core::{AppError, NodeId as _};
use async_graphql::{Context, ID, Object, Result};

use crate::model::{DigestFrequency, NoticeKind, NotificationChannel, NotificationId};
use crate::service::NotifyService;

fn service<'a>(ctx: &Context<'a>) -> Result<&'a NotifyService, AppError> {
    data::<NotifyService>(ctx)
}

/// How the viewer hears of one kind of notification.
pub struct NotificationPreference {
    kind: NoticeKind,
    channel: NotificationChannel,
}

/// How the viewer hears of one kind of notification.
#[Object]
impl NotificationPreference {
    /// The kind, e.g. `events.registration_confirmed`.
    async fn kind(&self) -> &str {
        self.kind.name
    }

    /// What the kind is about, for a settings page.
    async fn description(&self) -> &str {
        self.kind.description
    }

    /// The viewer's channel: their choice, or the default.
    async fn channel(&self) -> NotificationChannel {
        self.channel
    }

    /// The channel of members who have not chosen.
    async fn default_channel(&self) -> NotificationChannel {
        self.kind.default_channel
    }

    /// Whether e-mail of this kind also needs the newsletter consent.
    async fn needs_newsletter_consent(&self) -> bool {
        self.kind.needs_newsletter_consent
    }
}

/// The viewer's notification settings, for `me`.
pub async fn preferences(ctx: &Context<'_>) -> Result<Vec<NotificationPreference>> {
    let chosen = service(ctx)?.preferences(viewer(ctx)?).await?;
    Ok(chosen
        .into_iter()
        .map(|(kind, channel)| NotificationPreference { kind, channel })
        .collect())
}

/// How often the viewer gets the activity digest, for `me`.
pub async fn digest_frequency(ctx: &Context<'_>) -> Result<DigestFrequency> {
    Ok(service(ctx)?.digest_frequency(viewer(ctx)?).await?)
}

/// Marking notifications read, and choosing how to hear of them.
#[derive(Default)]
pub struct NotifyMutation;

/// Marking notifications read, and choosing how to hear of them.
#[Object]
impl NotifyMutation {
    /// Marks the viewer's notifications read: those in `ids`, or every
    /// one with `all: true` (exactly one of the two). Ids of notifications
    /// that are not the viewer's change nothing. Returns how many unread
    /// notifications are left.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global ids of notifications (at most 100).")] ids: Option<Vec<ID>>,
        #[graphql(desc = "Every notification of the viewer.")] all: Option<bool>,
    ) -> Result<i32> {
        let ids = match (ids, all.unwrap_or(false)) {
            (Some(ids), false) => {
                if ids.len() > 100 {
                    return Err(AppError::bad_input("ids", "at most 100 at a time").into());
                }
                Some(
                    ids.iter()
                        .map(|id| NotificationId::from_global(id, "ids"))
                        .collect::<Result<Vec<_>, _>>()?,
                )
            }
            (None, true) => None,
            _ => {
                return Err(AppError::bad_input("ids", "give either `ids` or `all: true`").into());
            }
        };
        let left = service(ctx)?
            .mark_read(viewer(ctx)?, ids.as_deref())
            .await?;
        Ok(i32::try_from(left.count).unwrap_or(i32::MAX))
    }

    /// Sets how the viewer hears of one kind of notification. E-mail of
    /// kinds that need it is sent only with the newsletter consent.
    async fn set_notification_preference(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The kind, as `notificationPreferences` lists it.")] kind: String,
        #[graphql(desc = "How to hear of it.")] channel: NotificationChannel,
    ) -> Result<NotificationPreference> {
        let (kind, channel) = service(ctx)?
            .set_preference(viewer(ctx)?, &kind, channel)
            .await?;
        Ok(NotificationPreference { kind, channel })
    }

    /// Sets how often the viewer gets the activity digest: a mail every
    /// Monday or every first of the month (9:00 Japan time) with what is
    /// new since their last visit, sent only when something is and only
    /// with the newsletter consent; `OFF` for none.
    async fn set_digest_frequency(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How often.")] frequency: DigestFrequency,
    ) -> Result<DigestFrequency> {
        Ok(service(ctx)?
            .set_digest_frequency(viewer(ctx)?, frequency)
            .await?)
    }
}
