//! The magazine's kinds of notification.

use alumni_notify::{NoticeKind, NotificationChannel};

/// A new issue of the magazine went out. Its mail is news: it needs the
/// newsletter consent, and members may choose the app only, the digest or
/// nothing.
pub const ISSUE_PUBLISHED: NoticeKind = NoticeKind {
    name: "content.issue_published",
    description: "社内報の新しい号が発行されたとき",
    default_channel: NotificationChannel::Email,
    needs_newsletter_consent: true,
};

/// Every kind of notification about the magazine.
pub const KINDS: [NoticeKind; 1] = [ISSUE_PUBLISHED];
