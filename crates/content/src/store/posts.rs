//! Posts: written, scheduled, published, listed, searched.

use alumni_core::moderation::ModerationState;
use alumni_core::pagination::{ListOrder, PageRequest, capped_count, seek};
use alumni_core::{MemberId, search};
use chrono::{DateTime, Utc};
use diesel::dsl::{exists, not, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::audience::admitted;
use crate::model::{
    AudienceFields, CategoryId, CategoryRecord, PostId, PostRecord, PostState, PostText,
};
use crate::schema::content::{categories, post_coauthors, post_revisions, post_tags, posts, reads};
use crate::visibility::Reader;

/// What the feed lists.
#[derive(Debug, Clone, Default)]
pub struct FeedFilter {
    /// Only this category.
    pub category: Option<CategoryId>,
    /// Only posts with this tag (its normalised name, the slug).
    pub tag_slug: Option<String>,
    /// Only posts the reader has not read.
    pub unread_only: bool,
    /// Only posts published after this time.
    pub published_after: Option<DateTime<Utc>>,
    /// Normalised search terms, all of which must occur.
    pub terms: Vec<String>,
}

/// Saves a new post with its searchable text.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    post: &PostRecord,
    searchable: &(String, Vec<String>),
) -> QueryResult<()> {
    diesel::insert_into(posts::table)
        .values((
            post,
            posts::search_text.eq(&searchable.0),
            posts::search_grams.eq(&searchable.1),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces a post's text and audience.
pub async fn update_text(
    conn: &mut AsyncPgConnection,
    id: PostId,
    text: &PostText,
    audience: &AudienceFields,
    moderation: ModerationState,
    searchable: &(String, Vec<String>),
    now: DateTime<Utc>,
) -> QueryResult<PostRecord> {
    diesel::update(posts::table.find(id))
        .set((
            text,
            audience,
            posts::moderation.eq(moderation),
            posts::search_text.eq(&searchable.0),
            posts::search_grams.eq(&searchable.1),
            posts::updated_at.eq(now),
        ))
        .returning(PostRecord::as_returning())
        .get_result(conn)
        .await
}

/// Moves a post to `state`, with its schedule and publication time.
pub async fn set_state(
    conn: &mut AsyncPgConnection,
    id: PostId,
    state: PostState,
    scheduled_at: Option<DateTime<Utc>>,
    published_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> QueryResult<PostRecord> {
    diesel::update(posts::table.find(id))
        .set((
            posts::state.eq(state),
            posts::scheduled_at.eq(scheduled_at),
            posts::published_at.eq(published_at),
            posts::updated_at.eq(now),
        ))
        .returning(PostRecord::as_returning())
        .get_result(conn)
        .await
}

/// Sets whether members see a post.
pub async fn set_moderation(
    conn: &mut AsyncPgConnection,
    id: PostId,
    state: ModerationState,
) -> QueryResult<()> {
    diesel::update(posts::table.find(id))
        .set(posts::moderation.eq(state))
        .execute(conn)
        .await?;
    Ok(())
}

/// One post, locked for the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, id: PostId) -> QueryResult<Option<PostRecord>> {
    posts::table
        .find(id)
        .select(PostRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Posts by id, whatever their state.
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[PostId]) -> QueryResult<Vec<PostRecord>> {
    posts::table
        .filter(posts::id.eq_any(ids))
        .select(PostRecord::as_select())
        .load(conn)
        .await
}

/// Published posts the reader's audience admits, matching `filter`.
fn feed(reader: &Reader, withheld: bool, filter: &FeedFilter) -> posts::BoxedQuery<'static, Pg> {
    let mut query = posts::table
        .filter(posts::state.eq(PostState::Published))
        .into_boxed();
    if !withheld {
        query = query.filter(posts::moderation.eq(ModerationState::Visible));
    }
    if !reader.is_secretariat() {
        // The audience rule of the migration's `content.admits`.
        query = query.filter(admitted("content.posts", reader));
    }
    if let Some(category) = filter.category {
        query = query.filter(posts::category_id.eq(category));
    }
    if let Some(slug) = &filter.tag_slug {
        // The shared vocabulary read in place through membership's one
        // resolution of slugs (aliases included): two index probes.
        query = query.filter(exists(
            post_tags::table
                .filter(post_tags::post_id.eq(posts::id))
                .filter(
                    sql::<Bool>(
                        "content.post_tags.tag_id IN (SELECT * FROM membership.tags_named(",
                    )
                    .bind::<Array<Text>, _>(vec![slug.clone()])
                    .sql("))"),
                ),
        ));
    }
    if filter.unread_only {
        query = query.filter(not(exists(
            reads::table
                .filter(reads::post_id.eq(posts::id))
                .filter(reads::member_id.eq(reader.member)),
        )));
    }
    if let Some(after) = filter.published_after {
        query = query.filter(posts::published_at.gt(after));
    }
    for term in &filter.terms {
        let grams: Vec<Option<String>> = search::term_grams(term).into_iter().map(Some).collect();
        query = query
            .filter(posts::search_grams.contains(grams))
            .filter(posts::search_text.like(search::contains_pattern(term)));
    }
    query
}

/// One page of the feed, newest first, in reading order.
pub async fn feed_page(
    conn: &mut AsyncPgConnection,
    reader: &Reader,
    withheld: bool,
    filter: &FeedFilter,
    page: &PageRequest<(DateTime<Utc>, Uuid)>,
) -> QueryResult<Vec<PostRecord>> {
    seek(
        feed(reader, withheld, filter).select(PostRecord::as_select()),
        page,
        (posts::published_at.assume_not_null(), posts::id),
        ListOrder::Descending,
    )
    .load(conn)
    .await
}

/// A post found by a search, with its rank: how many of the words occur in
/// its title.
#[derive(Debug, Clone, QueryableByName)]
pub struct Found {
    /// The post.
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    /// Words of the query in its title.
    #[diesel(sql_type = Integer)]
    pub rank: i32,
}

/// One page of a search over the feed, in reading order: posts with more
/// of the words in their title first, then newest first. The same filters
/// as the feed, in one statement whose placeholders are numbered as the
/// filters add them; the key `(rank, published_at, id)` pages it.
pub async fn search_page(
    conn: &mut AsyncPgConnection,
    reader: &Reader,
    withheld: bool,
    filter: &FeedFilter,
    page: &PageRequest<(i32, DateTime<Utc>, Uuid)>,
) -> QueryResult<Vec<Found>> {
    let mut sql = String::new();
    let mut binds: Vec<Bind> = Vec::new();
    let mut rank = Vec::new();
    let mut conditions = vec!["p.state = 'PUBLISHED'".to_owned()];
    if !withheld {
        conditions.push("p.moderation = 'VISIBLE'".to_owned());
    }
    if !reader.is_secretariat() {
        let roles = param(Bind::Texts(reader.role_names()), &mut binds);
        let company = param(Bind::OptionalUuid(reader.company), &mut binds);
        let year = param(Bind::OptionalInt(reader.left_year), &mut binds);
        conditions.push(format!(
            "content.admits(p.audience, p.cohort_company_id, p.cohort_left_from, p.cohort_left_to, \
             p.cohort_role, {roles}, {company}, {year})"
        ));
    }
    for term in &filter.terms {
        let grams = param(Bind::Texts(search::term_grams(term)), &mut binds);
        let pattern = param(Bind::Text(search::contains_pattern(term)), &mut binds);
        conditions.push(format!(
            "p.search_grams @> {grams} AND p.search_text LIKE {pattern}"
        ));
        // The title is the first value of the searchable text.
        rank.push(format!(
            "(split_part(p.search_text, chr(31), 1) LIKE {pattern})::int"
        ));
    }
    if let Some(category) = filter.category {
        let category = param(Bind::Uuid(category.0), &mut binds);
        conditions.push(format!("p.category_id = {category}"));
    }
    if let Some(slug) = &filter.tag_slug {
        let slugs = param(Bind::Texts(vec![slug.clone()]), &mut binds);
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM content.post_tags t WHERE t.post_id = p.id \
             AND t.tag_id IN (SELECT * FROM membership.tags_named({slugs})))"
        ));
    }
    if filter.unread_only {
        let member = param(Bind::Uuid(reader.member.0), &mut binds);
        conditions.push(format!(
            "NOT EXISTS (SELECT 1 FROM content.reads r WHERE r.post_id = p.id AND r.member_id = {member})"
        ));
    }
    if let Some(after) = filter.published_after {
        let after = param(Bind::Time(after), &mut binds);
        conditions.push(format!("p.published_at > {after}"));
    }
    let rank = if rank.is_empty() {
        "0".to_owned()
    } else {
        rank.join(" + ")
    };
    sql.push_str(&format!(
        "SELECT id, rank FROM (SELECT p.id, p.published_at, ({rank}) AS rank \
         FROM content.posts p WHERE {}) found",
        conditions.join(" AND ")
    ));
    // Past the cursor is a smaller key in this descending list; `before`
    // the other way round.
    let mut cursors = Vec::new();
    for (key, smaller) in [(&page.after, true), (&page.before, false)] {
        if let Some((rank, at, id)) = key {
            let rank = param(Bind::Int(*rank), &mut binds);
            let at = param(Bind::Time(*at), &mut binds);
            let id = param(Bind::Uuid(*id), &mut binds);
            let operator = if smaller { "<" } else { ">" };
            cursors.push(format!(
                "(rank, published_at, id) {operator} ({rank}, {at}, {id})"
            ));
        }
    }
    if !cursors.is_empty() {
        sql.push_str(&format!(" WHERE {}", cursors.join(" AND ")));
    }
    let direction = if page.reads_in_list_order() {
        "DESC"
    } else {
        "ASC"
    };
    sql.push_str(&format!(
        " ORDER BY rank {direction}, published_at {direction}, id {direction} LIMIT {}",
        page.fetch_limit()
    ));
    let mut query = diesel::sql_query(sql).into_boxed::<Pg>();
    for bind in binds {
        query = match bind {
            Bind::Text(value) => query.bind::<Text, _>(value),
            Bind::Texts(value) => query.bind::<Array<Text>, _>(value),
            Bind::Uuid(value) => query.bind::<diesel::sql_types::Uuid, _>(value),
            Bind::OptionalUuid(value) => query.bind::<Nullable<diesel::sql_types::Uuid>, _>(value),
            Bind::Int(value) => query.bind::<Integer, _>(value),
            Bind::OptionalInt(value) => query.bind::<Nullable<Integer>, _>(value),
            Bind::Time(value) => query.bind::<diesel::sql_types::Timestamptz, _>(value),
        };
    }
    query.load(conn).await
}

