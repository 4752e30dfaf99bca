//! Who is calling, from where: the client's network address, what one
//! request may still spend, and rate limits per client.
//!
//! Operations an anonymous caller can start and that cost the server real
//! work (signing in, applying, anything that hashes a password) are bounded
//! twice: per request by [`Caller`], and over time per client address by
//! [`PerClientLimit`]. Both answer `RATE_LIMITED` with
//! `retryAfterSeconds`, like every other throttle of the API.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::AppError;

/// The network address a request came from: the peer of the connection,
/// or the client named by a trusted reverse proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    /// Stands for callers inside the process (the command line, demo data,
    /// tests calling services directly).
    pub const LOCAL: ClientAddress = ClientAddress(IpAddr::V4(Ipv4Addr::LOCALHOST));

    /// The key limits count under. An IPv6 client usually holds a whole
    /// /64, so counting single addresses would let it rotate through
    /// billions; IPv4-mapped addresses count as the IPv4 address they are.
    pub fn limit_key(self) -> IpAddr {
        match self.0 {
            IpAddr::V4(v4) => IpAddr::V4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => {
                    let network = u128::from(v6) & !((1_u128 << 64) - 1);
                    IpAddr::V6(Ipv6Addr::from(network))
                }
            },
        }
    }
}

impl std::fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Password operations (each an argon2 hash: tens of milliseconds of CPU
/// and 19 MiB of memory) one HTTP request may run, however many aliased
/// fields or batched operations it carries.
pub const PASSWORD_OPERATIONS_PER_REQUEST: u32 = 1;

/// The caller of one request: where it comes from and what it may still
/// spend. One per HTTP request, shared by the operations of a batch.
#[derive(Debug, Clone)]
pub struct Caller {
    client: ClientAddress,
    password_operations_left: Arc<AtomicU32>,
}

impl Caller {
    /// A caller at `client` with a fresh allowance.
    pub fn new(client: ClientAddress) -> Self {
        Self {
            client,
            password_operations_left: Arc::new(AtomicU32::new(PASSWORD_OPERATIONS_PER_REQUEST)),
        }
    }

    /// Where the request comes from.
    pub fn client(&self) -> ClientAddress {
        self.client
    }

    /// Takes one password operation from the request's allowance;
    /// `RATE_LIMITED` once it is spent.
    pub fn spend_password_operation(&self) -> Result<(), AppError> {
        self.password_operations_left
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                left.checked_sub(1)
            })
            .map(|_| ())
            .map_err(|_| AppError::RateLimited {
                retry_after_seconds: 1,
            })
    }
}

/// Distinct clients remembered before idle ones are forgotten. Bounds the
/// memory an attacker rotating addresses can make the limiter hold.
const REMEMBERED_CLIENTS: usize = 10_000;

/// A rate limit per client address (a token bucket: `burst` at once, then
/// one more every `period / burst`).
#[derive(Debug)]
pub struct PerClientLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl PerClientLimit {
    /// At most `burst` operations at once per client, refilled over
    /// `period`.
    pub fn new(burst: NonZeroU32, period: Duration) -> Self {
        let replenish = period / burst.get();
        let quota = Quota::with_period(replenish.max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(burst))
            .allow_burst(burst);
        Self {
            limiter: DefaultKeyedRateLimiter::hashmap(quota),
        }
    }

    /// Counts one operation of `client`: `RATE_LIMITED` with the seconds
    /// until the next one is allowed when its budget is spent.
    pub fn check(&self, client: ClientAddress) -> Result<(), AppError> {
        let outcome = self.limiter.check_key(&client.limit_key());
        if self.limiter.len() > REMEMBERED_CLIENTS {
            self.limiter.retain_recent();
        }
        outcome.map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::RateLimited {
                retry_after_seconds: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(address: &str) -> ClientAddress {
        ClientAddress(address.parse().unwrap())
    }

    #[test]
    fn ipv6_clients_count_per_64() {
        assert_eq!(
            client("2001:db8:1:2:aaaa::1").limit_key(),
            client("2001:db8:1:2:bbbb::9").limit_key()
        );
        assert_ne!(
            client("2001:db8:1:2::1").limit_key(),
            client("2001:db8:1:3::1").limit_key()
        );
        assert_eq!(
            client("::ffff:192.0.2.7").limit_key(),
            client("192.0.2.7").0
        );
    }

    #[test]
    fn a_request_spends_its_password_allowance_once() {
        let caller = Caller::new(ClientAddress::LOCAL);
        let batch_sibling = caller.clone();
        assert!(caller.spend_password_operation().is_ok());
        let error = batch_sibling.spend_password_operation().unwrap_err();
        assert_eq!(error.code(), "RATE_LIMITED");
        assert!(
            Caller::new(ClientAddress::LOCAL)
                .spend_password_operation()
                .is_ok()
        );
    }

    #[test]
    fn limits_count_per_client_and_say_when_to_retry() {
        let limit = PerClientLimit::new(NonZeroU32::new(3).unwrap(), Duration::from_secs(60));
        for _ in 0..3 {
            assert!(limit.check(client("192.0.2.1")).is_ok());
        }
        match limit.check(client("192.0.2.1")) {
            Err(AppError::RateLimited {
                retry_after_seconds,
            }) => assert!(
                (1..=20).contains(&retry_after_seconds),
                "{retry_after_seconds}"
            ),
            other => panic!("expected RATE_LIMITED, got {other:?}"),
        }
        assert!(
            limit.check(client("192.0.2.2")).is_ok(),
            "other clients go on"
        );
    }
}
