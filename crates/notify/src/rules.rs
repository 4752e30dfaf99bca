//! Decisions about delivery, without a database.

use chrono::{DateTime, Datelike as _, Days, FixedOffset, Months, NaiveDate, TimeDelta, Utc};

use crate::model::{DigestFrequency, NoticeKind, NotificationChannel};

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

/// Japan's offset from UTC (no daylight saving time): digests follow the
/// members' calendar, weeks from Monday and months from the first.
const JAPAN: i32 = 9 * 3600;

/// The hour of the morning, Japan time, at which a period's digests go out.
const DIGEST_HOUR: u32 = 9;

/// One week or month of digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestPeriod {
    /// Its key, e.g. `W2026-12-07` (the week from that Monday) or
    /// `M2026-12`.
    pub key: String,
    /// When it starts (midnight in Japan).
    pub starts_at: DateTime<Utc>,
    /// When its digests go out.
    pub send_at: DateTime<Utc>,
    /// When the period before it started: what a member never seen reads
    /// about starts there.
    pub previous_starts_at: DateTime<Utc>,
}

/// The period of `frequency` holding `at`; `None` for [`DigestFrequency::Off`].
pub fn digest_period(frequency: DigestFrequency, at: DateTime<Utc>) -> Option<DigestPeriod> {
    let japan = FixedOffset::east_opt(JAPAN)?;
    let today = at.with_timezone(&japan).date_naive();
    let (first_day, previous_first_day, key) = match frequency {
        DigestFrequency::Off => return None,
        DigestFrequency::Weekly => {
            let monday = today
                .checked_sub_days(Days::new(u64::from(today.weekday().num_days_from_monday())))?;
            let previous = monday.checked_sub_days(Days::new(7))?;
            (monday, previous, format!("W{}", monday.format("%Y-%m-%d")))
        }
        DigestFrequency::Monthly => {
            let first = today.with_day(1)?;
            let previous = first.checked_sub_months(Months::new(1))?;
            (first, previous, format!("M{}", first.format("%Y-%m")))
        }
    };
    let midnight = |day: NaiveDate| -> Option<DateTime<Utc>> {
        Some(
            day.and_hms_opt(0, 0, 0)?
                .and_local_timezone(japan)
                .single()?
                .with_timezone(&Utc),
        )
    };
    let starts_at = midnight(first_day)?;
    Some(DigestPeriod {
        key,
        starts_at,
        send_at: starts_at + TimeDelta::hours(i64::from(DIGEST_HOUR)),
        previous_starts_at: midnight(previous_first_day)?,
    })
}

/// `at` on the clocks of Japan.
pub fn in_japan(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(JAPAN).map_or_else(|| at.fixed_offset(), |japan| at.with_timezone(&japan))
}

/// What a digest covers: from the member's last visit, or for a member
/// never seen, from the start of the previous period.
pub fn digest_since(period: &DigestPeriod, last_seen_at: Option<DateTime<Utc>>) -> DateTime<Utc> {
    last_seen_at.unwrap_or(period.previous_starts_at)
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

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn weeks_start_on_monday_in_japan_and_go_out_at_nine() {
        // Sunday 2026-12-06 20:00 UTC is Monday 05:00 in Japan.
        let period = digest_period(DigestFrequency::Weekly, utc("2026-12-06T20:00:00Z")).unwrap();
        assert_eq!(period.key, "W2026-12-07");
        assert_eq!(period.starts_at, utc("2026-12-06T15:00:00Z"));
        assert_eq!(period.send_at, utc("2026-12-07T00:00:00Z"));
        assert_eq!(period.previous_starts_at, utc("2026-11-29T15:00:00Z"));
        // Still Sunday in Japan: the week before.
        let earlier = digest_period(DigestFrequency::Weekly, utc("2026-12-06T14:59:59Z")).unwrap();
        assert_eq!(earlier.key, "W2026-11-30");
    }

    #[test]
    fn months_start_on_the_first_in_japan() {
        let period = digest_period(DigestFrequency::Monthly, utc("2026-12-31T15:30:00Z")).unwrap();
        assert_eq!(period.key, "M2027-01");
        assert_eq!(period.starts_at, utc("2026-12-31T15:00:00Z"));
        assert_eq!(period.previous_starts_at, utc("2026-11-30T15:00:00Z"));
        assert_eq!(
            digest_period(DigestFrequency::Off, utc("2026-12-31T15:30:00Z")),
            None
        );
    }

    #[test]
    fn a_digest_covers_the_time_since_the_last_visit() {
        let period = digest_period(DigestFrequency::Weekly, utc("2026-12-07T01:00:00Z")).unwrap();
        let seen = utc("2026-12-03T08:00:00Z");
        assert_eq!(digest_since(&period, Some(seen)), seen);
        assert_eq!(digest_since(&period, None), period.previous_starts_at);
    }
}