/// Adds a value for the next placeholder and names it.
fn param(bind: Bind, binds: &mut Vec<Bind>) -> String {
    binds.push(bind);
    format!("${}", binds.len())
}

/// A value for a placeholder of [`search_page`].
enum Bind {
    Text(String),
    Texts(Vec<String>),
    Uuid(Uuid),
    OptionalUuid(Option<Uuid>),
    Int(i32),
    OptionalInt(Option<i32>),
    Time(DateTime<Utc>),
}

/// How many unread posts the reader's feed has, counted no further than
/// `cap`: newest first along the feed's index, so the count stops early
/// however many posts there are.
pub async fn unread_count(
    conn: &mut AsyncPgConnection,
    reader: &Reader,
    withheld: bool,
    cap: i64,
) -> QueryResult<i64> {
    let filter = FeedFilter {
        unread_only: true,
        ..FeedFilter::default()
    };
    let unread: Vec<PostId> = feed(reader, withheld, &filter)
        .select(posts::id)
        .order((posts::published_at.desc(), posts::id.desc()))
        .limit(cap)
        .load(conn)
        .await?;
    Ok(i64::try_from(unread.len()).unwrap_or(cap))
}

/// How many posts the feed lists, up to the cap.
pub async fn feed_count(
    conn: &mut AsyncPgConnection,
    reader: &Reader,
    withheld: bool,
    filter: &FeedFilter,
) -> QueryResult<i64> {
    capped_count(feed(reader, withheld, filter).select(posts::id))
        .get_result(conn)
        .await
}

