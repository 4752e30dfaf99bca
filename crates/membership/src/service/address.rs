//! Changing one's e-mail address: confirmed with the password, used only
//! once a code mailed to the new address has been entered, and announced
//! to the previous address.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::{AppError, AppResult, Caller, MemberId, Viewer, secrets};
use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};

use super::applications::{
    VERIFICATION_ALPHABET, VERIFICATION_ATTEMPTS, VERIFICATION_LENGTH, VERIFICATION_VALID,
};
use super::{MembershipService, conflict_on};
use crate::jobs::{self, EmailChanged};
use crate::model::validate_email;
use crate::password::decoy_hash;
use crate::store::accounts as store;
use crate::store::verification::{self, PendingEmailChange};

/// The daily purge keeps expired codes and tokens this long, so a late
/// try is told "expired" rather than "unknown".
const EXPIRED_CODES_KEPT: Duration = Duration::days(1);

/// The unique index on addresses, and what a clash means.
const ADDRESS_TAKEN: [(&str, &str); 1] =
    [("members_email_key", "another account uses this address")];

impl MembershipService {
    /// Starts changing the viewer's address to `new_email`: the password
    /// confirms it is them (a stolen session alone cannot move the
    /// account to another mailbox), and a code is mailed to the new
    /// address; nothing changes until `confirm_email_change` is given that
    /// code. A new request replaces an earlier one. One request a minute
    /// (`RATE_LIMITED`), and each client may try a password only as often
    /// as it may sign in; a wrong password is `UNAUTHENTICATED`.
    pub async fn request_email_change(
        &self,
        caller: &Caller,
        viewer: &Viewer,
        new_email: &str,
        password: &str,
    ) -> AppResult<()> {
        let member_id = viewer.identity()?.member_id;
        let new_email = validate_email(new_email, "newEmail")?;
        caller.spend_password_operation()?;
        self.guards.sign_ins.check(caller.client())?;
        let now = self.ctx.now();
        let (stored_hash, current) = {
            let mut conn = self.ctx.conn().await?;
            (
                store::password_hash_of(&mut conn, member_id).await?,
                store::email_of(&mut conn, member_id).await?,
            )
        };
        let has_password = stored_hash.is_some();
        let verified = self
            .guards
            .hashing
            .verify(password.to_owned(), stored_hash.unwrap_or_else(decoy_hash))
            .await?
            && has_password;
        if !verified {
            return Err(AppError::Unauthenticated(
                "the password is not right".into(),
            ));
        }
        if current.as_deref() == Some(new_email.as_str()) {
            return Err(AppError::bad_input(
                "newEmail",
                "this is already your address",
            ));
        }
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let minute = now.timestamp().div_euclid(60);
            let key = format!("email-change:{member_id}:{minute}");
            if !jobs::email_change_requested(conn, now, member_id, key).await? {
                return Err(AppError::RateLimited {
                    retry_after_seconds: 60,
                });
            }
            verification::replace_email_change(
                conn,
                &PendingEmailChange {
                    member_id,
                    new_email,
                    code_hash: None,
                    attempts: 0,
                    created_at: now,
                    expires_at: now + VERIFICATION_VALID,
                },
            )
            .await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.email_change_requested")
                    .by(member_id)
                    .on(member_id),
            )
            .await
        })
        .await
    }

    /// A fresh code for the member's pending change of address, with the
    /// new address and the member's name to mail it to; `None` when no
    /// change is pending. For the notification crate's job, inside its
    /// transaction (the code is mailed through the outbox in the same
    /// commit, and kept only hashed).
    pub async fn issue_email_change_code_in(
        &self,
        conn: &mut AsyncPgConnection,
        member_id: MemberId,
    ) -> AppResult<Option<(String, Option<String>, String)>> {
        let now = self.ctx.now();
        let Some(pending) = verification::lock_email_change(conn, member_id).await? else {
            return Ok(None);
        };
        let code = secrets::code(&VERIFICATION_ALPHABET, VERIFICATION_LENGTH)?;
        let new_email = pending.new_email.clone();
        verification::replace_email_change(
            conn,
            &PendingEmailChange {
                code_hash: Some(secrets::hash(&code)),
                attempts: 0,
                created_at: now,
                expires_at: now + VERIFICATION_VALID,
                ..pending
            },
        )
        .await?;
        let name = self
            .mail_recipients_in(conn, &[member_id])
            .await?
            .into_iter()
            .next()
            .and_then(|recipient| recipient.name);
        Ok(Some((new_email, name, code)))
    }

    /// Completes the viewer's change of address with the code mailed to
    /// the new address: from now on they sign in with it and mail goes
    /// there; the previous address is told. A wrong code counts; after
    /// five, or once it has expired, the change is dead (`BAD_USER_INPUT`
    /// on `code`; ask again). `CONFLICT` when another account took the
    /// address meanwhile. Returns the new address.
    pub async fn confirm_email_change(&self, viewer: &Viewer, code: &str) -> AppResult<String> {
        let member_id = viewer.identity()?.member_id;
        let now = self.ctx.now();
        let given = secrets::hash(code.trim());
        let mut conn = self.ctx.conn().await?;
        let outcome = conn
            .transaction(async |conn| {
                let Some(pending) = verification::lock_email_change(conn, member_id).await? else {
                    return Ok(Err("there is no change of address to confirm"));
                };
                let Some(code_hash) = &pending.code_hash else {
                    return Ok(Err("the code has not been sent yet; try again in a minute"));
                };
                if pending.expires_at <= now || pending.attempts >= VERIFICATION_ATTEMPTS {
                    return Ok(Err("this code has expired; ask for a new one"));
                }
                if *code_hash != given {
                    verification::count_email_change_attempt(conn, member_id).await?;
                    return Ok(Err("this is not the code we sent"));
                }
                let previous = store::email_of(conn, member_id).await?;
                verification::set_email(conn, member_id, &pending.new_email, now)
                    .await
                    .map_err(|error| conflict_on(error, &ADDRESS_TAKEN))?;
                verification::delete_email_change(conn, member_id).await?;
                audit::record(
                    conn,
                    now,
                    AuditEntry::new("membership.email_changed")
                        .by(member_id)
                        .on(member_id),
                )
                .await?;
                if let Some(previous_email) = previous {
                    jobs::email_changed(
                        conn,
                        now,
                        EmailChanged {
                            member_id,
                            previous_email,
                        },
                    )
                    .await?;
                }
                Ok::<_, AppError>(Ok(pending.new_email))
            })
            .await?;
        outcome.map_err(|message| AppError::bad_input("code", message))
    }

    /// The daily `membership.purge_expired_codes` job: removes password
    /// reset tokens, verification codes and changes of address that
    /// expired more than a day ago.
    pub async fn purge_expired_codes(&self) -> AppResult<usize> {
        let mut conn = self.ctx.conn().await?;
        let before: DateTime<Utc> = self.ctx.now() - EXPIRED_CODES_KEPT;
        Ok(verification::purge_expired(&mut conn, before).await?)
    }
}
