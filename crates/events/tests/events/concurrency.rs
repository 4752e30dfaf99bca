//! The capacity rule under load: concurrent registrations and
//! cancellations over HTTP never overbook, and the waitlist stays dense and
//! in order.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
use futures_util::future::join_all;
use serde_json::json;

use super::support::{
    CANCEL_REGISTRATION, REGISTER, attendee_list, create_members, event_input, published_event,
};

const REGISTRANTS: usize = 200;
const SEATS: usize = 20;
const CANCELLATIONS: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_registrations_fill_twenty_seats_and_a_dense_waitlist() {
    let app = TestApp::spawn_with(|settings| {
        // Two hundred requests at once queue for connections; none should
        // give up while waiting its turn.
        settings.pool.max_connections = 16;
        settings.pool.acquire_timeout = Duration::from_secs(60);
        settings.pool.connect_timeout = Duration::from_secs(60);
    })
    .await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(
        &app,
        &secretariat,
        event_input(&app, Some(SEATS as i32), json!({})),
    )
    .await;
    let members = create_members(&app, REGISTRANTS, Role::Alumnus).await;

    // Fire every registration at once, each on its own task.
    let registrations = members.iter().map(|member| {
        let client = app.client_as(member);
        let event = event.clone();
        tokio::spawn(async move { client.query_with(REGISTER, json!({ "id": event })).await })
    });
    let mut confirmed = 0;
    let mut positions = Vec::new();
    for outcome in join_all(registrations).await {
        let response = outcome.expect("registration task");
        let registration = &response.data()["registerForEvent"];
        match registration["status"].as_str() {
            Some("CONFIRMED") => {
                confirmed += 1;
                assert!(registration["waitlistPosition"].is_null());
            }
            Some("WAITLISTED") => {
                positions.push(registration["waitlistPosition"].as_i64().unwrap())
            }
            other => panic!("unexpected status {other:?}"),
        }
    }
    positions.sort_unstable();
    assert_eq!(confirmed, SEATS);
    assert_eq!(
        positions,
        (1..=(REGISTRANTS - SEATS) as i64).collect::<Vec<_>>(),
        "positions 1..180, each exactly once"
    );

    // Who holds which place, as the secretariat sees it.
    let before = places(&attendee_list(&app, &secretariat, &event).await);
    let holders: Vec<&TestMember> = members
        .iter()
        .filter(|member| before[&member.global_id()].is_none())
        .take(CANCELLATIONS)
        .collect();
    let cancellations = holders.iter().map(|member| {
        let client = app.client_as(member);
        let event = event.clone();
        tokio::spawn(async move {
            client
                .query_with(CANCEL_REGISTRATION, json!({ "id": event }))
                .await
        })
    });
    for outcome in join_all(cancellations).await {
        let response = outcome.expect("cancellation task");
        assert_eq!(response.data()["cancelRegistration"]["status"], "CANCELLED");
    }

    let after = attendee_list(&app, &secretariat, &event).await;
    let statuses: HashMap<String, String> = after
        .iter()
        .map(|node| {
            (
                node["member"]["id"].as_str().unwrap().to_owned(),
                node["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let after = places(&after);
    let by_old_position: BTreeMap<i64, &String> = before
        .iter()
        .filter_map(|(member, place)| place.map(|position| (position, member)))
        .collect();
    for (old_position, member) in by_old_position {
        if old_position <= CANCELLATIONS as i64 {
            assert_eq!(
                statuses[member], "CONFIRMED",
                "place {old_position} promoted"
            );
        } else {
            assert_eq!(
                after[member],
                Some(old_position - CANCELLATIONS as i64),
                "place {old_position} moved up by {CANCELLATIONS}"
            );
        }
    }
    for member in &holders {
        assert_eq!(statuses[&member.global_id()], "CANCELLED");
    }
    let confirmed_now = statuses.values().filter(|s| *s == "CONFIRMED").count();
    assert_eq!(confirmed_now, SEATS);

    let seats = app
        .client_as(&members[0])
        .query_with(
            "query($id: ID!) { event(id: $id) { seats { seatsLeft waitlistLength } } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(
        seats.data()["event"]["seats"],
        json!({ "seatsLeft": 0, "waitlistLength": REGISTRANTS - SEATS - CANCELLATIONS })
    );
}

/// Member id → waitlist position (`None` for everyone not waiting).
fn places(nodes: &[serde_json::Value]) -> HashMap<String, Option<i64>> {
    nodes
        .iter()
        .map(|node| {
            (
                node["member"]["id"].as_str().unwrap().to_owned(),
                node["waitlistPosition"].as_i64(),
            )
        })
        .collect()
}
