//! Codes and tokens sent by mail: verification codes of applicants'
//! addresses, codes confirming a new address, and password reset tokens.

use alumni_core::MemberId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::schema::membership::{
    applications, email_changes, email_verifications, members, password_resets,
};

/// A pending code: its hash, how often it was tried, when it ends.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = email_verifications)]
pub struct PendingCode {
    /// Whose.
    pub member_id: MemberId,
    /// SHA-256 of the code.
    pub code_hash: Vec<u8>,
    /// Wrong codes tried.
    pub attempts: i32,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Keeps a new code for the member, replacing an earlier one.
pub async fn replace_code(conn: &mut AsyncPgConnection, code: &PendingCode) -> QueryResult<()> {
    diesel::insert_into(email_verifications::table)
        .values(code)
        .on_conflict(email_verifications::member_id)
        .do_update()
        .set((
            email_verifications::code_hash.eq(excluded(email_verifications::code_hash)),
            email_verifications::attempts.eq(0),
            email_verifications::created_at.eq(excluded(email_verifications::created_at)),
            email_verifications::expires_at.eq(excluded(email_verifications::expires_at)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The member's pending code, locked.
pub async fn lock_code(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<Option<PendingCode>> {
    email_verifications::table
        .find(member)
        .select(PendingCode::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Counts a wrong try.
pub async fn count_attempt(conn: &mut AsyncPgConnection, member: MemberId) -> QueryResult<()> {
    diesel::update(email_verifications::table.find(member))
        .set(email_verifications::attempts.eq(email_verifications::attempts + 1))
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes the member's code (used, or the member left).
pub async fn delete_code(conn: &mut AsyncPgConnection, member: MemberId) -> QueryResult<()> {
    diesel::delete(email_verifications::table.find(member))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that the applicant verified the address applied with.
pub async fn mark_application_verified(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(applications::table.filter(applications::member_id.eq(member)))
        .set(applications::email_verified_at.eq(at))
        .execute(conn)
        .await?;
    Ok(())
}

/// Keeps a password reset token (its hash) for a member.
pub async fn insert_reset(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    member: MemberId,
    at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::token_hash.eq(token_hash),
            password_resets::member_id.eq(member),
            password_resets::created_at.eq(at),
            password_resets::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Uses a reset token: marks it used if it is live, returning its member;
/// `None` for a token unknown, used or expired.
pub async fn use_reset(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
    at: DateTime<Utc>,
) -> QueryResult<Option<MemberId>> {
    diesel::update(
        password_resets::table
            .find(token_hash)
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(at)),
    )
    .set(password_resets::used_at.eq(at))
    .returning(password_resets::member_id)
    .get_result(conn)
    .await
    .optional()
}

/// A pending change of address.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = email_changes)]
pub struct PendingEmailChange {
    /// Whose.
    pub member_id: MemberId,
    /// The address to change to.
    pub new_email: String,
    /// SHA-256 of the code mailed to it; `None` until it is mailed.
    pub code_hash: Option<Vec<u8>>,
    /// Wrong codes tried.
    pub attempts: i32,
    /// When it was asked for (or the code issued).
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Keeps a change of address, replacing an earlier one of the member.
pub async fn replace_email_change(
    conn: &mut AsyncPgConnection,
    change: &PendingEmailChange,
) -> QueryResult<()> {
    diesel::insert_into(email_changes::table)
        .values(change)
        .on_conflict(email_changes::member_id)
        .do_update()
        .set((
            email_changes::new_email.eq(excluded(email_changes::new_email)),
            email_changes::code_hash.eq(excluded(email_changes::code_hash)),
            email_changes::attempts.eq(0),
            email_changes::created_at.eq(excluded(email_changes::created_at)),
            email_changes::expires_at.eq(excluded(email_changes::expires_at)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The member's pending change of address, locked.
pub async fn lock_email_change(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<Option<PendingEmailChange>> {
    email_changes::table
        .find(member)
        .select(PendingEmailChange::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Counts a wrong code for the member's change of address.
pub async fn count_email_change_attempt(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<()> {
    diesel::update(email_changes::table.find(member))
        .set(email_changes::attempts.eq(email_changes::attempts + 1))
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes the member's pending change of address.
pub async fn delete_email_change(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<()> {
    diesel::delete(email_changes::table.find(member))
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets the member's address; a unique violation if another account has it.
pub async fn set_email(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    email: &str,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(members::table.find(member))
        .set((members::email.eq(email), members::updated_at.eq(at)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes codes and tokens that stopped working before `before`:
/// password reset tokens (used or not), verification codes and changes of
/// address. Returns how many rows went.
pub async fn purge_expired(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> QueryResult<usize> {
    let resets =
        diesel::delete(password_resets::table.filter(password_resets::expires_at.lt(before)))
            .execute(conn)
            .await?;
    let codes = diesel::delete(
        email_verifications::table.filter(email_verifications::expires_at.lt(before)),
    )
    .execute(conn)
    .await?;
    let changes = diesel::delete(email_changes::table.filter(email_changes::expires_at.lt(before)))
        .execute(conn)
        .await?;
    Ok(resets + codes + changes)
}

/// Removes every code, token and pending change of address of a leaving
/// member.
pub async fn forget_member(conn: &mut AsyncPgConnection, member: MemberId) -> QueryResult<()> {
    diesel::delete(password_resets::table.filter(password_resets::member_id.eq(member)))
        .execute(conn)
        .await?;
    delete_code(conn, member).await?;
    delete_email_change(conn, member).await
}
