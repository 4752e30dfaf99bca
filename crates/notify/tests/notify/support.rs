//! Shared steps: an event to register for, and reading what was sent.

use alumni_core::{Clock as _, Role};
use alumni_test_support::{TestApp, TestMember};
use chrono::Duration;
use serde_json::json;

/// The viewer's notifications with their typed payloads.
pub const NOTIFICATIONS: &str = "{ me {
    unreadNotificationCount
    notifications(first: 20) {
        totalCount
        nodes {
            id kind readAt
            subject { __typename id }
            payload {
                __typename
                ... on SeatNotice { fromWaitlist event { id title } registration { id status } }
                ... on EventChangeNotice { cancelled changed event { id } }
            }
        }
    }
} }";

/// Registers the caller.
pub const REGISTER: &str = "mutation($id: ID!) { registerForEvent(eventId: $id) { id status } }";

/// A published online event a week ahead with `capacity` seats; returns
/// its global id.
pub async fn event(app: &TestApp, secretariat: &TestMember, capacity: i32) -> String {
    let starts_at = app.clock.now() + Duration::days(7);
    let input = json!({
        "title": "Rust 勉強会 <第3回>",
        "kind": "STUDY_SESSION",
        "format": "ONLINE",
        "joinUrl": "https://meet.example/rust",
        "startsAt": starts_at.to_rfc3339(),
        "endsAt": (starts_at + Duration::hours(2)).to_rfc3339(),
        "audience": "EVERYONE",
        "capacity": capacity,
    });
    let client = app.client_as(secretariat);
    let created = client
        .query_with(
            "mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await;
    let id = created.data()["createEvent"]["id"]
        .as_str()
        .expect("event id")
        .to_owned();
    client
        .query_with(
            "mutation($id: ID!) { publishEvent(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await
        .data();
    id
}

/// The secretariat and an alumnus.
pub async fn people(app: &TestApp) -> (TestMember, TestMember) {
    (
        app.create_member(&[Role::Secretariat]).await,
        app.create_member(&[Role::Alumnus]).await,
    )
}

/// The `.eml` files the application wrote, oldest first.
pub fn written_mail(app: &TestApp) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(&app.mail_dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| std::fs::read_to_string(path).expect("read mail"))
        .collect()
}
