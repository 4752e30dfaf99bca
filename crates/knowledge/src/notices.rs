//! The knowledge domain's kinds of notification.

use alumni_notify::{NoticeKind, NotificationChannel};

/// A question a member may be able to answer was routed to them.
pub const QUESTION_ROUTED: NoticeKind = NoticeKind {
    name: "knowledge.question_routed",
    description: "あなたのスキルに合う質問が届いたとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// Every kind of notification about the knowledge domain.
pub const KINDS: [NoticeKind; 1] = [QUESTION_ROUTED];
