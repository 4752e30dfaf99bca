//! Digest settings, the record of digests composed, and planned periods.

use alumni_core::MemberId;
use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{DigestFrequency, OutboxId};
use crate::schema::notify::{digest_rounds, digest_settings, digests, notifications};

/// The member's chosen frequency, if they chose.
pub async fn frequency(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<Option<DigestFrequency>> {
    digest_settings::table
        .find(member)
        .select(digest_settings::frequency)
        .first(conn)
        .await
        .optional()
}

/// The chosen frequencies of several members (those who chose).
pub async fn frequencies(
    conn: &mut AsyncPgConnection,
    members: &[MemberId],
) -> QueryResult<Vec<(MemberId, DigestFrequency)>> {
    digest_settings::table
        .filter(digest_settings::member_id.eq_any(members))
        .select((digest_settings::member_id, digest_settings::frequency))
        .load(conn)
        .await
}

/// Records the member's choice, replacing an earlier one.
pub async fn set_frequency(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    frequency: DigestFrequency,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(digest_settings::table)
        .values((
            digest_settings::member_id.eq(member),
            digest_settings::frequency.eq(frequency),
            digest_settings::updated_at.eq(at),
        ))
        .on_conflict(digest_settings::member_id)
        .do_update()
        .set((
            digest_settings::frequency.eq(excluded(digest_settings::frequency)),
            digest_settings::updated_at.eq(excluded(digest_settings::updated_at)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Claims the member's digest of `period`: true if it was not composed
/// yet (the row is then held by the caller's transaction, so a concurrent
/// claim waits and then finds it taken).
pub async fn claim(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    period: &str,
    at: DateTime<Utc>,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(digests::table)
        .values((
            digests::member_id.eq(member),
            digests::period.eq(period),
            digests::composed_at.eq(at),
            digests::items.eq(0),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

/// Records what the claimed digest listed and the mail that carries it.
pub async fn record_sent(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    period: &str,
    items: i32,
    outbox_id: OutboxId,
) -> QueryResult<()> {
    diesel::update(digests::table.find((member, period)))
        .set((digests::items.eq(items), digests::outbox_id.eq(outbox_id)))
        .execute(conn)
        .await?;
    Ok(())
}

/// The record of the member's digest of `period`: items listed and
/// whether a mail went out.
pub async fn composed(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    period: &str,
) -> QueryResult<Option<(i32, Option<OutboxId>)>> {
    digests::table
        .find((member, period))
        .select((digests::items, digests::outbox_id))
        .first(conn)
        .await
        .optional()
}

/// Whether every digest of `period` has been enqueued.
pub async fn round_planned(conn: &mut AsyncPgConnection, period: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(digest_rounds::table.find(period)))
        .get_result(conn)
        .await
}

/// Records that every digest of `period` has been enqueued.
pub async fn record_round(
    conn: &mut AsyncPgConnection,
    period: &str,
    at: DateTime<Utc>,
    enqueued: i32,
) -> QueryResult<()> {
    diesel::insert_into(digest_rounds::table)
        .values((
            digest_rounds::period.eq(period),
            digest_rounds::planned_at.eq(at),
            digest_rounds::enqueued.eq(enqueued),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// The member's unread notifications of `kinds` made after `since`,
/// counted per kind.
pub async fn unread_per_kind_since(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    kinds: &[&str],
    since: DateTime<Utc>,
) -> QueryResult<Vec<(String, i64)>> {
    notifications::table
        .filter(notifications::member_id.eq(member))
        .filter(notifications::read_at.is_null())
        .filter(notifications::created_at.gt(since))
        .filter(notifications::kind.eq_any(kinds))
        .group_by(notifications::kind)
        .select((notifications::kind, count_star()))
        .order_by(notifications::kind)
        .load(conn)
        .await
}

/// Removes records of digests composed before `before`, and of the
/// periods planned before it; returns how many digests.
pub async fn purge(conn: &mut AsyncPgConnection, before: DateTime<Utc>) -> QueryResult<usize> {
    diesel::delete(digest_rounds::table.filter(digest_rounds::planned_at.lt(before)))
        .execute(conn)
        .await?;
    diesel::delete(digests::table.filter(digests::composed_at.lt(before)))
        .execute(conn)
        .await
}

/// Removes a member's digest setting and records.
pub async fn delete_of(conn: &mut AsyncPgConnection, member: MemberId) -> QueryResult<()> {
    diesel::delete(digest_settings::table.find(member))
        .execute(conn)
        .await?;
    diesel::delete(digests::table.filter(digests::member_id.eq(member)))
        .execute(conn)
        .await?;
    Ok(())
}

/// The member's digests, newest period first: period, composed, items.
pub async fn of_member(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<Vec<(String, DateTime<Utc>, i32)>> {
    digests::table
        .filter(digests::member_id.eq(member))
        .order(digests::composed_at.desc())
        .select((digests::period, digests::composed_at, digests::items))
        .load(conn)
        .await
}
