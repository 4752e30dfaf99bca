//! Calendar files, checked by parsing them with an iCalendar parser.

use std::io::BufReader;

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use ical::parser::ical::component::{IcalCalendar, IcalEvent};
use serde_json::json;

use super::support::{event_input, published_event, register};

fn parse(text: &str) -> IcalCalendar {
    let mut calendars = ical::IcalParser::new(BufReader::new(text.as_bytes()));
    let calendar = calendars
        .next()
        .expect("one calendar")
        .unwrap_or_else(|error| panic!("not valid iCalendar ({error}): {text}"));
    assert!(calendars.next().is_none(), "exactly one VCALENDAR");
    calendar
}

fn property<'a>(properties: &'a [ical::property::Property], name: &str) -> Option<&'a str> {
    properties
        .iter()
        .find(|property| property.name == name)
        .and_then(|property| property.value.as_deref())
}

fn utc(value: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ")
        .unwrap_or_else(|error| panic!("{value} is not a UTC date-time: {error}"))
        .and_utc()
}

async fn fetch(app: &TestApp, viewer: Option<&TestMember>, path: &str) -> (u16, String, String) {
    let client = match viewer {
        Some(member) => app.client_as(member),
        None => app.client(),
    };
    let response = client.get(path).await;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, response.text().await.unwrap())
}

fn only_event(calendar: &IcalCalendar) -> &IcalEvent {
    assert_eq!(calendar.events.len(), 1);
    &calendar.events[0]
}

#[tokio::test]
async fn an_event_downloads_as_valid_icalendar_with_the_join_url_for_attendees_only() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let input = event_input(&app, Some(1), json!({}));
    let starts_at: DateTime<Utc> = input["startsAt"].as_str().unwrap().parse().unwrap();
    let event = published_event(&app, &secretariat, input).await;
    let attendee = app.create_member(&[Role::Alumnus]).await;
    let waiting = app.create_member(&[Role::Alumnus]).await;
    register(&app, &attendee, &event).await.data();
    register(&app, &waiting, &event).await.data();
    let path = format!("/events/{event}.ics");

    let (status, content_type, text) = fetch(&app, Some(&attendee), &path).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    assert!(text.contains("\r\n"), "lines end in CRLF");
    let calendar = parse(&text);
    assert_eq!(property(&calendar.properties, "VERSION"), Some("2.0"));
    assert!(property(&calendar.properties, "PRODID").is_some());
    let vevent = only_event(&calendar);
    assert_eq!(
        property(&vevent.properties, "SUMMARY"),
        Some("Kubernetes 運用勉強会")
    );
    assert_eq!(
        utc(property(&vevent.properties, "DTSTART").unwrap()),
        starts_at
    );
    assert_eq!(
        utc(property(&vevent.properties, "DTEND").unwrap()),
        starts_at + Duration::hours(2)
    );
    assert_eq!(property(&vevent.properties, "STATUS"), Some("CONFIRMED"));
    assert_eq!(
        property(&vevent.properties, "URL"),
        Some("https://meet.example/k8s-study")
    );
    assert!(property(&vevent.properties, "UID").unwrap().contains('@'));
    assert!(property(&vevent.properties, "DTSTAMP").is_some());

    for viewer in [&waiting, &app.create_member(&[Role::Employee]).await] {
        let (status, _, text) = fetch(&app, Some(viewer), &path).await;
        assert_eq!(status, 200);
        let calendar = parse(&text);
        assert!(property(&only_event(&calendar).properties, "URL").is_none());
        assert!(
            !text.contains("meet.example"),
            "no join URL anywhere: {text}"
        );
    }

    assert_eq!(fetch(&app, None, &path).await.0, 401);
    assert_eq!(
        fetch(&app, Some(&attendee), "/events/nonsense.ics").await.0,
        404
    );
    let unknown = alumni_events::EventId::new();
    let unknown = <alumni_events::EventId as alumni_core::NodeId>::to_global(&unknown).0;
    assert_eq!(
        fetch(&app, Some(&attendee), &format!("/events/{unknown}.ics"))
            .await
            .0,
        404
    );
}

