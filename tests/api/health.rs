//! Health checks, GraphiQL, the SDL endpoint and request ids.

use alumni_test_support::TestApp;

#[tokio::test]
async fn liveness_and_readiness_answer() {
    let app = TestApp::spawn().await;
    let live = app.client().get("/livez").await;
    assert_eq!(live.status(), 200);
    let ready = app.client().get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn a_browser_gets_graphiql() {
    let app = TestApp::spawn().await;
    let page = app
        .client()
        .get_with("/graphql", &[("accept", "text/html,*/*;q=0.8")])
        .await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    let html = page.text().await.unwrap();
    assert!(
        !html.contains("https://"),
        "only this server's assets: {html}"
    );
    let script = html
        .split("<script src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a script tag");
    let asset = app.client().get(script).await;
    assert_eq!(asset.status(), 200);
    assert!(
        asset.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
}

#[tokio::test]
async fn the_schema_is_served_as_sdl() {
    let app = TestApp::spawn().await;
    let response = app.client().get("/schema.graphql").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), alumni_gateway::sdl());
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let first = app.client().query("{ me { roles } }").await;
    let second = app.client().query("{ me { roles } }").await;
    let first_id = first.request_id.expect("x-request-id on the response");
    assert_eq!(first_id.len(), 36, "{first_id}");
    assert_ne!(Some(first_id), second.request_id);

    let echoed = reqwest::Client::new()
        .get(format!("{}/livez", app.base_url()))
        .header("x-request-id", "frontend-trace-1234")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "frontend-trace-1234");
}

#[tokio::test]
async fn graphql_response_media_type_is_honoured() {
    let app = TestApp::spawn().await;
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", app.base_url()))
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(r#"{"query":"{ me { roles } }"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/graphql-response+json; charset=utf-8"
    );
}

#[tokio::test]
async fn allowed_browser_origins_get_cors_headers() {
    let app = TestApp::spawn_with(|settings| {
        settings.allowed_origins = vec!["http://localhost:3000".to_owned()];
    })
    .await;
    let preflight = |origin: &'static str| {
        reqwest::Client::new()
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/graphql", app.base_url()),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("http://localhost:3000").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}
