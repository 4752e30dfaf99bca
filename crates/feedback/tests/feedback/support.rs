//! Shared steps of the feedback tests.

use alumni_test_support::{GqlResponse, TestApp, TestMember};
use serde_json::{Value, json};

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

/// A predecessor company; its id.
pub async fn company(app: &TestApp, name: &str) -> String {
    let id = uuid::Uuid::now_v7();
    execute(
        app,
        &format!(
            "INSERT INTO membership.companies (id, name, name_kana, short_name, is_current, merged_on, description, created_at, updated_at) \
             VALUES ('{id}', '{name}', 'かいしゃ', '{name}', false, '2010-04-01', '', now(), now())"
        ),
    )
    .await;
    id.to_string()
}

/// Places a member in a cohort: the company they left, and when.
pub async fn place_in_cohort(app: &TestApp, member: &TestMember, company: &str, left_on: &str) {
    execute(
        app,
        &format!(
            "UPDATE membership.profiles SET company_id = '{company}', left_on = '{left_on}' \
             WHERE member_id = '{}'",
            member.id.0
        ),
    )
    .await;
}

/// Sends feedback as `member`; the response.
pub async fn submit(
    app: &TestApp,
    member: &TestMember,
    body: &str,
    anonymous: bool,
    cohort: Value,
) -> GqlResponse {
    app.client_as(member)
        .query_with(
            "mutation($input: FeedbackInput!) { submitFeedback(input: $input) { \
               receipt submittedOn item { id anonymous body } } }",
            json!({ "input": {
                "category": "what_should_change", "body": body,
                "anonymous": anonymous, "cohort": cohort,
            } }),
        )
        .await
}

/// Sends anonymous feedback as `member`; its receipt code.
pub async fn submit_anonymously(app: &TestApp, member: &TestMember, body: &str) -> String {
    submit(app, member, body, true, json!({})).await.data()["submitFeedback"]["receipt"]
        .as_str()
        .expect("a receipt")
        .to_owned()
}

/// Sends named feedback as `member`; the item's global id.
pub async fn submit_named(app: &TestApp, member: &TestMember, body: &str) -> String {
    submit(app, member, body, false, json!({})).await.data()["submitFeedback"]["item"]["id"]
        .as_str()
        .expect("an item")
        .to_owned()
}

/// The global id of the item with this body (as the secretariat).
pub async fn item_id(app: &TestApp, secretariat: &TestMember, body: &str) -> String {
    let response = app
        .client_as(secretariat)
        .query("{ feedbackItems(first: 100) { nodes { id body } } }")
        .await;
    response.data()["feedbackItems"]["nodes"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["body"] == body)
        .expect("the item")["id"]
        .as_str()
        .expect("id")
        .to_owned()
}
