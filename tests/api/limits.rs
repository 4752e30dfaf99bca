//! Limits on requests and operations, and the codes of errors GraphQL
//! itself raises.

use alumni_core::Role;
use alumni_test_support::TestApp;
use serde_json::json;

/// The introspection query GraphiQL and code generators send.
pub const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}
"#;

#[tokio::test]
async fn introspection_fits_within_the_default_limits() {
    let app = TestApp::spawn().await;
    let response = app.client().query(INTROSPECTION).await;
    assert!(
        response.data()["__schema"]["types"]
            .as_array()
            .unwrap()
            .len()
            > 10
    );
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let app = TestApp::spawn_with(|settings| settings.http.max_body_bytes = 1024).await;
    let padding = " ".repeat(2048);
    let body = format!(r#"{{"query": "{{ me {{ roles }} }}{padding}"}}"#);
    let response = app.client().post_bytes(body.into_bytes()).await;
    assert_eq!(response.status, 413);
    response.expect_error("PAYLOAD_TOO_LARGE");

    let small = app.client().query("{ me { roles } }").await;
    assert_eq!(small.status, 200);
}

#[tokio::test]
async fn a_too_deep_query_is_refused_with_its_depth() {
    let app = TestApp::spawn_with(|settings| settings.operations.max_depth = 4).await;
    let response = app
        .client()
        .query("{ __schema { types { fields { type { name } } } } }")
        .await;
    let error = response.expect_error("QUERY_TOO_DEEP");
    assert_eq!(error["extensions"]["limit"], 4);
    assert_eq!(error["extensions"]["actual"], 5);
    assert!(response.body["data"].is_null());
}

#[tokio::test]
async fn a_too_complex_query_is_refused_before_it_runs() {
    let app = TestApp::spawn_with(|settings| settings.operations.max_complexity = 50).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let client = app.client_as(&secretariat);

    let (response, statements) = app
        .count_statements(client.query("{ auditEvents(first: 100) { nodes { id action } } }"))
        .await;
    let error = response.expect_error("QUERY_TOO_COMPLEX");
    assert_eq!(error["extensions"]["limit"], 50);
    assert!(error["extensions"]["actual"].as_u64().unwrap() > 50);
    // Only authentication touched the database.
    assert_eq!(statements, 1);

    client
        .query("{ auditEvents(first: 10) { nodes { id action } } }")
        .await
        .data();
}

#[tokio::test]
async fn batches_run_up_to_the_cap_and_are_refused_beyond_it() {
    let app = TestApp::spawn_with(|settings| settings.http.max_batch_size = 3).await;
    let operation = json!({ "query": "{ me { roles } }" });

    let within = app.client().post_json(&json!([operation, operation])).await;
    assert_eq!(within.status, 200);
    let responses = within
        .body
        .as_array()
        .expect("a batch answers with an array");
    assert_eq!(responses.len(), 2);
    assert!(
        responses
            .iter()
            .all(|response| response["data"]["me"].is_null())
    );

    let beyond = app
        .client()
        .post_json(&json!([operation, operation, operation, operation]))
        .await;
    assert_eq!(beyond.status, 400);
    let error = beyond.expect_error("BATCH_TOO_LARGE");
    assert!(error["message"].as_str().unwrap().contains("limit is 3"));
}

#[tokio::test]
async fn a_body_that_is_not_a_graphql_request_is_a_bad_request() {
    let app = TestApp::spawn().await;
    for body in [
        &b"{not json"[..],
        b"\"just a string\"",
        b"[]",
        b"{\"variables\": {}}",
    ] {
        let response = app.client().post_bytes(body.to_vec()).await;
        assert_eq!(response.status, 400, "{}", String::from_utf8_lossy(body));
        response.expect_error("BAD_REQUEST");
    }
}

#[tokio::test]
async fn syntax_and_schema_errors_have_their_own_codes() {
    let app = TestApp::spawn().await;
    app.client()
        .query("{ me { roles ")
        .await
        .expect_error("GRAPHQL_PARSE_FAILED");
    app.client()
        .query("{ me { shoeSize } }")
        .await
        .expect_error("GRAPHQL_VALIDATION_FAILED");
    app.client()
        .post_json(&json!({ "query": "query A { me { roles } }", "operationName": "B" }))
        .await
        .expect_error("GRAPHQL_VALIDATION_FAILED");
}

#[tokio::test]
async fn variable_values_of_the_wrong_type_fail_validation() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let response = app
        .client_as(&secretariat)
        .query_with(
            "query Page($first: Int) { auditEvents(first: $first) { nodes { id } } }",
            json!({ "first": 1.5 }),
        )
        .await;
    let error = response.expect_error("GRAPHQL_VALIDATION_FAILED");
    assert!(
        error["message"].as_str().unwrap().contains("\"first\""),
        "{error}"
    );
    assert!(response.body["data"].is_null());
}
