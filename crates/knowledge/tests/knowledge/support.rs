//! Shared steps of the knowledge tests.

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
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

/// A member with these skills, visible to members.
pub async fn member_with_skills(app: &TestApp, roles: &[Role], skills: &[&str]) -> TestMember {
    let member = app.create_member(roles).await;
    app.client_as(&member)
        .query_with(
            "mutation($input: ProfileInput!) { updateMyProfile(input: $input) { id } }",
            json!({ "input": { "skills": skills, "skillsVisibility": "MEMBERS" } }),
        )
        .await
        .data();
    member
}

/// Sets a member's availability for one of their skills.
pub async fn set_availability(
    app: &TestApp,
    member: &TestMember,
    tag: &str,
    availability: &str,
    max_open_requests: Option<i32>,
) {
    app.client_as(member)
        .query_with(
            "mutation($input: SkillAvailabilityInput!) { setSkillAvailability(input: $input) { availability } }",
            json!({ "input": {
                "tag": tag, "availability": availability, "maxOpenRequests": max_open_requests,
            } }),
        )
        .await
        .data();
}

/// Asks a question; the response.
pub async fn ask_question(
    app: &TestApp,
    asker: &TestMember,
    title: &str,
    body: &str,
    tags: &[&str],
) -> alumni_test_support::GqlResponse {
    app.client_as(asker)
        .query_with(
            "mutation($input: QuestionInput!) { askQuestion(input: $input) { id moderation } }",
            json!({ "input": { "title": title, "body": body, "tags": tags } }),
        )
        .await
}

/// Asks a question that passes; its global id.
pub async fn ask(app: &TestApp, asker: &TestMember, title: &str, tags: &[&str]) -> String {
    ask_question(app, asker, title, "詳しくはこちらです。", tags)
        .await
        .data()["askQuestion"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Answers a question; the response.
pub async fn answer_question(
    app: &TestApp,
    author: &TestMember,
    question: &str,
    body: &str,
) -> alumni_test_support::GqlResponse {
    app.client_as(author)
        .query_with(
            "mutation($q: ID!, $body: String!) { answerQuestion(questionId: $q, body: $body) { id moderation } }",
            json!({ "q": question, "body": body }),
        )
        .await
}

/// Answers a question; the answer's global id.
pub async fn answer(app: &TestApp, author: &TestMember, question: &str, body: &str) -> String {
    answer_question(app, author, question, body).await.data()["answerQuestion"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The ids of a question list as `viewer` sees it.
pub async fn question_list(app: &TestApp, viewer: &TestMember, args: &str) -> Vec<String> {
    let response = app
        .client_as(viewer)
        .query(&format!(
            "{{ questions(first: 100{args}) {{ nodes {{ id }} }} }}"
        ))
        .await;
    ids(&response.data()["questions"]["nodes"])
}

/// The `id`s of a JSON list of nodes.
pub fn ids(nodes: &Value) -> Vec<String> {
    nodes
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Creates a leak guard rule (the secretariat).
pub async fn rule(app: &TestApp, secretariat: &TestMember, term: &str, action: &str) {
    app.client_as(secretariat)
        .query_with(
            "mutation($input: ModerationRuleInput!) { createModerationRule(input: $input) { id } }",
            json!({ "input": {
                "name": term, "category": "CONFIDENTIAL", "kind": "TERM", "terms": [term],
                "action": action, "scope": "EVERYWHERE", "explanation": "社外秘です",
            } }),
        )
        .await
        .data();
}

/// Reports content as `reporter`.
pub async fn report(app: &TestApp, reporter: &TestMember, subject: &str) {
    app.client_as(reporter)
        .query_with(
            "mutation($id: ID!) { reportContent(subjectId: $id, reason: SPAM) { reason } }",
            json!({ "id": subject }),
        )
        .await
        .data();
}
