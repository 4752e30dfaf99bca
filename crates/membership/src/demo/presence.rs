//! How the demo's members have used the network since it opened: when each
//! joined, and each visit (a sign-in) of a quiet network. Few come every
//! week, many now and then, some drift away; everyone comes less over the
//! New Year, Golden Week and Obon, and more in the days after the monthly
//! magazine arrives on the first. Other domains' demo history (reads,
//! registrations, questions) happens during these visits, so every
//! dashboard tells one story.

use std::collections::HashMap;

use alumni_core::MemberId;
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, Utc, Weekday};

/// How long before the demo is loaded the network opened.
pub const NETWORK_AGE_MONTHS: u32 = 15;

/// How long a visit lasts: what a member does on a visit happens within
/// this time after they sign in, and they sign out at its end.
pub const VISIT_LENGTH: Duration = Duration::minutes(40);

/// A demo member's time on the network.
#[derive(Debug, Clone)]
pub struct Presence {
    /// When they became a member.
    pub joined_at: DateTime<Utc>,
    /// When each visit began, oldest first; the first is on joining.
    pub visits: Vec<DateTime<Utc>>,
}

impl Presence {
    /// When they were last seen: at the end of their last visit.
    pub fn last_seen(&self) -> DateTime<Utc> {
        self.visits
            .last()
            .map_or(self.joined_at, |last| *last + VISIT_LENGTH)
    }

    /// The visits that began in `[from, to)`.
    pub fn visits_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> &[DateTime<Utc>] {
        let start = self.visits.partition_point(|visit| *visit < from);
        let end = self.visits.partition_point(|visit| *visit < to);
        &self.visits[start..end.max(start)]
    }

    /// The first visit that began at or after `at`.
    pub fn next_visit(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.visits_between(at, DateTime::<Utc>::MAX_UTC)
            .first()
            .copied()
    }

    /// Whether they were a member still coming by at `at` (joined, and
    /// seen since).
    pub fn around_at(&self, at: DateTime<Utc>) -> bool {
        self.joined_at <= at && at <= self.last_seen()
    }
}

/// Every demo member's time on the network, by member.
pub type Presences = HashMap<MemberId, Presence>;

/// How often someone comes by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Habit {
    /// Several times a week: the secretariat, and the demo's own logins,
    /// so that what they see is alive.
    Frequent,
    /// About weekly: the community's regulars, who also write.
    Regular,
    /// A few times a month at most.
    Occasional,
    /// Now and then: reads the odd issue.
    Lurker,
}

impl Habit {
    /// A habit for an ordinary member: few regulars, many who come now
    /// and then.
    pub(super) fn drawn(rng: &mut fastrand::Rng) -> Self {
        match rng.u8(..100) {
            0..18 => Self::Regular,
            18..62 => Self::Occasional,
            _ => Self::Lurker,
        }
    }

    /// Visits a week, on an ordinary week, for one person of this habit.
    fn weekly_visits(self, rng: &mut fastrand::Rng) -> f64 {
        let (low, high) = match self {
            Self::Frequent => (2.5, 3.5),
            Self::Regular => (0.7, 1.4),
            Self::Occasional => (0.15, 0.4),
            Self::Lurker => (0.02, 0.06),
        };
        low + rng.f64() * (high - low)
    }

    /// When, if ever, they stop coming: most of those who come seldom
    /// drift away, after sixteen weeks on average.
    fn drifts_away(
        self,
        rng: &mut fastrand::Rng,
        joined_at: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let drifts = match self {
            Self::Frequent | Self::Regular => false,
            Self::Occasional => rng.u8(..100) < 60,
            Self::Lurker => rng.u8(..100) < 75,
        };
        drifts.then(|| {
            let weeks = -(1.0 - rng.f64()).ln() * 16.0;
            joined_at + Duration::hours((weeks * 7.0 * 24.0) as i64)
        })
    }
}

/// Japan time's offset from UTC: members live there, and so do their
/// holidays and their evenings.
const JAPAN: Duration = Duration::hours(9);

/// How much more or less than usual people come by on `day` (Japan time):
/// less over the holidays, more once the magazine is out.
fn season(day: NaiveDate) -> f64 {
    let holiday = match (day.month(), day.day()) {
        // The New Year holidays, and the slow week after.
        (12, 25..=28) => Some(0.7),
        (12, 29..) | (1, ..=3) => Some(0.25),
        (1, 4..=10) => Some(0.7),
        // Golden Week and Obon.
        (4, 29..) | (5, ..=5) => Some(0.5),
        (8, 8..=16) => Some(0.35),
        _ => None,
    };
    // The monthly magazine arrives on the first.
    let magazine = match day.day() {
        1..=4 => 1.8,
        5..=8 => 1.3,
        _ => 1.0,
    };
    holiday.unwrap_or(magazine)
}

/// A time of day someone signs in, Japan time: on the morning train, at
/// lunch, or in the evening; at weekends, any time of the day.
fn time_of_day(rng: &mut fastrand::Rng, weekend: bool) -> (u32, u32) {
    let hour = if weekend {
        rng.u32(9..23)
    } else {
        match rng.u8(..10) {
            0..2 => rng.u32(7..9),
            2..5 => 12,
            _ => rng.u32(19..23),
        }
    };
    (hour, rng.u32(..60))
}

/// When someone of `habit` who joined at `joined_at` came by, up to
/// `until`: first right after joining, then on each day with a chance that
/// follows their habit, the day of the week and the season; new members
/// look around more in their first month.
pub(super) fn visits(
    rng: &mut fastrand::Rng,
    habit: Habit,
    joined_at: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let weekly = habit.weekly_visits(rng);
    let gone_at = habit
        .drifts_away(rng, joined_at)
        .unwrap_or(until)
        .min(until);
    let mut visits = vec![joined_at + Duration::minutes(rng.i64(5..30))];
    let mut day = (joined_at + JAPAN).date_naive();
    while let Some(next) = day.succ_opt() {
        day = next;
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let (hour, minute) = time_of_day(rng, weekend);
        let at = day
            .and_hms_opt(hour, minute, 0)
            .map_or(until, |local| local.and_utc() - JAPAN);
        if at >= gone_at {
            break;
        }
        let new_member = if at - joined_at < Duration::days(28) {
            2.0
        } else {
            1.0
        };
        let weekday = if weekend { 0.7 } else { 1.1 };
        let chance = weekly / 7.0 * season(day) * weekday * new_member;
        if rng.f64() < chance {
            visits.push(at);
        }
    }
    visits
}

/// When each of `count` members joined, earliest first: many in the first
/// weeks after the network opened at `opened_at`, then fewer each month,
/// a trickle by `until`.
pub(super) fn join_times(
    rng: &mut fastrand::Rng,
    count: usize,
    opened_at: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let span = (until - opened_at).num_minutes().max(1) as f64;
    let mut times: Vec<DateTime<Utc>> = (0..count)
        .map(|_| {
            let share = rng.f64();
            opened_at + Duration::minutes((share * share * span) as i64)
        })
        .collect();
    times.sort();
    times
}
