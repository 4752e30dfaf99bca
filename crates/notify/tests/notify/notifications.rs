//! In-app notifications, their unread state, preferences, and who may see
//! them.

use alumni_test_support::TestApp;
use serde_json::json;

use super::support::{NOTIFICATIONS, REGISTER, event, people, written_mail};

#[tokio::test]
async fn a_confirmed_seat_is_notified_in_the_app_and_by_mail_and_marked_read() {
    let app = TestApp::spawn().await;
    let (secretariat, member) = people(&app).await;
    let event = event(&app, &secretariat, 10).await;
    app.client_as(&member)
        .query_with(REGISTER, json!({ "id": event }))
        .await
        .data();
    assert_eq!(
        app.jobs.drain().await.unwrap().done,
        2,
        "the notice, then its mail"
    );

    let client = app.client_as(&member);
    let listed = client.query(NOTIFICATIONS).await;
    let me = &listed.data()["me"];
    assert_eq!(me["unreadNotificationCount"], 1);
    let notification = &me["notifications"]["nodes"][0];
    assert_eq!(notification["kind"], "events.registration_confirmed");
    assert_eq!(notification["readAt"], serde_json::Value::Null);
    assert_eq!(notification["subject"]["__typename"], "Registration");
    assert_eq!(notification["payload"]["__typename"], "SeatNotice");
    assert_eq!(notification["payload"]["fromWaitlist"], false);
    assert_eq!(notification["payload"]["event"]["id"], event.as_str());
    assert_eq!(
        notification["payload"]["registration"]["status"],
        "CONFIRMED"
    );

    let mail = written_mail(&app);
    assert_eq!(mail.len(), 1, "e-mail is the default for a confirmed seat");
    assert!(mail[0].contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));

    let id = notification["id"].as_str().unwrap();
    let read = client
        .query_with(
            "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }",
            json!({ "ids": [id] }),
        )
        .await;
    assert_eq!(read.data()["markNotificationsRead"], 0);
    let listed = client.query(NOTIFICATIONS).await;
    assert_eq!(listed.data()["me"]["unreadNotificationCount"], 0);
    assert!(listed.data()["me"]["notifications"]["nodes"][0]["readAt"].is_string());
}

