//! Limits on requests and operations, and the codes of errors GraphQL
//! itself raises.

use alumni_core::Role;
use alumni_gateway::limits::{IntrospectionPolicy, MAX_ERRORS};
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

/// A document whose fragments each spread the next one twice, `levels`
/// deep: about a kilobyte that expands to 2^`levels` fields.
fn fragment_bomb(levels: usize) -> String {
    let mut query = String::from("query Bomb { ...F0 }\n");
    for level in 0..levels {
        let next = level + 1;
        query.push_str(&format!(
            "fragment F{level} on Query {{ ...F{next} ...F{next} }}\n"
        ));
    }
    query.push_str(&format!("fragment F{levels} on Query {{ __typename }}\n"));
    query
}

#[tokio::test]
async fn a_fragment_bomb_is_refused_at_once() {
    let app = TestApp::spawn().await;
    let bomb = fragment_bomb(23);
    assert!(bomb.len() < 1500);

    let started = std::time::Instant::now();
    let response = app.client().query(&bomb).await;
    let took = started.elapsed();

    let error = response.expect_error("QUERY_TOO_LARGE");
    assert_eq!(error["extensions"]["limit"], 2_000);
    assert_eq!(error["extensions"]["actual"], 1 << 23);
    assert!(response.body["data"].is_null());
    // Validating it took seconds; measuring it takes microseconds.
    assert!(took.as_millis() < 100, "refusing the bomb took {took:?}");
}

#[tokio::test]
async fn fragment_cycles_are_invalid() {
    let app = TestApp::spawn().await;
    let response = app
        .client()
        .query("{ ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }")
        .await;
    let error = response.expect_error("GRAPHQL_VALIDATION_FAILED");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("spreads itself"),
        "{error}"
    );
}

#[tokio::test]
async fn documents_over_the_node_limit_are_refused_with_their_size() {
    let app = TestApp::spawn_with(|settings| settings.operations.max_nodes = 10).await;
    app.client()
        .query("{ ...F ...F } fragment F on Query { a: __typename b: __typename }")
        .await
        .data();
    let response = app
        .client()
        .query(
            "{ ...F ...F ...F ...F ...F ...F } fragment F on Query { a: __typename b: __typename }",
        )
        .await;
    let error = response.expect_error("QUERY_TOO_LARGE");
    assert_eq!(error["extensions"]["limit"], 10);
    assert_eq!(error["extensions"]["actual"], 12);
}

