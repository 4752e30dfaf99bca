//! The secretariat creates, edits, publishes and cancels events; members
//! find them by filter, page through them and resolve them by global id.

use alumni_core::{Clock as _, Role};
use alumni_test_support::TestApp;
use chrono::Duration;
use serde_json::{Value, json};

use super::support::{CREATE_EVENT, at, draft_event, event_input, published_event};

const UPDATE: &str = "mutation($id: ID!, $input: UpdateEventInput!) {
    updateEvent(id: $id, input: $input) { title format venue joinUrl timeZone localStartsAt }
}";

#[tokio::test]
async fn invalid_events_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let now = app.clock.now();
    let cases = [
        (json!({ "title": "  " }), "input.title"),
        (json!({ "venue": null }), "input.venue"),
        (json!({ "joinUrl": null }), "input.joinUrl"),
        (json!({ "joinUrl": "javascript:alert(1)" }), "input.joinUrl"),
        (json!({ "endsAt": at(now) }), "input.endsAt"),
        (json!({ "timeZone": "Mars/Olympus_Mons" }), "input.timeZone"),
        (json!({ "capacity": -3 }), "capacity"),
        (
            json!({ "registrationClosesAt": at(now + Duration::days(30)) }),
            "input.registrationClosesAt",
        ),
        (
            json!({ "speakers": [{ "memberId": secretariat.global_id(), "guestName": "二重" }] }),
            "input.speakers",
        ),
        (
            json!({ "speakers": [{ "memberId": alumni_core::NodeId::to_global(&alumni_core::MemberId::new()).0 }] }),
            "input.speakers",
        ),
    ];
    for (overrides, field) in cases {
        let response = app
            .client_as(&secretariat)
            .query_with(
                CREATE_EVENT,
                json!({ "input": event_input(&app, None, overrides) }),
            )
            .await;
        let error = response.expect_error("BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], field, "{:#}", response.body);
    }
    let none = app
        .client_as(&secretariat)
        .query("{ events { nodes { id } } }")
        .await;
    assert_eq!(
        none.data()["events"]["nodes"],
        json!([]),
        "nothing was written"
    );
}

#[tokio::test]
async fn only_the_secretariat_manages_events() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = draft_event(&app, &secretariat, event_input(&app, None, json!({}))).await;
    let operations = [
        (
            CREATE_EVENT,
            json!({ "input": event_input(&app, None, json!({})) }),
        ),
        (
            UPDATE,
            json!({ "id": event, "input": { "title": "乗っ取り" } }),
        ),
        (
            "mutation($id: ID!) { publishEvent(id: $id) { id } }",
            json!({ "id": event }),
        ),
        (
            "mutation($id: ID!) { cancelEvent(id: $id) { id } }",
            json!({ "id": event }),
        ),
    ];
    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Analyst,
        Role::Moderator,
    ] {
        let member = app.create_member(&[role]).await;
        for (operation, variables) in &operations {
            app.client_as(&member)
                .query_with(operation, variables.clone())
                .await
                .expect_error("FORBIDDEN");
        }
    }
    for (operation, variables) in &operations {
        app.client()
            .query_with(operation, variables.clone())
            .await
            .expect_error("UNAUTHENTICATED");
    }
}

