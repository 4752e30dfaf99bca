//! GraphQL over HTTP as the specification says, and what client tooling
//! expects of it: media types and statuses, queries over GET, automatic
//! persisted queries and trusted documents. The `graphql-http` audit suite
//! itself runs against the server too.

use std::time::Duration;

use alumni_core::Role;
use alumni_test_support::TestApp;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A POST with exactly these headers.
async fn post(app: &TestApp, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", app.base_url()))
        .body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, query_string: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    app.client()
        .get_with(&format!("/graphql?{query_string}"), headers)
        .await
}

fn encoded(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn the_graphql_http_audit_finds_nothing_missing() {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/graphql-http/audit.mjs"
    );
    let installed = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/graphql-http/node_modules/graphql-http"
    ))
    .exists();
    if !installed {
        assert!(
            std::env::var_os("ALUMNI_REQUIRE_AUDIT").is_none(),
            "ALUMNI_REQUIRE_AUDIT is set but tests/graphql-http has no node_modules (run `npm ci` there)"
        );
        eprintln!("skipped: run `npm ci` in tests/graphql-http to audit against graphql-http");
        return;
    }
    let app = TestApp::spawn().await;
    let output = tokio::process::Command::new("node")
        .arg(script)
        .arg(format!("{}/graphql", app.base_url()))
        .output()
        .await
        .expect("run node");
    let report = String::from_utf8_lossy(&output.stdout);
    println!("{report}");
    assert!(
        output.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(report.contains("MUST or SHOULD not met: 0"), "{report}");
}

#[tokio::test]
async fn post_bodies_must_be_json() {
    let app = TestApp::spawn().await;
    let query = r#"{"query":"{ __typename }"}"#;
    for headers in [
        vec![],
        vec![("content-type", "text/plain")],
        vec![("content-type", "application/xml")],
        vec![("content-type", "application/x-www-form-urlencoded")],
        vec![("content-type", "application/json; charset=latin1")],
    ] {
        let (status, body) = post(&app, &headers, query).await;
        assert_eq!(status, 415, "{headers:?}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "UNSUPPORTED_MEDIA_TYPE"
        );
    }
    let (status, body) = post(
        &app,
        &[("content-type", "application/json; charset=utf-8")],
        query,
    )
    .await;
    assert_eq!(
        (status, &body["data"]),
        (200, &json!({ "__typename": "Query" }))
    );

    let (status, body) = post(
        &app,
        &[("content-type", "application/json")],
        "{\"query\": 1}",
    )
    .await;
    assert_eq!(status, 400);
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert_eq!(message, "`query` must be a string");
    let (status, _) = post(&app, &[("content-type", "application/json")], "[]").await;
    assert_eq!(status, 400);
    let (status, body) = post(
        &app,
        &[
            ("content-type", "application/json"),
            ("accept", "text/html"),
        ],
        query,
    )
    .await;
    assert_eq!(status, 406);
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_ACCEPTABLE");
}

