//! Registration, the waitlist, cancellations, capacity changes, and every
//! refusal from the side of each role that must be refused.

use alumni_core::{Clock as _, Role};
use alumni_test_support::TestApp;
use chrono::Duration;
use serde_json::json;

use super::support::{
    CANCEL_REGISTRATION, assert_refused, at, attendee_list, draft_event, event_input,
    published_event, register, registration,
};

const MY_REGISTRATION: &str = "query Mine($id: ID!) {
    event(id: $id) { myRegistration { status waitlistPosition } seats { seatsLeft waitlistLength } }
}";

#[tokio::test]
async fn seats_go_first_come_then_the_waitlist_numbers_arrivals() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(2), json!({}))).await;
    let mut members = Vec::new();
    for _ in 0..4 {
        members.push(app.create_member(&[Role::Alumnus]).await);
    }

    let mut outcomes = Vec::new();
    for member in &members {
        let response = register(&app, member, &event).await;
        let registration = registration(&response).clone();
        outcomes.push((
            registration["status"].as_str().unwrap().to_owned(),
            registration["waitlistPosition"].as_i64(),
        ));
    }
    assert_eq!(
        outcomes,
        [
            ("CONFIRMED".to_owned(), None),
            ("CONFIRMED".to_owned(), None),
            ("WAITLISTED".to_owned(), Some(1)),
            ("WAITLISTED".to_owned(), Some(2)),
        ]
    );

    // Registering again is idempotent: same status, same place, same counts.
    for (member, expected_position) in [(&members[0], None), (&members[3], Some(2))] {
        let again = register(&app, member, &event).await;
        let again = registration(&again);
        assert_eq!(again["waitlistPosition"].as_i64(), expected_position);
        assert_eq!(
            again["event"]["seats"],
            json!({ "capacity": 2, "seatsLeft": 0, "waitlistLength": 2 })
        );
    }
    assert_eq!(attendee_list(&app, &secretariat, &event).await.len(), 4);
}

#[tokio::test]
async fn a_freed_seat_goes_to_the_first_waitlisted_at_once() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(1), json!({}))).await;
    let holder = app.create_member(&[Role::Alumnus]).await;
    let first_waiting = app.create_member(&[Role::Employee]).await;
    let second_waiting = app.create_member(&[Role::Alumnus]).await;
    for member in [&holder, &first_waiting, &second_waiting] {
        register(&app, member, &event).await.data();
    }

    let cancelled = app
        .client_as(&holder)
        .query_with(CANCEL_REGISTRATION, json!({ "id": event }))
        .await;
    assert_eq!(
        cancelled.data()["cancelRegistration"]["status"],
        "CANCELLED"
    );

    let promoted = app
        .client_as(&first_waiting)
        .query_with(MY_REGISTRATION, json!({ "id": event }))
        .await;
    assert_eq!(
        promoted.data()["event"]["myRegistration"],
        json!({ "status": "CONFIRMED", "waitlistPosition": null })
    );
    let moved_up = app
        .client_as(&second_waiting)
        .query_with(MY_REGISTRATION, json!({ "id": event }))
        .await;
    assert_eq!(
        moved_up.data()["event"],
        json!({
            "myRegistration": { "status": "WAITLISTED", "waitlistPosition": 1 },
            "seats": { "seatsLeft": 0, "waitlistLength": 1 },
        })
    );

    // Cancelling twice changes nothing; coming back joins the end of the line.
    let twice = app
        .client_as(&holder)
        .query_with(CANCEL_REGISTRATION, json!({ "id": event }))
        .await;
    assert_eq!(twice.data()["cancelRegistration"]["status"], "CANCELLED");
    let back = register(&app, &holder, &event).await;
    assert_eq!(registration(&back)["waitlistPosition"], 2);

    // A waitlisted member leaving closes the gap behind them.
    app.client_as(&second_waiting)
        .query_with(CANCEL_REGISTRATION, json!({ "id": event }))
        .await
        .data();
    let mine = app
        .client_as(&holder)
        .query_with(MY_REGISTRATION, json!({ "id": event }))
        .await;
    assert_eq!(
        mine.data()["event"]["myRegistration"]["waitlistPosition"],
        1
    );
}

