//! The feedback domain's kinds of notification.

use alumni_notify::{NoticeKind, NotificationChannel};

/// The secretariat replied to the member's named feedback.
pub const FEEDBACK_REPLIED: NoticeKind = NoticeKind {
    name: "feedback.replied",
    description: "送ったフィードバックに事務局から返信があったとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// Every kind of notification about feedback.
pub const KINDS: [NoticeKind; 1] = [FEEDBACK_REPLIED];
