//! Field-level rules on every path: the join URL only for confirmed
//! attendees and the secretariat, internal-only material only for employees
//! and the secretariat, a registration's particulars only for its member
//! and the secretariat.

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
use chrono::Duration;
use serde_json::{Value, json};

use super::support::{assert_refused, event_input, published_event, register};

const JOIN_URL: &str = "https://meet.example/k8s-study";

/// The join URL as `viewer` reads it through `event`, `node`, the list and
/// their own registrations.
async fn join_urls_seen_by(app: &TestApp, viewer: &TestMember, event: &str) -> Vec<Value> {
    let response = app
        .client_as(viewer)
        .query_with(
            "query($id: ID!) {
                event(id: $id) { joinUrl }
                node(id: $id) { ... on Event { joinUrl } }
                events { nodes { joinUrl } }
                myRegistrations { nodes { event { joinUrl } } }
            }",
            json!({ "id": event }),
        )
        .await;
    let data = response.data();
    let mut seen = vec![
        data["event"]["joinUrl"].clone(),
        data["node"]["joinUrl"].clone(),
    ];
    seen.extend(
        data["events"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|node| node["joinUrl"].clone()),
    );
    seen.extend(
        data["myRegistrations"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|node| node["event"]["joinUrl"].clone()),
    );
    seen
}

#[tokio::test]
async fn only_confirmed_attendees_and_the_secretariat_see_the_join_url() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(1), json!({}))).await;
    let confirmed = app.create_member(&[Role::Alumnus]).await;
    let waitlisted = app.create_member(&[Role::Alumnus]).await;
    register(&app, &confirmed, &event).await.data();
    register(&app, &waitlisted, &event).await.data();

    for viewer in [&confirmed, &secretariat] {
        let seen = join_urls_seen_by(&app, viewer, &event).await;
        assert!(seen.iter().all(|url| url == JOIN_URL), "{seen:?}");
    }
    let unregistered_alumnus = app.create_member(&[Role::Alumnus]).await;
    let unregistered_employee = app.create_member(&[Role::Employee]).await;
    let analyst = app.create_member(&[Role::Analyst]).await;
    for viewer in [
        &waitlisted,
        &unregistered_alumnus,
        &unregistered_employee,
        &analyst,
    ] {
        let seen = join_urls_seen_by(&app, viewer, &event).await;
        assert!(seen.len() >= 3);
        assert!(seen.iter().all(Value::is_null), "{seen:?}");
    }

    // A cancelled seat loses it; the promoted member gains it.
    app.client_as(&confirmed)
        .query_with(
            "mutation($id: ID!) { cancelRegistration(eventId: $id) { status } }",
            json!({ "id": event }),
        )
        .await
        .data();
    assert!(
        join_urls_seen_by(&app, &confirmed, &event)
            .await
            .iter()
            .all(Value::is_null)
    );
    assert!(
        join_urls_seen_by(&app, &waitlisted, &event)
            .await
            .iter()
            .all(|url| url == JOIN_URL)
    );
}

#[tokio::test]
async fn events_are_for_signed_in_members_and_drafts_for_the_secretariat() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let published = published_event(&app, &secretariat, event_input(&app, None, json!({}))).await;
    let draft = super::support::draft_event(
        &app,
        &secretariat,
        event_input(&app, None, json!({ "title": "準備中のイベント" })),
    )
    .await;

    app.client()
        .query("{ events { nodes { id } } }")
        .await
        .expect_error("UNAUTHENTICATED");
    app.client()
        .query_with(
            "query($id: ID!) { event(id: $id) { id } }",
            json!({ "id": published }),
        )
        .await
        .expect_error("UNAUTHENTICATED");

    let list = "{ events { nodes { id } } }";
    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Analyst,
        Role::Moderator,
    ] {
        let member = app.create_member(&[role]).await;
        let client = app.client_as(&member);
        assert_eq!(
            client.query(list).await.data()["events"]["nodes"],
            json!([{ "id": published }])
        );
        // A draft is nothing the member may see: `null` through `node`, as
        // Relay expects, and `NOT_FOUND` through `event`.
        let through_node = client
            .query_with(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": draft }),
            )
            .await;
        assert_eq!(through_node.data()["node"], json!(null));
        client
            .query_with(
                "query($id: ID!) { event(id: $id) { id } }",
                json!({ "id": draft }),
            )
            .await
            .expect_error("NOT_FOUND");
    }
    let all = app.client_as(&secretariat).query(list).await;
    assert_eq!(all.data()["events"]["nodes"].as_array().unwrap().len(), 2);
}