#[tokio::test]
async fn cancelling_without_a_registration_is_not_found() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(1), json!({}))).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    app.client_as(&member)
        .query_with(CANCEL_REGISTRATION, json!({ "id": event }))
        .await
        .expect_error("NOT_FOUND");
}

#[tokio::test]
async fn registration_outside_its_window_is_refused() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let now = app.clock.now();
    let input = event_input(
        &app,
        None,
        json!({
            "registrationOpensAt": at(now + Duration::days(1)),
            "registrationClosesAt": at(now + Duration::days(3)),
        }),
    );
    let event = published_event(&app, &secretariat, input).await;
    let member = app.create_member(&[Role::Alumnus]).await;

    assert_refused(
        &register(&app, &member, &event).await,
        "CONFLICT",
        "REGISTRATION_NOT_OPEN",
    );
    app.clock.advance(Duration::days(2));
    assert_eq!(
        registration(&register(&app, &member, &event).await)["status"],
        "CONFIRMED"
    );
    app.clock.advance(Duration::days(1));
    let latecomer = app.create_member(&[Role::Alumnus]).await;
    assert_refused(
        &register(&app, &latecomer, &event).await,
        "CONFLICT",
        "REGISTRATION_CLOSED",
    );
    // Already registered: still idempotent after the window closed.
    assert_eq!(
        registration(&register(&app, &member, &event).await)["status"],
        "CONFIRMED"
    );
}

#[tokio::test]
async fn a_cancelled_event_refuses_registration_and_shows_in_every_registration() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(1), json!({}))).await;
    let confirmed = app.create_member(&[Role::Alumnus]).await;
    let waiting = app.create_member(&[Role::Alumnus]).await;
    register(&app, &confirmed, &event).await.data();
    register(&app, &waiting, &event).await.data();

    let cancelled = app
        .client_as(&secretariat)
        .query_with(
            "mutation($id: ID!) { cancelEvent(id: $id) { status cancelledAt } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(cancelled.data()["cancelEvent"]["status"], "CANCELLED");

    for member in [&confirmed, &waiting] {
        let mine = app
            .client_as(member)
            .query("{ myRegistrations { nodes { status event { status } } } }")
            .await;
        assert_eq!(
            mine.data()["myRegistrations"]["nodes"][0]["event"]["status"],
            "CANCELLED"
        );
    }
    let newcomer = app.create_member(&[Role::Alumnus]).await;
    assert_refused(
        &register(&app, &newcomer, &event).await,
        "CONFLICT",
        "EVENT_CANCELLED",
    );
    assert_refused(
        &app.client_as(&confirmed)
            .query_with(CANCEL_REGISTRATION, json!({ "id": event }))
            .await,
        "CONFLICT",
        "EVENT_CANCELLED",
    );
}

#[tokio::test]
async fn members_outside_the_audience_are_refused_whatever_their_role() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let for_alumni = published_event(
        &app,
        &secretariat,
        event_input(&app, None, json!({ "audience": "ALUMNI" })),
    )
    .await;
    let for_employees = published_event(
        &app,
        &secretariat,
        event_input(&app, None, json!({ "audience": "EMPLOYEES" })),
    )
    .await;

    let cases = [
        (&for_alumni, Role::Employee),
        (&for_alumni, Role::Analyst),
        (&for_alumni, Role::Moderator),
        (&for_alumni, Role::Secretariat),
        (&for_employees, Role::Alumnus),
        (&for_employees, Role::Analyst),
        (&for_employees, Role::Moderator),
    ];
    for (event, role) in cases {
        let member = app.create_member(&[role]).await;
        let refused = register(&app, &member, event).await;
        assert_refused(&refused, "FORBIDDEN", "OUTSIDE_AUDIENCE");
    }
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    assert_eq!(
        registration(&register(&app, &alumnus, &for_alumni).await)["status"],
        "CONFIRMED"
    );
    let employee = app.create_member(&[Role::Employee]).await;
    assert_eq!(
        registration(&register(&app, &employee, &for_employees).await)["status"],
        "CONFIRMED"
    );
    app.client()
        .query_with(super::support::REGISTER, json!({ "id": for_alumni }))
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn drafts_cannot_be_registered_for() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let draft = draft_event(&app, &secretariat, event_input(&app, None, json!({}))).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    // Members cannot even see a draft.
    register(&app, &member, &draft)
        .await
        .expect_error("NOT_FOUND");
    assert_refused(
        &register(&app, &secretariat, &draft).await,
        "CONFLICT",
        "EVENT_NOT_PUBLISHED",
    );
}

