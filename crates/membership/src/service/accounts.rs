//! Accounts, sign-in and sessions.

use std::collections::HashMap;
use std::num::NonZeroU32;

use alumni_core::audit::{self, AuditEntry};
use alumni_core::client::PerClientLimit;
use alumni_core::secrets::{self, ExposeSecret as _, SecretString};
use alumni_core::viewer::SessionRejection;
use alumni_core::{
    AppError, AppResult, Caller, Identity, MemberId, RoleSet, SessionId, Standing, Viewer,
};
use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;

use super::{MembershipService, conflict_on, kana_field, text_field};
use crate::jobs;
use crate::model::{
    MemberRecord, MemberStatus, NewMember, NewProfile, SessionRecord, normalize_email,
    validate_email,
};
use crate::password::{PasswordHashing, Patience, decoy_hash, validate_password};
use crate::rules::{self, ATTEMPTS_PER_ADDRESS, ATTEMPTS_PER_ADDRESS_AND_CLIENT, AttemptCount};
use crate::store::accounts::{self as store, SessionAccount};
use crate::store::profiles;
use crate::store::verification;

/// Prefix of every session token, so leaked tokens are recognisable (for
/// secret scanners) and foreign strings are refused without a query.
pub const TOKEN_PREFIX: &str = "alm_";

/// Default session lifetime, in hours (30 days: members of a monthly
/// network should not have to sign in on every visit).
pub const DEFAULT_SESSION_TTL_HOURS: i64 = 720;

/// Hashes at once by default: one per CPU, but no more than this, since each
/// slot keeps its 19 MiB work area.
const MAX_DEFAULT_HASHING_CONCURRENCY: usize = 8;

/// Tunables of accounts and sessions, and of the limits on what anonymous
/// callers can make the server do.
#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// How long a session lasts after sign-in.
    pub session_ttl: Duration,
    /// Password hashes run at once; more wait (see [`PasswordHashing`]).
    pub password_hashing_concurrency: usize,
    /// Longest a sign-in or application waits for a hashing slot before
    /// `RATE_LIMITED`.
    pub password_queue_wait: std::time::Duration,
    /// Sign-in attempts per client address: this many at once, refilled
    /// over a minute.
    pub sign_ins_per_client_per_minute: NonZeroU32,
    /// Membership applications per client address: this many at once,
    /// refilled over an hour.
    pub applications_per_client_per_hour: NonZeroU32,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            session_ttl: Duration::hours(DEFAULT_SESSION_TTL_HOURS),
            password_hashing_concurrency: std::thread::available_parallelism()
                .map_or(1, usize::from)
                .min(MAX_DEFAULT_HASHING_CONCURRENCY),
            password_queue_wait: std::time::Duration::from_secs(2),
            sign_ins_per_client_per_minute: NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN),
            applications_per_client_per_hour: NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN),
        }
    }
}

/// What bounds the work anonymous callers can cause, built once from the
/// settings and shared by every clone of the service.
#[derive(Debug)]
pub(super) struct AbuseGuards {
    pub(super) hashing: PasswordHashing,
    pub(super) sign_ins: PerClientLimit,
    pub(super) applications: PerClientLimit,
}

impl AbuseGuards {
    pub(super) fn new(settings: &AccountSettings) -> Self {
        Self {
            hashing: PasswordHashing::new(
                settings.password_hashing_concurrency,
                settings.password_queue_wait,
            ),
            sign_ins: PerClientLimit::new(
                settings.sign_ins_per_client_per_minute,
                std::time::Duration::from_secs(60),
            ),
            applications: PerClientLimit::new(
                settings.applications_per_client_per_hour,
                std::time::Duration::from_secs(3600),
            ),
        }
    }
}

