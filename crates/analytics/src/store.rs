//! Reads of the materialised views in `analytics_private`, and their
//! refresh. Every dashboard is one statement over pre-aggregated rows.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Date, Double, Nullable, Text, Timestamptz, Uuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// The views one refresh rebuilds, in order: the member-level ones first
/// (plainly: only analysts' own queries read them), then the aggregates
/// the dashboards read (concurrently, so dashboards never wait), then
/// their statistics.
const REFRESHES: &[&str] = &[
    "REFRESH MATERIALIZED VIEW analytics_private.member_periods",
    "REFRESH MATERIALIZED VIEW analytics_private.members",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY analytics_private.cohorts",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY analytics_private.cohort_periods",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY analytics_private.funnel",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY analytics_private.events",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY analytics_private.question_months",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY analytics_private.posts",
    // Fresh statistics with the rows, committed together: a view filled
    // from empty has none until autovacuum comes by, and the planner then
    // takes a year of weekly cells (47,000 rows at 100,000 members) for
    // two and sorts them on disk rather than hashing them in memory.
    "ANALYZE analytics_private.member_periods, analytics_private.members, \
             analytics_private.cohorts, analytics_private.cohort_periods, analytics_private.funnel, \
             analytics_private.events, analytics_private.question_months, analytics_private.posts",
];

/// Rebuilds every view as of `as_of`, inside the caller's transaction:
/// readers see the previous refresh until it commits, then all of this
/// one. Waits at most ten seconds for a lock (an analyst's long query on a
/// member-level view), failing rather than holding dashboards up. A
/// statement may run for a minute (`member_periods` aggregates every
/// fact: about 50 seconds at 10,000,000 on two cores), far beyond the
/// pool's 10 seconds, which failed every refresh at that size; five
/// minutes is the job's lease, which bounds the whole refresh anyway.
pub async fn refresh(
    conn: &mut AsyncPgConnection,
    as_of: DateTime<Utc>,
) -> diesel::QueryResult<()> {
    diesel::sql_query("SET LOCAL lock_timeout = '10s'")
        .execute(conn)
        .await?;
    diesel::sql_query("SET LOCAL statement_timeout = '5min'")
        .execute(conn)
        .await?;
    diesel::sql_query("UPDATE analytics_private.refresh SET as_of = $1")
        .bind::<Timestamptz, _>(as_of)
        .execute(conn)
        .await?;
    for statement in REFRESHES {
        diesel::sql_query(*statement).execute(conn).await?;
    }
    Ok(())
}

/// Records when the refresh in the caller's transaction finished.
pub async fn finish_refresh(
    conn: &mut AsyncPgConnection,
    finished_at: DateTime<Utc>,
    took_ms: i32,
) -> diesel::QueryResult<()> {
    diesel::sql_query("UPDATE analytics_private.refresh SET finished_at = $1, took_ms = $2")
        .bind::<Timestamptz, _>(finished_at)
        .bind::<diesel::sql_types::Integer, _>(took_ms)
        .execute(conn)
        .await?;
    Ok(())
}

/// When the views were last refreshed.
#[derive(Debug, Clone, Copy, QueryableByName)]
pub struct RefreshState {
    /// The moment the views describe.
    #[diesel(sql_type = Timestamptz)]
    pub as_of: DateTime<Utc>,
}

pub async fn refresh_state(conn: &mut AsyncPgConnection) -> diesel::QueryResult<RefreshState> {
    diesel::sql_query("SELECT as_of FROM analytics_private.refresh")
        .get_result(conn)
        .await
}

/// A company's name, for the labels of company groups.
#[derive(Debug, Clone, QueryableByName)]
pub struct CompanyName {
    #[diesel(sql_type = Uuid)]
    pub company_id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
}

