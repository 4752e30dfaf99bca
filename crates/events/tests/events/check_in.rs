//! Check-in by code at the door, and attendance once the event is over.

use alumni_core::Role;
use alumni_core::pagination::PageRequest;
use alumni_events::model::RegistrationStatus;
use alumni_test_support::TestApp;
use chrono::Duration;
use serde_json::json;

use super::support::{
    assert_refused, event_input, published_event, register, registration, viewer_of,
};

const CHECK_IN: &str = "mutation($id: ID!, $code: String!) {
    checkInAttendee(eventId: $id, code: $code) { status checkedInAt member { id } }
}";

#[tokio::test]
async fn the_secretariat_checks_attendees_in_by_code_and_attendance_follows() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(2), json!({}))).await;
    let attendee = app.create_member(&[Role::Alumnus]).await;
    let absentee = app.create_member(&[Role::Employee]).await;
    let waiting = app.create_member(&[Role::Alumnus]).await;
    let code = registration(&register(&app, &attendee, &event).await)["checkInCode"]
        .as_str()
        .unwrap()
        .to_owned();
    register(&app, &absentee, &event).await.data();
    register(&app, &waiting, &event).await.data();
    let client = app.client_as(&secretariat);

    let too_early = client
        .query_with(CHECK_IN, json!({ "id": event, "code": code }))
        .await;
    assert_refused(&too_early, "CONFLICT", "CHECK_IN_NOT_OPEN");

    // The doors open two hours before the start.
    app.clock.advance(Duration::days(7) - Duration::hours(1));
    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Analyst,
        Role::Moderator,
    ] {
        let member = app.create_member(&[role]).await;
        app.client_as(&member)
            .query_with(CHECK_IN, json!({ "id": event, "code": code }))
            .await
            .expect_error("FORBIDDEN");
    }
    // Codes are read aloud or typed from paper: case and spaces do not matter.
    let typed = format!(" {} ", code.to_lowercase());
    let checked_in = client
        .query_with(CHECK_IN, json!({ "id": event, "code": typed }))
        .await;
    let checked_in = &checked_in.data()["checkInAttendee"];
    assert_eq!(checked_in["member"]["id"], attendee.global_id().as_str());
    let first_time = checked_in["checkedInAt"].clone();
    assert!(first_time.is_string());

    app.clock.advance(Duration::minutes(3));
    let twice = client
        .query_with(CHECK_IN, json!({ "id": event, "code": code }))
        .await;
    assert_eq!(twice.data()["checkInAttendee"]["checkedInAt"], first_time);

    client
        .query_with(CHECK_IN, json!({ "id": event, "code": "ZZZZZZZZ" }))
        .await
        .expect_error("NOT_FOUND");

    // A waitlisted registration has a code, but no seat to check in to.
    let viewer = viewer_of(&app, &secretariat).await;
    let event_id =
        <alumni_events::EventId as alumni_core::NodeId>::from_global(&event.clone().into(), "id")
            .unwrap();
    let waitlisted = app
        .services
        .events
        .registration_pages(
            &viewer,
            &[event_id],
            Some(RegistrationStatus::Waitlisted),
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    let refused = client
        .query_with(
            CHECK_IN,
            json!({ "id": event, "code": waitlisted[0].check_in_code }),
        )
        .await;
    assert_refused(&refused, "CONFLICT", "NOT_CONFIRMED");

    let attendance = "query($id: ID!) {
        event(id: $id) {
            attendance { attended noShow notCheckedIn }
            registrations { nodes { member { id } attendance } }
        }
    }";
    let during = client.query_with(attendance, json!({ "id": event })).await;
    assert_eq!(
        during.data()["event"]["attendance"],
        json!({ "attended": 1, "noShow": null, "notCheckedIn": 1 })
    );
    app.clock.advance(Duration::hours(4));
    let after = client.query_with(attendance, json!({ "id": event })).await;
    assert_eq!(
        after.data()["event"],
        json!({
            "attendance": { "attended": 1, "noShow": 1, "notCheckedIn": 1 },
            "registrations": { "nodes": [
                { "member": { "id": attendee.global_id() }, "attendance": "ATTENDED" },
                { "member": { "id": absentee.global_id() }, "attendance": "NO_SHOW" },
                { "member": { "id": waiting.global_id() }, "attendance": null },
            ] },
        })
    );

    let audit = client
        .query_with(
            "query($id: ID!) { auditEvents(filter: { subjectId: $id, action: \"events.attendee_checked_in\" }) { nodes { actor { id } details } } }",
            json!({ "id": event }),
        )
        .await;
    let entries = audit.data()["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(entries.len(), 1, "checking in twice is recorded once");
    assert_eq!(entries[0]["actor"]["id"], secretariat.global_id().as_str());
}
