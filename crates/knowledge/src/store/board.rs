//! The collaboration board: kinds, posts, their tags, and members'
//! interest.

use alumni_core::MemberId;
use alumni_core::moderation::ModerationState;
use alumni_core::pagination::{PageRequest, capped_count};
use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, exists, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::model::{
    BoardDirection, BoardInterestRecord, BoardKindRecord, BoardPostId, BoardPostRecord,
};
use crate::schema::knowledge::{board_interests, board_kinds, board_post_tags, board_posts};

/// The kinds of post, in display order.
pub async fn kinds(conn: &mut AsyncPgConnection) -> QueryResult<Vec<BoardKindRecord>> {
    board_kinds::table
        .order((board_kinds::position, board_kinds::slug))
        .select(BoardKindRecord::as_select())
        .load(conn)
        .await
}

/// Whether a kind exists.
pub async fn kind_exists(conn: &mut AsyncPgConnection, slug: &str) -> QueryResult<bool> {
    diesel::select(exists(board_kinds::table.find(slug)))
        .get_result(conn)
        .await
}

/// Saves a new post.
pub async fn insert(conn: &mut AsyncPgConnection, post: &BoardPostRecord) -> QueryResult<()> {
    diesel::insert_into(board_posts::table)
        .values(post)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces a post's tags.
pub async fn set_tags(
    conn: &mut AsyncPgConnection,
    id: BoardPostId,
    tags: &[Uuid],
) -> QueryResult<()> {
    diesel::delete(board_post_tags::table.filter(board_post_tags::post_id.eq(id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = tags
        .iter()
        .map(|tag| {
            (
                board_post_tags::post_id.eq(id),
                board_post_tags::tag_id.eq(*tag),
            )
        })
        .collect();
    diesel::insert_into(board_post_tags::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// The tags of several posts.
pub async fn tags_of(
    conn: &mut AsyncPgConnection,
    ids: &[BoardPostId],
) -> QueryResult<Vec<(BoardPostId, Uuid)>> {
    board_post_tags::table
        .filter(board_post_tags::post_id.eq_any(ids))
        .select((board_post_tags::post_id, board_post_tags::tag_id))
        .load(conn)
        .await
}

/// One post, locked for the transaction.
pub async fn lock(
    conn: &mut AsyncPgConnection,
    id: BoardPostId,
) -> QueryResult<Option<BoardPostRecord>> {
    board_posts::table
        .find(id)
        .select(BoardPostRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Posts by id, whatever their state.
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[BoardPostId],
) -> QueryResult<Vec<BoardPostRecord>> {
    board_posts::table
        .filter(board_posts::id.eq_any(ids))
        .select(BoardPostRecord::as_select())
        .load(conn)
        .await
}

/// A post's text as its author rewrote it.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = board_posts)]
pub struct BoardText<'a> {
    /// Its kind's slug.
    pub kind: &'a str,
    /// Offering or seeking.
    pub direction: BoardDirection,
    /// Title.
    pub title: &'a str,
    /// Markdown.
    pub body: &'a str,
    /// The Markdown rendered and sanitised.
    pub body_html: &'a str,
    /// Whether others see it, after the leak guard.
    pub moderation: ModerationState,
    /// Now.
    pub updated_at: DateTime<Utc>,
}

/// Rewrites a post.
pub async fn update_text(
    conn: &mut AsyncPgConnection,
    id: BoardPostId,
    text: &BoardText<'_>,
) -> QueryResult<BoardPostRecord> {
    diesel::update(board_posts::table.find(id))
        .set(text)
        .returning(BoardPostRecord::as_returning())
        .get_result(conn)
        .await
}

/// Keeps a post on the board until `expires_at`; its author will be told
/// again when it leaves.
pub async fn renew(
    conn: &mut AsyncPgConnection,
    id: BoardPostId,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<BoardPostRecord> {
    diesel::update(board_posts::table.find(id))
        .set((
            board_posts::expires_at.eq(expires_at),
            board_posts::expiry_noticed_at.eq(None::<DateTime<Utc>>),
            board_posts::updated_at.eq(now),
        ))
        .returning(BoardPostRecord::as_returning())
        .get_result(conn)
        .await
}

/// Takes a post off the board for good.
pub async fn close(
    conn: &mut AsyncPgConnection,
    id: BoardPostId,
    now: DateTime<Utc>,
) -> QueryResult<BoardPostRecord> {
    diesel::update(board_posts::table.find(id))
        .set((
            board_posts::closed_at.eq(now),
            board_posts::updated_at.eq(now),
        ))
        .returning(BoardPostRecord::as_returning())
        .get_result(conn)
        .await
}

/// Posts that left the board since their authors were last told: marked
/// as told, and returned.
pub async fn note_expired(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
) -> QueryResult<Vec<BoardPostRecord>> {
    diesel::update(
        board_posts::table
            .filter(board_posts::closed_at.is_null())
            .filter(board_posts::expiry_noticed_at.is_null())
            .filter(board_posts::expires_at.le(now)),
    )
    .set(board_posts::expiry_noticed_at.eq(now))
    .returning(BoardPostRecord::as_returning())
    .get_results(conn)
    .await
}

/// What the open board lists.
#[derive(Debug, Clone, Default)]
pub struct OpenFilter {
    /// Only this kind.
    pub kind: Option<String>,
    /// Only offers or only searches.
    pub direction: Option<BoardDirection>,
    /// Only posts with the tag of this slug.
    pub tag_slug: Option<String>,
}

/// Posts on the board now (not closed, not expired) matching `filter`;
/// withheld ones only for moderators (`withheld`).
fn open(
    filter: &OpenFilter,
    withheld: bool,
    now: DateTime<Utc>,
) -> board_posts::BoxedQuery<'static, Pg> {
    let mut query = board_posts::table
        .filter(board_posts::closed_at.is_null())
        .filter(board_posts::expires_at.gt(now))
        .into_boxed();
    if !withheld {
        query = query.filter(board_posts::moderation.eq(ModerationState::Visible));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(board_posts::kind.eq(kind.clone()));
    }
    if let Some(direction) = filter.direction {
        query = query.filter(board_posts::direction.eq(direction));
    }
    if let Some(slug) = &filter.tag_slug {
        // The shared vocabulary's slugs, read in place: one index probe.
        query = query.filter(exists(
            board_post_tags::table
                .filter(board_post_tags::post_id.eq(board_posts::id))
                .filter(
                    sql::<Bool>(
                        "knowledge.board_post_tags.tag_id IN (SELECT id FROM membership.tags WHERE slug = ",
                    )
                    .bind::<Text, _>(slug.clone())
                    .sql(")"),
                ),
        ));
    }
    query
}

/// Seeks a page of posts newest first by id (UUID v7: the order they
/// were posted in).
fn paged(
    query: board_posts::BoxedQuery<'static, Pg>,
    page: &PageRequest<Uuid>,
) -> board_posts::BoxedQuery<'static, Pg> {
    let mut query = query;
    if let Some(after) = page.after {
        query = query.filter(board_posts::id.lt(after));
    }
    if let Some(before) = page.before {
        query = query.filter(board_posts::id.gt(before));
    }
    query = if page.reads_in_list_order() {
        query.order(board_posts::id.desc())
    } else {
        query.order(board_posts::id.asc())
    };
    query.limit(page.fetch_limit())
}

/// A page of the open board, newest first.
pub async fn open_page(
    conn: &mut AsyncPgConnection,
    filter: &OpenFilter,
    withheld: bool,
    now: DateTime<Utc>,
    page: &PageRequest<Uuid>,
) -> QueryResult<Vec<BoardPostRecord>> {
    paged(open(filter, withheld, now), page)
        .select(BoardPostRecord::as_select())
        .load(conn)
        .await
}

/// How many posts [`open_page`] lists, up to the count cap.
pub async fn open_count(
    conn: &mut AsyncPgConnection,
    filter: &OpenFilter,
    withheld: bool,
    now: DateTime<Utc>,
) -> QueryResult<i64> {
    capped_count(open(filter, withheld, now).select(board_posts::id))
        .get_result(conn)
        .await
}

fn authored_by(author: MemberId) -> board_posts::BoxedQuery<'static, Pg> {
    board_posts::table
        .filter(board_posts::author_id.eq(author))
        .into_boxed()
}

/// A page of a member's own posts, open or not, newest first.
pub async fn author_page(
    conn: &mut AsyncPgConnection,
    author: MemberId,
    page: &PageRequest<Uuid>,
) -> QueryResult<Vec<BoardPostRecord>> {
    paged(authored_by(author), page)
        .select(BoardPostRecord::as_select())
        .load(conn)
        .await
}

/// How many posts a member wrote, up to the count cap.
pub async fn author_count(conn: &mut AsyncPgConnection, author: MemberId) -> QueryResult<i64> {
    capped_count(authored_by(author).select(board_posts::id))
        .get_result(conn)
        .await
}

/// Records a member's interest; `false` when they had already said so.
pub async fn insert_interest(
    conn: &mut AsyncPgConnection,
    interest: &BoardInterestRecord,
) -> QueryResult<bool> {
    Ok(diesel::insert_into(board_interests::table)
        .values(interest)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?
        == 1)
}

/// Takes a member's interest back; `false` when there was none.
pub async fn delete_interest(
    conn: &mut AsyncPgConnection,
    post: BoardPostId,
    member: MemberId,
) -> QueryResult<bool> {
    Ok(diesel::delete(board_interests::table.find((post, member)))
        .execute(conn)
        .await?
        == 1)
}

/// A member's interest in each of several posts.
pub async fn interests_of_member(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    posts: &[BoardPostId],
) -> QueryResult<Vec<BoardInterestRecord>> {
    board_interests::table
        .filter(board_interests::member_id.eq(member))
        .filter(board_interests::post_id.eq_any(posts))
        .select(BoardInterestRecord::as_select())
        .load(conn)
        .await
}

/// Interests in each of several posts, counted.
pub async fn interest_counts(
    conn: &mut AsyncPgConnection,
    posts: &[BoardPostId],
) -> QueryResult<Vec<(BoardPostId, i64)>> {
    board_interests::table
        .filter(board_interests::post_id.eq_any(posts))
        .group_by(board_interests::post_id)
        .select((board_interests::post_id, count_star()))
        .load(conn)
        .await
}

/// The sort key of a post's interests: oldest first.
pub type InterestKey = (DateTime<Utc>, Uuid);

/// One page of the interests of each of `posts`, oldest first, in one
/// statement: a lateral join runs the keyset query per post.
pub async fn interest_pages(
    conn: &mut AsyncPgConnection,
    posts: &[BoardPostId],
    page: &PageRequest<InterestKey>,
) -> QueryResult<Vec<BoardInterestRecord>> {
    let ids: Vec<Uuid> = posts.iter().map(|post| post.0).collect();
    let order = if page.reads_in_list_order() {
        "ASC"
    } else {
        "DESC"
    };
    let mut query = diesel::sql_query(
        "SELECT i.post_id, i.member_id, i.message, i.created_at \
         FROM unnest($1::uuid[]) AS wanted(post_id) CROSS JOIN LATERAL ( \
         SELECT * FROM knowledge.board_interests x WHERE x.post_id = wanted.post_id",
    )
    .into_boxed::<Pg>()
    .bind::<Array<diesel::sql_types::Uuid>, _>(ids);
    let mut next = 2;
    for (operator, key) in [(">", page.after), ("<", page.before)] {
        if let Some((at, member)) = key {
            query = query
                .sql(format!(
                    " AND (x.created_at, x.member_id) {operator} (${}, ${})",
                    next,
                    next + 1
                ))
                .bind::<Timestamptz, _>(at)
                .bind::<diesel::sql_types::Uuid, _>(member);
            next += 2;
        }
    }
    query
        .sql(format!(
            " ORDER BY x.created_at {order}, x.member_id {order} LIMIT ${next}) i"
        ))
        .bind::<BigInt, _>(page.fetch_limit())
        .load::<InterestRow>(conn)
        .await
        .map(|rows| rows.into_iter().map(BoardInterestRecord::from).collect())
}

#[derive(QueryableByName)]
#[diesel(table_name = board_interests)]
struct InterestRow {
    post_id: BoardPostId,
    member_id: MemberId,
    message: String,
    created_at: DateTime<Utc>,
}

impl From<InterestRow> for BoardInterestRecord {
    fn from(row: InterestRow) -> Self {
        Self {
            post_id: row.post_id,
            member_id: row.member_id,
            message: row.message,
            created_at: row.created_at,
        }
    }
}
