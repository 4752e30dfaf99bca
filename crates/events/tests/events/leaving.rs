//! What a member's leaving, suspension and data export mean for events.

use alumni_core::Role;
use alumni_test_support::TestApp;
use serde_json::json;

use crate::events::support::{event_input, published_event, register, registration};

const ISSUE_FEED: &str = "mutation { issueCalendarFeed { path } }";

#[tokio::test]
async fn withdrawal_gives_up_seats_to_the_waitlist_and_silences_the_feed() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let leaving = app.create_member(&[Role::Alumnus]).await;
    let waiting = app.create_member(&[Role::Alumnus]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(1), json!({}))).await;
    assert_eq!(
        registration(&register(&app, &leaving, &event).await)["status"],
        "CONFIRMED"
    );
    assert_eq!(
        registration(&register(&app, &waiting, &event).await)["status"],
        "WAITLISTED"
    );
    let feed = app.client_as(&leaving).query(ISSUE_FEED).await;
    let path = feed.data()["issueCalendarFeed"]["path"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(app.client().get(&path).await.status(), 200);

    app.client_as(&leaving)
        .query("mutation { withdrawMembership(confirm: true) }")
        .await
        .data();

    let mine = app
        .client_as(&waiting)
        .query_with(
            "query($id: ID!) { event(id: $id) { myRegistration { status } seats { seatsLeft waitlistLength } } }",
            json!({ "id": event }),
        )
        .await;
    let event_view = &mine.data()["event"];
    assert_eq!(event_view["myRegistration"]["status"], "CONFIRMED");
    assert_eq!(
        event_view["seats"],
        json!({ "seatsLeft": 0, "waitlistLength": 0 })
    );
    assert_eq!(app.client().get(&path).await.status(), 404);
}

#[tokio::test]
async fn a_withdrawal_that_fails_at_its_last_step_changes_nothing() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let leaving = app.create_member(&[Role::Alumnus]).await;
    let waiting = app.create_member(&[Role::Alumnus]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(1), json!({}))).await;
    register(&app, &leaving, &event).await.data();
    register(&app, &waiting, &event).await.data();
    let feed = app.client_as(&leaving).query(ISSUE_FEED).await;
    let path = feed.data()["issueCalendarFeed"]["path"]
        .as_str()
        .unwrap()
        .to_owned();

    // The last thing a withdrawal does is end the calendar feed; make the
    // database refuse exactly that.
    let mut conn = app.database().connect().await;
    for statement in [
        "CREATE FUNCTION public.refuse_feed_deletion() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$",
        "CREATE TRIGGER refuse_feed_deletion BEFORE DELETE ON events.calendar_feeds
         FOR EACH ROW EXECUTE FUNCTION public.refuse_feed_deletion()",
    ] {
        diesel_async::RunQueryDsl::execute(diesel::sql_query(statement), &mut conn)
            .await
            .unwrap();
    }
    app.client_as(&leaving)
        .query("mutation { withdrawMembership(confirm: true) }")
        .await
        .expect_error("INTERNAL");

    // Nothing happened: not the erasure in membership, not the seats.
    let still = app.client_as(&leaving);
    let me = still
        .query_with(
            "query($id: ID!) { me { member { email displayName } } event(id: $id) { myRegistration { status } } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(me.data()["me"]["member"]["email"], leaving.email.as_str());
    assert_eq!(me.data()["event"]["myRegistration"]["status"], "CONFIRMED");
    let other = app
        .client_as(&waiting)
        .query_with(
            "query($id: ID!) { event(id: $id) { myRegistration { status waitlistPosition } } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(
        other.data()["event"]["myRegistration"],
        json!({ "status": "WAITLISTED", "waitlistPosition": 1 })
    );
    assert_eq!(app.client().get(&path).await.status(), 200);
}

#[tokio::test]
async fn a_refused_withdrawal_releases_nothing() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(5), json!({}))).await;
    register(&app, &secretariat, &event).await.data();

    // The last secretariat member may not leave; their seat stays theirs.
    app.client_as(&secretariat)
        .query("mutation { withdrawMembership(confirm: true) }")
        .await
        .expect_error("CONFLICT");
    let mine = app
        .client_as(&secretariat)
        .query_with(
            "query($id: ID!) { event(id: $id) { myRegistration { status } } }",
            json!({ "id": event }),
        )
        .await;
    assert_eq!(
        mine.data()["event"]["myRegistration"]["status"],
        "CONFIRMED"
    );
}

#[tokio::test]
async fn a_suspended_members_feed_goes_quiet_until_reinstated() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let feed = app.client_as(&member).query(ISSUE_FEED).await;
    let path = feed.data()["issueCalendarFeed"]["path"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = json!({ "id": member.global_id() });
    let suspend =
        "mutation($id: ID!) { suspendMember(memberId: $id, reason: \"spam\") { status } }";
    let reinstate = "mutation($id: ID!) { reinstateMember(memberId: $id) { status } }";

    app.client_as(&secretariat)
        .query_with(suspend, id.clone())
        .await
        .data();
    assert_eq!(app.client().get(&path).await.status(), 404);
    app.client_as(&secretariat)
        .query_with(reinstate, id)
        .await
        .data();
    assert_eq!(app.client().get(&path).await.status(), 200);
}

#[tokio::test]
async fn the_data_export_includes_registrations() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let event = published_event(&app, &secretariat, event_input(&app, Some(5), json!({}))).await;
    let code = registration(&register(&app, &member, &event).await)["checkInCode"].clone();

    let exported = app
        .client_as(&member)
        .query("mutation { exportMyData }")
        .await;
    let events = &exported.data()["exportMyData"]["events"];
    assert_eq!(
        events["registrations"][0]["eventTitle"],
        "Kubernetes 運用勉強会"
    );
    assert_eq!(events["registrations"][0]["status"], "CONFIRMED");
    assert_eq!(events["registrations"][0]["checkInCode"], code);
    assert!(events["calendarFeedIssuedAt"].is_null());
}
