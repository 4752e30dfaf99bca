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

/// A member asked the viewer for a consultation.
pub const CONSULTATION_REQUESTED: NoticeKind = NoticeKind {
    name: "knowledge.consultation_requested",
    description: "相談の依頼が届いたとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// The expert accepted or declined the viewer's consultation request.
pub const CONSULTATION_ANSWERED: NoticeKind = NoticeKind {
    name: "knowledge.consultation_answered",
    description: "相談の依頼に返事があったとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// The viewer's consultation request went unanswered and expired.
pub const CONSULTATION_EXPIRED: NoticeKind = NoticeKind {
    name: "knowledge.consultation_expired",
    description: "相談の依頼が期限切れになったとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// A member is interested in the viewer's board post.
pub const BOARD_INTEREST: NoticeKind = NoticeKind {
    name: "knowledge.board_interest",
    description: "コラボレーション掲示板の投稿に関心が寄せられたとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// The viewer's board post left the board; it can be renewed.
pub const BOARD_POST_EXPIRED: NoticeKind = NoticeKind {
    name: "knowledge.board_post_expired",
    description: "コラボレーション掲示板の投稿が掲載期限を迎えたとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// Every kind of notification about the knowledge domain.
pub const KINDS: [NoticeKind; 9] = [
    QUESTION_ROUTED,
    ANSWER_POSTED,
    ANSWER_ACCEPTED,
    QUESTION_ESCALATED,
    CONSULTATION_REQUESTED,
    CONSULTATION_ANSWERED,
    CONSULTATION_EXPIRED,
    BOARD_INTEREST,
    BOARD_POST_EXPIRED,
];