/// One page of the posts not published (drafts, scheduled, archived), or
/// in `state`, most recently changed first: the secretariat's desk.
pub async fn desk_page(
    conn: &mut AsyncPgConnection,
    state: Option<PostState>,
    page: &PageRequest<(DateTime<Utc>, Uuid)>,
) -> QueryResult<Vec<PostRecord>> {
    let mut query = posts::table.select(PostRecord::as_select()).into_boxed();
    query = match state {
        Some(state) => query.filter(posts::state.eq(state)),
        None => query.filter(posts::state.ne(PostState::Published)),
    };
    seek(
        query,
        page,
        (posts::updated_at, posts::id),
        ListOrder::Descending,
    )
    .load(conn)
    .await
}

/// How many posts the desk lists, up to the cap.
pub async fn desk_count(
    conn: &mut AsyncPgConnection,
    state: Option<PostState>,
) -> QueryResult<i64> {
    let mut query = posts::table.select(posts::id).into_boxed();
    query = match state {
        Some(state) => query.filter(posts::state.eq(state)),
        None => query.filter(posts::state.ne(PostState::Published)),
    };
    capped_count(query).get_result(conn).await
}

/// The categories in display order.
pub async fn categories(conn: &mut AsyncPgConnection) -> QueryResult<Vec<CategoryRecord>> {
    categories::table
        .order((categories::position, categories::name))
        .select(CategoryRecord::as_select())
        .load(conn)
        .await
}

