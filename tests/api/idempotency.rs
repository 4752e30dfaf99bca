//! Idempotent retries: a mutation sent again with the same
//! `Idempotency-Key` is answered with the first response and runs once.

use alumni_core::Role;
use alumni_core::idempotency::GRACE_SECONDS;
use alumni_gateway::config::DEFAULT_REQUEST_TIMEOUT_MS;
use alumni_test_support::{GqlResponse, TestApp, TestClient};
use chrono::Duration;
use serde_json::{Value, json};

const INVITE: &str = "mutation Invite($input: CreateInvitationInput!) {
  createInvitation(input: $input) { code invitation { id expiresAt createdBy { displayName } } }
}";

const CREATED: &str = "membership.invitation_created";

fn new_key() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn keyed(client: &TestClient, key: &str) -> TestClient {
    client.with_header("Idempotency-Key", key)
}

async fn invite(client: &TestClient, note: &str) -> GqlResponse {
    client
        .query_with(INVITE, json!({ "input": { "note": note } }))
        .await
}

fn replayed(response: &GqlResponse) -> bool {
    response.header("idempotent-replayed") == Some("true")
}

#[tokio::test]
async fn a_retried_mutation_gets_the_first_response_and_runs_once() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let client = keyed(&app.client_as(&secretariat), &new_key());

    let first = invite(&client, "田中さん").await;
    assert_eq!(first.status, 200);
    assert!(first.data()["createInvitation"]["code"].is_string());
    assert!(!replayed(&first));

    for _ in 0..2 {
        let retry = invite(&client, "田中さん").await;
        assert_eq!(retry.status, first.status);
        assert_eq!(retry.text, first.text, "the same bytes");
        assert!(replayed(&retry));
    }
    assert_eq!(app.audit_count(CREATED).await, 1);
}

#[tokio::test]
async fn concurrent_duplicates_run_once() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let client = keyed(&app.client_as(&secretariat), &new_key());

    let responses =
        futures_util::future::join_all((0..8).map(|_| invite(&client, "同時送信"))).await;

    let ran: Vec<&GqlResponse> = responses
        .iter()
        .filter(|response| response.status == 200 && !replayed(response))
        .collect();
    assert_eq!(ran.len(), 1, "{responses:#?}");
    for response in &responses {
        if response.status == 200 {
            assert_eq!(response.text, ran[0].text);
        } else {
            assert_eq!(response.status, 409);
            let error = response.expect_error("IDEMPOTENCY_KEY_IN_USE");
            assert_eq!(error["extensions"]["retryAfterSeconds"], 1);
            assert_eq!(response.header("retry-after"), Some("1"));
        }
    }
    assert_eq!(app.audit_count(CREATED).await, 1);
}

#[tokio::test]
async fn a_key_sent_with_another_request_is_refused() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let client = keyed(&app.client_as(&secretariat), &new_key());
    invite(&client, "最初").await.data();

    let other_variables = invite(&client, "別の招待").await;
    assert_eq!(other_variables.status, 422);
    other_variables.expect_error("IDEMPOTENCY_KEY_REUSED");

    let other_name = client
        .query_with(
            &INVITE.replacen("mutation Invite", "mutation InviteAgain", 1),
            json!({ "input": { "note": "最初" } }),
        )
        .await;
    assert_eq!(other_name.status, 422);
    other_name.expect_error("IDEMPOTENCY_KEY_REUSED");

    // Not run either: the session survives.
    let other_document = client.query("mutation { logout }").await;
    assert_eq!(other_document.status, 422);
    other_document.expect_error("IDEMPOTENCY_KEY_REUSED");
    app.client_as(&secretariat)
        .query("{ me { roles } }")
        .await
        .data();

    assert_eq!(app.audit_count(CREATED).await, 1);
}

#[tokio::test]
async fn members_keys_are_their_own() {
    let app = TestApp::spawn().await;
    let key = new_key();
    let one = keyed(
        &app.client_as(&app.create_member(&[Role::Secretariat]).await),
        &key,
    );
    let other = keyed(
        &app.client_as(&app.create_member(&[Role::Secretariat]).await),
        &key,
    );

    let first = invite(&one, "同じキー").await;
    let second = invite(&other, "同じキー").await;
    assert!(!replayed(&first) && !replayed(&second));
    assert_ne!(
        first.data()["createInvitation"]["code"],
        second.data()["createInvitation"]["code"]
    );
    assert_eq!(invite(&one, "同じキー").await.text, first.text);
    assert_eq!(invite(&other, "同じキー").await.text, second.text);
    assert_eq!(app.audit_count(CREATED).await, 2);
}

