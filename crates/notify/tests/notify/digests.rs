//! The activity digest: what is new since the last visit, once per member
//! and period, never empty, and turned off in one click.

use alumni_core::{Clock as _, Role};
use alumni_notify::DigestOutcome;
use alumni_test_support::{TestApp, TestMember};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::support::{REGISTER, written_mail};

const PUBLISH_TERMS: &str = "mutation {
    publishTerms(input: { version: \"2026-04\", title: \"利用規約\", body: \"# 利用規約\" }) { id }
}";
const ACCEPT: &str = "mutation($purposes: [ConsentPurpose!]!) {
    acceptTerms(version: \"2026-04\", purposes: $purposes) { purposes }
}";

/// Monday 2026-04-06 09:00 in Japan, when the first week's digests of
/// the tests (which start on Wednesday 2026-04-01) go out.
fn first_monday_morning() -> DateTime<Utc> {
    "2026-04-06T00:00:00Z".parse().unwrap()
}

/// Publishes terms; `readers` accept them with the newsletter consent,
/// everyone else in `others` without it.
async fn consent(
    app: &TestApp,
    secretariat: &TestMember,
    readers: &[&TestMember],
    others: &[&TestMember],
) {
    app.client_as(secretariat).query(PUBLISH_TERMS).await.data();
    for member in std::iter::once(&secretariat).chain(others) {
        app.client_as(member)
            .query_with(ACCEPT, json!({ "purposes": ["MEMBERSHIP"] }))
            .await
            .data();
    }
    for member in readers {
        app.client_as(member)
            .query_with(ACCEPT, json!({ "purposes": ["MEMBERSHIP", "NEWSLETTER"] }))
            .await
            .data();
    }
}

/// Creates an event `days` ahead for `audience`, published unless a
/// draft is wanted; returns its global id.
async fn announce(
    app: &TestApp,
    secretariat: &TestMember,
    title: &str,
    audience: &str,
    days: i64,
    publish: bool,
) -> String {
    let starts_at = app.clock.now() + Duration::days(days);
    let client = app.client_as(secretariat);
    let created = client
        .query_with(
            "mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }",
            json!({ "input": {
                "title": title,
                "kind": "MEETUP",
                "format": "IN_PERSON",
                "venue": "本社 12F",
                "startsAt": starts_at.to_rfc3339(),
                "endsAt": (starts_at + Duration::hours(2)).to_rfc3339(),
                "audience": audience,
                "capacity": 30,
            } }),
        )
        .await;
    let id = created.data()["createEvent"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    if publish {
        client
            .query_with(
                "mutation($id: ID!) { publishEvent(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await
            .data();
    }
    id
}

/// Runs the hourly planner (and whatever it enqueues) at `at`.
async fn run_jobs_at(app: &TestApp, at: DateTime<Utc>) {
    app.clock.set(at);
    app.jobs.schedule_recurring().await.unwrap();
    app.jobs.drain().await.unwrap();
}

#[tokio::test]
async fn a_weekly_digest_lists_what_is_new_since_the_last_visit_once_per_week() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let employee = app.create_member(&[Role::Employee]).await;
    consent(&app, &secretariat, &[&alumnus], &[&employee]).await;
    app.client_as(&alumnus)
        .query(
            "mutation { setNotificationPreference(kind: \"events.registration_confirmed\", channel: DIGEST) { channel } }",
        )
        .await
        .data();

    let seen_before = announce(&app, &secretariat, "春の交流会", "EVERYONE", 20, true).await;
    // The alumnus visits two hours later and registers: what was
    // announced before this visit is not news to them.
    app.clock.advance(Duration::hours(2));
    app.client_as(&alumnus)
        .query_with(REGISTER, json!({ "id": seen_before }))
        .await
        .data();
    app.clock.advance(Duration::hours(1));
    app.jobs.drain().await.unwrap();
    assert!(
        written_mail(&app).is_empty(),
        "the confirmation waits for the digest"
    );

    app.clock.advance(Duration::hours(1));
    announce(
        &app,
        &secretariat,
        "Rust もくもく会 <初夏>",
        "EVERYONE",
        20,
        true,
    )
    .await;
    announce(&app, &secretariat, "社員向け説明会", "EMPLOYEES", 20, true).await;
    announce(
        &app,
        &secretariat,
        "準備中のイベント",
        "EVERYONE",
        20,
        false,
    )
    .await;

    // Sunday night: not yet.
    run_jobs_at(&app, first_monday_morning() - Duration::hours(1)).await;
    assert!(written_mail(&app).is_empty());
    run_jobs_at(&app, first_monday_morning()).await;

    let mail = written_mail(&app);
    assert_eq!(
        mail.len(),
        1,
        "one digest: the alumnus consented, the others did not"
    );
    let received = app.written_mail();
    let message = received[0].parsed();
    assert_eq!(
        message.to().unwrap().first().unwrap().address(),
        Some(alumnus.email.as_str())
    );
    assert_eq!(
        message.subject(),
        Some("アルムナイネットワーク 週間ダイジェスト（4月6日週）")
    );
    let text = message.body_text(0).unwrap();
    assert!(text.contains("■ 参加できるイベント"), "{text}");
    assert!(text.contains("Rust もくもく会 <初夏>"), "{text}");
    assert!(text.contains("会場: 本社 12F"), "{text}");
    assert!(
        !text.contains("春の交流会"),
        "seen on the last visit: {text}"
    );
    assert!(!text.contains("社員向け説明会"), "not for alumni: {text}");
    assert!(!text.contains("準備中のイベント"), "a draft: {text}");
    assert!(text.contains("■ あなたへのお知らせ"), "{text}");
    assert!(text.contains("1件"), "{text}");
    let html = message.body_html(0).unwrap();
    assert!(html.contains("Rust もくもく会 &lt;初夏&gt;"), "{html}");
    assert!(message.header_raw("List-Unsubscribe").is_some());
    assert_eq!(
        app.services
            .notify
            .digest_outcome(alumnus.id, "W2026-04-06")
            .await
            .unwrap(),
        DigestOutcome::Sent { items: 2 }
    );

    // However often the planner runs that week, no second digest.
    for hours in 1..=3 {
        run_jobs_at(&app, first_monday_morning() + Duration::hours(hours)).await;
    }
    run_jobs_at(&app, first_monday_morning() + Duration::days(3)).await;
    assert_eq!(written_mail(&app).len(), 1);

    // The digest's one-click unsubscribe turns the digest off.
    let url = mail[0]
        .lines()
        .find_map(|line| line.strip_prefix("List-Unsubscribe: <"))
        .and_then(|rest| rest.strip_suffix('>'))
        .unwrap()
        .to_owned();
    let clicked = reqwest::Client::new()
        .post(format!(
            "{}{}",
            app.base_url(),
            &url[url.find("/unsubscribe/").unwrap()..]
        ))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), 200);
    let settings = app
        .client_as(&alumnus)
        .query("{ me { digestFrequency } }")
        .await;
    assert_eq!(settings.data()["me"]["digestFrequency"], "OFF");
    announce(&app, &secretariat, "夏の交流会", "EVERYONE", 30, true).await;
    run_jobs_at(&app, first_monday_morning() + Duration::days(7)).await;
    assert_eq!(written_mail(&app).len(), 1, "off means off");
}