#[tokio::test]
async fn registrations_cannot_be_cancelled_once_the_event_has_begun() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, None, json!({}))).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    register(&app, &member, &event).await.data();
    app.clock.advance(Duration::days(7) + Duration::minutes(5));
    assert_refused(
        &app.client_as(&member)
            .query_with(CANCEL_REGISTRATION, json!({ "id": event }))
            .await,
        "CONFLICT",
        "EVENT_STARTED",
    );
}

const SET_CAPACITY: &str = "mutation($id: ID!, $capacity: Int) {
    setEventCapacity(id: $id, capacity: $capacity) { capacity seats { seatsLeft waitlistLength } }
}";

#[tokio::test]
async fn raising_capacity_promotes_in_order_and_lowering_below_confirmed_is_refused() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(1), json!({}))).await;
    let mut members = Vec::new();
    for _ in 0..5 {
        let member = app.create_member(&[Role::Alumnus]).await;
        register(&app, &member, &event).await.data();
        members.push(member);
    }
    let client = app.client_as(&secretariat);

    let raised = client
        .query_with(SET_CAPACITY, json!({ "id": event, "capacity": 3 }))
        .await;
    assert_eq!(
        raised.data()["setEventCapacity"],
        json!({ "capacity": 3, "seats": { "seatsLeft": 0, "waitlistLength": 2 } })
    );
    let statuses: Vec<(String, Option<i64>)> = attendee_list(&app, &secretariat, &event)
        .await
        .iter()
        .map(|node| {
            (
                node["member"]["id"].as_str().unwrap().to_owned(),
                node["waitlistPosition"].as_i64(),
            )
        })
        .collect();
    let expected: Vec<(String, Option<i64>)> = members
        .iter()
        .zip([None, None, None, Some(1), Some(2)])
        .map(|(member, position)| (member.global_id(), position))
        .collect();
    assert_eq!(statuses, expected, "the first two waiting were promoted");

    let lowered = client
        .query_with(SET_CAPACITY, json!({ "id": event, "capacity": 2 }))
        .await;
    assert_refused(&lowered, "CONFLICT", "CAPACITY_BELOW_CONFIRMED");
    client
        .query_with(SET_CAPACITY, json!({ "id": event, "capacity": -1 }))
        .await
        .expect_error("BAD_USER_INPUT");

    let unlimited = client
        .query_with(SET_CAPACITY, json!({ "id": event, "capacity": null }))
        .await;
    assert_eq!(
        unlimited.data()["setEventCapacity"],
        json!({ "capacity": null, "seats": { "seatsLeft": null, "waitlistLength": 0 } })
    );

    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Analyst,
        Role::Moderator,
    ] {
        let member = app.create_member(&[role]).await;
        app.client_as(&member)
            .query_with(SET_CAPACITY, json!({ "id": event, "capacity": 10 }))
            .await
            .expect_error("FORBIDDEN");
    }
    app.client()
        .query_with(SET_CAPACITY, json!({ "id": event, "capacity": 10 }))
        .await
        .expect_error("UNAUTHENTICATED");

    let audit = client
        .query_with(
            "query($id: ID!) { auditEvents(filter: { subjectId: $id, action: \"events.capacity_changed\" }) { nodes { details } } }",
            json!({ "id": event }),
        )
        .await;
    let details: Vec<_> = audit.data()["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["details"].clone())
        .collect();
    assert_eq!(
        details,
        [
            json!({ "from": 3, "to": null, "promoted": 2 }),
            json!({ "from": 1, "to": 3, "promoted": 2 }),
        ]
    );
}