#[tokio::test]
async fn keys_expire_after_24_hours() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let client = keyed(&app.client_as(&secretariat), &new_key());
    let first = invite(&client, "期限").await;
    first.data();

    app.clock.advance(Duration::hours(23));
    let within = invite(&client, "期限").await;
    assert!(replayed(&within));
    assert_eq!(within.text, first.text);

    app.clock.advance(Duration::hours(1));
    let after = invite(&client, "期限").await;
    assert!(!replayed(&after));
    assert_ne!(
        after.data()["createInvitation"]["code"],
        first.data()["createInvitation"]["code"]
    );
    assert_eq!(app.audit_count(CREATED).await, 2);
    assert!(replayed(&invite(&client, "期限").await));
}

#[tokio::test]
async fn malformed_keys_are_refused_before_anything_runs() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let signed_in = app.client_as(&secretariat);
    let too_long = "k".repeat(256);
    let clients = [
        keyed(&signed_in, "1"),
        keyed(&signed_in, "fifteen-chars-k"),
        keyed(&signed_in, &too_long),
        keyed(&signed_in, "a key with spaces in it"),
        keyed(&signed_in, "comma,separated,values"),
        keyed(&keyed(&signed_in, &new_key()), &new_key()),
        keyed(&app.client(), "1"),
    ];
    for client in clients {
        let response = invite(&client, "不正なキー").await;
        assert_eq!(response.status, 400, "{:#}", response.body);
        let error = response.expect_error("IDEMPOTENCY_KEY_INVALID");
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("Idempotency-Key")
        );
    }
    assert_eq!(app.audit_count(CREATED).await, 0);

    let quoted = keyed(&signed_in, &format!("\"{}\"", new_key()));
    invite(&quoted, "引用符").await.data();
    assert!(replayed(&invite(&quoted, "引用符").await));
}

#[tokio::test]
async fn requests_that_change_nothing_leave_the_key_unused() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let client = keyed(&app.client_as(&alumnus), &new_key());

    // Refused by the service: not yet allowed.
    invite(&client, "権限").await.expect_error("FORBIDDEN");
    // Refused before execution.
    client
        .query("mutation { createInvitation(input: {}) { nope } }")
        .await
        .expect_error("GRAPHQL_VALIDATION_FAILED");
    client
        .query_with(INVITE, json!({ "input": { "validForDays": "soon" } }))
        .await
        .expect_error("GRAPHQL_VALIDATION_FAILED");
    // A read: nothing to protect.
    client.query("{ me { roles } }").await.data();

    app.client_as(&secretariat)
        .query_with(
            "mutation($id: ID!) { grantRole(memberId: $id, role: SECRETARIAT) { id } }",
            json!({ "id": alumnus.global_id() }),
        )
        .await
        .data();
    let granted = invite(&client, "権限").await;
    assert!(!replayed(&granted));
    granted.data();
    assert!(replayed(&invite(&client, "権限").await));
    assert_eq!(app.audit_count(CREATED).await, 1);
}

#[tokio::test]
async fn a_batch_is_kept_whole() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let client = keyed(&app.client_as(&secretariat), &new_key());
    let batch = json!([
        { "query": INVITE, "variables": { "input": { "note": "一括" } } },
        { "query": "{ me { roles } }" },
    ]);

    let first = client.post_json(&batch).await;
    assert_eq!(first.status, 200);
    assert!(first.body[0]["data"]["createInvitation"]["code"].is_string());
    assert_eq!(first.body[1]["data"]["me"]["roles"], json!(["SECRETARIAT"]));

    let retry = client.post_json(&batch).await;
    assert!(replayed(&retry));
    assert_eq!(retry.text, first.text);

    let single = invite(&client, "一括").await;
    assert_eq!(single.status, 422, "a batch and a single request differ");
    assert_eq!(app.audit_count(CREATED).await, 1);
}

