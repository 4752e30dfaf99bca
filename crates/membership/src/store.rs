//! Queries of the membership schema.

use alumni_core::{MemberId, SessionId};
use chrono::{DateTime, Utc};
use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{MemberRecord, NewMember, SessionRecord};
use crate::schema::membership::{login_throttle, members, sessions};

/// Inserts an account.
pub async fn insert_member(
    conn: &mut AsyncPgConnection,
    member: &NewMember<'_>,
) -> QueryResult<()> {
    diesel::insert_into(members::table)
        .values(member)
        .execute(conn)
        .await?;
    Ok(())
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

/// Accounts by id, for DataLoaders; missing ids are simply absent.
pub async fn members_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[MemberId],
) -> QueryResult<Vec<MemberRecord>> {
    members::table
        .filter(members::id.eq_any(ids))
        .select(MemberRecord::as_select())
        .load(conn)
        .await
}

/// Whether any account exists (an empty database gets demo data).
pub async fn any_member_exists(conn: &mut AsyncPgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(members::table.select(members::id)))
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

/// The session with this token hash, with its member's role names.
pub async fn session_by_token_hash(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<(SessionRecord, Vec<Option<String>>)>> {
    sessions::table
        .inner_join(members::table)
        .filter(sessions::token_hash.eq(token_hash))
        .select((SessionRecord::as_select(), members::roles))
        .first(conn)
        .await
        .optional()
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

/// Until when sign-ins for this e-mail hash are blocked, if they are.
pub async fn login_blocked_until(
    conn: &mut AsyncPgConnection,
    email_hash: &[u8],
) -> QueryResult<Option<DateTime<Utc>>> {
    login_throttle::table
        .filter(login_throttle::email_hash.eq(email_hash))
        .select(login_throttle::blocked_until)
        .first::<Option<DateTime<Utc>>>(conn)
        .await
        .optional()
        .map(Option::flatten)
}

/// Counts a failed sign-in atomically and returns the number of recent
/// failures, including this one. Failures before `forget_before` no longer
/// count.
pub async fn count_login_failure(
    conn: &mut AsyncPgConnection,
    email_hash: &[u8],
    at: DateTime<Utc>,
    forget_before: DateTime<Utc>,
) -> QueryResult<i32> {
    diesel::insert_into(login_throttle::table)
        .values((
            login_throttle::email_hash.eq(email_hash),
            login_throttle::failures.eq(1),
            login_throttle::last_failure_at.eq(at),
        ))
        .on_conflict(login_throttle::email_hash)
        .do_update()
        .set((
            login_throttle::failures.eq(case_when::<_, _, Integer>(
                login_throttle::last_failure_at.lt(forget_before),
                1,
            )
            .otherwise(login_throttle::failures + 1)),
            login_throttle::last_failure_at.eq(at),
        ))
        .returning(login_throttle::failures)
        .get_result(conn)
        .await
}

/// Blocks sign-ins for this e-mail hash until `until`.
pub async fn block_login(
    conn: &mut AsyncPgConnection,
    email_hash: &[u8],
    until: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(login_throttle::table)
        .filter(login_throttle::email_hash.eq(email_hash))
        .set(login_throttle::blocked_until.eq(until))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets failed sign-ins after a successful one.
pub async fn clear_login_failures(
    conn: &mut AsyncPgConnection,
    email_hash: &[u8],
) -> QueryResult<()> {
    diesel::delete(login_throttle::table)
        .filter(login_throttle::email_hash.eq(email_hash))
        .execute(conn)
        .await?;
    Ok(())
}
