use alumni_core::pagination::{ListOrder, PageRequest, capped_count, seek};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{ThemeId, ThemeRecord};
use crate::schema::feedback::{items, themes};

/// Saves a new theme.
pub async fn insert(conn: &mut AsyncPgConnection, theme: &ThemeRecord) -> QueryResult<()> {
    diesel::insert_into(themes::table)
        .values(theme)
        .execute(conn)
        .await
        .map(drop)
}

/// Changes a theme's title and summary; whether it exists.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: ThemeId,
    title: &str,
    summary: &str,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    diesel::update(themes::table.find(id))
        .set((
            themes::title.eq(title),
            themes::summary.eq(summary),
            themes::updated_at.eq(now),
        ))
        .execute(conn)
        .await
        .map(|updated| updated > 0)
}

/// Themes by id.
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[ThemeId],
) -> QueryResult<Vec<ThemeRecord>> {
    themes::table
        .filter(themes::id.eq_any(ids))
        .select(ThemeRecord::as_select())
        .load(conn)
        .await
}

/// The sort key of theme lists: newest first.
pub type ThemeKey = (DateTime<Utc>, uuid::Uuid);

/// A page of themes, newest first.
pub async fn page(
    conn: &mut AsyncPgConnection,
    page: &PageRequest<ThemeKey>,
) -> QueryResult<Vec<ThemeRecord>> {
    seek(
        themes::table.select(ThemeRecord::as_select()).into_boxed(),
        page,
        (themes::created_at, themes::id),
        ListOrder::Descending,
    )
    .load(conn)
    .await
}

/// How many themes there are (see [`capped_count`]).
pub async fn count(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    capped_count(themes::table.select(themes::id).into_boxed())
        .get_result(conn)
        .await
}

/// How many items each theme holds.
pub async fn item_counts(
    conn: &mut AsyncPgConnection,
    ids: &[ThemeId],
) -> QueryResult<Vec<(ThemeId, i64)>> {
    items::table
        .filter(items::theme_id.eq_any(ids))
        .group_by(items::theme_id)
        .select((items::theme_id.assume_not_null(), diesel::dsl::count_star()))
        .load(conn)
        .await
}
