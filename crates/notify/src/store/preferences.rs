//! Members' choices of channel per kind.

use alumni_core::MemberId;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{NotificationChannel, PreferenceRecord};
use crate::schema::notify::{preferences, unsubscribe_tokens};

/// Every choice a member made.
pub async fn of_member(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<Vec<PreferenceRecord>> {
    preferences::table
        .filter(preferences::member_id.eq(member))
        .order(preferences::kind)
        .select(PreferenceRecord::as_select())
        .load(conn)
        .await
}

/// The choices of several members for one kind.
pub async fn for_kind(
    conn: &mut AsyncPgConnection,
    members: &[MemberId],
    kind: &str,
) -> QueryResult<Vec<(MemberId, NotificationChannel)>> {
    preferences::table
        .filter(preferences::member_id.eq_any(members))
        .filter(preferences::kind.eq(kind))
        .select((preferences::member_id, preferences::channel))
        .load(conn)
        .await
}

/// Records a choice, replacing an earlier one.
pub async fn upsert(conn: &mut AsyncPgConnection, choice: &PreferenceRecord) -> QueryResult<()> {
    diesel::insert_into(preferences::table)
        .values(choice)
        .on_conflict((preferences::member_id, preferences::kind))
        .do_update()
        .set((
            preferences::channel.eq(excluded(preferences::channel)),
            preferences::updated_at.eq(excluded(preferences::updated_at)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// An unsubscribe token to keep: only its hash, for a member and kind.
#[derive(Debug, Insertable)]
#[diesel(table_name = unsubscribe_tokens)]
pub struct UnsubscribeToken<'a> {
    /// SHA-256 of the token.
    pub token_hash: Vec<u8>,
    /// Whose mail it stops.
    pub member_id: MemberId,
    /// Which kind of mail.
    pub kind: &'a str,
    /// When it was issued.
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Keeps unsubscribe tokens.
pub async fn insert_unsubscribe_tokens(
    conn: &mut AsyncPgConnection,
    tokens: &[UnsubscribeToken<'_>],
) -> QueryResult<()> {
    diesel::insert_into(unsubscribe_tokens::table)
        .values(tokens)
        .execute(conn)
        .await?;
    Ok(())
}

/// The member and kind of an unsubscribe token, by its hash.
pub async fn unsubscribe_token(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<(MemberId, String)>> {
    unsubscribe_tokens::table
        .find(token_hash)
        .select((unsubscribe_tokens::member_id, unsubscribe_tokens::kind))
        .first(conn)
        .await
        .optional()
}

/// Removes unsubscribe tokens issued before `before`; returns how many.
pub async fn purge_unsubscribe_tokens(
    conn: &mut AsyncPgConnection,
    before: chrono::DateTime<chrono::Utc>,
) -> QueryResult<usize> {
    diesel::delete(unsubscribe_tokens::table.filter(unsubscribe_tokens::created_at.lt(before)))
        .execute(conn)
        .await
}

/// Removes a member's choices and unsubscribe tokens.
pub async fn delete_of(conn: &mut AsyncPgConnection, member: MemberId) -> QueryResult<()> {
    diesel::delete(preferences::table.filter(preferences::member_id.eq(member)))
        .execute(conn)
        .await?;
    diesel::delete(unsubscribe_tokens::table.filter(unsubscribe_tokens::member_id.eq(member)))
        .execute(conn)
        .await?;
    Ok(())
}
