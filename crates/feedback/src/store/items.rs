use alumni_core::MemberId;
use alumni_core::pagination::{ListOrder, PageRequest, capped_count, seek};
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{
    CategoryRecord, FeedbackCategoryId, FeedbackItemId, ItemRecord, ReplyRecord, ThemeId, Triage,
};
use crate::schema::feedback::{anonymous_submissions, categories, items, replies};

/// Every category, in order.
pub async fn categories(conn: &mut AsyncPgConnection) -> QueryResult<Vec<CategoryRecord>> {
    categories::table
        .order((categories::position, categories::slug))
        .select(CategoryRecord::as_select())
        .load(conn)
        .await
}

/// The category with `slug`.
pub async fn category_by_slug(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<CategoryRecord>> {
    categories::table
        .filter(categories::slug.eq(slug))
        .select(CategoryRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// Categories by id.
pub async fn categories_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[FeedbackCategoryId],
) -> QueryResult<Vec<CategoryRecord>> {
    categories::table
        .filter(categories::id.eq_any(ids))
        .select(CategoryRecord::as_select())
        .load(conn)
        .await
}

/// Counts one more anonymous submission of `member` on `day` and returns
/// the day's count so far (this one included).
pub async fn count_anonymous_submission(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    day: NaiveDate,
) -> QueryResult<i32> {
    diesel::insert_into(anonymous_submissions::table)
        .values((
            anonymous_submissions::member_id.eq(member),
            anonymous_submissions::day.eq(day),
            anonymous_submissions::count.eq(1),
        ))
        .on_conflict((anonymous_submissions::member_id, anonymous_submissions::day))
        .do_update()
        .set(anonymous_submissions::count.eq(anonymous_submissions::count + 1))
        .returning(anonymous_submissions::count)
        .get_result(conn)
        .await
}

/// How many named items `member` submitted on `day`.
pub async fn named_count_on(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    day: NaiveDate,
) -> QueryResult<i64> {
    items::table
        .filter(items::author_id.eq(member))
        .filter(items::submitted_on.eq(day))
        .count()
        .get_result(conn)
        .await
}

/// Saves a new item.
pub async fn insert(conn: &mut AsyncPgConnection, item: &ItemRecord) -> QueryResult<()> {
    diesel::insert_into(items::table)
        .values(item)
        .execute(conn)
        .await
        .map(drop)
}

/// Items by id.
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[FeedbackItemId],
) -> QueryResult<Vec<ItemRecord>> {
    items::table
        .filter(items::id.eq_any(ids))
        .select(ItemRecord::as_select())
        .load(conn)
        .await
}

/// The item whose receipt code hashes to `hash`.
pub async fn by_receipt(
    conn: &mut AsyncPgConnection,
    hash: &[u8],
) -> QueryResult<Option<ItemRecord>> {
    items::table
        .filter(items::receipt_hash.eq(hash))
        .select(ItemRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// What a list of items is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct ItemQuery {
    /// Only these triage states.
    pub triage: Option<Vec<Triage>>,
    /// Only this category.
    pub category: Option<FeedbackCategoryId>,
    /// Only items in this theme.
    pub theme: Option<ThemeId>,
    /// Only anonymous (`true`) or named (`false`) items.
    pub anonymous: Option<bool>,
    /// Only items by this named author.
    pub author: Option<MemberId>,
}

/// The sort key of item lists: newest day first, then by (random) id.
pub type ItemKey = (NaiveDate, uuid::Uuid);

/// A page of items, newest day first.
pub async fn page(
    conn: &mut AsyncPgConnection,
    filter: &ItemQuery,
    page: &PageRequest<ItemKey>,
) -> QueryResult<Vec<ItemRecord>> {
    let query = filtered(filter).select(ItemRecord::as_select());
    seek(
        query,
        page,
        (items::submitted_on, items::id),
        ListOrder::Descending,
    )
    .load(conn)
    .await
}

/// How many items the filter matches (see [`capped_count`]).
pub async fn count(conn: &mut AsyncPgConnection, filter: &ItemQuery) -> QueryResult<i64> {
    capped_count(filtered(filter).select(items::id))
        .get_result(conn)
        .await
}

fn filtered(filter: &ItemQuery) -> items::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = items::table.into_boxed();
    if let Some(triage) = &filter.triage {
        query = query.filter(items::triage.eq_any(triage.clone()));
    }
    if let Some(category) = filter.category {
        query = query.filter(items::category_id.eq(category));
    }
    if let Some(theme) = filter.theme {
        query = query.filter(items::theme_id.eq(theme));
    }
    if let Some(anonymous) = filter.anonymous {
        query = query.filter(items::anonymous.eq(anonymous));
    }
    if let Some(author) = filter.author {
        query = query.filter(items::author_id.eq(author));
    }
    query
}

/// Sets an item's triage (and its theme or original).
pub async fn set_triage(
    conn: &mut AsyncPgConnection,
    ids: &[FeedbackItemId],
    triage: Triage,
    theme: Option<ThemeId>,
    duplicate_of: Option<FeedbackItemId>,
) -> QueryResult<usize> {
    diesel::update(items::table.filter(items::id.eq_any(ids)))
        .set((
            items::triage.eq(triage),
            items::theme_id.eq(theme),
            items::duplicate_of_id.eq(duplicate_of),
        ))
        .execute(conn)
        .await
}

/// Items marked as duplicates of `of`, moved to `into` (a duplicate of a
/// duplicate points at the original instead).
pub async fn repoint_duplicates(
    conn: &mut AsyncPgConnection,
    of: FeedbackItemId,
    into: FeedbackItemId,
) -> QueryResult<usize> {
    diesel::update(items::table.filter(items::duplicate_of_id.eq(of)))
        .set(items::duplicate_of_id.eq(into))
        .execute(conn)
        .await
}

/// Saves a reply.
pub async fn insert_reply(conn: &mut AsyncPgConnection, reply: &ReplyRecord) -> QueryResult<()> {
    diesel::insert_into(replies::table)
        .values(reply)
        .execute(conn)
        .await
        .map(drop)
}

/// The replies to several items, oldest first.
pub async fn replies_of(
    conn: &mut AsyncPgConnection,
    ids: &[FeedbackItemId],
) -> QueryResult<Vec<ReplyRecord>> {
    replies::table
        .filter(replies::item_id.eq_any(ids))
        .order((replies::created_at, replies::id))
        .select(ReplyRecord::as_select())
        .load(conn)
        .await
}

/// Replies per item (for a cap on them).
pub async fn reply_count(conn: &mut AsyncPgConnection, item: FeedbackItemId) -> QueryResult<i64> {
    replies::table
        .filter(replies::item_id.eq(item))
        .count()
        .get_result(conn)
        .await
}

/// Whether other items are marked as duplicates of `item`.
pub async fn is_original(conn: &mut AsyncPgConnection, item: FeedbackItemId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        items::table.filter(items::duplicate_of_id.eq(item)),
    ))
    .get_result(conn)
    .await
}

/// Moves an item to another day (demo data spread over a year).
pub async fn set_submitted_on(
    conn: &mut AsyncPgConnection,
    item: FeedbackItemId,
    day: NaiveDate,
) -> QueryResult<()> {
    diesel::update(items::table.find(item))
        .set(items::submitted_on.eq(day))
        .execute(conn)
        .await
        .map(drop)
}