const ADD_MATERIAL: &str = "mutation($id: ID!, $input: AddMaterialInput!) {
    addEventMaterial(eventId: $id, input: $input) { title confidentiality }
}";

#[tokio::test]
async fn internal_only_material_is_for_employees_and_the_secretariat() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, None, json!({}))).await;
    let client = app.client_as(&secretariat);
    let slides = json!({
        "kind": "SLIDES", "title": "発表スライド",
        "url": "https://slides.example/k8s", "confidentiality": "ALUMNI_OK",
    });
    let recording = json!({
        "kind": "RECORDING", "title": "録画 (社内限定)",
        "url": "https://video.example/internal/k8s", "confidentiality": "INTERNAL_ONLY",
    });

    assert_refused(
        &client
            .query_with(ADD_MATERIAL, json!({ "id": event, "input": slides }))
            .await,
        "CONFLICT",
        "EVENT_NOT_STARTED",
    );
    app.clock.advance(Duration::days(7) + Duration::hours(3));
    for input in [&slides, &recording] {
        client
            .query_with(ADD_MATERIAL, json!({ "id": event, "input": input }))
            .await
            .data();
    }
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    app.client_as(&alumnus)
        .query_with(ADD_MATERIAL, json!({ "id": event, "input": slides }))
        .await
        .expect_error("FORBIDDEN");

    let read = "query($id: ID!) {
        event(id: $id) { materials { title } }
        node(id: $id) { ... on Event { materials { title } } }
        events { nodes { materials { title } } }
    }";
    let titles = |response: &alumni_test_support::GqlResponse| -> Vec<Vec<String>> {
        let data = response.data();
        [
            &data["event"]["materials"],
            &data["node"]["materials"],
            &data["events"]["nodes"][0]["materials"],
        ]
        .iter()
        .map(|materials| {
            materials
                .as_array()
                .unwrap()
                .iter()
                .map(|material| material["title"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
    };
    let everything = vec!["発表スライド".to_owned(), "録画 (社内限定)".to_owned()];
    let alumni_ok = vec!["発表スライド".to_owned()];

    let employee = app.create_member(&[Role::Employee]).await;
    for viewer in [&employee, &secretariat] {
        let seen = app
            .client_as(viewer)
            .query_with(read, json!({ "id": event }))
            .await;
        assert!(titles(&seen).iter().all(|t| *t == everything));
    }
    let analyst = app.create_member(&[Role::Analyst]).await;
    let moderator = app.create_member(&[Role::Moderator]).await;
    for viewer in [&alumnus, &analyst, &moderator] {
        let seen = app
            .client_as(viewer)
            .query_with(read, json!({ "id": event }))
            .await;
        assert!(
            titles(&seen).iter().all(|t| *t == alumni_ok),
            "{:#}",
            seen.body
        );
    }
}

#[tokio::test]
async fn members_see_their_own_place_and_never_who_else_waits() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(1), json!({}))).await;
    let confirmed = app.create_member(&[Role::Alumnus]).await;
    let waiting = app.create_member(&[Role::Alumnus]).await;
    let confirmed_code =
        super::support::registration(&register(&app, &confirmed, &event).await)["checkInCode"]
            .as_str()
            .unwrap()
            .to_owned();
    let waiting_view = register(&app, &waiting, &event).await;
    assert!(super::support::registration(&waiting_view)["checkInCode"].is_null());

    let attendees =
        "query($id: ID!) { event(id: $id) { registrations { nodes { member { id } } } } }";
    for member in [&confirmed, &waiting] {
        app.client_as(member)
            .query_with(attendees, json!({ "id": event }))
            .await
            .expect_error("FORBIDDEN");
    }
    for role in [Role::Employee, Role::Analyst, Role::Moderator] {
        let member = app.create_member(&[role]).await;
        app.client_as(&member)
            .query_with(attendees, json!({ "id": event }))
            .await
            .expect_error("FORBIDDEN");
        app.client_as(&member)
            .query_with(
                "query($id: ID!) { event(id: $id) { attendance { attended } } }",
                json!({ "id": event }),
            )
            .await
            .expect_error("FORBIDDEN");
    }
    let mine = app
        .client_as(&waiting)
        .query("{ me { registrations { nodes { status waitlistPosition checkInCode } } } }")
        .await;
    assert_eq!(
        mine.data()["me"]["registrations"]["nodes"],
        json!([{ "status": "WAITLISTED", "waitlistPosition": 1, "checkInCode": null }])
    );
    let list = super::support::attendee_list(&app, &secretariat, &event).await;
    assert_eq!(list[0]["checkInCode"], confirmed_code.as_str());
    assert_eq!(list[1]["waitlistPosition"], 1);
}
