//! Password rules and argon2id hashing.
//!
//! Hashing uses argon2id with the library defaults (19 MiB, 2 passes, 1
//! lane; OWASP's recommended minimum). It runs on the blocking pool so that
//! a burst of logins cannot stall the async workers, and under
//! [`PasswordHashing`]'s bound so that it cannot exhaust memory.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use alumni_core::AppError;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in characters; bounds hashing cost.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Refuses passwords outside the length bounds as `BAD_USER_INPUT` on
/// `field`.
pub fn validate_password(password: &str, field: &str) -> Result<(), AppError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AppError::bad_input(
            field,
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// Runs argon2 under a bound sized to the machine. Each hash holds 19 MiB
/// and a CPU for tens of milliseconds; unbounded, a flood of sign-ins (or
/// one request with many aliased `login` fields) made the server hold
/// gigabytes. Work anyone can trigger waits at most `queue_wait` for a slot,
/// then answers `RATE_LIMITED`; trusted work (the command line, demo data)
/// waits its turn.
#[derive(Debug, Clone)]
pub struct PasswordHashing {
    slots: Arc<Semaphore>,
    queue_wait: Duration,
}

impl PasswordHashing {
    /// At most `concurrency` hashes at once; callers from outside wait at
    /// most `queue_wait` for a slot.
    pub fn new(concurrency: usize, queue_wait: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            queue_wait,
        }
    }

    /// One hash at a time per available CPU, waiting up to two seconds.
    pub fn sized_to_machine() -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        Self::new(cpus, Duration::from_secs(2))
    }

    async fn slot(&self, patience: Patience) -> Result<SemaphorePermit<'_>, AppError> {
        let acquire = self.slots.acquire();
        let permit = match patience {
            Patience::Bounded => tokio::time::timeout(self.queue_wait, acquire)
                .await
                .map_err(|_| AppError::RateLimited {
                    retry_after_seconds: self.queue_wait.as_secs().max(1),
                })?,
            Patience::Unbounded => acquire.await,
        };
        permit.map_err(AppError::internal)
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: String, patience: Patience) -> Result<String, AppError> {
        let _slot = self.slot(patience).await?;
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|err| AppError::internal(err.to_string()))
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Checks a password against a stored PHC string. Only ever on behalf
    /// of a caller from outside, so it waits briefly.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, AppError> {
        let _slot = self.slot(Patience::Bounded).await?;
        tokio::task::spawn_blocking(move || {
            let parsed =
                PasswordHash::new(&hash).map_err(|err| AppError::internal(err.to_string()))?;
            Ok(Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
        })
        .await
        .map_err(AppError::internal)?
    }
}

/// How long a hash may wait for a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Patience {
    /// For work anyone can trigger: a brief wait, then `RATE_LIMITED`.
    Bounded,
    /// For trusted callers (command line, demo data, tests).
    Unbounded,
}

/// A hash to verify against when the e-mail address is unknown, so that a
/// failed login takes as long whether or not the account exists.
pub fn decoy_hash() -> String {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(b"decoy password for unknown accounts", &salt)
                .map(|hash| hash.to_string())
                .unwrap_or_default()
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_length_bounds_count_characters() {
        assert!(validate_password("short", "password").is_err());
        assert!(validate_password(&"a".repeat(MIN_PASSWORD_CHARS), "password").is_ok());
        // Twelve kanji are twelve characters, though 36 bytes.
        assert!(validate_password("同窓会のパスワードです長い", "password").is_ok());
        assert!(validate_password(&"パ".repeat(MAX_PASSWORD_CHARS), "password").is_ok());
        let err = validate_password(&"a".repeat(MAX_PASSWORD_CHARS + 1), "password").unwrap_err();
        assert_eq!(err.field(), Some("password"));
    }

    #[tokio::test]
    async fn hashes_verify_only_their_password() {
        let hashing = PasswordHashing::sized_to_machine();
        let hash = hashing
            .hash("correct horse battery".into(), Patience::Bounded)
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            hashing
                .verify("correct horse battery".into(), hash.clone())
                .await
                .unwrap()
        );
        assert!(
            !hashing
                .verify("wrong horse battery".into(), hash)
                .await
                .unwrap()
        );
        assert!(
            !hashing
                .verify("anything".into(), decoy_hash())
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn callers_from_outside_wait_briefly_for_a_slot() {
        let hashing = PasswordHashing::new(1, Duration::from_millis(50));
        let busy = hashing.slot(Patience::Unbounded).await.unwrap();
        let refused = hashing
            .hash("correct horse battery".into(), Patience::Bounded)
            .await
            .unwrap_err();
        assert_eq!(refused.code(), "RATE_LIMITED");
        drop(busy);
        assert!(
            hashing
                .hash("correct horse battery".into(), Patience::Bounded)
                .await
                .is_ok()
        );
    }
}
