//! Tags members follow.

use alumni_core::MemberId;
use alumni_membership::model::TagId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::schema::knowledge::tag_follows;

/// Most tags one member follows.
pub const MAX_FOLLOWED: i64 = 50;

/// Follows a tag (again: nothing changes).
pub async fn follow(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    tag: TagId,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(tag_follows::table)
        .values((
            tag_follows::member_id.eq(member),
            tag_follows::tag_id.eq(tag),
            tag_follows::created_at.eq(at),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// Stops following a tag.
pub async fn unfollow(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    tag: TagId,
) -> QueryResult<()> {
    diesel::delete(tag_follows::table.find((member, tag)))
        .execute(conn)
        .await?;
    Ok(())
}

/// The tags a member follows.
pub async fn followed(conn: &mut AsyncPgConnection, member: MemberId) -> QueryResult<Vec<TagId>> {
    tag_follows::table
        .filter(tag_follows::member_id.eq(member))
        .select(tag_follows::tag_id)
        .order(tag_follows::created_at.asc())
        .limit(MAX_FOLLOWED)
        .load(conn)
        .await
}
