//! Shared steps of the knowledge tests.

use alumni_test_support::TestApp;

/// Rows of a table matching a condition, counted in the database.
pub async fn rows(app: &TestApp, sql: &str) -> i64 {
    use diesel_async::RunQueryDsl as _;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    let mut conn = app.database().connect().await;
    diesel::sql_query(format!("SELECT count(*) AS count FROM {sql}"))
        .get_result::<Count>(&mut conn)
        .await
        .expect("count rows")
        .count
}

/// Runs a statement on the test database (to set up what the API does
/// not write).
pub async fn execute(app: &TestApp, sql: &str) {
    use diesel_async::RunQueryDsl as _;
    let mut conn = app.database().connect().await;
    diesel::sql_query(sql)
        .execute(&mut conn)
        .await
        .expect("statement");
}