const ISSUE_FEED: &str = "mutation { issueCalendarFeed { token path } }";

#[tokio::test]
async fn the_personal_feed_lists_confirmed_seats_and_can_be_revoked() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let other = app.create_member(&[Role::Alumnus]).await;
    let confirmed = published_event(
        &app,
        &secretariat,
        event_input(&app, Some(5), json!({ "title": "アルムナイ交流会" })),
    )
    .await;
    let full = published_event(
        &app,
        &secretariat,
        event_input(&app, Some(1), json!({ "title": "満席の勉強会" })),
    )
    .await;
    register(&app, &other, &full).await.data();
    register(&app, &member, &full).await.data(); // waitlisted: not in the feed
    register(&app, &member, &confirmed).await.data();
    let client = app.client_as(&member);

    let none = client.query("{ me { calendarFeedIssuedAt } }").await;
    assert!(none.data()["me"]["calendarFeedIssuedAt"].is_null());
    let issued = client.query(ISSUE_FEED).await;
    let path = issued.data()["issueCalendarFeed"]["path"]
        .as_str()
        .unwrap()
        .to_owned();
    let since = client.query("{ me { calendarFeedIssuedAt } }").await;
    assert!(since.data()["me"]["calendarFeedIssuedAt"].is_string());

    // The URL is the credential: calendar apps send no header.
    let (status, _, text) = fetch(&app, None, &path).await;
    assert_eq!(status, 200);
    let feed = parse(&text);
    let vevent = only_event(&feed);
    assert_eq!(
        property(&vevent.properties, "SUMMARY"),
        Some("アルムナイ交流会")
    );
    assert_eq!(
        property(&vevent.properties, "URL"),
        Some("https://meet.example/k8s-study")
    );

    app.client_as(&secretariat)
        .query_with(
            "mutation($id: ID!) { cancelEvent(id: $id) { status } }",
            json!({ "id": confirmed }),
        )
        .await
        .data();
    let (_, _, text) = fetch(&app, None, &path).await;
    assert_eq!(
        property(&only_event(&parse(&text)).properties, "STATUS"),
        Some("CANCELLED")
    );

    // A new URL replaces the old one; revoking ends it.
    let reissued = client.query(ISSUE_FEED).await;
    let new_path = reissued.data()["issueCalendarFeed"]["path"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(fetch(&app, None, &path).await.0, 404);
    assert_eq!(fetch(&app, None, &new_path).await.0, 200);
    let revoked = client.query("mutation { revokeCalendarFeed }").await;
    assert_eq!(revoked.data()["revokeCalendarFeed"], true);
    assert_eq!(fetch(&app, None, &new_path).await.0, 404);
    assert_eq!(fetch(&app, None, "/calendar/calf_guessed.ics").await.0, 404);
    app.client()
        .query(ISSUE_FEED)
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn signing_out_everywhere_also_revokes_the_feed() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let issued = app.client_as(&member).query(ISSUE_FEED).await;
    let path = issued.data()["issueCalendarFeed"]["path"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(fetch(&app, None, &path).await.0, 200);
    // Signing out everywhere works while new terms await acceptance, and
    // so must the feed's part of it.
    app.client_as(&secretariat)
        .query("mutation { publishTerms(input: { version: \"2026-05\", title: \"規約\", body: \"本文\" }) { id } }")
        .await
        .data();

    let revoked = app
        .client_as(&member)
        .query("mutation { revokeAllMySessions }")
        .await;
    assert_eq!(revoked.data()["revokeAllMySessions"], 1);
    assert_eq!(fetch(&app, None, &path).await.0, 404);
    app.client_as(&member)
        .query("{ me { roles } }")
        .await
        .expect_error("UNAUTHENTICATED");
}
