//! The WebSocket endpoint as an attacker holding a socket would use it:
//! every operation is authorised with the session as it stands now, ended
//! sessions close their sockets within seconds, and the socket is no side
//! door around HTTP's rules and limits.

use std::time::{Duration, Instant};

use alumni_core::{Clock as _, Role};
use alumni_test_support::{TestApp, TestClient, TestMember, TestSocket};
use serde_json::{Value, json};

const SEATS: &str = "subscription($id: ID!) {
    eventSeats(eventId: $id) { eventId seatsLeft }
}";

/// An event as the secretariat creates it; published when `publish`.
pub(crate) async fn event(app: &TestApp, secretariat: &TestMember, publish: bool) -> String {
    let starts_at = app.clock.now() + chrono::Duration::days(7);
    let created = app
        .client_as(secretariat)
        .query_with(
            "mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }",
            json!({ "input": {
                "title": "Rust 勉強会",
                "description": "所有権と借用",
                "kind": "STUDY_SESSION",
                "format": "ONLINE",
                "joinUrl": "https://meet.example/rust",
                "startsAt": starts_at.to_rfc3339(),
                "endsAt": (starts_at + chrono::Duration::hours(2)).to_rfc3339(),
                "audience": "EVERYONE",
                "capacity": 10,
            }}),
        )
        .await;
    let id = created.data()["createEvent"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    if publish {
        app.client_as(secretariat)
            .query_with(
                "mutation($id: ID!) { publishEvent(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await
            .data();
    }
    id
}

/// A subscription of `member` to an event's seats, with its first result
/// read.
async fn watching_seats(app: &TestApp, member: &TestMember, event: &str) -> TestSocket {
    let mut socket = app.client_as(member).connect_socket().await;
    socket.start("seats", SEATS, json!({ "id": event })).await;
    let first = socket.receive().await;
    assert_eq!(first["type"], "next", "{first:#}");
    socket
}

/// Waits for the server to close `socket` and checks the code; the close
/// must come within seconds, not at the client's next message.
async fn expect_closed(socket: &mut TestSocket, code: u16) -> String {
    let started = Instant::now();
    let (closed_with, reason) = socket.closed().await;
    assert_eq!(closed_with, code, "closed with {closed_with}: {reason}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    reason
}

async fn mutate(client: &TestClient, query: &str, variables: Value) {
    client.query_with(query, variables).await.data();
}

#[tokio::test]
async fn signing_out_closes_the_sessions_sockets() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let published = event(&app, &secretariat, true).await;
    let member = app.create_member(&[Role::Alumnus]).await;

    let mut socket = watching_seats(&app, &member, &published).await;
    mutate(&app.client_as(&member), "mutation { logout }", json!({})).await;
    let reason = expect_closed(&mut socket, 4401).await;
    assert!(reason.contains("ended"), "{reason}");

    let other = app.create_member(&[Role::Alumnus]).await;
    let mut first = watching_seats(&app, &other, &published).await;
    let mut second = app.client_as(&other).connect_socket().await;
    mutate(
        &app.client_as(&other),
        "mutation { revokeAllMySessions }",
        json!({}),
    )
    .await;
    expect_closed(&mut first, 4401).await;
    expect_closed(&mut second, 4401).await;
}

#[tokio::test]
async fn suspension_and_withdrawal_close_the_members_sockets() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let published = event(&app, &secretariat, true).await;

    let suspended = app.create_member(&[Role::Alumnus]).await;
    let mut socket = watching_seats(&app, &suspended, &published).await;
    mutate(
        &app.client_as(&secretariat),
        "mutation($id: ID!) { suspendMember(memberId: $id, reason: \"test\") { id } }",
        json!({ "id": suspended.global_id() }),
    )
    .await;
    expect_closed(&mut socket, 4401).await;

    let leaving = app.create_member(&[Role::Alumnus]).await;
    let mut socket = watching_seats(&app, &leaving, &published).await;
    mutate(
        &app.client_as(&leaving),
        "mutation { withdrawMembership(confirm: true) }",
        json!({}),
    )
    .await;
    expect_closed(&mut socket, 4401).await;
}

#[tokio::test]
async fn an_expired_session_closes_its_sockets() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let mut socket = app.client_as(&member).connect_socket().await;
    app.clock.advance(chrono::Duration::days(31));
    let reason = expect_closed(&mut socket, 4401).await;
    assert!(reason.contains("expired"), "{reason}");
}