#[tokio::test]
async fn nobody_else_sees_or_marks_a_members_notification() {
    let app = TestApp::spawn().await;
    let (secretariat, member) = people(&app).await;
    let event = event(&app, &secretariat, 10).await;
    app.client_as(&member)
        .query_with(REGISTER, json!({ "id": event }))
        .await
        .data();
    app.jobs.drain().await.unwrap();
    let listed = app.client_as(&member).query(NOTIFICATIONS).await;
    let id = listed.data()["me"]["notifications"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let node = "query($id: ID!) { node(id: $id) { id } }";
    let own = app
        .client_as(&member)
        .query_with(node, json!({ "id": id }))
        .await;
    assert_eq!(own.data()["node"]["id"], id.as_str());
    for other in [
        &secretariat,
        &app.create_member(&[alumni_core::Role::Alumnus]).await,
    ] {
        let client = app.client_as(other);
        let seen = client.query_with(node, json!({ "id": id })).await;
        assert_eq!(seen.data()["node"], serde_json::Value::Null);
        let marked = client
            .query_with(
                "mutation($ids: [ID!]) { markNotificationsRead(ids: $ids) }",
                json!({ "ids": [id] }),
            )
            .await;
        assert_eq!(marked.data()["markNotificationsRead"], 0);
    }
    let listed = app.client_as(&member).query(NOTIFICATIONS).await;
    assert_eq!(
        listed.data()["me"]["unreadNotificationCount"],
        1,
        "still unread"
    );
    app.client().query(NOTIFICATIONS).await.data();
    app.client()
        .query("mutation { markNotificationsRead(all: true) }")
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn preferences_decide_between_mail_the_app_alone_and_nothing() {
    let app = TestApp::spawn().await;
    let (secretariat, member) = people(&app).await;
    let client = app.client_as(&member);
    let preferences = client
        .query("{ me { notificationPreferences { kind channel defaultChannel } } }")
        .await;
    let listed = preferences.data()["me"]["notificationPreferences"]
        .as_array()
        .unwrap()
        .clone();
    assert!(listed.iter().any(
        |preference| preference["kind"] == "events.registration_confirmed"
            && preference["channel"] == "EMAIL"
    ));

    let set = "mutation($kind: String!, $channel: NotificationChannel!) {
        setNotificationPreference(kind: $kind, channel: $channel) { kind channel }
    }";
    let chosen = client
        .query_with(
            set,
            json!({ "kind": "events.registration_confirmed", "channel": "IN_APP" }),
        )
        .await;
    assert_eq!(
        chosen.data()["setNotificationPreference"]["channel"],
        "IN_APP"
    );
    client
        .query_with(
            set,
            json!({ "kind": "events.no_such_kind", "channel": "OFF" }),
        )
        .await
        .expect_error("BAD_USER_INPUT");

    let first = event(&app, &secretariat, 10).await;
    client
        .query_with(REGISTER, json!({ "id": first }))
        .await
        .data();
    app.jobs.drain().await.unwrap();
    assert_eq!(
        client.query(NOTIFICATIONS).await.data()["me"]["unreadNotificationCount"],
        1
    );
    assert!(written_mail(&app).is_empty(), "in the app only");

    client
        .query_with(
            set,
            json!({ "kind": "events.registration_confirmed", "channel": "OFF" }),
        )
        .await
        .data();
    let second = event(&app, &secretariat, 10).await;
    client
        .query_with(REGISTER, json!({ "id": second }))
        .await
        .data();
    app.jobs.drain().await.unwrap();
    assert_eq!(
        client.query(NOTIFICATIONS).await.data()["me"]["unreadNotificationCount"],
        1,
        "nothing new"
    );
    assert!(written_mail(&app).is_empty());
}

#[tokio::test]
async fn registrants_hear_of_a_cancelled_event_and_the_waitlist_of_a_freed_seat() {
    let app = TestApp::spawn().await;
    let (secretariat, first) = people(&app).await;
    let second = app.create_member(&[alumni_core::Role::Alumnus]).await;
    let event = event(&app, &secretariat, 1).await;
    for member in [&first, &second] {
        app.client_as(member)
            .query_with(REGISTER, json!({ "id": event }))
            .await
            .data();
    }
    app.jobs.drain().await.unwrap();
    app.client_as(&first)
        .query_with(
            "mutation($id: ID!) { cancelRegistration(eventId: $id) { status } }",
            json!({ "id": event }),
        )
        .await
        .data();
    app.jobs.drain().await.unwrap();
    let listed = app.client_as(&second).query(NOTIFICATIONS).await;
    let nodes = &listed.data()["me"]["notifications"]["nodes"];
    assert_eq!(nodes[0]["kind"], "events.promoted_from_waitlist");
    assert_eq!(nodes[0]["payload"]["fromWaitlist"], true);

    app.client_as(&secretariat)
        .query_with(
            "mutation($id: ID!) { cancelEvent(id: $id) { status } }",
            json!({ "id": event }),
        )
        .await
        .data();
    app.jobs.drain().await.unwrap();
    let listed = app.client_as(&second).query(NOTIFICATIONS).await;
    let newest = &listed.data()["me"]["notifications"]["nodes"][0];
    assert_eq!(newest["kind"], "events.event_cancelled");
    assert_eq!(newest["payload"]["cancelled"], true);
    assert_eq!(newest["payload"]["event"]["id"], event.as_str());
    let listed = app.client_as(&first).query(NOTIFICATIONS).await;
    assert_eq!(
        listed.data()["me"]["notifications"]["nodes"][0]["kind"],
        "events.registration_confirmed",
        "a member who cancelled hears nothing of the cancellation"
    );
}

#[tokio::test]
async fn a_page_of_notifications_costs_the_same_statements_for_10_as_for_100() {
    let app = TestApp::spawn().await;
    let (secretariat, member) = people(&app).await;
    let client = app.client_as(&member);
    client
        .query(
            "mutation { setNotificationPreference(kind: \"events.registration_confirmed\", channel: IN_APP) { kind } }",
        )
        .await
        .data();
    for _ in 0..100 {
        let event = event(&app, &secretariat, 10).await;
        client
            .query_with(REGISTER, json!({ "id": event }))
            .await
            .data();
    }
    app.jobs.drain().await.unwrap();
    let page = "query($first: Int) { me { notifications(first: $first) {
        totalCount
        nodes {
            id kind readAt
            subject { __typename id }
            payload { ... on SeatNotice { event { id title } registration { id status } } }
        }
    } } }";
    let mut costs = Vec::new();
    for first in [10, 100] {
        let (response, statements) = app
            .count_statements(client.query_with(page, json!({ "first": first })))
            .await;
        let notifications = &response.data()["me"]["notifications"];
        assert_eq!(notifications["nodes"].as_array().unwrap().len(), first);
        assert_eq!(notifications["totalCount"], 100);
        assert!(
            notifications["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .all(|node| node["payload"]["event"]["title"].is_string()
                    && node["subject"]["__typename"] == "Registration")
        );
        costs.push(statements);
    }
    assert_eq!(
        costs[0], costs[1],
        "statements for 10 and for 100 notifications"
    );
}
