//! Input PostgreSQL cannot store (a NUL character in text, a date outside
//! the years 1–9999) is the client's mistake: `BAD_USER_INPUT` naming the
//! argument, on every path, never `INTERNAL`.

use alumni_core::Role;
use alumni_test_support::{GqlResponse, TestApp};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

const NUL_TEXT: &str = "ab\u{0}c";
const ANCIENT: &str = "-200000-01-01T00:00:00Z";

/// Asserts the response refused `field` as bad input, before any data.
fn refused(response: &GqlResponse, field: &str) {
    let error = response.expect_error("BAD_USER_INPUT");
    assert_eq!(error["extensions"]["field"], field, "{:#}", response.body);
    assert!(response.body["data"].is_null(), "{:#}", response.body);
}

/// A cursor as the server writes them, around any key.
fn cursor(key: Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&key).unwrap())
}

#[tokio::test]
async fn nul_in_the_sign_in_address() {
    let app = TestApp::spawn().await;
    let login = "mutation($email: String!) { login(email: $email, password: \"x\") { token } }";
    refused(
        &app.client()
            .query_with(login, json!({ "email": NUL_TEXT }))
            .await,
        "email",
    );
    refused(
        &app.client()
            .query(r#"mutation { login(email: "a\u0000@b.example", password: "x") { token } }"#)
            .await,
        "email",
    );
}

#[tokio::test]
async fn nul_in_the_directory_search_and_tags() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    let members = "query($filter: MemberFilter) { members(filter: $filter) { nodes { id } } }";
    for (filter, field) in [
        (json!({ "query": NUL_TEXT }), "filter.query"),
        (json!({ "skill": NUL_TEXT }), "filter.skill"),
    ] {
        refused(
            &client
                .query_with(members, json!({ "filter": filter }))
                .await,
            field,
        );
    }
    refused(
        &client
            .query_with(
                "query($q: String) { members(filter: { query: $q }) { nodes { id } } }",
                json!({ "q": NUL_TEXT }),
            )
            .await,
        "filter.query",
    );
    refused(
        &client
            .query_with(
                "query($p: String) { tags(prefix: $p) { nodes { name } } }",
                json!({ "p": NUL_TEXT }),
            )
            .await,
        "prefix",
    );
}

#[tokio::test]
async fn nul_in_a_profile() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let update = "mutation($input: ProfileInput!) { updateMyProfile(input: $input) { id } }";
    let client = app.client_as(&member);
    refused(
        &client
            .query_with(update, json!({ "input": { "bio": NUL_TEXT } }))
            .await,
        "input.bio",
    );
    refused(
        &client
            .query_with(update, json!({ "input": { "skills": ["Rust", NUL_TEXT] } }))
            .await,
        "input.skills.1",
    );
}

#[tokio::test]
async fn nul_in_audit_filters() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    refused(
        &app.client_as(&secretariat)
            .query_with(
                "query($f: AuditEventFilter) { auditEvents(filter: $f) { nodes { id } } }",
                json!({ "f": { "action": NUL_TEXT } }),
            )
            .await,
        "filter.action",
    );
}

#[tokio::test]
async fn nul_in_cursors() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    let page = "query($after: String) { members(first: 5, after: $after) { nodes { id } } }";
    // In the cursor as sent, and inside the key it decodes to.
    refused(
        &client.query_with(page, json!({ "after": NUL_TEXT })).await,
        "after",
    );
    let forged = cursor(json!([NUL_TEXT, member.id.0]));
    refused(
        &client.query_with(page, json!({ "after": forged })).await,
        "after",
    );
}

#[tokio::test]
async fn dates_out_of_range_in_event_filters_and_cursors() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    let events = "query($filter: EventFilter, $after: String) {
        events(filter: $filter, after: $after) { nodes { id } }
    }";
    for (variables, field) in [
        (json!({ "filter": { "from": ANCIENT } }), "filter.from"),
        (
            json!({ "filter": { "to": "+10000-01-01T00:00:00Z" } }),
            "filter.to",
        ),
        (
            json!({ "after": cursor(json!([ANCIENT, uuid::Uuid::now_v7()])) }),
            "after",
        ),
    ] {
        refused(&client.query_with(events, variables).await, field);
    }
    refused(
        &client
            .query(r#"{ events(filter: { from: "0000-12-31T23:59:59Z" }) { nodes { id } } }"#)
            .await,
        "filter.from",
    );
    // The edges of the range are fine.
    client
        .query(r#"{ events(filter: { from: "0001-01-01T00:00:00Z", to: "9999-12-31T23:59:59Z" }) { nodes { id } } }"#)
        .await
        .data();
}

#[tokio::test]
async fn dates_out_of_range_in_an_application_and_an_event() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let company = app
        .client_as(&secretariat)
        .query(r#"mutation { createCompany(input: { name: "北辰", nameKana: "ほくしん", shortName: "北辰" }) { id } }"#)
        .await;
    let company_id = company.data()["createCompany"]["id"].clone();
    app.client_as(&secretariat)
        .query(r#"mutation { publishTerms(input: { version: "2026-04", title: "規約", body: "…" }) { id } }"#)
        .await
        .data();

    let input = json!({
        "email": "new@test.example",
        "password": "a long enough password",
        "fullName": "山田 太郎",
        "fullNameKana": "やまだ たろう",
        "companyId": company_id,
        "joinedOn": "-200000-04-01",
        "leftOn": "2020-03-31",
        "acceptedTermsVersion": "2026-04",
        "consentPurposes": ["MEMBERSHIP"],
    });
    refused(
        &app.client()
            .query_with(
                "mutation($input: ApplyForMembershipInput!) { applyForMembership(input: $input) { token } }",
                json!({ "input": input }),
            )
            .await,
        "input.joinedOn",
    );

    refused(
        &app.client_as(&secretariat)
            .query(
                r#"mutation { createEvent(input: { title: "Old", kind: MEETUP, format: ONLINE,
                     joinUrl: "https://meet.example/x", startsAt: "-200000-05-01T10:00:00Z",
                     endsAt: "2026-05-01T11:00:00Z", audience: EVERYONE }) { id } }"#,
            )
            .await,
        "input.startsAt",
    );
}