/// A freshly issued session. The token is shown to the client once and
/// never stored.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    /// Bearer token for the `Authorization` header.
    pub token: SecretString,
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
        let password_hash = self
            .guards
            .hashing
            .hash(account.password, Patience::Unbounded)
            .await?;
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
    /// about the same delay whether or not the address has an account.
    /// Before the password is checked, the attempt is counted (see
    /// [`rules::reserve_attempt`]) under the address with the caller's
    /// client address, and under the address alone; once either count is
    /// used up, attempts (right or wrong) answer `RATE_LIMITED` until the
    /// block ends, unchecked. A request checks at most one password, and
    /// each client may only try so many sign-ins a minute. A suspended
    /// account, with the right password, answers `FORBIDDEN`.
    pub async fn login(
        &self,
        caller: &Caller,
        email: &str,
        password: &str,
    ) -> AppResult<IssuedSession> {
        caller.spend_password_operation()?;
        self.guards.sign_ins.check(caller.client())?;
        let email = normalize_email(email);
        let address_hash = secrets::hash(&email);
        let address_key = secrets::hash(&format!("address\n{email}"));
        let client_key = secrets::hash(&format!(
            "address-client\n{email}\n{}",
            caller.client().limit_key()
        ));
        let now = self.ctx.now();

        // Counted and looked up, then the connection is released before
        // the deliberately slow password check.
        let (credentials, attempts) = {
            let mut conn = self.ctx.conn().await?;
            conn.transaction(async |conn| {
                let keys = [
                    (&client_key, ATTEMPTS_PER_ADDRESS_AND_CLIENT),
                    (&address_key, ATTEMPTS_PER_ADDRESS),
                ];
                let counts = reserve_sign_in(conn, &address_hash, &keys, now).await?;
                let credentials = store::credentials_by_email(conn, &email).await?;
                Ok::<_, AppError>((credentials, counts[0].attempts))
            })
            .await?
        };
        let (member, stored_hash) =
            credentials.map_or((None, None), |(member, hash)| (Some(member), hash));
        let stored_hash = stored_hash.unwrap_or_else(decoy_hash);
        let verified = self
            .guards
            .hashing
            .verify(password.to_owned(), stored_hash)
            .await?
            && member.is_some();

        let mut conn = self.ctx.conn().await?;
        let member = match member {
            Some(member) if verified => member,
            unverified => {
                let mut entry = AuditEntry::new("membership.login_failed")
                    .details(json!({ "recentAttemptsFromClient": attempts }));
                if let Some(member) = unverified {
                    entry = entry.on(member.id);
                }
                audit::record(&mut conn, now, entry).await?;
                return Err(AppError::Unauthenticated(
                    "invalid e-mail address or password".into(),
                ));
            }
        };
        if !member.status.may_sign_in() {
            return Err(AppError::forbidden(
                "this account is suspended; contact the secretariat",
            ));
        }

        let (issued, session) = self.new_session(member.id, now)?;
        conn.transaction(async |conn| {
            store::clear_sign_in_attempts(conn, &client_key).await?;
            store::insert_session(conn, &session).await?;
            store::mark_seen(conn, member.id, now, LAST_SEEN_PRECISION).await?;
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
    ) -> AppResult<(IssuedSession, SessionRecord)> {
        let token = secrets::token(TOKEN_PREFIX)?;
        let record = SessionRecord {
            id: SessionId::new(),
            member_id,
            token_hash: secrets::hash(token.expose_secret()),
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
        Ok((issued, record))
    }

    /// Issues a session without a password. For trusted callers only (demo
    /// data and tests).
    pub async fn issue_session(&self, member_id: MemberId) -> AppResult<IssuedSession> {
        let now = self.ctx.now();
        let (issued, session) = self.new_session(member_id, now)?;
        let mut conn = self.ctx.conn().await?;
        store::insert_session(&mut conn, &session).await?;
        store::mark_seen(&mut conn, member_id, now, LAST_SEEN_PRECISION).await?;
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
        let session = store::session_by_token_hash(&mut conn, &secrets::hash(token)).await?;
        let Some(session) = session else {
            return Ok(Viewer::RejectedSession(SessionRejection::Unknown));
        };
        let now = self.ctx.now();
        let stale = session
            .last_seen_at
            .is_none_or(|seen| seen <= now - LAST_SEEN_PRECISION);
        let viewer = self.viewer_of(session)?;
        if stale && let Viewer::Member(identity) = &viewer {
            store::mark_seen(&mut conn, identity.member_id, now, LAST_SEEN_PRECISION).await?;
        }
        Ok(viewer)
    }

    /// The viewers the given sessions stand for now, in one statement: for
    /// re-checking long-lived connections, whose sessions may have ended or
    /// whose members' roles or standing may have changed since they were
    /// opened. A session that no longer exists is `Unknown`.
    pub async fn current_viewers(
        &self,
        sessions: &[SessionId],
    ) -> AppResult<HashMap<SessionId, Viewer>> {
        let mut conn = self.ctx.conn().await?;
        let found = store::sessions_by_ids(&mut conn, sessions).await?;
        let mut viewers = sessions
            .iter()
            .map(|id| (*id, Viewer::RejectedSession(SessionRejection::Unknown)))
            .collect::<HashMap<_, _>>();
        for session in found {
            viewers.insert(session.session_id, self.viewer_of(session)?);
        }
        Ok(viewers)
    }

    /// The viewer a stored session stands for at this moment.
    fn viewer_of(&self, session: SessionAccount) -> AppResult<Viewer> {
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
    /// device or a leaked token), on the caller's connection: "sign out
    /// everywhere" ends other domains' credentials in the same transaction.
    /// Returns how many were ended.
    pub async fn revoke_all_sessions_in(
        &self,
        conn: &mut AsyncPgConnection,
        viewer: &Viewer,
    ) -> AppResult<usize> {
        let identity = viewer.session()?;
        let now = self.ctx.now();
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
    /// sessions, such as calendar feed tokens; runs on the caller's
    /// connection, inside whatever it is doing.
    pub async fn may_sign_in(
        &self,
        conn: &mut AsyncPgConnection,
        member_id: MemberId,
    ) -> AppResult<bool> {
        Ok(store::member_by_id(conn, member_id)
            .await?
            .is_some_and(|member| member.status.may_sign_in()))
    }

    /// Asks for a password reset mail to `email`. Always answers alike,
    /// whether or not the address has an account (the mail goes out only
    /// to an active member's address); each client may ask only as often
    /// as it may sign in, and each member gets at most one mail in a
    /// quarter of an hour, so nobody can flood a member's inbox.
    pub async fn request_password_reset(&self, caller: &Caller, email: &str) -> AppResult<()> {
        self.guards.sign_ins.check(caller.client())?;
        let email = normalize_email(email);
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let Some(member) = store::member_by_email(&mut conn, &email).await? else {
            return Ok(());
        };
        if member.status != MemberStatus::Active {
            return Ok(());
        }
        let quarter_hour = now.timestamp().div_euclid(15 * 60);
        let key = format!("reset:{}:{quarter_hour}", member.id);
        jobs::password_reset_requested(&mut conn, now, member.id, key).await?;
        Ok(())
    }

    /// A fresh password reset token for an active member, with the address
    /// to mail it to; `None` for anyone else. For the notification crate's
    /// job, inside its transaction (the token is mailed through the outbox
    /// in the same commit, and kept only hashed).
    pub async fn issue_password_reset_in(
        &self,
        conn: &mut AsyncPgConnection,
        member_id: MemberId,
    ) -> AppResult<Option<(String, SecretString)>> {
        let now = self.ctx.now();
        let Some(member) = store::member_by_id(conn, member_id).await? else {
            return Ok(None);
        };
        let (MemberStatus::Active, Some(email)) = (member.status, member.email) else {
            return Ok(None);
        };
        let token = secrets::token("reset_")?;
        let hash = secrets::hash(token.expose_secret());
        verification::insert_reset(conn, &hash, member_id, now, now + PASSWORD_RESET_VALID).await?;
        Ok(Some((email, token)))
    }

    /// Sets a new password with a token from a reset mail: single use,
    /// valid an hour. Every session of the member ends (sign in again). An
    /// unknown, used or expired token answers `BAD_USER_INPUT` on `token`.
    pub async fn reset_password(
        &self,
        caller: &Caller,
        token: &str,
        new_password: &str,
    ) -> AppResult<()> {
        caller.spend_password_operation()?;
        self.guards.sign_ins.check(caller.client())?;
        validate_password(new_password, "newPassword")?;
        let password_hash = self
            .guards
            .hashing
            .hash(new_password.to_owned(), Patience::Bounded)
            .await?;
        let hash = secrets::hash(token.trim());
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let member_id = verification::use_reset(conn, &hash, now)
                .await?
                .ok_or_else(|| {
                    AppError::bad_input(
                        "token",
                        "this link is unknown, used or expired; ask for a new one",
                    )
                })?;
            store::set_password_hash(conn, member_id, &password_hash, now).await?;
            let ended = store::revoke_member_sessions(conn, member_id, now).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.password_reset")
                    .by(member_id)
                    .on(member_id)
                    .details(json!({ "sessionsEnded": ended })),
            )
            .await
        })
        .await
    }

    /// Hashes a password for a trusted caller (demo data), waiting for a
    /// hashing slot as long as it takes.
    pub async fn hash_password_trusted(&self, password: &str) -> AppResult<String> {
        self.guards
            .hashing
            .hash(password.to_owned(), Patience::Unbounded)
            .await
    }

    /// Whether the database holds no accounts yet.
    pub async fn is_empty(&self) -> AppResult<bool> {
        let mut conn = self.ctx.conn().await?;
        Ok(!store::any_member_exists(&mut conn).await?)
    }
}

/// How precisely a member's last visit is kept: a request writes it only
/// when the time kept is older, so at most one write per member and hour.
const LAST_SEEN_PRECISION: Duration = Duration::hours(1);

/// How long a password reset link works.
const PASSWORD_RESET_VALID: Duration = Duration::hours(1);

/// Counts a sign-in attempt under each key (with its limit) before the
/// password is checked, or refuses it unchecked while a key is blocked.
/// Returns the counts now stored, in the order of `keys`.
async fn reserve_sign_in(
    conn: &mut AsyncPgConnection,
    address_hash: &[u8],
    keys: &[(&Vec<u8>, i32)],
    now: DateTime<Utc>,
) -> AppResult<Vec<AttemptCount>> {
    let wanted: Vec<Vec<u8>> = keys.iter().map(|(key, _)| (*key).clone()).collect();
    let locked = store::lock_sign_in_attempts(conn, address_hash, &wanted, now).await?;
    let counts: Vec<(AttemptCount, i32)> = keys
        .iter()
        .map(|(key, limit)| {
            let count = locked
                .iter()
                .find(|(locked_key, _)| locked_key == *key)
                .map_or_else(|| AttemptCount::none(now), |(_, count)| *count);
            (count, *limit)
        })
        .collect();
    let reserved = rules::reserve_attempt(&counts, now).map_err(|retry_after_seconds| {
        AppError::RateLimited {
            retry_after_seconds,
        }
    })?;
    for ((key, _), count) in keys.iter().zip(&reserved) {
        store::store_sign_in_attempts(conn, key, count).await?;
    }
    Ok(reserved)
}
