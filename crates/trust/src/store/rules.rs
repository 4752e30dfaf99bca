//! Rules, their version, and the settings row.

use alumni_core::pagination::{ListOrder, PageRequest, capped_count, seek};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::model::{RuleId, RuleRecord};
use crate::schema::trust::{rules, settings};

/// The rules' version and the report threshold.
pub async fn settings(conn: &mut AsyncPgConnection) -> QueryResult<(i64, i32)> {
    settings::table
        .select((settings::rules_version, settings::report_threshold))
        .get_result(conn)
        .await
}

/// Raises the rules' version, in the transaction that changed a rule.
pub async fn bump_version(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    diesel::update(settings::table)
        .set(settings::rules_version.eq(settings::rules_version + 1))
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets how many open reports hide content pending review.
pub async fn set_report_threshold(conn: &mut AsyncPgConnection, threshold: i32) -> QueryResult<()> {
    diesel::update(settings::table)
        .set(settings::report_threshold.eq(threshold))
        .execute(conn)
        .await?;
    Ok(())
}

/// Every enabled rule, for compiling the engine.
pub async fn enabled(conn: &mut AsyncPgConnection) -> QueryResult<Vec<RuleRecord>> {
    rules::table
        .filter(rules::enabled.eq(true))
        .select(RuleRecord::as_select())
        .load(conn)
        .await
}

/// One page of rules by name.
pub async fn page(
    conn: &mut AsyncPgConnection,
    page: &PageRequest<(String, Uuid)>,
) -> QueryResult<Vec<RuleRecord>> {
    seek(
        rules::table.select(RuleRecord::as_select()).into_boxed(),
        page,
        (rules::name, rules::id),
        ListOrder::Ascending,
    )
    .load(conn)
    .await
}

/// How many rules there are, up to the cap.
pub async fn count(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    capped_count(rules::table.select(rules::id))
        .get_result(conn)
        .await
}

/// The rules among `ids`.
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[RuleId]) -> QueryResult<Vec<RuleRecord>> {
    rules::table
        .filter(rules::id.eq_any(ids))
        .select(RuleRecord::as_select())
        .load(conn)
        .await
}

/// Saves a new rule.
pub async fn insert(conn: &mut AsyncPgConnection, rule: &RuleRecord) -> QueryResult<()> {
    diesel::insert_into(rules::table)
        .values(rule)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces a rule; `false` when there is none with its id.
pub async fn update(conn: &mut AsyncPgConnection, rule: &RuleRecord) -> QueryResult<bool> {
    let changed = diesel::update(rules::table.find(rule.id))
        .set(rule)
        .execute(conn)
        .await?;
    Ok(changed == 1)
}

/// Deletes a rule; `false` when there is none with its id.
pub async fn delete(conn: &mut AsyncPgConnection, id: RuleId) -> QueryResult<bool> {
    let deleted = diesel::delete(rules::table.find(id)).execute(conn).await?;
    Ok(deleted == 1)
}
