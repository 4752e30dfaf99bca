//! The connection pool under ordinary concurrency: no request holds one
//! connection while waiting for another, so requests beyond the pool's size
//! queue briefly instead of jamming every client of the server. (The whole
//! suite also runs on a pool of one connection, where any such nesting
//! would deadlock and fail its test.)

use alumni_core::Role;
use alumni_test_support::TestApp;
use serde_json::json;

const POOL: usize = 4;

#[tokio::test]
async fn twice_the_pool_of_profile_edits_and_feed_fetches_all_succeed() {
    let app = TestApp::spawn_with(|settings| settings.pool.max_connections = POOL).await;
    let mut members = Vec::new();
    for _ in 0..2 * POOL {
        members.push(app.create_member(&[Role::Alumnus]).await);
    }
    let member = &members[0];
    let feed = app
        .client_as(member)
        .query("mutation { issueCalendarFeed { path } }")
        .await;
    let path = feed.data()["issueCalendarFeed"]["path"]
        .as_str()
        .unwrap()
        .to_owned();

    let calendar_app = app.client();
    for round in 0..3 {
        let edits = members.iter().map(|member| async {
            app.client_as(member)
                .query_with(
                    "mutation($input: ProfileInput!) { updateMyProfile(input: $input) { displayName } }",
                    json!({ "input": { "bio": format!("round {round}") } }),
                )
                .await
        });
        let fetches = (0..2 * POOL).map(|_| calendar_app.get(&path));
        let (edits, fetches) = tokio::join!(
            futures_util::future::join_all(edits),
            futures_util::future::join_all(fetches)
        );
        for edit in edits {
            edit.data();
        }
        for fetch in fetches {
            assert_eq!(fetch.status(), 200);
        }
    }
}

/// The SQL of the statements prepared on the application's one pooled
/// connection (the suite's pool holds one, so every request used it).
async fn prepared_statements(app: &TestApp) -> Vec<String> {
    use diesel_async::RunQueryDsl as _;

    #[derive(diesel::QueryableByName)]
    struct Prepared {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement: String,
    }
    let mut conn = app.services.membership.context().conn().await.unwrap();
    let prepared: Vec<Prepared> =
        diesel::sql_query("SELECT statement FROM pg_prepared_statements ORDER BY statement")
            .load(&mut *conn)
            .await
            .unwrap();
    prepared.into_iter().map(|row| row.statement).collect()
}

#[tokio::test]
async fn a_repeated_request_prepares_nothing_new_and_reads_no_password_hash() {
    let app = TestApp::spawn().await;
    for _ in 0..3 {
        app.create_member(&[Role::Alumnus]).await;
    }
    let client = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    let page = "{ me { member { id } } members(first: 10) {
        totalCount nodes { displayName skills { name } employment { company { name } } }
    } }";
    client.query(page).await.data();
    let after_first = prepared_statements(&app).await;
    let (_, statements) = app.count_statements(client.query(page)).await;
    assert!(
        statements >= 3,
        "the request ran its statements: {statements}"
    );
    assert_eq!(prepared_statements(&app).await, after_first);

    // The session look-up, which runs on every authenticated request, is
    // one of the prepared statements, and no read for a page fetches a
    // password hash.
    assert!(
        after_first
            .iter()
            .any(|sql| sql.contains("token_hash") && sql.starts_with("SELECT")),
        "{after_first:#?}"
    );
    assert!(
        !after_first
            .iter()
            .any(|sql| sql.starts_with("SELECT") && sql.contains("password_hash")),
        "{after_first:#?}"
    );
}
