//! Rows, ids, stored enums and the kinds of notification.

mod kinds;

use alumni_core::enums::StoredEnum;
use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

pub use kinds::{NoticeKind, NoticeKinds};

use crate::schema::notify::{notifications, outbox, preferences};

/// Every enum this crate stores, for the gateway's check against the
/// database's allowed values.
pub const STORED_ENUMS: &[StoredEnum] = &[
    NotificationChannel::STORED,
    MailState::STORED,
    DigestFrequency::STORED,
];

typed_id!(
    /// Identifies a notification.
    NotificationId,
    "Notification"
);

typed_id!(
    /// Identifies a message in the mail outbox.
    OutboxId,
    "OutboxMessage"
);

alumni_core::text_enum! {
    /// How a member hears of one kind of notification.
    pub enum NotificationChannel stored in "notify.preferences.channel" {
        /// In the app only.
        InApp = "IN_APP",
        /// In the app, and by e-mail at once.
        Email = "EMAIL",
        /// In the app, and in the periodic e-mail digest.
        Digest = "DIGEST",
        /// Not at all.
        Off = "OFF",
    }
}

alumni_core::text_enum! {
    /// How often a member gets the activity digest.
    pub enum DigestFrequency stored in "notify.digest_settings.frequency" {
        /// Every Monday morning (Japan time).
        Weekly = "WEEKLY",
        /// On the morning of the first of each month (Japan time).
        Monthly = "MONTHLY",
        /// Never.
        Off = "OFF",
    }
}

impl DigestFrequency {
    /// The frequency of members who have not chosen.
    pub const DEFAULT: DigestFrequency = DigestFrequency::Weekly;
}

alumni_core::text_enum! {
    /// Where a message of the outbox stands.
    pub enum MailState stored in "notify.outbox.state" {
        /// Waiting for the job queue to send it (or to retry).
        Queued = "QUEUED",
        /// Accepted by the SMTP server (or written to the mail folder).
        Sent = "SENT",
        /// Every attempt failed; an operator can retry its job.
        Failed = "FAILED",
    }
}

/// A notification as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationRecord {
    /// Its id.
    pub id: NotificationId,
    /// For whom.
    pub member_id: MemberId,
    /// Its kind, e.g. `events.registration_confirmed`.
    pub kind: String,
    /// The node type of what it is about.
    pub subject_type: Option<String>,
    /// The id of what it is about.
    pub subject_id: Option<Uuid>,
    /// The kind's particulars (ids, statuses).
    pub payload: serde_json::Value,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When the member read it.
    pub read_at: Option<DateTime<Utc>>,
}

impl NotificationRecord {
    /// Its position in the member's newest-first list.
    pub fn page_key(&self) -> NotificationPageKey {
        (self.created_at, self.id.0)
    }
}

/// Sort key of a member's notifications (newest first).
pub type NotificationPageKey = (DateTime<Utc>, Uuid);

/// A member's stored choice for one kind.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = preferences)]
pub struct PreferenceRecord {
    /// Whose.
    pub member_id: MemberId,
    /// Which kind.
    pub kind: String,
    /// How they hear of it.
    pub channel: NotificationChannel,
    /// When they chose.
    pub updated_at: DateTime<Utc>,
}

/// A message of the outbox as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox)]
pub struct OutboxRecord {
    /// Its id.
    pub id: OutboxId,
    /// The member it is for, if a member.
    pub member_id: Option<MemberId>,
    /// Where it goes.
    pub to_address: String,
    /// The recipient's name, for the `To` header.
    pub to_name: Option<String>,
    /// Its subject.
    pub subject: String,
    /// Its plain-text part (dropped once sent).
    pub text_body: Option<String>,
    /// Its HTML part (dropped once sent).
    pub html_body: Option<String>,
    /// The notification kind it carries, or the transactional purpose.
    pub category: String,
    /// The one-click unsubscribe address, for non-transactional mail.
    pub unsubscribe_url: Option<String>,
    /// Where it stands.
    pub state: MailState,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// The Message-ID it went out with.
    pub message_id: Option<String>,
}
