//! The database going away and coming back.

use alumni_core::Role;
use alumni_test_support::{TEST_PASSWORD, TestApp};
use serde_json::json;

#[tokio::test]
async fn an_unreachable_database_answers_service_unavailable_then_recovers() {
    let app = TestApp::spawn_with_cuttable_link(|_| {}).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    client.query("{ me { member { email } } }").await.data();

    app.database_link().cut();

    let signed_in = client.query("{ me { member { email } } }").await;
    assert_eq!(signed_in.status, 503);
    let error = signed_in.expect_error("SERVICE_UNAVAILABLE");
    assert!(error["extensions"]["requestId"].is_string());
    assert!(!error["message"].as_str().unwrap().contains("127.0.0.1"));

    let login = app
        .client()
        .query_with(
            "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }",
            json!({ "email": member.email, "password": TEST_PASSWORD }),
        )
        .await;
    login.expect_error("SERVICE_UNAVAILABLE");

    let ready = app.client().get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let live = app.client().get("/livez").await;
    assert_eq!(live.status(), 200);

    app.database_link().restore();

    let recovered = client.query("{ me { member { email } } }").await;
    assert_eq!(
        recovered.data()["me"]["member"]["email"],
        member.email.as_str()
    );
    assert_eq!(app.client().get("/readyz").await.status(), 200);
}

async fn execute(conn: &mut diesel_async::AsyncPgConnection, statement: &str) {
    diesel_async::RunQueryDsl::execute(diesel::sql_query(statement), conn)
        .await
        .unwrap_or_else(|error| panic!("{statement}: {error}"));
}

#[tokio::test]
async fn a_connection_the_database_ends_is_service_unavailable_not_a_bug() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    client.query("{ me { member { email } } }").await.data();

    // What an administrator's command or a restart does to the pooled
    // connection (one, in tests) while it sits idle.
    let mut admin = app.database().connect().await;
    execute(
        &mut admin,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'alumni'",
    )
    .await;

    // The request that meets the dead connection is told to retry (503),
    // never that it met a bug; the pool then replaces the connection.
    let mut answers = Vec::new();
    for _ in 0..3 {
        let answer = client.query("{ me { member { email } } }").await;
        let recovered = answer.errors().is_empty();
        answers.push(answer);
        if recovered {
            break;
        }
    }
    let (last, failed) = answers.split_last().unwrap();
    for answer in failed {
        assert_eq!(answer.status, 503, "{:#}", answer.body);
        answer.expect_error("SERVICE_UNAVAILABLE");
    }
    assert_eq!(last.data()["me"]["member"]["email"], member.email.as_str());
}

#[tokio::test]
async fn a_statement_over_the_timeout_answers_timeout() {
    let app = TestApp::spawn_with(|settings| {
        settings.pool.statement_timeout = std::time::Duration::from_millis(300);
    })
    .await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);

    // Another session holds the events table, so reading it waits until the
    // statement timeout cancels the read.
    let mut blocker = app.database().connect().await;
    execute(&mut blocker, "BEGIN").await;
    execute(
        &mut blocker,
        "LOCK TABLE events.events IN ACCESS EXCLUSIVE MODE",
    )
    .await;
    let waited = client.query("{ events(first: 5) { nodes { id } } }").await;
    let error = waited.expect_error("TIMEOUT");
    assert!(error["extensions"]["requestId"].is_string());
    assert!(!error["message"].as_str().unwrap().contains("statement"));
    execute(&mut blocker, "ROLLBACK").await;

    client
        .query("{ events(first: 5) { nodes { id } } }")
        .await
        .data();
}

#[tokio::test]
async fn job_workers_back_off_while_the_database_is_away_and_resume_when_it_returns() {
    use alumni_core::jobs::{self, JobState, NewJob, PURGE_DONE};

    let app = TestApp::spawn_with_cuttable_link(|settings| settings.jobs.workers = 1).await;
    app.database_link().cut();
    // Enqueued behind the server's back, on a connection of the test's own.
    let mut direct = app.database().connect().await;
    let now = alumni_core::Clock::now(app.clock.as_ref());
    jobs::enqueue(&mut direct, now, NewJob::new(PURGE_DONE, json!({})))
        .await
        .unwrap();
    // Meanwhile the worker fails to reach the queue, pausing longer each time.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    app.database_link().restore();

    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let done =
            jobs::counts(&mut direct)
                .await
                .unwrap()
                .into_iter()
                .any(|(kind, state, count)| {
                    kind == PURGE_DONE && state == JobState::Done && count >= 1
                });
        if done {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker never resumed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
