//! Accounts and sessions.

use alumni_core::{AppError, MemberId, RoleSet, SessionId};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::membership::{members, sessions};

alumni_core::text_enum! {
    /// Where an account stands.
    pub enum MemberStatus stored in "membership.members.status" {
        /// Applied; may sign in to follow the application, nothing more.
        Applicant = "APPLICANT",
        /// An approved member.
        Active = "ACTIVE",
        /// Suspended by the secretariat: cannot sign in.
        Suspended = "SUSPENDED",
        /// Left the network: personal data erased, cannot sign in.
        Withdrawn = "WITHDRAWN",
    }
}

impl MemberStatus {
    /// Whether an account in this status may sign in.
    pub fn may_sign_in(self) -> bool {
        matches!(self, MemberStatus::Applicant | MemberStatus::Active)
    }
}

/// A member's account as stored, without its password hash, which only
/// sign-in reads (see `store::accounts::credentials_by_email`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members)]
pub struct MemberRecord {
    /// Member id.
    pub id: MemberId,
    /// Normalised e-mail address; erased on withdrawal.
    pub email: Option<String>,
    /// Role names.
    pub roles: Vec<Option<String>>,
    /// Account creation time.
    pub created_at: DateTime<Utc>,
    /// Last change of the account.
    pub updated_at: DateTime<Utc>,
    /// Where the account stands.
    pub status: MemberStatus,
    /// Why it was suspended (secretariat only).
    pub status_reason: Option<String>,
}

impl MemberRecord {
    /// The member's roles. Names are constrained by the database, so an
    /// unknown one means the schema and the code disagree.
    pub fn role_set(&self) -> Result<RoleSet, AppError> {
        let names: Vec<&str> = self.roles.iter().flatten().map(String::as_str).collect();
        RoleSet::from_names(&names).map_err(AppError::internal)
    }
}

/// A new account.
#[derive(Debug, Insertable)]
#[diesel(table_name = members)]
pub struct NewMember<'a> {
    /// Member id.
    pub id: MemberId,
    /// Normalised e-mail address.
    pub email: &'a str,
    /// argon2id PHC string.
    pub password_hash: &'a str,
    /// Role names.
    pub roles: Vec<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Same as `created_at`.
    pub updated_at: DateTime<Utc>,
    /// Initial standing.
    pub status: MemberStatus,
}

/// A login session as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRecord {
    /// Session id.
    pub id: SessionId,
    /// Whose session it is.
    pub member_id: MemberId,
    /// SHA-256 of the bearer token.
    pub token_hash: Vec<u8>,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was ended early, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Longest e-mail address accepted (RFC 5321 path limit).
pub const MAX_EMAIL_LENGTH: usize = 254;

/// Trims and lower-cases an e-mail address, the form it is stored and
/// looked up in.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Normalises an e-mail address and checks its shape, refusing it as
/// `BAD_USER_INPUT` on `field`. Deliverability is not checked here.
pub fn validate_email(email: &str, field: &str) -> Result<String, AppError> {
    let email = normalize_email(email);
    let well_formed = email.len() <= MAX_EMAIL_LENGTH
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    if well_formed {
        Ok(email)
    } else {
        Err(AppError::bad_input(field, "not a valid e-mail address"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            validate_email("  Hanako.Sato@Example.JP ", "email").unwrap(),
            "hanako.sato@example.jp"
        );
        for bad in [
            "",
            "no-at-sign",
            "@example.jp",
            "a@b",
            "a b@example.jp",
            "a@b@example.jp",
        ] {
            let err = validate_email(bad, "email").unwrap_err();
            assert_eq!(err.field(), Some("email"), "{bad}");
        }
        let too_long = format!("{}@example.jp", "a".repeat(MAX_EMAIL_LENGTH));
        assert!(validate_email(&too_long, "email").is_err());
    }
}
