//! No N+1: a page of 10 and a page of 100 cost the same statements, with
//! every association of an event selected.

use alumni_core::Role;
use alumni_events::model::{
    Audience, Confidentiality, EventFields, EventFormat, EventKind, MaterialKind, SpeakerSlot,
};
use alumni_events::rules::DEFAULT_TIME_ZONE;
use alumni_events::service::{NewEvent, NewMaterial};
use alumni_test_support::{TestApp, TestMember};
use chrono::Duration;
use serde_json::json;

use super::support::viewer_of;

/// 100 published events, each with a member and a guest speaker, started an
/// hour ago, with materials; `registrant` holds a seat at every one.
async fn hundred_events(app: &TestApp, secretariat: &TestMember, registrant: &TestMember) {
    let organiser = viewer_of(app, secretariat).await;
    let attendee = viewer_of(app, registrant).await;
    let speaker = app.create_member(&[Role::Alumnus]).await;
    let now = alumni_core::Clock::now(app.clock.as_ref());
    let starts_at = now + Duration::hours(1);
    let mut ids = Vec::new();
    for n in 0..100 {
        let event = app
            .services
            .events
            .create_event(
                &organiser,
                NewEvent {
                    fields: EventFields {
                        title: format!("勉強会 #{n}"),
                        description: String::new(),
                        kind: EventKind::StudySession,
                        format: EventFormat::Online,
                        venue: None,
                        join_url: Some("https://meet.example/study".into()),
                        starts_at: starts_at + Duration::minutes(n),
                        ends_at: starts_at + Duration::minutes(n) + Duration::hours(2),
                        time_zone: DEFAULT_TIME_ZONE.into(),
                        audience: Audience::Everyone,
                        registration_opens_at: now,
                        registration_closes_at: starts_at + Duration::minutes(n),
                    },
                    capacity: Some(10),
                    speakers: vec![
                        SpeakerSlot::Member {
                            member_id: speaker.id,
                            affiliation: None,
                        },
                        SpeakerSlot::Guest {
                            name: "山田 太郎".into(),
                            affiliation: Some("ゲスト".into()),
                        },
                    ],
                    confirm_warnings: false,
                },
            )
            .await
            .unwrap();
        app.services
            .events
            .publish_event(&organiser, event.id)
            .await
            .unwrap();
        app.services
            .events
            .register(&attendee, event.id)
            .await
            .unwrap();
        ids.push(event.id);
    }
    app.clock.advance(Duration::hours(3));
    for id in ids {
        for confidentiality in [Confidentiality::AlumniOk, Confidentiality::InternalOnly] {
            app.services
                .events
                .add_material(
                    &organiser,
                    id,
                    NewMaterial {
                        kind: MaterialKind::Slides,
                        title: "スライド".into(),
                        url: "https://slides.example/s".into(),
                        confidentiality,
                        confirm_warnings: false,
                    },
                )
                .await
                .unwrap();
        }
    }
}

const MEMBER_PAGE: &str = "query($first: Int!) {
    events(first: $first) {
        totalCount totalCountCapped
        nodes {
            id title status joinUrl calendarPath
            seats { seatsLeft waitlistLength }
            speakers { guestName member { id email } }
            materials { title confidentiality }
            myRegistration { status waitlistPosition checkInCode attendance event { id } }
        }
    }
}";

const SECRETARIAT_PAGE: &str = "query($first: Int!) {
    events(first: $first) {
        nodes {
            id joinUrl
            speakers { member { id } }
            materials { title }
            attendance { attended noShow }
            seated: registrations(status: CONFIRMED, first: 1) { totalCount }
            waiting: registrations(status: WAITLISTED, first: 1) { totalCount }
            everyone: registrations(first: 1) { totalCount }
        }
    }
    myRegistrations(first: $first) { totalCount nodes { status event { id title } } }
}";

#[tokio::test]
async fn lists_cost_the_same_statements_for_ten_and_a_hundred_events() {
    let app = TestApp::spawn_with(|settings| {
        settings.operations.max_complexity = 1_000_000;
    })
    .await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    hundred_events(&app, &secretariat, &alumnus).await;

    for (viewer, query) in [(&alumnus, MEMBER_PAGE), (&secretariat, SECRETARIAT_PAGE)] {
        let client = app.client_as(viewer);
        // The clock moved on while the events were made: the first request
        // records the visit (once an hour), which is not the list's cost.
        client.query("{ me { roles } }").await.data();
        let mut costs = Vec::new();
        for first in [10, 100] {
            let (response, statements) = app
                .count_statements(client.query_with(query, json!({ "first": first })))
                .await;
            let events = &response.data()["events"];
            assert_eq!(events["nodes"].as_array().unwrap().len(), first);
            costs.push(statements);
            if query == SECRETARIAT_PAGE {
                for node in events["nodes"].as_array().unwrap() {
                    assert_eq!(node["seated"]["totalCount"], 1);
                    assert_eq!(node["waiting"]["totalCount"], 0);
                    assert_eq!(node["everyone"]["totalCount"], 1);
                }
                assert_eq!(response.data()["myRegistrations"]["totalCount"], 0);
            } else {
                assert_eq!(events["totalCount"], 100);
                assert_eq!(events["totalCountCapped"], false);
            }
        }
        assert_eq!(
            costs[0], costs[1],
            "statements for 10 and 100 events: {query}"
        );
        assert!(costs[0] <= 12, "{costs:?}");
    }

    // Once all are over, the alumnus sees the join URL, their no-show and
    // only the material meant for alumni, on every event.
    app.clock.advance(Duration::hours(5));
    let page = app
        .client_as(&alumnus)
        .query_with(MEMBER_PAGE, json!({ "first": 100 }))
        .await;
    for node in page.data()["events"]["nodes"].as_array().unwrap() {
        assert_eq!(node["joinUrl"], "https://meet.example/study");
        assert_eq!(node["myRegistration"]["attendance"], "NO_SHOW");
        assert_eq!(
            node["materials"],
            json!([{ "title": "スライド", "confidentiality": "ALUMNI_OK" }])
        );
    }
}

#[tokio::test]
async fn an_attendee_list_costs_the_same_for_ten_and_a_hundred_registrations() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = super::support::published_event(
        &app,
        &secretariat,
        super::support::event_input(&app, Some(50), json!({})),
    )
    .await;
    let members = super::support::create_members(&app, 100, Role::Alumnus).await;
    let event_id =
        <alumni_events::EventId as alumni_core::NodeId>::from_global(&event.clone().into(), "id")
            .unwrap();
    for member in &members {
        let viewer = viewer_of(&app, member).await;
        app.services
            .events
            .register(&viewer, event_id)
            .await
            .unwrap();
    }
    let client = app.client_as(&secretariat);
    let query = "query($id: ID!, $first: Int!) {
        event(id: $id) {
            registrations(first: $first) {
                nodes { status waitlistPosition checkInCode member { id email roles } event { id title } }
            }
        }
    }";
    let mut costs = Vec::new();
    for first in [10, 100] {
        let (response, statements) = app
            .count_statements(client.query_with(query, json!({ "id": event, "first": first })))
            .await;
        let nodes = response.data()["event"]["registrations"]["nodes"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(nodes.len(), first);
        assert!(nodes.iter().all(|node| node["member"]["email"].is_string()));
        costs.push(statements);
    }
    assert_eq!(costs[0], costs[1]);
}