#[tokio::test]
async fn events_are_edited_published_and_cancelled_with_an_audit_trail() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let speaker = app.create_member(&[Role::Alumnus]).await;
    let input = event_input(
        &app,
        Some(30),
        json!({
            "kind": "ALUMNI_TALK",
            "speakers": [
                { "memberId": speaker.global_id(), "affiliation": "元 関西事業部" },
                { "guestName": "山田 太郎", "affiliation": "株式会社サンプル" },
            ],
        }),
    );
    let event = draft_event(&app, &secretariat, input).await;
    let client = app.client_as(&secretariat);

    let updated = client
        .query_with(
            UPDATE,
            json!({ "id": event, "input": { "title": "アルムナイ・トーク", "format": "ONLINE", "venue": null } }),
        )
        .await;
    assert_eq!(
        updated.data()["updateEvent"],
        json!({
            "title": "アルムナイ・トーク",
            "format": "ONLINE",
            "venue": null,
            "joinUrl": "https://meet.example/k8s-study",
            "timeZone": "Asia/Tokyo",
            "localStartsAt": "2026-04-08T09:00:00+09:00",
        })
    );
    let published = client
        .query_with(
            "mutation($id: ID!) { publishEvent(id: $id) { status publishedAt } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(published.data()["publishEvent"]["status"], "PUBLISHED");

    let member = app.create_member(&[Role::Employee]).await;
    let seen = app
        .client_as(&member)
        .query_with(
            "query($id: ID!) { node(id: $id) { id ... on Event { title kind status speakers { guestName affiliation member { id email } } } } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(
        seen.data()["node"],
        json!({
            "id": event,
            "title": "アルムナイ・トーク",
            "kind": "ALUMNI_TALK",
            "status": "PUBLISHED",
            "speakers": [
                { "guestName": null, "affiliation": "元 関西事業部", "member": { "id": speaker.global_id(), "email": null } },
                { "guestName": "山田 太郎", "affiliation": "株式会社サンプル", "member": null },
            ],
        })
    );

    client
        .query_with(
            "mutation($id: ID!) { cancelEvent(id: $id) { status } }",
            json!({ "id": event }),
        )
        .await
        .data();
    let refused = client
        .query_with(UPDATE, json!({ "id": event, "input": { "title": "復活" } }))
        .await;
    super::support::assert_refused(&refused, "CONFLICT", "EVENT_CANCELLED");
    let republish = client
        .query_with(
            "mutation($id: ID!) { publishEvent(id: $id) { status } }",
            json!({ "id": event }),
        )
        .await;
    super::support::assert_refused(&republish, "CONFLICT", "EVENT_CANCELLED");

    let audit = client
        .query_with(
            "query($id: ID!) { auditEvents(filter: { subjectId: $id }) { nodes { action actor { id } } } }",
            json!({ "id": event }),
        )
        .await;
    let actions: Vec<&str> = audit.data()["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| {
            assert_eq!(node["actor"]["id"], secretariat.global_id().as_str());
            node["action"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        actions,
        [
            "events.event_cancelled",
            "events.event_published",
            "events.event_updated",
            "events.event_created",
        ]
    );

    // Once over, a published event reads as completed.
    let later = published_event(&app, &secretariat, event_input(&app, None, json!({}))).await;
    app.clock.advance(Duration::days(8));
    let completed = client
        .query_with(
            "query($id: ID!) { event(id: $id) { status } }",
            json!({ "id": later }),
        )
        .await;
    assert_eq!(completed.data()["event"]["status"], "COMPLETED");
}

const LIST: &str = "query($filter: EventFilter, $first: Int, $after: String, $last: Int) {
    events(filter: $filter, first: $first, after: $after, last: $last) {
        nodes { title }
        pageInfo { hasNextPage endCursor }
    }
}";

fn titles(response: &alumni_test_support::GqlResponse) -> Vec<String> {
    response.data()["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_list_filters_and_pages_by_start() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let now = app.clock.now();
    let specs = [
        ("過去の勉強会", -10, "STUDY_SESSION", "EVERYONE"),
        ("交流会", 3, "MEETUP", "ALUMNI"),
        ("勉強会 A", 5, "STUDY_SESSION", "EVERYONE"),
        ("セミナー", 8, "SEMINAR", "EMPLOYEES"),
        ("勉強会 B", 12, "STUDY_SESSION", "EVERYONE"),
    ];
    for (title, days, kind, audience) in specs {
        let starts_at = now + Duration::days(days);
        let input = event_input(
            &app,
            None,
            json!({
                "title": title, "kind": kind, "audience": audience,
                "startsAt": at(starts_at), "endsAt": at(starts_at + Duration::hours(2)),
                "registrationOpensAt": at(starts_at - Duration::days(30)),
            }),
        );
        published_event(&app, &secretariat, input).await;
    }
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    let list = async |variables: Value| titles(&client.query_with(LIST, variables).await);

    assert_eq!(
        list(json!({})).await,
        ["過去の勉強会", "交流会", "勉強会 A", "セミナー", "勉強会 B"]
    );
    assert_eq!(
        list(json!({ "filter": { "upcoming": true, "kind": "STUDY_SESSION" } })).await,
        ["勉強会 A", "勉強会 B"]
    );
    assert_eq!(
        list(json!({ "filter": { "upcoming": false } })).await,
        ["過去の勉強会"]
    );
    assert_eq!(
        list(json!({ "filter": { "audience": "EMPLOYEES" } })).await,
        ["セミナー"]
    );
    assert_eq!(
        list(json!({ "filter": { "from": at(now), "to": at(now + Duration::days(8)) } })).await,
        ["交流会", "勉強会 A"]
    );
    assert_eq!(list(json!({ "last": 2 })).await, ["セミナー", "勉強会 B"]);

    let first = client.query_with(LIST, json!({ "first": 2 })).await;
    assert_eq!(titles(&first), ["過去の勉強会", "交流会"]);
    let page_info = &first.data()["events"]["pageInfo"];
    assert_eq!(page_info["hasNextPage"], true);
    let second = client
        .query_with(LIST, json!({ "first": 2, "after": page_info["endCursor"] }))
        .await;
    assert_eq!(titles(&second), ["勉強会 A", "セミナー"]);
    client
        .query_with(LIST, json!({ "first": 2, "after": "not-a-cursor" }))
        .await
        .expect_error("BAD_USER_INPUT");
}