#[tokio::test]
async fn nothing_new_since_the_last_visit_sends_no_digest() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    consent(&app, &secretariat, &[&alumnus], &[]).await;
    announce(&app, &secretariat, "春の交流会", "EVERYONE", 20, true).await;
    // A visit after the announcement (more than an hour after the last).
    app.clock.advance(Duration::hours(2));
    app.client_as(&alumnus)
        .query("{ me { roles } }")
        .await
        .data();

    run_jobs_at(&app, first_monday_morning()).await;
    assert!(written_mail(&app).is_empty());
    assert_eq!(
        app.services
            .notify
            .digest_outcome(alumnus.id, "W2026-04-06")
            .await
            .unwrap(),
        DigestOutcome::Empty
    );
}

#[tokio::test]
async fn a_monthly_reader_hears_on_the_first_and_weekly_readers_choose_off() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let monthly = app.create_member(&[Role::Alumnus]).await;
    let off = app.create_member(&[Role::Alumnus]).await;
    consent(&app, &secretariat, &[&monthly, &off], &[]).await;
    for (member, frequency) in [(&monthly, "MONTHLY"), (&off, "OFF")] {
        let set = app
            .client_as(member)
            .query_with(
                "mutation($frequency: DigestFrequency!) { setDigestFrequency(frequency: $frequency) }",
                json!({ "frequency": frequency }),
            )
            .await;
        assert_eq!(set.data()["setDigestFrequency"], frequency);
    }
    app.clock.advance(Duration::hours(2));
    announce(
        &app,
        &secretariat,
        "ゴールデンウィーク明けの勉強会",
        "ALUMNI",
        40,
        true,
    )
    .await;

    run_jobs_at(&app, first_monday_morning()).await;
    assert!(written_mail(&app).is_empty(), "nobody reads weekly");
    let first_of_may = "2026-05-01T00:00:00Z".parse().unwrap();
    run_jobs_at(&app, first_of_may).await;
    let mail = written_mail(&app);
    assert_eq!(mail.len(), 1);
    assert!(mail[0].contains(&monthly.email), "to the monthly reader");
    let outcome = |member: &TestMember| {
        let notify = app.services.notify.clone();
        let id = member.id;
        async move { notify.digest_outcome(id, "M2026-05").await.unwrap() }
    };
    assert_eq!(outcome(&monthly).await, DigestOutcome::Sent { items: 1 });
    assert_eq!(outcome(&off).await, DigestOutcome::Pending, "never planned");

    // Without a session, the digest setting is not readable or settable.
    let anonymous = app.client().query("{ me { digestFrequency } }").await;
    assert!(anonymous.data()["me"].is_null());
    app.client()
        .query("mutation { setDigestFrequency(frequency: WEEKLY) }")
        .await
        .expect_error("UNAUTHENTICATED");
}