#[tokio::test]
async fn signed_out_requests_do_not_use_keys() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let key = new_key();
    let login = "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }";
    let variables =
        json!({ "email": secretariat.email, "password": alumni_test_support::TEST_PASSWORD });

    let signed_out = keyed(&app.client(), &key);
    let first = signed_out.query_with(login, variables.clone()).await;
    let second = signed_out.query_with(login, variables).await;
    assert!(!replayed(&first) && !replayed(&second));
    assert_ne!(
        first.data()["login"]["token"],
        second.data()["login"]["token"]
    );

    // The key is still free for the member.
    let signed_in = keyed(&app.client_as(&secretariat), &key);
    assert!(!replayed(&invite(&signed_in, "ログイン後").await));
    assert!(replayed(&invite(&signed_in, "ログイン後").await));
    assert_eq!(app.audit_count(CREATED).await, 1);
}

#[tokio::test]
async fn kept_responses_are_sealed_and_leave_with_their_member() {
    use diesel::sql_types::{Bytea, Uuid as SqlUuid};
    use diesel_async::RunQueryDsl as _;

    #[derive(diesel::QueryableByName)]
    struct Kept {
        #[diesel(sql_type = SqlUuid)]
        member_id: uuid::Uuid,
        #[diesel(sql_type = Bytea)]
        key_hash: Vec<u8>,
        #[diesel(sql_type = Bytea)]
        body: Vec<u8>,
    }
    async fn kept(app: &TestApp) -> Vec<Kept> {
        let mut conn = app.database().connect().await;
        diesel::sql_query("SELECT member_id, key_hash, body FROM api.idempotency_keys")
            .load(&mut conn)
            .await
            .expect("read kept responses")
    }
    let contains = |haystack: &[u8], needle: &[u8]| {
        haystack
            .windows(needle.len())
            .any(|window| window == needle)
    };

    let app = TestApp::spawn().await;
    let _another = app.create_member(&[Role::Secretariat]).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let key = new_key();
    let client = keyed(&app.client_as(&secretariat), &key);
    let first = invite(&client, "秘密").await;
    let code = first.data()["createInvitation"]["code"].as_str().unwrap();

    let rows = kept(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].member_id, secretariat.id.0);
    assert!(!contains(&rows[0].body, code.as_bytes()));
    assert!(!contains(&rows[0].body, "秘密".as_bytes()));
    assert!(!contains(&rows[0].key_hash, key.as_bytes()));

    app.client_as(&secretariat)
        .query("mutation { withdrawMembership(confirm: true) }")
        .await
        .data();
    assert!(kept(&app).await.is_empty());
}

#[tokio::test]
async fn a_commit_cut_off_from_its_response_never_runs_twice() {
    let app = TestApp::spawn_with_cuttable_link(|_| {}).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let client = keyed(&app.client_as(&secretariat), &new_key());

    // The invitation commits, then the database goes away: the response
    // carries an error although the write stands, and the key's response
    // cannot be kept.
    app.database_link().cut_after_next_commit();
    let first = invite(&client, "障害").await;
    assert_eq!(first.status, 200);
    assert!(first.body["data"]["createInvitation"]["code"].is_string());
    let codes: Vec<&Value> = first
        .errors()
        .iter()
        .map(|error| &error["extensions"]["code"])
        .collect();
    assert_eq!(codes, [&json!("SERVICE_UNAVAILABLE")], "{:#}", first.body);

    app.database_link().restore();
    let soon = invite(&client, "障害").await;
    assert_eq!(soon.status, 409);
    let error = soon.expect_error("IDEMPOTENCY_KEY_IN_USE");
    assert_eq!(error["extensions"]["retryAfterSeconds"], 1);
    assert_eq!(soon.header("retry-after"), Some("1"));

    app.clock
        .advance(Duration::milliseconds(DEFAULT_REQUEST_TIMEOUT_MS as i64));
    invite(&client, "障害")
        .await
        .expect_error("IDEMPOTENCY_KEY_IN_USE");

    // Once the first request cannot be running any more, its outcome is
    // unknown: the client reloads and decides, nothing runs again.
    app.clock.advance(Duration::seconds(GRACE_SECONDS));
    let later = invite(&client, "障害").await;
    assert_eq!(later.status, 409);
    later.expect_error("IDEMPOTENCY_OUTCOME_UNKNOWN");
    assert_eq!(app.audit_count(CREATED).await, 1);

    let invitations = app
        .client_as(&secretariat)
        .query("{ invitations { nodes { note } } }")
        .await;
    assert_eq!(
        invitations.data()["invitations"]["nodes"],
        json!([{ "note": "障害" }])
    );
}
