//! The feedback domain's kinds of notification.

use alumni_notify::{NoticeKind, NotificationChannel};

/// The secretariat replied to the member's named feedback.
pub const FEEDBACK_REPLIED: NoticeKind = NoticeKind {
    name: "feedback.replied",
    description: "送ったフィードバックに事務局から返信があったとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// A proposal written from the member's named feedback was published, and
/// they follow it (with management's answer, when it came before).
pub const PROPOSAL_PUBLISHED: NoticeKind = NoticeKind {
    name: "feedback.proposal_published",
    description: "あなたの声をもとにした経営への提言が公開されたとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// Management answered a proposal the member follows.
pub const PROPOSAL_ANSWERED: NoticeKind = NoticeKind {
    name: "feedback.proposal_answered",
    description: "フォローしている提言に経営から回答があったとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// A proposal the member follows moved on (a new entry of its timeline).
pub const PROPOSAL_PROGRESSED: NoticeKind = NoticeKind {
    name: "feedback.proposal_progressed",
    description: "フォローしている提言の進捗が更新されたとき",
    default_channel: NotificationChannel::InApp,
    needs_newsletter_consent: false,
};

/// A proposal the member follows is done.
pub const PROPOSAL_DONE: NoticeKind = NoticeKind {
    name: "feedback.proposal_done",
    description: "フォローしている提言の取り組みが完了したとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: false,
};

/// Every kind of notification about feedback.
pub const KINDS: [NoticeKind; 5] = [
    FEEDBACK_REPLIED,
    PROPOSAL_PUBLISHED,
    PROPOSAL_ANSWERED,
    PROPOSAL_PROGRESSED,
    PROPOSAL_DONE,
];
