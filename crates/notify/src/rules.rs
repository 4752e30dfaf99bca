//! Decisions about delivery, without a database.

use crate::model::{NoticeKind, NotificationChannel};

/// How a member hears of `kind`: their choice, else the kind's default.
pub fn channel(kind: &NoticeKind, chosen: Option<NotificationChannel>) -> NotificationChannel {
    chosen.unwrap_or(kind.default_channel)
}

/// Whether a notification of `kind` on `channel` is mailed at once to a
/// member with or without the newsletter consent.
pub fn mails_now(
    kind: &NoticeKind,
    channel: NotificationChannel,
    newsletter_consent: bool,
) -> bool {
    channel == NotificationChannel::Email && (newsletter_consent || !kind.needs_newsletter_consent)
}

/// Whether a notification on `channel` is kept in the app.
pub fn shown_in_app(channel: NotificationChannel) -> bool {
    channel != NotificationChannel::Off
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEWS: NoticeKind = NoticeKind {
        name: "content.issue_published",
        description: "A new issue of the newsletter",
        default_channel: NotificationChannel::Email,
        needs_newsletter_consent: true,
    };
    const SEAT: NoticeKind = NoticeKind {
        name: "events.registration_confirmed",
        description: "Your seat is confirmed",
        default_channel: NotificationChannel::Email,
        needs_newsletter_consent: false,
    };

    #[test]
    fn a_choice_overrides_the_default() {
        assert_eq!(channel(&SEAT, None), NotificationChannel::Email);
        assert_eq!(
            channel(&SEAT, Some(NotificationChannel::Off)),
            NotificationChannel::Off
        );
    }

    #[test]
    fn news_by_mail_needs_the_newsletter_consent_and_replies_do_not() {
        assert!(!mails_now(&NEWS, NotificationChannel::Email, false));
        assert!(mails_now(&NEWS, NotificationChannel::Email, true));
        assert!(mails_now(&SEAT, NotificationChannel::Email, false));
        assert!(!mails_now(&SEAT, NotificationChannel::InApp, true));
        assert!(!mails_now(&SEAT, NotificationChannel::Digest, true));
    }

    #[test]
    fn only_off_keeps_a_notification_out_of_the_app() {
        assert!(shown_in_app(NotificationChannel::InApp));
        assert!(shown_in_app(NotificationChannel::Digest));
        assert!(!shown_in_app(NotificationChannel::Off));
    }
}
