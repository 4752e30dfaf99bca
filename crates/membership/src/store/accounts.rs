//! Accounts, sessions and sign-in throttling.

use alumni_core::{MemberId, SessionId};
use chrono::{DateTime, Utc};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{MemberRecord, MemberStatus, NewMember, SessionRecord};
use crate::rules::AttemptCount;
use crate::schema::membership::{consents, members, sessions, sign_in_attempts, terms_versions};

/// Inserts accounts.
pub async fn insert_members(
    conn: &mut AsyncPgConnection,
    new_members: &[NewMember<'_>],
) -> QueryResult<()> {
    diesel::insert_into(members::table)
        .values(new_members)
        .execute(conn)
        .await?;
    Ok(())
}

/// Creates an account unless its e-mail address is taken, in one
/// statement (`ON CONFLICT DO NOTHING`), so that two racing for an address
/// cannot both create it. Returns whether it was created.
pub async fn insert_member_unless_email_taken(
    conn: &mut AsyncPgConnection,
    new_member: &NewMember<'_>,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(members::table)
        .values(new_member)
        .on_conflict(members::email)
        .do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

/// The account with this (normalised) e-mail address.
pub async fn member_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> QueryResult<Option<MemberRecord>> {
    members::table
        .filter(members::email.eq(email))
        .select(MemberRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// The account with this address and its password hash (argon2id PHC
/// string; `None` once erased), for signing in: the one place a hash
/// leaves the database.
pub async fn credentials_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> QueryResult<Option<(MemberRecord, Option<String>)>> {
    members::table
        .filter(members::email.eq(email))
        .select((MemberRecord::as_select(), members::password_hash))
        .first(conn)
        .await
        .optional()
}

/// The password hash of the account with this id.
pub async fn password_hash_of(
    conn: &mut AsyncPgConnection,
    id: MemberId,
) -> QueryResult<Option<String>> {
    members::table
        .find(id)
        .select(members::password_hash)
        .first(conn)
        .await
        .optional()
        .map(Option::flatten)
}

/// The account with this id.
pub async fn member_by_id(
    conn: &mut AsyncPgConnection,
    id: MemberId,
) -> QueryResult<Option<MemberRecord>> {
    members::table
        .find(id)
        .select(MemberRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// Locks the account row for the rest of the transaction, so that status
/// and role changes on one member apply one at a time.
pub async fn lock_member(
    conn: &mut AsyncPgConnection,
    id: MemberId,
) -> QueryResult<Option<MemberRecord>> {
    members::table
        .find(id)
        .select(MemberRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Sets an account's status (and the reason, for suspensions).
pub async fn set_status(
    conn: &mut AsyncPgConnection,
    id: MemberId,
    status: MemberStatus,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(members::table.find(id))
        .set((
            members::status.eq(status),
            members::status_reason.eq(reason),
            members::updated_at.eq(at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces an account's roles.
pub async fn set_roles(
    conn: &mut AsyncPgConnection,
    id: MemberId,
    roles: &[String],
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(members::table.find(id))
        .set((members::roles.eq(roles), members::updated_at.eq(at)))
        .execute(conn)
        .await?;
    Ok(())
}

/// How many active accounts hold a role.
pub async fn count_active_with_role(conn: &mut AsyncPgConnection, role: &str) -> QueryResult<i64> {
    members::table
        .filter(members::status.eq(MemberStatus::Active))
        .filter(members::roles.contains(vec![Some(role.to_owned())]))
        .count()
        .get_result(conn)
        .await
}

/// Erases an account's credentials and roles and marks it withdrawn; the
/// row stays, since other domains refer to it.
pub async fn erase_member(
    conn: &mut AsyncPgConnection,
    id: MemberId,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(members::table.find(id))
        .set((
            members::email.eq(None::<String>),
            members::password_hash.eq(None::<String>),
            members::roles.eq(Vec::<String>::new()),
            members::status.eq(MemberStatus::Withdrawn),
            members::status_reason.eq(None::<String>),
            members::last_seen_at.eq(None::<DateTime<Utc>>),
            members::updated_at.eq(at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A member's sessions, newest first (for their data export).
pub async fn sessions_of(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
) -> QueryResult<Vec<SessionRecord>> {
    sessions::table
        .filter(sessions::member_id.eq(member_id))
        .order(sessions::created_at.desc())
        .select(SessionRecord::as_select())
        .load(conn)
        .await
}

/// Whether any account exists (an empty database gets demo data).
pub async fn any_member_exists(conn: &mut AsyncPgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(members::table.select(members::id)))
        .get_result(conn)
        .await
}

/// Whether any account's e-mail address does not match `email_like` (a
/// `LIKE` pattern); withdrawn accounts, which have no address, count.
pub async fn any_member_not_like(
    conn: &mut AsyncPgConnection,
    email_like: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        members::table
            .filter(
                members::email
                    .is_null()
                    .or(members::email.not_like(email_like.to_owned())),
            )
            .select(members::id),
    ))
    .get_result(conn)
    .await
}

/// How many accounts have an e-mail address matching `email_like`.
pub async fn count_members_like(
    conn: &mut AsyncPgConnection,
    email_like: &str,
) -> QueryResult<i64> {
    members::table
        .filter(members::email.like(email_like.to_owned()))
        .count()
        .get_result(conn)
        .await
}

/// Records a session.
pub async fn insert_session(
    conn: &mut AsyncPgConnection,
    session: &SessionRecord,
) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(session)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records many sessions at once (the demo's history of sign-ins).
pub async fn insert_sessions(
    conn: &mut AsyncPgConnection,
    records: &[SessionRecord],
) -> QueryResult<()> {
    // Six parameters a row, well under PostgreSQL's 65,535 a statement.
    for chunk in records.chunks(5000) {
        diesel::insert_into(sessions::table)
            .values(chunk)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A session with what authentication needs to know of its account.
#[derive(Debug, Queryable)]
pub struct SessionAccount {
    /// The session.
    pub session_id: SessionId,
    /// Whose session.
    pub member_id: MemberId,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
    /// When it was ended, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The account's roles.
    pub roles: Vec<Option<String>>,
    /// The account's status.
    pub status: MemberStatus,
    /// Whether the account accepted the newest terms (true while none are
    /// published).
    pub terms_accepted: bool,
    /// When the member was last seen, to the hour.
    pub last_seen_at: Option<DateTime<Utc>>,
}

/// The columns of [`SessionAccount`], to select from sessions joined to
/// members. A macro because the expression's type (with its subqueries)
/// is not worth spelling out; built with diesel rather than as SQL text so
/// that the statement is prepared once per connection (it runs on every
/// authenticated request).
macro_rules! session_account_columns {
    () => {{
        let current_terms = || {
            terms_versions::table
                .select(terms_versions::id)
                .order((
                    terms_versions::published_at.desc(),
                    terms_versions::id.desc(),
                ))
                .limit(1)
                .single_value()
        };
        let accepted_current = exists(
            consents::table
                .filter(consents::member_id.eq(sessions::member_id))
                .filter(consents::terms_version_id.nullable().eq(current_terms())),
        );
        (
            sessions::id,
            sessions::member_id,
            sessions::expires_at,
            sessions::revoked_at,
            members::roles,
            members::status,
            current_terms().is_null().or(accepted_current),
            members::last_seen_at,
        )
    }};
}

/// The session with this token hash and its account, in one statement.
pub async fn session_by_token_hash(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<SessionAccount>> {
    sessions::table
        .inner_join(members::table)
        .filter(sessions::token_hash.eq(token_hash))
        .select(session_account_columns!())
        .get_result(conn)
        .await
        .optional()
}

/// Sessions by id with their accounts, in one statement (for re-checking
/// every open WebSocket connection at once).
pub async fn sessions_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[SessionId],
) -> QueryResult<Vec<SessionAccount>> {
    sessions::table
        .inner_join(members::table)
        .filter(sessions::id.eq_any(ids))
        .select(session_account_columns!())
        .load(conn)
        .await
}

/// Records that the member used the network at `at`, unless a time within
/// `precision` before it is already kept (so concurrent requests write
/// once).
pub async fn mark_seen(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    at: DateTime<Utc>,
    precision: chrono::TimeDelta,
) -> QueryResult<()> {
    diesel::update(members::table.find(member))
        .filter(
            members::last_seen_at
                .is_null()
                .or(members::last_seen_at.le(at - precision)),
        )
        .set(members::last_seen_at.eq(at))
        .execute(conn)
        .await?;
    Ok(())
}

/// When the member was last seen, to the hour.
pub async fn last_seen_of(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<Option<DateTime<Utc>>> {
    members::table
        .find(member)
        .select(members::last_seen_at)
        .first(conn)
        .await
}

/// Ends one session; returns whether it was live.
pub async fn revoke_session(
    conn: &mut AsyncPgConnection,
    id: SessionId,
    at: DateTime<Utc>,
) -> QueryResult<bool> {
    let updated = diesel::update(sessions::table)
        .filter(sessions::id.eq(id))
        .filter(sessions::revoked_at.is_null())
        .set(sessions::revoked_at.eq(at))
        .execute(conn)
        .await?;
    Ok(updated > 0)
}

/// Ends every live session of a member; returns how many were ended.
pub async fn revoke_member_sessions(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    diesel::update(sessions::table)
        .filter(sessions::member_id.eq(member_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(at))
        .set(sessions::revoked_at.eq(at))
        .execute(conn)
        .await
}

/// The attempt counts under `keys`, locked for the rest of the
/// transaction, so that concurrent attempts are counted one after another.
/// Missing keys are created with nothing counted first, so every key has a
/// row to lock; keys are taken in sorted order, so that two reservations
/// sharing keys cannot deadlock.
pub async fn lock_sign_in_attempts(
    conn: &mut AsyncPgConnection,
    address_hash: &[u8],
    keys: &[Vec<u8>],
    now: DateTime<Utc>,
) -> QueryResult<Vec<(Vec<u8>, AttemptCount)>> {
    let mut sorted = keys.to_vec();
    sorted.sort();
    let fresh: Vec<_> = sorted
        .iter()
        .map(|key| {
            (
                sign_in_attempts::key.eq(key),
                sign_in_attempts::address_hash.eq(address_hash),
                sign_in_attempts::attempts.eq(0),
                sign_in_attempts::last_attempt_at.eq(now),
            )
        })
        .collect();
    diesel::insert_into(sign_in_attempts::table)
        .values(fresh)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    let rows: Vec<AttemptRow> = sign_in_attempts::table
        .filter(sign_in_attempts::key.eq_any(&sorted))
        .order(sign_in_attempts::key)
        .select(AttemptRow::as_select())
        .for_update()
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            (
                row.key,
                AttemptCount {
                    attempts: row.attempts,
                    last_attempt_at: row.last_attempt_at,
                    blocked_until: row.blocked_until,
                },
            )
        })
        .collect())
}

/// The count under one key, as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = sign_in_attempts, check_for_backend(diesel::pg::Pg))]
struct AttemptRow {
    key: Vec<u8>,
    attempts: i32,
    last_attempt_at: DateTime<Utc>,
    blocked_until: Option<DateTime<Utc>>,
}

/// Stores the attempt count under `key`.
pub async fn store_sign_in_attempts(
    conn: &mut AsyncPgConnection,
    key: &[u8],
    count: &AttemptCount,
) -> QueryResult<()> {
    diesel::update(sign_in_attempts::table.find(key))
        .set((
            sign_in_attempts::attempts.eq(count.attempts),
            sign_in_attempts::last_attempt_at.eq(count.last_attempt_at),
            sign_in_attempts::blocked_until.eq(count.blocked_until),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets every attempt count of an e-mail address (when its member
/// leaves).
pub async fn forget_sign_in_attempts(
    conn: &mut AsyncPgConnection,
    address_hash: &[u8],
) -> QueryResult<()> {
    diesel::delete(sign_in_attempts::table)
        .filter(sign_in_attempts::address_hash.eq(address_hash))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets the attempts under `key` (after a successful sign-in).
pub async fn clear_sign_in_attempts(conn: &mut AsyncPgConnection, key: &[u8]) -> QueryResult<()> {
    diesel::delete(sign_in_attempts::table.find(key))
        .execute(conn)
        .await?;
    Ok(())
}

/// The member's address, if they have one (withdrawn members have none).
pub async fn email_of(conn: &mut AsyncPgConnection, id: MemberId) -> QueryResult<Option<String>> {
    members::table
        .find(id)
        .select(members::email)
        .first::<Option<String>>(conn)
        .await
        .optional()
        .map(Option::flatten)
}

/// Replaces a member's password hash.
pub async fn set_password_hash(
    conn: &mut AsyncPgConnection,
    id: MemberId,
    password_hash: &str,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(members::table.find(id))
        .set((
            members::password_hash.eq(password_hash),
            members::updated_at.eq(at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
