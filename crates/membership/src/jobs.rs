//! The jobs membership enqueues for the crates above it: membership cannot
//! name the notification crate (it sits below it), so it enqueues a job in
//! the transaction of the change, and the notification crate handles it
//! (see `alumni_core::jobs`).

use alumni_core::MemberId;
use alumni_core::jobs::{self, NewJob};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};

use crate::model::ApplicationId;

/// An application was approved or rejected: tell the applicant.
pub const APPLICATION_DECIDED: &str = "membership.application_decided";

/// The payload of [`APPLICATION_DECIDED`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ApplicationDecided {
    /// The application.
    pub application_id: ApplicationId,
    /// The applicant.
    pub member_id: MemberId,
    /// Approved (or rejected).
    pub approved: bool,
}

/// Enqueues [`APPLICATION_DECIDED`] in the caller's transaction.
pub(crate) async fn application_decided(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    decided: ApplicationDecided,
) -> alumni_core::AppResult<()> {
    let key = decided.application_id.to_string();
    jobs::enqueue(
        conn,
        now,
        NewJob::new(APPLICATION_DECIDED, decided).key(key),
    )
    .await?;
    Ok(())
}

/// An applicant needs a verification code for the address applied with:
/// the notification crate asks for a fresh code
/// (`MembershipService::issue_verification_code_in`) and mails it, so the
/// code itself is never stored in the queue.
pub const VERIFICATION_REQUESTED: &str = "membership.verification_requested";

/// The payload of [`VERIFICATION_REQUESTED`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct VerificationRequested {
    /// The applicant.
    pub member_id: MemberId,
}

/// Enqueues [`VERIFICATION_REQUESTED`] in the caller's transaction, once
/// per `key` if one is given; returns whether it was enqueued.
pub(crate) async fn verification_requested(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    member_id: MemberId,
    key: Option<String>,
) -> alumni_core::AppResult<bool> {
    let mut job = NewJob::new(VERIFICATION_REQUESTED, VerificationRequested { member_id });
    if let Some(key) = key {
        job = job.key(key);
    }
    jobs::enqueue(conn, now, job).await
}

/// A member asked to reset their password: the notification crate asks
/// for a fresh token (`MembershipService::issue_password_reset_in`) and
/// mails the link, so the token is never stored in the queue.
pub const PASSWORD_RESET_REQUESTED: &str = "membership.password_reset_requested";

/// The payload of [`PASSWORD_RESET_REQUESTED`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct PasswordResetRequested {
    /// The member.
    pub member_id: MemberId,
}

/// Enqueues [`PASSWORD_RESET_REQUESTED`] in the caller's transaction, once
/// per `key`.
pub(crate) async fn password_reset_requested(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    member_id: MemberId,
    key: String,
) -> alumni_core::AppResult<bool> {
    let job = NewJob::new(
        PASSWORD_RESET_REQUESTED,
        PasswordResetRequested { member_id },
    )
    .key(key);
    jobs::enqueue(conn, now, job).await
}

/// A member asked to change their address: the notification crate asks
/// for a fresh code (`MembershipService::issue_email_change_code_in`) and
/// mails it to the new address.
pub const EMAIL_CHANGE_REQUESTED: &str = "membership.email_change_requested";

/// The payload of [`EMAIL_CHANGE_REQUESTED`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct EmailChangeRequested {
    /// The member.
    pub member_id: MemberId,
}

/// Enqueues [`EMAIL_CHANGE_REQUESTED`] in the caller's transaction, once
/// per `key`; returns whether it was enqueued.
pub(crate) async fn email_change_requested(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    member_id: MemberId,
    key: String,
) -> alumni_core::AppResult<bool> {
    let job = NewJob::new(EMAIL_CHANGE_REQUESTED, EmailChangeRequested { member_id }).key(key);
    jobs::enqueue(conn, now, job).await
}

/// A member's address changed: the notification crate tells the previous
/// address, so a change the owner did not make does not go unnoticed.
pub const EMAIL_CHANGED: &str = "membership.email_changed";

/// The payload of [`EMAIL_CHANGED`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmailChanged {
    /// The member.
    pub member_id: MemberId,
    /// The address before the change.
    pub previous_email: String,
}

/// Enqueues [`EMAIL_CHANGED`] in the caller's transaction.
pub(crate) async fn email_changed(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    changed: EmailChanged,
) -> alumni_core::AppResult<()> {
    jobs::enqueue(conn, now, NewJob::new(EMAIL_CHANGED, changed)).await?;
    Ok(())
}

/// The daily job that removes expired reset tokens and codes.
pub const PURGE_EXPIRED_CODES: &str = "membership.purge_expired_codes";
