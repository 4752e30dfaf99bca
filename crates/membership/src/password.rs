//! Password rules and argon2id hashing.
//!
//! Hashing uses argon2id with the library defaults (19 MiB, 2 passes, 1
//! lane; OWASP's recommended minimum). It runs on the blocking pool so that
//! a burst of logins cannot stall the async workers, and under
//! [`PasswordHashing`]'s bound so that it cannot exhaust memory.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use alumni_core::AppError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{
    self, Output, ParamsString, PasswordHash, PasswordHasher as _, SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
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
/// gigabytes. At most `concurrency` hashes run at once, each in one of as
/// many reused work areas (freed argon2 memory would otherwise stay with
/// the allocator of whichever thread ran it). Work anyone can trigger waits
/// at most `queue_wait` for a slot, then answers `RATE_LIMITED`; trusted
/// work (the command line, demo data) waits its turn.
#[derive(Debug, Clone)]
pub struct PasswordHashing {
    slots: Arc<Semaphore>,
    work_areas: Arc<Mutex<Vec<Vec<Block>>>>,
    queue_wait: Duration,
}

impl PasswordHashing {
    /// At most `concurrency` hashes at once; callers from outside wait at
    /// most `queue_wait` for a slot.
    pub fn new(concurrency: usize, queue_wait: Duration) -> Self {
        Self {
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
            work_areas: Arc::default(),
            queue_wait,
        }
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

    /// Runs `work` on the blocking pool in a slot, with a reused work area.
    async fn run<T: Send + 'static>(
        &self,
        patience: Patience,
        work: impl FnOnce(&mut Vec<Block>) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let _slot = self.slot(patience).await?;
        let mut area = lock(&self.work_areas).pop().unwrap_or_default();
        let work_areas = self.work_areas.clone();
        tokio::task::spawn_blocking(move || {
            let outcome = work(&mut area);
            lock(&work_areas).push(area);
            outcome
        })
        .await
        .map_err(AppError::internal)?
    }

    /// Hashes a password into a PHC string (argon2id, the library's default
    /// parameters).
    pub async fn hash(&self, password: String, patience: Patience) -> Result<String, AppError> {
        self.run(patience, move |area| {
            hash_in(password.as_bytes(), area).map_err(|err| AppError::internal(err.to_string()))
        })
        .await
    }

    /// Checks a password against a stored PHC string. Only ever on behalf
    /// of a caller from outside, so it waits briefly.
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, AppError> {
        self.run(Patience::Bounded, move |area| {
            verify_in(password.as_bytes(), &hash, area)
                .map_err(|err| AppError::internal(err.to_string()))
        })
        .await
    }
}

fn lock(areas: &Mutex<Vec<Vec<Block>>>) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
    // The list stays valid whatever panicked while holding it.
    areas
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Computes argon2 of `password` with `params` into `out`, in `area`
/// (grown to the size the parameters need, then kept).
fn argon2_in(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    area: &mut Vec<Block>,
) -> Result<(), argon2::Error> {
    let blocks = params.block_count();
    if area.len() < blocks {
        area.resize(blocks, Block::default());
    }
    Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password,
        salt,
        out,
        &mut area[..blocks],
    )
}

fn hash_in(password: &[u8], area: &mut Vec<Block>) -> password_hash::Result<String> {
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buffer = [0_u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_buffer)?;
    let mut out = [0_u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_in(
        Algorithm::Argon2id,
        Version::V0x13,
        params.clone(),
        password,
        salt_bytes,
        &mut out,
        area,
    )?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out)?),
    };
    Ok(phc.to_string())
}

fn verify_in(password: &[u8], phc: &str, area: &mut Vec<Block>) -> password_hash::Result<bool> {
    let stored = PasswordHash::new(phc)?;
    let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else {
        return Err(password_hash::Error::PhcStringField);
    };
    let algorithm = Algorithm::try_from(stored.algorithm)?;
    let version = stored
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let params = Params::try_from(&stored)?;
    let mut salt_buffer = [0_u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buffer)?;
    let mut out = vec![0_u8; expected.len()];
    argon2_in(
        algorithm, version, params, password, salt_bytes, &mut out, area,
    )?;
    // `Output` compares in constant time.
    Ok(Output::new(&out)? == expected)
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
        let hashing = PasswordHashing::new(2, Duration::from_secs(5));
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
    async fn hashes_are_standard_phc_strings() {
        // A hash made by the library's own code verifies here, and ours there.
        let hashing = PasswordHashing::new(1, Duration::from_secs(5));
        let theirs = Argon2::default()
            .hash_password(b"correct horse battery", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        assert!(
            hashing
                .verify("correct horse battery".into(), theirs)
                .await
                .unwrap()
        );
        let ours = hashing
            .hash("correct horse battery".into(), Patience::Unbounded)
            .await
            .unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            argon2::PasswordVerifier::verify_password(
                &Argon2::default(),
                b"correct horse battery",
                &parsed
            )
            .is_ok()
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
