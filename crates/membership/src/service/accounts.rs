//! Accounts, sign-in and sessions.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::viewer::SessionRejection;
use alumni_core::{AppError, AppResult, Identity, MemberId, RoleSet, SessionId, Standing, Viewer};
use argon2::password_hash::rand_core::{OsRng, RngCore as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;

use super::{MembershipService, conflict_on, kana_field, sha256, text_field};
use crate::model::{
    MemberRecord, MemberStatus, NewMember, NewProfile, SessionRecord, normalize_email,
    validate_email,
};
use crate::password::{decoy_hash, hash_password, validate_password, verify_password};
use crate::store::accounts as store;
use crate::store::profiles;

/// Prefix of every session token, so leaked tokens are recognisable (for
/// secret scanners) and foreign strings are refused without a query.
pub const TOKEN_PREFIX: &str = "alm_";

/// Failed sign-ins for one address before further attempts are blocked.
pub const FAILURES_BEFORE_THROTTLE: i32 = 5;
/// Failures older than this are forgotten.
pub const FAILURE_MEMORY: Duration = Duration::hours(1);
/// The first block lasts this long; each further failure doubles it.
pub const FIRST_BLOCK: Duration = Duration::minutes(1);
/// No block lasts longer than this.
pub const LONGEST_BLOCK: Duration = Duration::hours(1);

/// Default session lifetime, in hours (30 days: members of a monthly
/// network should not have to sign in on every visit).
pub const DEFAULT_SESSION_TTL_HOURS: i64 = 720;

/// Tunables of accounts and sessions.
#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// How long a session lasts after sign-in.
    pub session_ttl: Duration,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            session_ttl: Duration::hours(DEFAULT_SESSION_TTL_HOURS),
        }
    }
}

/// A freshly issued session. The token is shown to the client once and
/// never stored.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    /// Bearer token for the `Authorization` header.
    pub token: String,
    /// The session.
    pub session_id: SessionId,
    /// Whose session it is.
    pub member_id: MemberId,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// E-mail address (normalised on the way in).
    pub email: String,
    /// Plain password, checked against the length rules.
    pub password: String,
    /// Initial roles.
    pub roles: RoleSet,
    /// The name to show, with its reading; creates the profile. Without
    /// it the member creates their profile later (`updateMyProfile`).
    pub name: Option<PersonName>,
}

/// A name as shown in the directory, with its reading in kana.
#[derive(Debug, Clone)]
pub struct PersonName {
    /// The name, e.g. 森 恵子.
    pub display_name: String,
    /// Its reading, e.g. もり けいこ.
    pub kana: String,
}

/// The unique constraint on e-mail addresses and what a clash means.
pub(super) const EMAIL_TAKEN: (&str, &str) = (
    "members_email_key",
    "an account with this e-mail address already exists",
);

