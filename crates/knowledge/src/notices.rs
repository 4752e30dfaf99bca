//! The knowledge domain's kinds of notification.

use alumni_notify::{NoticeKind, NotificationChannel};

/// A question a member may be able to answer was routed to them.
pub const QUESTION_ROUTED: NoticeKind = NoticeKind {
    name: "knowledge.question_routed",
    description: "あなたのスキルに合う質問が届いたとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// Someone answered the member's question.
pub const ANSWER_POSTED: NoticeKind = NoticeKind {
    name: "knowledge.answer_posted",
    description: "あなたの質問に回答があったとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// The member's answer was accepted.
pub const ANSWER_ACCEPTED: NoticeKind = NoticeKind {
    name: "knowledge.answer_accepted",
    description: "あなたの回答が採用されたとき",
    default_channel: NotificationChannel::InApp,
    needs_newsletter_consent: false,
};

/// A question stayed unanswered after every round of routing (the
/// secretariat).
pub const QUESTION_ESCALATED: NoticeKind = NoticeKind {
    name: "knowledge.question_escalated",
    description: "回答のない質問が事務局に回ってきたとき（事務局）",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// Every kind of notification about the knowledge domain.
pub const KINDS: [NoticeKind; 4] = [
    QUESTION_ROUTED,
    ANSWER_POSTED,
    ANSWER_ACCEPTED,
    QUESTION_ESCALATED,
];