#[tokio::test]
async fn conflicting_aliases_give_a_bounded_error_list() {
    let app = TestApp::spawn().await;
    let mut query = String::from("{ ");
    for n in 0..1_500 {
        query.push_str(["a: x ", "a: y ", "a: me "][n % 3]);
    }
    query.push('}');
    let response = app.client().query(&query).await;

    let errors = response.errors();
    assert_eq!(errors.len(), MAX_ERRORS + 1, "{:#}", response.body);
    assert!(
        errors[..MAX_ERRORS]
            .iter()
            .all(|error| error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED")
    );
    let last = &errors[MAX_ERRORS];
    assert_eq!(last["extensions"]["code"], "TOO_MANY_ERRORS");
    assert!(last["extensions"]["omitted"].as_u64().unwrap() > 1_000);

    // Beyond the node limit they are not even validated.
    let mut more = String::from("{ ");
    for n in 0..3_000 {
        more.push_str(["a: x ", "a: y "][n % 2]);
    }
    more.push('}');
    app.client()
        .query(&more)
        .await
        .expect_error("QUERY_TOO_LARGE");
}

#[tokio::test]
async fn introspection_multiplied_by_aliases_is_refused() {
    let app = TestApp::spawn().await;
    let mut query = String::from("{ ");
    for n in 0..454 {
        query.push_str(&format!(
            "s{n}: __schema {{ types {{ fields {{ name }} }} }} "
        ));
    }
    query.push('}');
    let response = app.client().query(&query).await;
    let error = response.expect_error("INTROSPECTION_TOO_LARGE");
    assert_eq!(error["extensions"]["limit"], 60_000);
    assert!(response.body["data"].is_null());
}

/// From a `__Type`, follows every kind of type reference (nullable,
/// non-null, non-null list of non-null) to the fields of the type behind
/// it, and from those once more.
const NESTED_TYPES: &str = "
fragment V on __Type { fields { type { ...W } } ofType { fields { type { ...W } } ofType { ofType { fields { type { ...W } } } } } }
fragment W on __Type { fields { name } ofType { fields { name } ofType { ofType { fields { name } } } } }";

/// One level more of [`NESTED_TYPES`].
const ONE_LEVEL_MORE: &str = "
fragment U on __Type { fields { type { ...V } } ofType { fields { type { ...V } } ofType { ofType { fields { type { ...V } } } } } }";

#[tokio::test]
async fn nested_introspection_counts_every_field_it_reaches() {
    let app = TestApp::spawn_with(|settings| {
        settings.operations.max_introspection_fields = 2_000;
    })
    .await;
    // About 2,100 and 7,800 fields: each nested list is counted for every
    // item of the list around it.
    for query in [
        format!(
            r#"{{ __type(name: "Query") {{ fields {{ type {{ ...U }} }} }} }} {ONE_LEVEL_MORE} {NESTED_TYPES}"#
        ),
        format!("{{ __schema {{ types {{ fields {{ type {{ ...V }} }} }} }} }} {NESTED_TYPES}"),
    ] {
        let response = app.client().query(&query).await;
        let error = response.expect_error("INTROSPECTION_TOO_LARGE");
        assert_eq!(error["extensions"]["limit"], 2_000);
    }
    // A list of every type's name, or one type's fields, is small.
    app.client()
        .query("{ __schema { types { name } } }")
        .await
        .data();
    let one_type = app
        .client()
        .query(r#"{ __type(name: "Query") { fields { name type { name ofType { name } } } } }"#)
        .await;
    assert!(
        !one_type.data()["__type"]["fields"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_batch_of_full_introspections_shares_one_budget() {
    let app = TestApp::spawn().await;
    let operation = json!({ "query": INTROSPECTION });
    let response = app
        .client()
        .post_json(&serde_json::Value::Array(vec![operation; 4]))
        .await;
    assert_eq!(response.status, 200);
    let responses = response.body.as_array().unwrap();
    assert!(responses[0]["errors"].is_null(), "{:#}", responses[0]);
    assert!(responses[0]["data"]["__schema"]["types"].is_array());
    assert_eq!(
        responses[3]["errors"][0]["extensions"]["code"],
        "INTROSPECTION_TOO_LARGE"
    );
}

const SCHEMA_PROBES: [&str; 2] = [
    "{ __schema { queryType { name } } }",
    r#"{ __type(name: "Member") { name } }"#,
];

#[tokio::test]
async fn each_introspection_setting_is_honoured_for_anonymous_and_signed_in_callers() {
    for policy in [
        IntrospectionPolicy::On,
        IntrospectionPolicy::Members,
        IntrospectionPolicy::Off,
    ] {
        let app = TestApp::spawn_with(|settings| settings.exposure.introspection = policy).await;
        let member = app.create_member(&[Role::Secretariat]).await;
        for (client, signed_in) in [(app.client(), false), (app.client_as(&member), true)] {
            let (refusal, sdl_status) = match (policy, signed_in) {
                (IntrospectionPolicy::On, _) | (IntrospectionPolicy::Members, true) => (None, 200),
                (IntrospectionPolicy::Members, false) => (Some("UNAUTHENTICATED"), 401),
                (IntrospectionPolicy::Off, _) => (Some("INTROSPECTION_DISABLED"), 404),
            };
            let case = format!("{policy:?}, signed in: {signed_in}");
            for probe in SCHEMA_PROBES {
                let response = client.query(probe).await;
                match refusal {
                    None => assert!(response.errors().is_empty(), "{case}: {:#}", response.body),
                    Some(code) => {
                        assert_eq!(response.error_code(), Some(code), "{case}");
                        assert!(response.body["data"].is_null(), "{case}");
                    }
                }
            }
            // The SDL is the same information.
            assert_eq!(
                client.get("/schema.graphql").await.status(),
                sdl_status,
                "{case}"
            );
            // Asking for a type's name is not introspection.
            assert_eq!(
                client.query("{ __typename }").await.data()["__typename"],
                "Query",
                "{case}"
            );
        }
    }
}

#[tokio::test]
async fn graphiql_can_be_turned_off() {
    let on = TestApp::spawn().await;
    let page = on
        .client()
        .get_with("/graphql", &[("accept", "text/html")])
        .await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("graphiql"));

    let off = TestApp::spawn_with(|settings| settings.exposure.graphiql = false).await;
    let page = off
        .client()
        .get_with("/graphql", &[("accept", "text/html")])
        .await;
    assert_eq!(page.status(), 404);
    off.client().query("{ __typename }").await.data();
}

#[tokio::test]
async fn an_oversized_response_is_replaced_by_an_error() {
    let app = TestApp::spawn_with(|settings| settings.http.max_response_bytes = 4_096).await;
    let response = app.client().query(INTROSPECTION).await;
    assert_eq!(response.status, 200);
    let error = response.expect_error("RESPONSE_TOO_LARGE");
    assert_eq!(error["extensions"]["limit"], 4_096);
    assert!(response.body["data"].is_null());

    app.client().query("{ me { roles } }").await.data();

    let batch = app
        .client()
        .post_json(&json!([{ "query": "{ __typename }" }, { "query": INTROSPECTION }]))
        .await;
    let responses = batch.body.as_array().unwrap();
    assert_eq!(responses[0]["data"]["__typename"], "Query");
    assert_eq!(
        responses[1]["errors"][0]["extensions"]["code"],
        "RESPONSE_TOO_LARGE"
    );
}

#[tokio::test]
async fn the_limits_hold_on_websockets_too() {
    let app = TestApp::spawn_with(|settings| settings.http.max_response_bytes = 200).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let published = crate::socket::event(&app, &secretariat, true).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    let code = |payload: &serde_json::Value| payload["errors"][0]["extensions"]["code"].clone();

    let mut bomb_document =
        String::from("subscription Bomb($id: ID!) { eventSeats(eventId: $id) { ...F0 } }\n");
    for level in 0..23 {
        let next = level + 1;
        bomb_document.push_str(&format!(
            "fragment F{level} on EventSeats {{ ...F{next} ...F{next} }}\n"
        ));
    }
    bomb_document.push_str("fragment F23 on EventSeats { seatsLeft }\n");
    let mut bomb = client
        .subscribe(&bomb_document, json!({ "id": published }))
        .await;
    assert_eq!(code(&bomb.next().await), "QUERY_TOO_LARGE");

    let mut nul = client
        .subscribe(
            "subscription($id: ID!) { eventSeats(eventId: $id) { seatsLeft } }",
            json!({ "id": "a\u{0}b" }),
        )
        .await;
    let payload = nul.next().await;
    assert_eq!(code(&payload), "BAD_USER_INPUT");
    assert_eq!(payload["errors"][0]["extensions"]["field"], "eventId");

    let aliases: String = (0..40).map(|n| format!("a{n}: seatsLeft ")).collect();
    let mut big = client
        .subscribe(
            &format!("subscription($id: ID!) {{ eventSeats(eventId: $id) {{ {aliases} }} }}"),
            json!({ "id": published }),
        )
        .await;
    assert_eq!(code(&big.next().await), "RESPONSE_TOO_LARGE");
}
