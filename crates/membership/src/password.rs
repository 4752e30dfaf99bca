//! Password rules and argon2id hashing.
//!
//! Hashing uses argon2id with the library defaults (19 MiB, 2 passes, 1
//! lane; OWASP's recommended minimum). It runs on the blocking pool so that
//! a burst of logins cannot stall the async workers.

use std::sync::OnceLock;

use alumni_core::AppError;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};

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

/// Hashes a password into a PHC string.
pub async fn hash_password(password: String) -> Result<String, AppError> {
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

/// Checks a password against a stored PHC string.
pub async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(|err| AppError::internal(err.to_string()))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(AppError::internal)?
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
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify_password("correct horse battery".into(), hash.clone())
                .await
                .unwrap()
        );
        assert!(
            !verify_password("wrong horse battery".into(), hash)
                .await
                .unwrap()
        );
        assert!(
            !verify_password("anything".into(), decoy_hash())
                .await
                .unwrap()
        );
    }
}
