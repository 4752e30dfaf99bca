//! Counts of feedback items by category, triage and cohort.

use alumni_membership::model::CompanyId;
use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Date, Integer, Nullable, Text, Uuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{FeedbackCategoryId, Triage};

/// Which attributes items are counted by.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountedBy {
    /// Their category.
    pub category: bool,
    /// Their triage.
    pub triage: bool,
    /// The company attached.
    pub company: bool,
    /// The leave-year band attached.
    pub left_year_band: bool,
}

/// The items of one combination of the attributes counted by (an
/// attribute not counted by is `None`, as is one an item does not carry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemCount {
    /// The category.
    pub category: Option<FeedbackCategoryId>,
    /// The triage.
    pub triage: Option<Triage>,
    /// The company attached.
    pub company: Option<CompanyId>,
    /// The leave-year band attached.
    pub left_year_band: Option<i32>,
    /// How many items.
    pub count: i64,
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Nullable<Uuid>)]
    category_id: Option<uuid::Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    triage: Option<Triage>,
    #[diesel(sql_type = Nullable<Uuid>)]
    company_id: Option<uuid::Uuid>,
    #[diesel(sql_type = Nullable<Integer>)]
    left_year_band: Option<i32>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

const COUNTS: &str = "\
SELECT CASE WHEN $3 THEN category_id END AS category_id,
       CASE WHEN $4 THEN triage END AS triage,
       CASE WHEN $5 THEN company_id END AS company_id,
       CASE WHEN $6 THEN left_year_band END AS left_year_band,
       count(*) AS n
  FROM feedback.items
 WHERE submitted_on BETWEEN $1 AND $2
 GROUP BY 1, 2, 3, 4";

/// Items that arrived from `from` to `to` (both days included), counted
/// by the attributes asked for, in one statement.
pub async fn item_counts(
    conn: &mut AsyncPgConnection,
    from: NaiveDate,
    to: NaiveDate,
    by: CountedBy,
) -> QueryResult<Vec<ItemCount>> {
    let rows: Vec<Row> = diesel::sql_query(COUNTS)
        .bind::<Date, _>(from)
        .bind::<Date, _>(to)
        .bind::<Bool, _>(by.category)
        .bind::<Bool, _>(by.triage)
        .bind::<Bool, _>(by.company)
        .bind::<Bool, _>(by.left_year_band)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| ItemCount {
            category: row.category_id.map(FeedbackCategoryId),
            triage: row.triage,
            company: row.company_id.map(CompanyId),
            left_year_band: row.left_year_band,
            count: row.n,
        })
        .collect())
}
