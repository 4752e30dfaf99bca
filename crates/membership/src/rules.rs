//! Pure decisions of the membership domain, tested without a database.

use chrono::{DateTime, Duration, Utc};

/// Sign-in attempts for one e-mail address from one client before further
/// attempts from that client are blocked.
pub const ATTEMPTS_PER_ADDRESS_AND_CLIENT: i32 = 5;
/// Sign-in attempts for one e-mail address from all clients together
/// before every client is blocked: high enough that one attacker's failures
/// cannot lock the owner out, low enough to stop guessing spread over many
/// clients.
pub const ATTEMPTS_PER_ADDRESS: i32 = 50;
/// Attempts are forgotten after this long without one.
pub const ATTEMPT_MEMORY: Duration = Duration::hours(1);
/// The first block lasts this long; each further attempt doubles it.
pub const FIRST_BLOCK: Duration = Duration::minutes(1);
/// No block lasts longer than this.
pub const LONGEST_BLOCK: Duration = Duration::hours(1);

/// The attempts counted under one key, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptCount {
    /// Attempts since the count was last forgotten or cleared.
    pub attempts: i32,
    /// When the last attempt was made.
    pub last_attempt_at: DateTime<Utc>,
    /// Attempts before this instant are refused unchecked.
    pub blocked_until: Option<DateTime<Utc>>,
}

impl AttemptCount {
    /// Nothing counted yet.
    pub fn none(now: DateTime<Utc>) -> Self {
        Self {
            attempts: 0,
            last_attempt_at: now,
            blocked_until: None,
        }
    }
}

/// Decides a sign-in attempt counted under several keys, each with its own
/// limit. Either every key is free, and the attempt is counted under each
/// (the counts to store are returned, in the order given), or some key is
/// blocked, nothing is counted, and the error holds the seconds until the
/// last of the blocks ends.
///
/// The attempt that reaches a key's limit is still allowed; it starts the
/// block for the ones after it. Each attempt beyond the limit doubles the
/// next block, up to [`LONGEST_BLOCK`].
pub fn reserve_attempt(
    counts: &[(AttemptCount, i32)],
    now: DateTime<Utc>,
) -> Result<Vec<AttemptCount>, u64> {
    let blocked_until = counts
        .iter()
        .filter_map(|(count, _)| count.blocked_until)
        .filter(|until| *until > now)
        .max();
    if let Some(until) = blocked_until {
        return Err(seconds_until(now, until));
    }
    Ok(counts
        .iter()
        .map(|(count, limit)| {
            let attempts = if count.last_attempt_at < now - ATTEMPT_MEMORY {
                1
            } else {
                count.attempts + 1
            };
            AttemptCount {
                attempts,
                last_attempt_at: now,
                blocked_until: (attempts >= *limit).then(|| now + block_length(attempts - limit)),
            }
        })
        .collect())
}

/// Length of the block after `beyond` attempts past the limit.
fn block_length(beyond: i32) -> Duration {
    let doublings = u32::try_from(beyond).unwrap_or(0).min(16);
    (FIRST_BLOCK * 2_i32.pow(doublings)).min(LONGEST_BLOCK)
}

/// Whole seconds from `now` until `until`, rounded up.
pub fn seconds_until(now: DateTime<Utc>, until: DateTime<Utc>) -> u64 {
    let millis = u64::try_from((until - now).num_milliseconds()).unwrap_or(0);
    millis.div_ceil(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-04-01T00:00:00Z")
            .unwrap()
            .to_utc()
    }

    #[test]
    fn blocks_grow_then_cap() {
        assert_eq!(block_length(0), Duration::minutes(1));
        assert_eq!(block_length(1), Duration::minutes(2));
        assert_eq!(block_length(3), Duration::minutes(8));
        assert_eq!(block_length(35), LONGEST_BLOCK);
    }

    #[test]
    fn the_attempt_reaching_the_limit_passes_and_blocks_the_next() {
        let mut count = AttemptCount::none(now());
        for attempt in 1..=5 {
            count = reserve_attempt(&[(count, 5)], now()).unwrap()[0];
            assert_eq!(count.attempts, attempt);
        }
        assert_eq!(count.blocked_until, Some(now() + FIRST_BLOCK));
        assert_eq!(reserve_attempt(&[(count, 5)], now()), Err(60));
    }

    #[test]
    fn a_blocked_key_counts_nothing_under_the_others() {
        let blocked = AttemptCount {
            attempts: 50,
            last_attempt_at: now(),
            blocked_until: Some(now() + Duration::seconds(30)),
        };
        let free = AttemptCount::none(now());
        assert_eq!(reserve_attempt(&[(free, 5), (blocked, 50)], now()), Err(30));
    }

    #[test]
    fn quiet_hours_forget_attempts() {
        let old = AttemptCount {
            attempts: 4,
            last_attempt_at: now() - Duration::hours(2),
            blocked_until: None,
        };
        assert_eq!(reserve_attempt(&[(old, 5)], now()).unwrap()[0].attempts, 1);
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(
            seconds_until(now(), now() + Duration::milliseconds(1500)),
            2
        );
        assert_eq!(seconds_until(now(), now() - Duration::seconds(5)), 0);
    }
}
