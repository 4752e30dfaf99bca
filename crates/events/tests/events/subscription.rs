//! Live seats over graphql-transport-ws.

use alumni_core::Role;
use alumni_test_support::TestApp;
use serde_json::json;

use super::support::{CANCEL_REGISTRATION, event_input, published_event, register};

const SEATS: &str = "subscription($id: ID!) {
    eventSeats(eventId: $id) { eventId capacity seatsLeft waitlistLength }
}";

fn seats(left: i64, waiting: i64) -> serde_json::Value {
    json!({ "seatsLeft": left, "waitlistLength": waiting })
}

#[tokio::test]
async fn a_subscriber_sees_seats_and_waitlist_change_as_they_happen() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(2), json!({}))).await;
    let watcher = app.create_member(&[Role::Alumnus]).await;
    let mut subscription = app
        .client_as(&watcher)
        .subscribe(SEATS, json!({ "id": event }))
        .await;
    let mut next = async || {
        let message = subscription.next().await;
        let seats = &message["data"]["eventSeats"];
        assert_eq!(seats["eventId"], event.as_str(), "{message:#}");
        json!({ "seatsLeft": seats["seatsLeft"], "waitlistLength": seats["waitlistLength"] })
    };
    assert_eq!(next().await, seats(2, 0), "the current state comes first");

    let mut members = Vec::new();
    for _ in 0..3 {
        members.push(app.create_member(&[Role::Alumnus]).await);
    }
    register(&app, &members[0], &event).await.data();
    assert_eq!(next().await, seats(1, 0));
    register(&app, &members[1], &event).await.data();
    assert_eq!(next().await, seats(0, 0));
    register(&app, &members[2], &event).await.data();
    assert_eq!(next().await, seats(0, 1));
    // Registering again changes nothing, so nothing is sent; the next
    // message is the cancellation, with the waitlisted member promoted.
    register(&app, &members[2], &event).await.data();
    app.client_as(&members[0])
        .query_with(CANCEL_REGISTRATION, json!({ "id": event }))
        .await
        .data();
    assert_eq!(next().await, seats(0, 0));
    app.client_as(&secretariat)
        .query_with(
            "mutation($id: ID!) { setEventCapacity(id: $id, capacity: 5) { capacity } }",
            json!({ "id": event }),
        )
        .await
        .data();
    assert_eq!(next().await, seats(3, 0));
}

#[tokio::test]
async fn subscribing_needs_a_member_who_may_see_the_event() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let draft =
        super::support::draft_event(&app, &secretariat, event_input(&app, None, json!({}))).await;

    let mut anonymous = app.client().subscribe(SEATS, json!({ "id": draft })).await;
    let refused = anonymous.next().await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{refused:#}"
    );

    let member = app.create_member(&[Role::Alumnus]).await;
    let mut member = app
        .client_as(&member)
        .subscribe(SEATS, json!({ "id": draft }))
        .await;
    let hidden = member.next().await;
    assert_eq!(
        hidden["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{hidden:#}"
    );

    let mut allowed = app
        .client_as(&secretariat)
        .subscribe(SEATS, json!({ "id": draft }))
        .await;
    assert_eq!(
        allowed.next().await["data"]["eventSeats"]["seatsLeft"],
        serde_json::Value::Null,
        "no capacity: no limit"
    );
}

#[tokio::test]
async fn a_subscriber_of_another_server_process_sees_every_change() {
    let app = TestApp::spawn().await;
    let other_process = app.spawn_beside().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(1), json!({}))).await;
    let watcher = app.create_member(&[Role::Alumnus]).await;
    let mut subscription = other_process
        .client_as(&watcher)
        .subscribe(SEATS, json!({ "id": event }))
        .await;
    let mut next = async || {
        let message = subscription.next().await;
        let seats = &message["data"]["eventSeats"];
        json!({ "seatsLeft": seats["seatsLeft"], "waitlistLength": seats["waitlistLength"] })
    };
    assert_eq!(next().await, seats(1, 0));
    let first = app.create_member(&[Role::Alumnus]).await;
    let second = app.create_member(&[Role::Alumnus]).await;
    register(&app, &first, &event).await.data();
    assert_eq!(next().await, seats(0, 0));
    register(&app, &second, &event).await.data();
    assert_eq!(next().await, seats(0, 1));
    app.client_as(&first)
        .query_with(CANCEL_REGISTRATION, json!({ "id": event }))
        .await
        .data();
    assert_eq!(
        next().await,
        seats(0, 0),
        "the waitlisted member took the seat"
    );
}
