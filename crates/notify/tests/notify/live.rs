//! `notificationAdded`, delivered by whichever server process holds the
//! subscription.

use alumni_test_support::TestApp;
use serde_json::json;

use super::support::{REGISTER, event, people};

const ADDED: &str = "subscription { notificationAdded { kind payload { __typename } } }";

#[tokio::test]
async fn a_notification_made_by_one_process_reaches_a_subscriber_of_another() {
    let app = TestApp::spawn().await;
    let other_process = app.spawn_beside().await;
    let (secretariat, member) = people(&app).await;
    let onlooker = app.create_member(&[alumni_core::Role::Alumnus]).await;
    let mut mine = other_process
        .client_as(&member)
        .subscribe(ADDED, json!({}))
        .await;
    let mut theirs = other_process
        .client_as(&onlooker)
        .subscribe(ADDED, json!({}))
        .await;

    let event = event(&app, &secretariat, 10).await;
    app.client_as(&member)
        .query_with(REGISTER, json!({ "id": event }))
        .await
        .data();
    app.jobs.drain().await.unwrap();

    let message = mine.next().await;
    assert_eq!(
        message["data"]["notificationAdded"],
        json!({ "kind": "events.registration_confirmed", "payload": { "__typename": "SeatNotice" } })
    );
    // The onlooker's subscription stays silent: the next thing it sees is
    // its own notification, not the member's.
    app.client_as(&onlooker)
        .query_with(REGISTER, json!({ "id": event }))
        .await
        .data();
    app.jobs.drain().await.unwrap();
    let message = theirs.next().await;
    assert_eq!(
        message["data"]["notificationAdded"]["kind"],
        "events.registration_confirmed"
    );
    drop(mine);
}