impl MembershipService {
    /// Creates an active account. For trusted callers only (the command
    /// line, demo data, tests): it checks the input but not who asks.
    pub async fn create_account(&self, account: NewAccount) -> AppResult<MemberRecord> {
        let email = validate_email(&account.email, "email")?;
        validate_password(&account.password, "password")?;
        let name = account
            .name
            .as_ref()
            .map(|name| {
                Ok::<_, AppError>((
                    text_field(&name.display_name, "name", true, 100)?,
                    kana_field(&name.kana, "kana")?,
                ))
            })
            .transpose()?;
        let password_hash = hash_password(account.password).await?;
        let now = self.ctx.now();
        let new_member = NewMember {
            id: MemberId::new(),
            email: &email,
            password_hash: &password_hash,
            roles: account.roles.to_names(),
            created_at: now,
            updated_at: now,
            status: MemberStatus::Active,
        };
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::insert_members(conn, std::slice::from_ref(&new_member))
                .await
                .map_err(|err| conflict_on(err, &[EMAIL_TAKEN]))?;
            if let Some((display_name, kana)) = &name {
                profiles::insert_profiles(
                    conn,
                    &[NewProfile::new(
                        new_member.id,
                        display_name,
                        kana,
                        Vec::new(),
                        now,
                    )],
                )
                .await?;
            }
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.account_created")
                    .on(new_member.id)
                    .details(json!({ "roles": new_member.roles })),
            )
            .await
        })
        .await?;
        store::member_by_id(&mut conn, new_member.id)
            .await?
            .ok_or_else(|| AppError::internal("account vanished after insert"))
    }

    /// Signs in with e-mail and password and issues a session.
    ///
    /// Wrong credentials answer `UNAUTHENTICATED` with the same message and
    /// about the same delay whether or not the address has an account. After
    /// [`FAILURES_BEFORE_THROTTLE`] recent failures for an address, further
    /// attempts (right or wrong) answer `RATE_LIMITED` until the block ends.
    /// A suspended account, with the right password, answers `FORBIDDEN`.
    pub async fn login(&self, email: &str, password: &str) -> AppResult<IssuedSession> {
        let email = normalize_email(email);
        let email_hash = sha256(email.as_bytes());
        let now = self.ctx.now();

        // Look up, then release the connection before the deliberately slow
        // password check.
        let member = {
            let mut conn = self.ctx.conn().await?;
            if let Some(until) = store::login_blocked_until(&mut conn, &email_hash).await?
                && until > now
            {
                return Err(AppError::RateLimited {
                    retry_after_seconds: seconds_until(now, until),
                });
            }
            store::member_by_email(&mut conn, &email).await?
        };
        let stored_hash = member
            .as_ref()
            .and_then(|member| member.password_hash.clone())
            .unwrap_or_else(decoy_hash);
        let verified = verify_password(password.to_owned(), stored_hash).await? && member.is_some();

        let mut conn = self.ctx.conn().await?;
        let member = match member {
            Some(member) if verified => member,
            unverified => {
                let member_id = unverified.map(|member| member.id);
                record_login_failure(&mut conn, &email_hash, member_id, now).await?;
                return Err(AppError::Unauthenticated(
                    "invalid e-mail address or password".into(),
                ));
            }
        };
        if !member.status.may_sign_in() {
            return Err(AppError::Forbidden(
                "this account is suspended; contact the secretariat".into(),
            ));
        }

        let (issued, session) = self.new_session(member.id, now);
        conn.transaction(async |conn| {
            store::clear_login_failures(conn, &email_hash).await?;
            store::insert_session(conn, &session).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.login_succeeded")
                    .by(member.id)
                    .on(session.id),
            )
            .await
        })
        .await?;
        Ok(issued)
    }

    /// A new session for `member_id` starting `now`: the token for the
    /// client and the record to store.
    pub(super) fn new_session(
        &self,
        member_id: MemberId,
        now: DateTime<Utc>,
    ) -> (IssuedSession, SessionRecord) {
        let token = new_token();
        let record = SessionRecord {
            id: SessionId::new(),
            member_id,
            token_hash: sha256(token.as_bytes()),
            created_at: now,
            expires_at: now + self.settings.session_ttl,
            revoked_at: None,
        };
        let issued = IssuedSession {
            token,
            session_id: record.id,
            member_id,
            expires_at: record.expires_at,
        };
        (issued, record)
    }

    /// Issues a session without a password. For trusted callers only (demo
    /// data and tests).
    pub async fn issue_session(&self, member_id: MemberId) -> AppResult<IssuedSession> {
        let (issued, session) = self.new_session(member_id, self.ctx.now());
        let mut conn = self.ctx.conn().await?;
        store::insert_session(&mut conn, &session).await?;
        Ok(issued)
    }

    /// Resolves a bearer token to the viewer it stands for. Unknown, expired
    /// and revoked tokens give a [`Viewer::RejectedSession`], not an error:
    /// the request goes on, and anything needing a member says why not.
    pub async fn authenticate(&self, token: &str) -> AppResult<Viewer> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(Viewer::RejectedSession(SessionRejection::Unknown));
        }
        let mut conn = self.ctx.conn().await?;
        let Some(session) =
            store::session_by_token_hash(&mut conn, &sha256(token.as_bytes())).await?
        else {
            return Ok(Viewer::RejectedSession(SessionRejection::Unknown));
        };
        if session.revoked_at.is_some() || !session.status.may_sign_in() {
            return Ok(Viewer::RejectedSession(SessionRejection::Revoked));
        }
        if session.expires_at <= self.ctx.now() {
            return Ok(Viewer::RejectedSession(SessionRejection::Expired));
        }
        let names: Vec<&str> = session.roles.iter().flatten().map(String::as_str).collect();
        Ok(Viewer::Member(Identity {
            member_id: session.member_id,
            session_id: session.session_id,
            session_expires_at: session.expires_at,
            roles: RoleSet::from_names(&names).map_err(AppError::internal)?,
            standing: match session.status {
                MemberStatus::Applicant => Standing::Applicant,
                _ => Standing::Member,
            },
            terms_accepted: session.terms_accepted,
        }))
    }

    /// Ends the session the viewer is signed in with.
    pub async fn logout(&self, viewer: &Viewer) -> AppResult<()> {
        let identity = viewer.session()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::revoke_session(conn, identity.session_id, now).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.logout")
                    .by(identity.member_id)
                    .on(identity.session_id),
            )
            .await
        })
        .await
    }

    /// Ends every session of the viewer, this one included (for a lost
    /// device or a leaked token). Returns how many were ended.
    pub async fn revoke_all_my_sessions(&self, viewer: &Viewer) -> AppResult<usize> {
        let identity = viewer.session()?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let revoked = store::revoke_member_sessions(conn, identity.member_id, now).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.sessions_revoked")
                    .by(identity.member_id)
                    .on(identity.member_id)
                    .details(json!({ "count": revoked })),
            )
            .await?;
            Ok(revoked)
        })
        .await
    }

    /// Whether this member's account may be used (active or applicant; not
    /// suspended or withdrawn). For other domains' credentials that are not
    /// sessions, such as calendar feed tokens.
    pub async fn may_sign_in(&self, member_id: MemberId) -> AppResult<bool> {
        let mut conn = self.ctx.conn().await?;
        Ok(store::member_by_id(&mut conn, member_id)
            .await?
            .is_some_and(|member| member.status.may_sign_in()))
    }

    /// Whether the database holds no accounts yet.
    pub async fn is_empty(&self) -> AppResult<bool> {
        let mut conn = self.ctx.conn().await?;
        Ok(!store::any_member_exists(&mut conn).await?)
    }
}