/// Adds a category at the end; `false` when the name is taken.
pub async fn insert_category(
    conn: &mut AsyncPgConnection,
    category: &CategoryRecord,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(categories::table)
        .values(category)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

/// Replaces a post's co-authors.
pub async fn set_coauthors(
    conn: &mut AsyncPgConnection,
    id: PostId,
    members: &[MemberId],
) -> QueryResult<()> {
    diesel::delete(post_coauthors::table.filter(post_coauthors::post_id.eq(id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = members
        .iter()
        .zip(1..)
        .map(|(member, position)| {
            (
                post_coauthors::post_id.eq(id),
                post_coauthors::member_id.eq(*member),
                post_coauthors::position.eq(position),
            )
        })
        .collect();
    diesel::insert_into(post_coauthors::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// The co-authors of several posts, in order.
pub async fn coauthors_of(
    conn: &mut AsyncPgConnection,
    ids: &[PostId],
) -> QueryResult<Vec<(PostId, MemberId)>> {
    post_coauthors::table
        .filter(post_coauthors::post_id.eq_any(ids))
        .order((post_coauthors::post_id, post_coauthors::position))
        .select((post_coauthors::post_id, post_coauthors::member_id))
        .load(conn)
        .await
}

/// Replaces a post's tags.
pub async fn set_tags(conn: &mut AsyncPgConnection, id: PostId, tags: &[Uuid]) -> QueryResult<()> {
    diesel::delete(post_tags::table.filter(post_tags::post_id.eq(id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = tags
        .iter()
        .map(|tag| (post_tags::post_id.eq(id), post_tags::tag_id.eq(*tag)))
        .collect();
    diesel::insert_into(post_tags::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves posts' tags from one tag to another (a merge of the shared
/// vocabulary); a post that had both keeps one.
pub async fn merge_tag(conn: &mut AsyncPgConnection, from: Uuid, into: Uuid) -> QueryResult<()> {
    for statement in [
        "DELETE FROM content.post_tags x WHERE tag_id = $1 AND EXISTS \
         (SELECT 1 FROM content.post_tags y WHERE y.post_id = x.post_id AND y.tag_id = $2)",
        "UPDATE content.post_tags SET tag_id = $2 WHERE tag_id = $1",
    ] {
        diesel::sql_query(statement)
            .bind::<diesel::sql_types::Uuid, _>(from)
            .bind::<diesel::sql_types::Uuid, _>(into)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The tags of several posts.
pub async fn tags_of(
    conn: &mut AsyncPgConnection,
    ids: &[PostId],
) -> QueryResult<Vec<(PostId, Uuid)>> {
    post_tags::table
        .filter(post_tags::post_id.eq_any(ids))
        .select((post_tags::post_id, post_tags::tag_id))
        .load(conn)
        .await
}

/// Keeps the text a published post had before an edit.
pub async fn insert_revision(
    conn: &mut AsyncPgConnection,
    post: &PostRecord,
    editor: MemberId,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::insert_into(post_revisions::table)
        .values((
            post_revisions::id.eq(Uuid::now_v7()),
            post_revisions::post_id.eq(post.id),
            post_revisions::title.eq(&post.text.title),
            post_revisions::lead.eq(&post.text.lead),
            post_revisions::body.eq(&post.text.body),
            post_revisions::edited_by.eq(editor),
            post_revisions::edited_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A post's earlier texts, newest first: (title, lead, body, editor, when).
pub async fn revisions_of(
    conn: &mut AsyncPgConnection,
    id: PostId,
) -> QueryResult<Vec<(String, String, String, Option<MemberId>, DateTime<Utc>)>> {
    post_revisions::table
        .filter(post_revisions::post_id.eq(id))
        .order(post_revisions::edited_at.desc())
        .select((
            post_revisions::title,
            post_revisions::lead,
            post_revisions::body,
            post_revisions::edited_by,
            post_revisions::edited_at,
        ))
        .load(conn)
        .await
}