pub async fn company_names(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Vec<CompanyName>> {
    diesel::sql_query("SELECT company_id, name FROM membership.analytics_companies")
        .load(conn)
        .await
}

/// The key of a cohort group as text, by the dimension named in `$n`
/// (`''` for none: every row falls in one group, `NULL`).
fn group_key(parameter: u8) -> String {
    format!(
        "CASE ${parameter} WHEN 'COMPANY' THEN company_id::text \
                           WHEN 'LEAVE_YEAR_BAND' THEN leave_band::text \
                           WHEN 'DEPARTMENT_BAND' THEN department_band END"
    )
}

/// Distinct active members of one period and group.
#[derive(Debug, Clone, QueryableByName)]
pub struct PeriodCounts {
    #[diesel(sql_type = Date)]
    pub starts_on: NaiveDate,
    #[diesel(sql_type = Nullable<Text>)]
    pub group_key: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub active: i64,
    #[diesel(sql_type = BigInt)]
    pub readers: i64,
    #[diesel(sql_type = BigInt)]
    pub writers: i64,
    #[diesel(sql_type = BigInt)]
    pub attendees: i64,
}

pub async fn period_counts(
    conn: &mut AsyncPgConnection,
    period: &str,
    first: NaiveDate,
    last: NaiveDate,
    by: &str,
) -> diesel::QueryResult<Vec<PeriodCounts>> {
    let sql = format!(
        "SELECT starts_on, {key} AS group_key, sum(active)::bigint AS active, \
                sum(readers)::bigint AS readers, sum(writers)::bigint AS writers, \
                sum(attendees)::bigint AS attendees \
           FROM analytics_private.cohort_periods \
          WHERE period = $1 AND starts_on BETWEEN $2 AND $3 \
          GROUP BY 1, 2",
        key = group_key(4)
    );
    diesel::sql_query(sql)
        .bind::<Text, _>(period)
        .bind::<Date, _>(first)
        .bind::<Date, _>(last)
        .bind::<Text, _>(by)
        .load(conn)
        .await
}

/// Members of one cohort cell, and how many were active recently.
#[derive(Debug, Clone, QueryableByName)]
pub struct CohortCounts {
    #[diesel(sql_type = Nullable<Text>)]
    pub row_key: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub column_key: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub members: i64,
    #[diesel(sql_type = BigInt)]
    pub active: i64,
    #[diesel(sql_type = BigInt)]
    pub readers: i64,
    #[diesel(sql_type = BigInt)]
    pub writers: i64,
    #[diesel(sql_type = BigInt)]
    pub attendees: i64,
}

pub async fn cohort_counts(
    conn: &mut AsyncPgConnection,
    rows: &str,
    columns: &str,
) -> diesel::QueryResult<Vec<CohortCounts>> {
    let sql = format!(
        "SELECT {rows} AS row_key, {columns} AS column_key, sum(members)::bigint AS members, \
                sum(active)::bigint AS active, sum(readers)::bigint AS readers, \
                sum(writers)::bigint AS writers, sum(attendees)::bigint AS attendees \
           FROM analytics_private.cohorts GROUP BY 1, 2",
        rows = group_key(1),
        columns = group_key(2)
    );
    diesel::sql_query(sql)
        .bind::<Text, _>(rows)
        .bind::<Text, _>(columns)
        .load(conn)
        .await
}

/// The funnel's stages for one group.
#[derive(Debug, Clone, QueryableByName)]
pub struct FunnelCounts {
    #[diesel(sql_type = Nullable<Text>)]
    pub group_key: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub roster: i64,
    #[diesel(sql_type = BigInt)]
    pub applied: i64,
    #[diesel(sql_type = BigInt)]
    pub approved: i64,
    #[diesel(sql_type = BigInt)]
    pub active: i64,
}

pub async fn funnel_counts(
    conn: &mut AsyncPgConnection,
    by: &str,
) -> diesel::QueryResult<Vec<FunnelCounts>> {
    let sql = format!(
        "SELECT {key} AS group_key, sum(roster)::bigint AS roster, sum(applied)::bigint AS applied, \
                sum(approved)::bigint AS approved, sum(active)::bigint AS active \
           FROM analytics_private.funnel GROUP BY 1",
        key = group_key(1)
    );
    diesel::sql_query(sql).bind::<Text, _>(by).load(conn).await
}

/// One event's seats and check-ins.
#[derive(Debug, Clone, QueryableByName)]
pub struct EventCounts {
    #[diesel(sql_type = Uuid)]
    pub event_id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Timestamptz)]
    pub starts_at: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    pub confirmed: i64,
    #[diesel(sql_type = BigInt)]
    pub attended: i64,
}