/// Counts a failed sign-in, blocks the address once failures pile up, and
/// records the failure in the audit log.
async fn record_login_failure(
    conn: &mut AsyncPgConnection,
    email_hash: &[u8],
    member_id: Option<MemberId>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    conn.transaction(async |conn| {
        let failures =
            store::count_login_failure(conn, email_hash, now, now - FAILURE_MEMORY).await?;
        if failures >= FAILURES_BEFORE_THROTTLE {
            store::block_login(conn, email_hash, now + block_length(failures)).await?;
        }
        let mut entry = AuditEntry::new("membership.login_failed")
            .details(json!({ "recentFailures": failures }));
        if let Some(member_id) = member_id {
            entry = entry.on(member_id);
        }
        audit::record(conn, now, entry).await
    })
    .await
}

fn new_token() -> String {
    let mut bytes = [0_u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Length of the block after `failures` recent failures.
fn block_length(failures: i32) -> Duration {
    let doublings = u32::try_from(failures - FAILURES_BEFORE_THROTTLE)
        .unwrap_or(0)
        .min(16);
    (FIRST_BLOCK * 2_i32.pow(doublings)).min(LONGEST_BLOCK)
}

fn seconds_until(now: DateTime<Utc>, until: DateTime<Utc>) -> u64 {
    let millis = u64::try_from((until - now).num_milliseconds()).unwrap_or(0);
    millis.div_ceil(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_grow_then_cap() {
        assert_eq!(block_length(5), Duration::minutes(1));
        assert_eq!(block_length(6), Duration::minutes(2));
        assert_eq!(block_length(8), Duration::minutes(8));
        assert_eq!(block_length(40), LONGEST_BLOCK);
    }

    #[test]
    fn tokens_are_prefixed_and_unique() {
        let first = new_token();
        assert!(first.starts_with(TOKEN_PREFIX));
        assert_eq!(first.len(), TOKEN_PREFIX.len() + 43);
        assert_ne!(first, new_token());
    }

    #[test]
    fn retry_after_rounds_up() {
        let now = Utc::now();
        assert_eq!(seconds_until(now, now + Duration::milliseconds(1500)), 2);
        assert_eq!(seconds_until(now, now - Duration::seconds(5)), 0);
    }
}
