//! Shared steps: writing and publishing posts as the secretariat.

use alumni_test_support::{GqlResponse, TestApp, TestMember};
use serde_json::{Value, json};

/// Creates a post (a draft) with `audience` and `body`; the response.
pub async fn create(
    app: &TestApp,
    secretariat: &TestMember,
    title: &str,
    body: &str,
    audience: Value,
) -> GqlResponse {
    app.client_as(secretariat)
        .query_with(
            "mutation($input: PostContentInput!) { createPost(input: $input) { id state } }",
            json!({ "input": {
                "title": title,
                "lead": "リード文",
                "body": body,
                "tags": ["設計", "Kubernetes"],
                "audience": audience,
            } }),
        )
        .await
}

/// A published post for `audience`; its global id.
pub async fn published(
    app: &TestApp,
    secretariat: &TestMember,
    title: &str,
    audience: Value,
) -> String {
    let created = create(app, secretariat, title, "本文です。", audience).await;
    let id = created.data()["createPost"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    transition(app, secretariat, "publishPost", &id)
        .await
        .data();
    id
}

/// Runs a state change (`publishPost`, `unpublishPost`, `archivePost`).
pub async fn transition(
    app: &TestApp,
    secretariat: &TestMember,
    mutation: &str,
    id: &str,
) -> GqlResponse {
    app.client_as(secretariat)
        .query_with(
            &format!("mutation($id: ID!) {{ {mutation}(id: $id) {{ id state publishedAt }} }}"),
            json!({ "id": id }),
        )
        .await
}

/// The ids of the feed as `viewer` sees it.
pub async fn feed(app: &TestApp, viewer: &TestMember, filter: Value) -> Vec<String> {
    let response = app
        .client_as(viewer)
        .query_with(
            "query($filter: PostFilter) { posts(first: 100, filter: $filter) { nodes { id } } }",
            json!({ "filter": filter }),
        )
        .await;
    response.data()["posts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["id"].as_str().unwrap().to_owned())
        .collect()
}

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
/// not write, such as a member's career).
pub async fn execute(app: &TestApp, sql: &str) {
    use diesel_async::RunQueryDsl as _;
    let mut conn = app.database().connect().await;
    diesel::sql_query(sql)
        .execute(&mut conn)
        .await
        .expect("statement");
}