#[tokio::test]
async fn a_revoked_role_closes_the_socket_and_a_reconnect_has_the_new_roles() {
    let app = TestApp::spawn().await;
    let head = app.create_member(&[Role::Secretariat]).await;
    let deputy = app.create_member(&[Role::Secretariat]).await;
    let draft = event(&app, &head, false).await;

    // Drafts are the secretariat's: the deputy may watch this one.
    let mut socket = watching_seats(&app, &deputy, &draft).await;
    mutate(
        &app.client_as(&head),
        "mutation($id: ID!) { revokeRole(memberId: $id, role: SECRETARIAT) { id } }",
        json!({ "id": deputy.global_id() }),
    )
    .await;
    expect_closed(&mut socket, 4403).await;

    let mut again = app.client_as(&deputy).connect_socket().await;
    again.start("1", SEATS, json!({ "id": draft })).await;
    let refused = again.receive().await;
    assert_eq!(refused["type"], "error", "{refused:#}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn each_subscription_is_authorised_with_the_session_as_it_stands() {
    // No periodic re-check here: only the per-operation check can refuse.
    let app = TestApp::spawn_with(|settings| {
        settings.sockets.session_check_interval = Duration::from_secs(3600);
    })
    .await;
    let head = app.create_member(&[Role::Secretariat]).await;
    let deputy = app.create_member(&[Role::Secretariat]).await;
    let draft = event(&app, &head, false).await;

    let mut socket = app.client_as(&deputy).connect_socket().await;
    socket.start("before", SEATS, json!({ "id": draft })).await;
    assert_eq!(socket.receive().await["type"], "next");
    mutate(
        &app.client_as(&head),
        "mutation($id: ID!) { revokeRole(memberId: $id, role: SECRETARIAT) { id } }",
        json!({ "id": deputy.global_id() }),
    )
    .await;
    socket.start("after", SEATS, json!({ "id": draft })).await;
    let refused = socket.receive().await;
    assert_eq!(refused["id"], "after");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "NOT_FOUND");

    mutate(&app.client_as(&deputy), "mutation { logout }", json!({})).await;
    socket
        .start("signed-out", SEATS, json!({ "id": draft }))
        .await;
    expect_closed(&mut socket, 4401).await;
}

#[tokio::test]
async fn queries_and_mutations_are_refused_on_the_socket() {
    let app = TestApp::spawn().await;
    let head = app.create_member(&[Role::Secretariat]).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let mut socket = app.client_as(&member).connect_socket().await;

    let grant_myself = format!(
        "mutation {{ grantRole(memberId: \"{}\", role: SECRETARIAT) {{ id }} }}",
        member.global_id()
    );
    socket.start("1", &grant_myself, json!({})).await;
    let refused = socket.receive().await;
    assert_eq!(refused["type"], "error", "{refused:#}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "BAD_REQUEST");
    socket.start("2", "{ me { roles } }", json!({})).await;
    assert_eq!(socket.receive().await["type"], "error");
    // Named operations are judged by the one that would run.
    socket
        .send(json!({ "id": "3", "type": "subscribe", "payload": {
            "query": "subscription S { eventSeats(eventId: \"x\") { seatsLeft } } mutation M { logout }",
            "operationName": "M",
        }}))
        .await;
    assert_eq!(
        socket.receive().await["payload"][0]["extensions"]["code"],
        "BAD_REQUEST"
    );

    let roles = app
        .client_as(&head)
        .query_with(
            "query($id: ID!) { member(id: $id) { roles } }",
            json!({ "id": member.global_id() }),
        )
        .await;
    assert_eq!(roles.data()["member"]["roles"], json!(["ALUMNUS"]));
    app.client_as(&member)
        .query("{ me { roles } }")
        .await
        .data();
}

#[tokio::test]
async fn messages_are_bounded_like_request_bodies() {
    let app = TestApp::spawn_with(|settings| settings.http.max_body_bytes = 16 * 1024).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let mut socket = app.client_as(&member).connect_socket().await;
    let padding = " ".repeat(32 * 1024);
    socket
        .send(json!({ "id": "1", "type": "subscribe", "payload": {
            "query": format!("subscription {{ eventSeats(eventId: \"x\") {{ seatsLeft }} }}{padding}"),
        }}))
        .await;
    let (code, _) = socket.closed().await;
    assert_eq!(code, 1009);
}

#[tokio::test]
async fn the_protocol_is_enforced() {
    let app = TestApp::spawn_with(|settings| {
        settings.sockets.init_timeout = Duration::from_millis(300);
    })
    .await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);

    let mut silent = client.open_socket().await;
    assert_eq!(silent.closed().await.0, 4408);

    let mut hasty = client.open_socket().await;
    hasty.start("1", SEATS, json!({ "id": "x" })).await;
    assert_eq!(hasty.closed().await.0, 4401);

    let mut twice = client.connect_socket().await;
    twice
        .send(json!({ "type": "connection_init", "payload": {} }))
        .await;
    assert_eq!(twice.closed().await.0, 4429);

    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let published = event(&app, &secretariat, true).await;
    let mut duplicate = watching_seats(&app, &member, &published).await;
    duplicate
        .start("seats", SEATS, json!({ "id": published }))
        .await;
    assert_eq!(duplicate.closed().await.0, 4409);

    let mut garbled = client.connect_socket().await;
    garbled.send_text("not json".to_owned()).await;
    assert_eq!(garbled.closed().await.0, 4400);

    let mut stale = app.client().with_token("alm_unknown").open_socket().await;
    stale
        .send(json!({ "type": "connection_init", "payload": { "Authorization": "Bearer alm_unknown" } }))
        .await;
    assert_eq!(stale.closed().await.0, 4401);
}

#[tokio::test]
async fn ping_is_answered_and_complete_ends_a_subscription() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let published = event(&app, &secretariat, true).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let mut socket = watching_seats(&app, &member, &published).await;
    socket
        .send(json!({ "type": "ping", "payload": { "at": 1 } }))
        .await;
    let pong = socket.receive().await;
    assert_eq!(pong, json!({ "type": "pong", "payload": { "at": 1 } }));
    socket
        .send(json!({ "type": "complete", "id": "seats" }))
        .await;
    // The id is free again once completed.
    socket
        .start("seats", SEATS, json!({ "id": published }))
        .await;
    assert_eq!(socket.receive().await["type"], "next");
}