/// Events that were not cancelled, starting in `[from, until)`, in order;
/// at most `limit`.
pub async fn event_counts(
    conn: &mut AsyncPgConnection,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> diesel::QueryResult<Vec<EventCounts>> {
    diesel::sql_query(
        "SELECT event_id, title, kind, starts_at, confirmed, attended \
           FROM analytics_private.events \
          WHERE starts_at >= $1 AND starts_at < $2 AND NOT cancelled_event \
          ORDER BY starts_at, event_id LIMIT $3",
    )
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(until)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// Questions of one month.
#[derive(Debug, Clone, QueryableByName)]
pub struct QuestionMonth {
    #[diesel(sql_type = Date)]
    pub month: NaiveDate,
    #[diesel(sql_type = BigInt)]
    pub asked: i64,
    #[diesel(sql_type = BigInt)]
    pub answered: i64,
    #[diesel(sql_type = BigInt)]
    pub answered_within_day: i64,
    #[diesel(sql_type = BigInt)]
    pub accepted: i64,
    #[diesel(sql_type = Nullable<Double>)]
    pub median_hours: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub p90_hours: Option<f64>,
}

pub async fn question_months(
    conn: &mut AsyncPgConnection,
    first: NaiveDate,
    last: NaiveDate,
) -> diesel::QueryResult<Vec<QuestionMonth>> {
    diesel::sql_query(
        "SELECT month, asked, answered, answered_within_day, accepted, median_hours, p90_hours \
           FROM analytics_private.question_months WHERE month BETWEEN $1 AND $2 ORDER BY month",
    )
    .bind::<Date, _>(first)
    .bind::<Date, _>(last)
    .load(conn)
    .await
}

/// One post's audience and readers.
#[derive(Debug, Clone, QueryableByName)]
pub struct PostCounts {
    #[diesel(sql_type = Uuid)]
    pub post_id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Timestamptz)]
    pub published_at: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    pub audience_members: i64,
    #[diesel(sql_type = BigInt)]
    pub member_reads: i64,
}

/// Posts published in `[from, until)`, newest first; at most `limit`.
pub async fn post_counts(
    conn: &mut AsyncPgConnection,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> diesel::QueryResult<Vec<PostCounts>> {
    diesel::sql_query(
        "SELECT post_id, title, published_at, audience_members, member_reads \
           FROM analytics_private.posts \
          WHERE published_at >= $1 AND published_at < $2 \
          ORDER BY published_at DESC, post_id DESC LIMIT $3",
    )
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(until)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

#[derive(QueryableByName)]
struct Export {
    #[diesel(sql_type = Text)]
    export: String,
}

/// What the views held about `member` at the last refresh, as JSON: whether
/// they were in the member-level facts (consenting) and their monthly
/// activity counts.
pub async fn member_export(
    conn: &mut AsyncPgConnection,
    member: uuid::Uuid,
) -> diesel::QueryResult<String> {
    let export: Export = diesel::sql_query(
        "SELECT json_build_object( \
                  'asOf', (SELECT as_of FROM analytics_private.refresh), \
                  'inMemberLevelFacts', coalesce((SELECT consented FROM analytics_private.members \
                                                   WHERE member_id = $1), false), \
                  'monthlyActivity', coalesce((SELECT json_agg(to_jsonb(p) - 'member_id' - 'period' \
                                                               ORDER BY p.starts_on) \
                                                 FROM analytics_private.member_periods p \
                                                WHERE p.member_id = $1 AND p.period = 'MONTH'), '[]'::json) \
                )::text AS export",
    )
    .bind::<Uuid, _>(member)
    .get_result(conn)
    .await?;
    Ok(export.export)
}
