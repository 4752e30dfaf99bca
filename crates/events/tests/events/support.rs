//! Shared steps: events made through the API, registrations, and the
//! viewer of a test member for service-level calls.

use alumni_core::{Clock as _, Role, Viewer};
use alumni_test_support::{GqlResponse, TestApp, TestMember};
use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

/// Creates an event as the secretariat.
pub const CREATE_EVENT: &str = "mutation Create($input: CreateEventInput!) {
    createEvent(input: $input) { id status }
}";

/// Registers the caller.
pub const REGISTER: &str = "mutation Register($id: ID!) {
    registerForEvent(eventId: $id) {
        status waitlistPosition checkInCode
        event { id status seats { capacity seatsLeft waitlistLength } }
    }
}";

/// Cancels the caller's registration.
pub const CANCEL_REGISTRATION: &str = "mutation Cancel($id: ID!) {
    cancelRegistration(eventId: $id) { status waitlistPosition }
}";

/// The attendee list, as the secretariat sees it.
pub const ATTENDEES: &str = "query Attendees($id: ID!, $after: String) {
    event(id: $id) {
        registrations(first: 100, after: $after) {
            nodes { status waitlistPosition checkInCode member { id } }
            pageInfo { hasNextPage endCursor }
        }
    }
}";

/// RFC 3339 for GraphQL variables.
pub fn at(time: DateTime<Utc>) -> String {
    time.to_rfc3339()
}

/// Input of a hybrid study session a week from now with `capacity` seats,
/// registration open from now until the start, changed by `overrides`.
pub fn event_input(app: &TestApp, capacity: Option<i32>, overrides: Value) -> Value {
    let starts_at = app.clock.now() + Duration::days(7);
    let mut input = json!({
        "title": "Kubernetes 運用勉強会",
        "description": "監視とアラート設計。**ノート PC 持参**",
        "kind": "STUDY_SESSION",
        "format": "HYBRID",
        "venue": "本社 20F 大会議室",
        "joinUrl": "https://meet.example/k8s-study",
        "startsAt": at(starts_at),
        "endsAt": at(starts_at + Duration::hours(2)),
        "audience": "EVERYONE",
        "capacity": capacity,
    });
    if let (Some(input), Value::Object(overrides)) = (input.as_object_mut(), overrides) {
        input.extend(overrides);
    }
    input
}

/// Creates a draft through the API; returns its global id.
pub async fn draft_event(app: &TestApp, secretariat: &TestMember, input: Value) -> String {
    let created = app
        .client_as(secretariat)
        .query_with(CREATE_EVENT, json!({ "input": input }))
        .await;
    created.data()["createEvent"]["id"]
        .as_str()
        .expect("event id")
        .to_owned()
}

/// Creates and publishes an event through the API; returns its global id.
pub async fn published_event(app: &TestApp, secretariat: &TestMember, input: Value) -> String {
    let id = draft_event(app, secretariat, input).await;
    app.client_as(secretariat)
        .query_with(
            "mutation($id: ID!) { publishEvent(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await
        .data();
    id
}

/// Registers `member` for the event.
pub async fn register(app: &TestApp, member: &TestMember, event_id: &str) -> GqlResponse {
    app.client_as(member)
        .query_with(REGISTER, json!({ "id": event_id }))
        .await
}

/// The registration part of a successful `registerForEvent`.
pub fn registration(response: &GqlResponse) -> &Value {
    &response.data()["registerForEvent"]
}

/// Every registration of the event, as the secretariat's attendee list.
pub async fn attendee_list(app: &TestApp, secretariat: &TestMember, event_id: &str) -> Vec<Value> {
    let client = app.client_as(secretariat);
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = client
            .query_with(ATTENDEES, json!({ "id": event_id, "after": after }))
            .await;
        let connection = &page.data()["event"]["registrations"];
        nodes.extend(connection["nodes"].as_array().unwrap().iter().cloned());
        if connection["pageInfo"]["hasNextPage"] != true {
            return nodes;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
}

/// Creates `count` members holding `role`, a few at a time (password
/// hashing is deliberately slow, and the pool is small).
pub async fn create_members(app: &TestApp, count: usize, role: Role) -> Vec<TestMember> {
    futures_util::stream::iter(0..count)
        .map(|_| async move { app.create_member(&[role]).await })
        .buffered(4)
        .collect()
        .await
}

/// The viewer a test member's token stands for, for service-level calls.
pub async fn viewer_of(app: &TestApp, member: &TestMember) -> Viewer {
    app.services
        .membership
        .authenticate(&member.token)
        .await
        .expect("authenticate test member")
}

/// Asserts that `response` is refused with `code` and `reason`.
pub fn assert_refused(response: &GqlResponse, code: &str, reason: &str) {
    let error = response.expect_error(code);
    assert_eq!(error["extensions"]["reason"], reason, "{:#}", response.body);
}