#[tokio::test]
async fn request_errors_are_400_without_data_in_the_graphql_response_type() {
    let app = TestApp::spawn().await;
    let requests = [
        json!({ "query": "{ me { roles " }),
        json!({ "query": "{ shoeSize }" }),
        json!({ "query": "query($id: ID!) { __typename }", "variables": { "id": null } }),
    ];
    for request in &requests {
        let body = request.to_string();
        let strict = [
            ("content-type", "application/json"),
            ("accept", GRAPHQL_RESPONSE),
        ];
        let (status, response) = post(&app, &strict, &body).await;
        assert_eq!(status, 400, "{request}");
        assert!(response.get("data").is_none(), "{response}");
        assert!(response["errors"][0]["extensions"]["code"].is_string());

        let legacy = [
            ("content-type", "application/json"),
            ("accept", "application/json"),
        ];
        let (status, response) = post(&app, &legacy, &body).await;
        assert_eq!(status, 200, "{request}");
        assert!(response["data"].is_null());
    }
    // An error in execution is a result, not a request error.
    let strict = [
        ("content-type", "application/json"),
        ("accept", GRAPHQL_RESPONSE),
    ];
    let (status, response) = post(
        &app,
        &strict,
        r#"{"query":"{ members(first: 5) { nodes { id } } }"}"#,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn queries_run_over_get_and_mutations_are_refused() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;

    let anonymous = get(&app, &format!("query={}", encoded("{ __typename }")), &[]).await;
    assert_eq!(anonymous.status(), 200);
    assert_eq!(anonymous.headers()["cache-control"], "public, max-age=60");
    assert!(
        anonymous.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("Authorization")
    );
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["data"]["__typename"], "Query");

    let mine = app
        .client_as(&member)
        .get(&format!(
            "/graphql?query={}&operationName=Me",
            encoded("query Me { me { roles } } query Other { __typename }")
        ))
        .await;
    assert_eq!(mine.status(), 200);
    assert_eq!(mine.headers()["cache-control"], "private, no-cache");
    let body: Value = mine.json().await.unwrap();
    assert_eq!(body["data"]["me"]["roles"], json!(["ALUMNUS"]));

    let variables = get(
        &app,
        &format!(
            "query={}&variables={}",
            encoded("query($n: Int) { companies(first: $n) { nodes { name } } }"),
            encoded(r#"{"n": 1}"#)
        ),
        &[],
    )
    .await;
    assert_eq!(variables.status(), 200);

    let sign_out = app
        .client_as(&member)
        .get(&format!(
            "/graphql?query={}",
            encoded("mutation { logout }")
        ))
        .await;
    assert_eq!(sign_out.status(), 405);
    assert_eq!(sign_out.headers()["allow"], "POST");
    app.client_as(&member)
        .query("{ me { roles } }")
        .await
        .data();

    let failed = get(&app, &format!("query={}", encoded("{ me { roles ")), &[]).await;
    assert_eq!(failed.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn a_browser_navigating_gets_graphiql_even_with_a_query_to_prefill() {
    let app = TestApp::spawn().await;
    let page = get(
        &app,
        &format!("query={}", encoded("{ __typename }")),
        &[("accept", "text/html,application/xhtml+xml,*/*;q=0.8")],
    )
    .await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn automatic_persisted_queries_register_once_then_run_by_hash() {
    let app = TestApp::spawn().await;
    let query = "{ __typename }";
    let hash = sha256(query);
    let persisted = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let client = app.client();

    let miss = client.post_json(&json!({ "extensions": persisted })).await;
    assert_eq!(miss.status, 200);
    miss.expect_error("PERSISTED_QUERY_NOT_FOUND");

    let wrong = client
        .post_json(&json!({ "query": "{ me { roles } }", "extensions": persisted }))
        .await;
    wrong.expect_error("PERSISTED_QUERY_HASH_MISMATCH");

    let registered = client
        .post_json(&json!({ "query": query, "extensions": persisted }))
        .await;
    assert_eq!(registered.data()["__typename"], "Query");
    let hit = client.post_json(&json!({ "extensions": persisted })).await;
    assert_eq!(hit.data()["__typename"], "Query");

    // What a CDN caches: the hash alone in the URL.
    let over_get = get(
        &app,
        &format!("extensions={}", encoded(&persisted.to_string())),
        &[],
    )
    .await;
    assert_eq!(over_get.status(), 200);
    let body: Value = over_get.json().await.unwrap();
    assert_eq!(body["data"]["__typename"], "Query");

    let old = client
        .post_json(
            &json!({ "extensions": { "persistedQuery": { "version": 2, "sha256Hash": hash } } }),
        )
        .await;
    old.expect_error("PERSISTED_QUERY_NOT_SUPPORTED");
}

#[tokio::test]
async fn trusted_mode_runs_only_the_manifest_on_every_path() {
    let manifest_path = std::env::temp_dir().join(format!(
        "alumni-trusted-{}.json",
        uuid::Uuid::now_v7().simple()
    ));
    let me = "query Me { me { roles } }";
    let seats = "subscription Seats($id: ID!) { eventSeats(eventId: $id) { seatsLeft } }";
    std::fs::write(
        &manifest_path,
        json!({ "me-v1": me, sha256(seats): seats }).to_string(),
    )
    .unwrap();
    let path = manifest_path.clone();
    let app = TestApp::spawn_with(move |settings| settings.trusted_documents = Some(path)).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);

    let by_id = client.post_json(&json!({ "documentId": "me-v1" })).await;
    assert_eq!(by_id.data()["me"]["roles"], json!(["ALUMNUS"]));
    let relay = client.post_json(&json!({ "doc_id": "me-v1" })).await;
    relay.data();
    let by_hash = client
        .post_json(&json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256(me) } } }))
        .await;
    by_hash.data();
    client.query(me).await.data();

    let unlisted = client.query("{ me { member { email } } }").await;
    unlisted.expect_error("PERSISTED_QUERY_NOT_ALLOWED");
    let registering = client
        .post_json(&json!({
            "query": "{ __typename }",
            "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256("{ __typename }") } },
        }))
        .await;
    registering.expect_error("PERSISTED_QUERY_NOT_ALLOWED");

    // The socket is no way around the manifest.
    let mut socket = client.connect_socket().await;
    socket
        .start(
            "1",
            "subscription { eventSeats(eventId: \"x\") { eventId } }",
            json!({}),
        )
        .await;
    let refused = socket.receive().await;
    assert_eq!(refused["type"], "error", "{refused:#}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_ALLOWED"
    );
    socket
        .send(json!({ "id": "2", "type": "subscribe", "payload": {
            "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256(seats) } },
            "variables": { "id": "x" },
        }}))
        .await;
    let listed = tokio::time::timeout(Duration::from_secs(10), socket.receive())
        .await
        .unwrap();
    // Allowed to run: it fails only because the event does not exist.
    assert_eq!(listed["id"], "2");
    assert_ne!(
        listed["payload"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_ALLOWED"
    );
    let _ = std::fs::remove_file(manifest_path);
}
