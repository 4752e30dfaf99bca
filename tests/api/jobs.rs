//! Failed background jobs as the secretariat sees them, and retrying them.

use alumni_core::Role;
use alumni_core::jobs::{self, NewJob};
use alumni_test_support::TestApp;
use serde_json::json;

const FAILED: &str = "{ failedJobs(first: 10) {
    totalCount
    nodes { id kind state payload attempts maxAttempts lastError finishedAt }
} }";
const RETRY: &str = "mutation($id: ID!) { retryJob(id: $id) }";

/// Enqueues a job no handler knows, with one attempt, and runs it: it fails.
async fn failed_job(app: &TestApp) {
    let ctx = app.services.membership.context();
    let mut conn = ctx.conn().await.unwrap();
    let job = NewJob::new("test.nobody_handles", json!({ "n": 1 })).max_attempts(1);
    jobs::enqueue(&mut conn, ctx.now(), job).await.unwrap();
    drop(conn);
    assert_eq!(app.jobs.drain().await.unwrap().failed, 1);
}

#[tokio::test]
async fn only_the_secretariat_sees_and_retries_failed_jobs() {
    let app = TestApp::spawn().await;
    failed_job(&app).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let listed = app.client_as(&secretariat).query(FAILED).await;
    let jobs = &listed.data()["failedJobs"];
    assert_eq!(jobs["totalCount"], 1);
    let job = &jobs["nodes"][0];
    assert_eq!(job["kind"], "test.nobody_handles");
    assert_eq!(job["attempts"], 1);
    assert_eq!(job["state"], "FAILED");
    assert_eq!(job["payload"], json!({ "n": 1 }));
    assert!(
        job["lastError"].as_str().unwrap().contains("no handler"),
        "{job}"
    );
    let id = job["id"].as_str().unwrap().to_owned();
    let node = "query($id: ID!) { node(id: $id) { ... on Job { kind } } }";
    let found = app
        .client_as(&secretariat)
        .query_with(node, json!({ "id": id }))
        .await;
    assert_eq!(found.data()["node"]["kind"], "test.nobody_handles");

    app.client()
        .query(FAILED)
        .await
        .expect_error("UNAUTHENTICATED");
    app.client()
        .query_with(RETRY, json!({ "id": id }))
        .await
        .expect_error("UNAUTHENTICATED");
    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Moderator,
        Role::Analyst,
    ] {
        let member = app.create_member(&[role]).await;
        let client = app.client_as(&member);
        client.query(FAILED).await.expect_error("FORBIDDEN");
        let hidden = client.query_with(node, json!({ "id": id })).await;
        assert_eq!(hidden.data()["node"], serde_json::Value::Null);
        client
            .query_with(RETRY, json!({ "id": id }))
            .await
            .expect_error("FORBIDDEN");
    }

    let retried = app
        .client_as(&secretariat)
        .query_with(RETRY, json!({ "id": id }))
        .await;
    assert_eq!(retried.data()["retryJob"], true);
    assert_eq!(app.audit_count("jobs.retried").await, 1);
    let listed = app.client_as(&secretariat).query(FAILED).await;
    assert_eq!(listed.data()["failedJobs"]["totalCount"], 0);
    // No longer failed: a second retry finds nothing to retry.
    app.client_as(&secretariat)
        .query_with(RETRY, json!({ "id": id }))
        .await
        .expect_error("NOT_FOUND");
}
