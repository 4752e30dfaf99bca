//! The audit log as the secretariat reads it, and who may not.

use alumni_core::Role;
use alumni_test_support::{TEST_PASSWORD, TestApp};
use serde_json::json;

const AUDIT: &str = "query Audit($filter: AuditEventFilter, $first: Int, $after: String, $last: Int, $before: String) {
    auditEvents(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
        nodes { action subjectType subjectId actor { id } details requestId }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
}";

#[tokio::test]
async fn only_the_secretariat_reads_the_audit_log() {
    let app = TestApp::spawn().await;
    app.client()
        .query(AUDIT)
        .await
        .expect_error("UNAUTHENTICATED");
    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Moderator,
        Role::Analyst,
    ] {
        let member = app.create_member(&[role]).await;
        app.client_as(&member)
            .query(AUDIT)
            .await
            .expect_error("FORBIDDEN");
    }
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    app.client_as(&secretariat).query(AUDIT).await.data();
}

#[tokio::test]
async fn sign_ins_are_recorded_and_the_log_pages_both_ways() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let login = "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }";
    for password in [
        "wrong one",
        TEST_PASSWORD,
        "wrong two",
        TEST_PASSWORD,
        TEST_PASSWORD,
    ] {
        app.client()
            .query_with(
                login,
                json!({ "email": member.email, "password": password }),
            )
            .await;
        app.clock.advance(chrono::Duration::seconds(1));
    }
    let client = app.client_as(&secretariat);

    let failed = client
        .query_with(
            AUDIT,
            json!({ "filter": { "action": "membership.login_failed" } }),
        )
        .await;
    let failed = failed.data()["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0]["subjectId"], member.global_id().as_str());
    assert_eq!(failed[0]["details"]["recentAttemptsFromClient"], 1);
    assert!(failed[0]["requestId"].is_string());

    let by_member =
        json!({ "actorId": member.global_id(), "action": "membership.login_succeeded" });
    let first_page = client
        .query_with(AUDIT, json!({ "filter": by_member, "first": 2 }))
        .await;
    let first = &first_page.data()["auditEvents"];
    assert_eq!(first["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(
        first["nodes"][0]["actor"]["id"],
        member.global_id().as_str()
    );
    assert_eq!(first["pageInfo"]["hasNextPage"], true);

    let second_page = client
        .query_with(
            AUDIT,
            json!({ "filter": by_member, "first": 2, "after": first["pageInfo"]["endCursor"] }),
        )
        .await;
    let second = &second_page.data()["auditEvents"];
    assert_eq!(second["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(second["pageInfo"]["hasNextPage"], false);
    assert_eq!(second["pageInfo"]["hasPreviousPage"], true);

    // Reading back from the end of page two gives page one again.
    let back = client
        .query_with(
            AUDIT,
            json!({ "filter": by_member, "last": 2, "before": second["pageInfo"]["startCursor"] }),
        )
        .await;
    assert_eq!(back.data()["auditEvents"]["nodes"], first["nodes"]);
}

#[tokio::test]
async fn a_page_costs_the_same_statements_whatever_its_size() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let mut actors = Vec::new();
    for _ in 0..12 {
        actors.push(app.create_member(&[Role::Alumnus]).await);
    }
    // Every actor signs out once: one audit entry with an actor each.
    for actor in &actors {
        app.client_as(actor)
            .query("mutation { logout }")
            .await
            .data();
    }
    let client = app.client_as(&secretariat);
    let page = |first: i64| {
        client.query_with(
            "query($first: Int) { auditEvents(first: $first, filter: { action: \"membership.logout\" }) { nodes { actor { id email } } } }",
            json!({ "first": first }),
        )
    };
    let (small, small_cost) = app.count_statements(page(2)).await;
    let (large, large_cost) = app.count_statements(page(12)).await;
    assert_eq!(
        small.data()["auditEvents"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        large.data()["auditEvents"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
    assert_eq!(small_cost, large_cost);
}
