//! Held content is invisible on every path to everyone but its author and
//! moderators: lists, `node(id:)`, nested fields, calendar files.

use alumni_test_support::{TestApp, TestMember};
use chrono::Duration;
use serde_json::{Value, json};

use super::support::{People, create_event, people, publish, set_bio};

/// Every way a member reaches an event and its materials.
const EVENT_PATHS: &str = "query($id: ID!) {
    node(id: $id) { id }
    nodes(ids: [$id]) { id }
    events(first: 50) { totalCount nodes { id } }
}";

async fn sees_event(app: &TestApp, viewer: &TestMember, event: &str) -> bool {
    let response = app
        .client_as(viewer)
        .query_with(EVENT_PATHS, json!({ "id": event }))
        .await;
    let data = response.data();
    let listed = data["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|node| node["id"] == event);
    let by_id = app
        .client_as(viewer)
        .query_with(
            "query($id: ID!) { event(id: $id) { id } }",
            json!({ "id": event }),
        )
        .await
        .error_code()
        .is_none();
    let by_node = data["node"]["id"] == event;
    let by_nodes = data["nodes"][0]["id"] == event;
    assert!(
        listed == by_id && by_id == by_node && by_node == by_nodes,
        "every path agrees: {data:#}"
    );
    let calendar = app
        .client_as(viewer)
        .get(&format!("/events/{event}.ics"))
        .await
        .status()
        .as_u16();
    assert_eq!(calendar == 200, by_id, "the calendar file agrees");
    by_id
}

fn everyone_but_moderators(people: &People) -> [&TestMember; 4] {
    [
        &people.author,
        &people.alumnus,
        &people.employee,
        &people.analyst,
    ]
}

#[tokio::test]
async fn a_held_event_reaches_only_the_secretariat_and_moderators() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    let created = create_event(
        &app,
        &people.secretariat,
        "北斗フィナンシャル様の導入事例",
        "EVERYONE",
    )
    .await;
    let event = created.data()["createEvent"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    publish(&app, &people.secretariat, &event).await;

    for viewer in everyone_but_moderators(&people) {
        assert!(!sees_event(&app, viewer, &event).await, "{}", viewer.email);
        app.client_as(viewer)
            .query_with(
                "mutation($id: ID!) { registerForEvent(eventId: $id) { id } }",
                json!({ "id": event }),
            )
            .await
            .expect_error("NOT_FOUND");
    }
    assert!(sees_event(&app, &people.moderator, &event).await);
    let shown = app
        .client_as(&people.moderator)
        .query_with(
            "query($id: ID!) { event(id: $id) { moderation } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(shown.data()["event"]["moderation"], "HELD");
    assert!(sees_event(&app, &people.secretariat, &event).await);
    let anonymous = app
        .client()
        .query_with(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(anonymous.body["data"]["node"], Value::Null);

    let case = super::support::queue(&app, &people.moderator).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    super::support::resolve(&app, &people.moderator, &case, "RELEASED")
        .await
        .data();
    for viewer in everyone_but_moderators(&people) {
        assert!(
            sees_event(&app, viewer, &event).await,
            "released for {}",
            viewer.email
        );
    }
}

#[tokio::test]
async fn held_material_is_left_out_of_its_event_and_of_node() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    let created = create_event(&app, &people.secretariat, "Rust の基礎", "EVERYONE").await;
    let event = created.data()["createEvent"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    publish(&app, &people.secretariat, &event).await;
    app.clock.advance(Duration::days(8));
    let client = app.client_as(&people.secretariat);
    const ADD: &str = "mutation($id: ID!, $title: String!) {
        addEventMaterial(eventId: $id, input: { kind: SLIDES, title: $title, url: \"https://slides.example/s\", confidentiality: ALUMNI_OK }) { id }
    }";
    client
        .query_with(ADD, json!({ "id": event, "title": "スライド" }))
        .await
        .data();
    let held = client
        .query_with(
            ADD,
            json!({ "id": event, "title": "Hokuto Financial 事例スライド" }),
        )
        .await;
    let material = held.data()["addEventMaterial"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let titles = |viewer: &TestMember| {
        let client = app.client_as(viewer);
        let event = event.clone();
        let material = material.clone();
        async move {
            let response = client
                .query_with(
                    "query($event: ID!, $material: ID!) {
                        event(id: $event) { materials { title } }
                        node(id: $material) { id }
                    }",
                    json!({ "event": event, "material": material }),
                )
                .await;
            (
                response.data()["event"]["materials"]
                    .as_array()
                    .unwrap()
                    .len(),
                response.data()["node"].is_object(),
            )
        }
    };
    for viewer in everyone_but_moderators(&people) {
        assert_eq!(titles(viewer).await, (1, false), "{}", viewer.email);
    }
    assert_eq!(titles(&people.moderator).await, (2, true));
}

#[tokio::test]
async fn a_held_bio_is_withheld_in_the_directory_and_nested_fields() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    set_bio(&app, &people.author, "北斗フィナンシャルの決済基盤", false)
        .await
        .data();
    const PATHS: &str = "query($id: ID!) {
        member(id: $id) { bio links { url } }
        node(id: $id) { ... on Member { bio } }
        members(first: 50) { nodes { id bio } }
    }";
    const QUEUE: &str = "{ moderationQueue { nodes { subject { ... on Member { bio } } } } }";
    for viewer in everyone_but_moderators(&people).into_iter().skip(1) {
        let response = app
            .client_as(viewer)
            .query_with(PATHS, json!({ "id": people.author.global_id() }))
            .await;
        let data = response.data();
        assert_eq!(data["member"]["bio"], Value::Null);
        assert_eq!(data["node"]["bio"], Value::Null);
        let listed = data["members"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|node| node["id"] == people.author.global_id().as_str())
            .expect("still listed");
        assert_eq!(listed["bio"], Value::Null);
        app.client_as(viewer)
            .query(QUEUE)
            .await
            .expect_error("FORBIDDEN");
    }
    let moderator = app
        .client_as(&people.moderator)
        .query_with(PATHS, json!({ "id": people.author.global_id() }))
        .await;
    assert_eq!(
        moderator.data()["node"]["bio"],
        "北斗フィナンシャルの決済基盤"
    );
    let queue = app.client_as(&people.moderator).query(QUEUE).await;
    assert_eq!(
        queue.data()["moderationQueue"]["nodes"][0]["subject"]["bio"],
        "北斗フィナンシャルの決済基盤"
    );
}
