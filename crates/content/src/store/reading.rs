//! Reads and reactions.

use std::collections::HashMap;

use alumni_core::MemberId;
use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{PostId, ReactionKind};
use crate::schema::content::{anonymous_reads, reactions, reads};

/// Records that a member read a post: the first read is kept, the last
/// moves on.
pub async fn mark_read(
    conn: &mut AsyncPgConnection,
    post: PostId,
    member: MemberId,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(reads::table)
        .values((
            reads::post_id.eq(post),
            reads::member_id.eq(member),
            reads::first_read_at.eq(now),
            reads::last_read_at.eq(now),
        ))
        .on_conflict((reads::post_id, reads::member_id))
        .do_update()
        .set(reads::last_read_at.eq(excluded(reads::last_read_at)))
        .execute(conn)
        .await?;
    Ok(())
}

/// When the member first read each of `posts` they read.
pub async fn read_at(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    posts: &[PostId],
) -> QueryResult<Vec<(PostId, DateTime<Utc>)>> {
    reads::table
        .filter(reads::member_id.eq(member))
        .filter(reads::post_id.eq_any(posts))
        .select((reads::post_id, reads::first_read_at))
        .load(conn)
        .await
}

/// The members who read any of `posts`.
pub async fn readers_of(
    conn: &mut AsyncPgConnection,
    posts: &[PostId],
) -> QueryResult<Vec<MemberId>> {
    reads::table
        .filter(reads::post_id.eq_any(posts))
        .select(reads::member_id)
        .distinct()
        .load(conn)
        .await
}

/// Reads by members who have since left, counted.
pub async fn anonymous_reads_of(conn: &mut AsyncPgConnection, post: PostId) -> QueryResult<i64> {
    let reads: Option<i32> = anonymous_reads::table
        .find(post)
        .select(anonymous_reads::reads)
        .first(conn)
        .await
        .optional()?;
    Ok(reads.map_or(0, i64::from))
}

/// Adds or takes back a reaction; `true` when something changed.
pub async fn set_reaction(
    conn: &mut AsyncPgConnection,
    post: PostId,
    member: MemberId,
    kind: ReactionKind,
    on: bool,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let changed = if on {
        diesel::insert_into(reactions::table)
            .values((
                reactions::post_id.eq(post),
                reactions::member_id.eq(member),
                reactions::kind.eq(kind),
                reactions::created_at.eq(now),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?
    } else {
        diesel::delete(
            reactions::table
                .filter(reactions::post_id.eq(post))
                .filter(reactions::member_id.eq(member))
                .filter(reactions::kind.eq(kind)),
        )
        .execute(conn)
        .await?
    };
    Ok(changed == 1)
}

/// Reactions of several posts, counted by kind.
pub async fn reaction_counts(
    conn: &mut AsyncPgConnection,
    posts: &[PostId],
) -> QueryResult<Vec<(PostId, ReactionKind, i64)>> {
    reactions::table
        .filter(reactions::post_id.eq_any(posts))
        .group_by((reactions::post_id, reactions::kind))
        .select((reactions::post_id, reactions::kind, count_star()))
        .load(conn)
        .await
}

/// The member's own reactions to several posts.
pub async fn reactions_by(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    posts: &[PostId],
) -> QueryResult<Vec<(PostId, ReactionKind)>> {
    reactions::table
        .filter(reactions::member_id.eq(member))
        .filter(reactions::post_id.eq_any(posts))
        .select((reactions::post_id, reactions::kind))
        .load(conn)
        .await
}

/// Who reacted to any of `posts`.
pub async fn reactors_of(
    conn: &mut AsyncPgConnection,
    posts: &[PostId],
) -> QueryResult<Vec<MemberId>> {
    reactions::table
        .filter(reactions::post_id.eq_any(posts))
        .select(reactions::member_id)
        .distinct()
        .load(conn)
        .await
}

/// A member's reads and reactions, for their data export.
pub async fn of_member(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<(
    Vec<(PostId, DateTime<Utc>, DateTime<Utc>)>,
    Vec<(PostId, ReactionKind, DateTime<Utc>)>,
)> {
    let read = reads::table
        .filter(reads::member_id.eq(member))
        .order(reads::first_read_at)
        .select((reads::post_id, reads::first_read_at, reads::last_read_at))
        .load(conn)
        .await?;
    let reacted = reactions::table
        .filter(reactions::member_id.eq(member))
        .order(reactions::created_at)
        .select((reactions::post_id, reactions::kind, reactions::created_at))
        .load(conn)
        .await?;
    Ok((read, reacted))
}

/// A leaving member's reads become anonymous counts per post; their
/// reactions go.
pub async fn forget_member(conn: &mut AsyncPgConnection, member: MemberId) -> QueryResult<()> {
    let posts: Vec<PostId> = reads::table
        .filter(reads::member_id.eq(member))
        .select(reads::post_id)
        .load(conn)
        .await?;
    let rows: Vec<_> = posts
        .iter()
        .map(|post| {
            (
                anonymous_reads::post_id.eq(*post),
                anonymous_reads::reads.eq(1),
            )
        })
        .collect();
    diesel::insert_into(anonymous_reads::table)
        .values(rows)
        .on_conflict(anonymous_reads::post_id)
        .do_update()
        .set(anonymous_reads::reads.eq(anonymous_reads::reads + 1))
        .execute(conn)
        .await?;
    diesel::delete(reads::table.filter(reads::member_id.eq(member)))
        .execute(conn)
        .await?;
    diesel::delete(reactions::table.filter(reactions::member_id.eq(member)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Counts by post, as a map.
pub fn by_post<T>(rows: Vec<(PostId, T)>) -> HashMap<PostId, Vec<T>> {
    let mut map: HashMap<PostId, Vec<T>> = HashMap::new();
    for (post, value) in rows {
        map.entry(post).or_default().push(value);
    }
    map
}

/// Records many reads at once, each first and last read at its time (demo
/// data); repeats are ignored.
pub async fn insert_reads(
    conn: &mut AsyncPgConnection,
    rows: &[(PostId, MemberId, DateTime<Utc>)],
) -> QueryResult<()> {
    for chunk in rows.chunks(5000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(post, member, at)| {
                (
                    reads::post_id.eq(*post),
                    reads::member_id.eq(*member),
                    reads::first_read_at.eq(*at),
                    reads::last_read_at.eq(*at),
                )
            })
            .collect();
        diesel::insert_into(reads::table)
            .values(values)
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Records many reactions at once, each at its time (demo data); repeats
/// are ignored.
pub async fn insert_reactions(
    conn: &mut AsyncPgConnection,
    rows: &[(PostId, MemberId, ReactionKind, DateTime<Utc>)],
) -> QueryResult<()> {
    let values: Vec<_> = rows
        .iter()
        .map(|(post, member, kind, at)| {
            (
                reactions::post_id.eq(*post),
                reactions::member_id.eq(*member),
                reactions::kind.eq(*kind),
                reactions::created_at.eq(*at),
            )
        })
        .collect();
    diesel::insert_into(reactions::table)
        .values(values)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}
