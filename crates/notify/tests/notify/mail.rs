//! Mail over a real SMTP server: Japanese headers and both parts, one-click
//! unsubscribe, refusals and an absent server.

use alumni_core::Clock as _;
use alumni_test_support::{SmtpServer, TestApp};
use chrono::Duration;
use serde_json::json;

use super::support::{REGISTER, event, people, written_mail};

async fn app_mailing_to(smtp: &SmtpServer) -> TestApp {
    let url = smtp.url();
    TestApp::spawn_with(move |settings| {
        settings.mail.smtp_url = Some(url);
        settings.mail.from_address = "alumni@example.co.jp".to_owned();
        settings.mail.from_name = Some("アルムナイ事務局".to_owned());
        settings.mail.public_url = "https://alumni.example.co.jp".to_owned();
    })
    .await
}

#[tokio::test]
async fn a_notification_mail_arrives_over_smtp_in_utf8_with_both_parts_and_unsubscribe_headers() {
    let smtp = SmtpServer::start();
    let app = app_mailing_to(&smtp).await;
    let (secretariat, member) = people(&app).await;
    let event = event(&app, &secretariat, 10).await;
    app.client_as(&member)
        .query_with(REGISTER, json!({ "id": event }))
        .await
        .data();
    app.jobs.drain().await.unwrap();

    let received = smtp.wait_for(1).await;
    assert_eq!(received[0].to, std::slice::from_ref(&member.email));
    assert_eq!(received[0].from, "alumni@example.co.jp");
    let raw = received[0].raw();
    // Headers go out 7-bit: Japanese only as encoded words.
    let head = raw.split("\r\n\r\n").next().unwrap();
    assert!(head.is_ascii(), "{head}");
    let message = received[0].parsed();
    assert_eq!(message.subject(), Some("参加確定: Rust 勉強会 <第3回>"));
    let from = message.from().unwrap().first().unwrap();
    assert_eq!(from.name(), Some("アルムナイ事務局"));
    let text = message.body_text(0).unwrap();
    assert!(
        text.contains("「Rust 勉強会 <第3回>」への参加が確定しました。"),
        "{text}"
    );
    assert!(
        text.contains("https://alumni.example.co.jp/events/"),
        "{text}"
    );
    let html = message.body_html(0).unwrap();
    assert!(
        html.contains("Rust 勉強会 &lt;第3回&gt;"),
        "escaped: {html}"
    );
    assert!(!html.contains("<第3回>"));
    let unsubscribe = message.header_raw("List-Unsubscribe").unwrap().trim();
    assert!(
        unsubscribe.starts_with("<https://alumni.example.co.jp/unsubscribe/unsub_"),
        "{unsubscribe}"
    );
    assert_eq!(
        message.header_raw("List-Unsubscribe-Post").unwrap().trim(),
        "List-Unsubscribe=One-Click"
    );
}

#[tokio::test]
async fn one_click_unsubscribe_stops_that_kind_of_mail_and_unknown_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let (secretariat, member) = people(&app).await;
    let first = event(&app, &secretariat, 10).await;
    app.client_as(&member)
        .query_with(REGISTER, json!({ "id": first }))
        .await
        .data();
    app.jobs.drain().await.unwrap();
    let mail = written_mail(&app);
    let url = mail[0]
        .lines()
        .find_map(|line| line.strip_prefix("List-Unsubscribe: <"))
        .and_then(|rest| rest.strip_suffix('>'))
        .expect("an unsubscribe address")
        .to_owned();
    let path = &url[url.find("/unsubscribe/").unwrap()..];
    let http = reqwest::Client::new();
    let address = format!("{}{path}", app.base_url());

    // Following the link only shows a button.
    let page = http.get(&address).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let clicked = http
        .post(&address)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), 200);
    assert_eq!(app.audit_count("notify.unsubscribed").await, 1);

    let preferences = app
        .client_as(&member)
        .query("{ me { notificationPreferences { kind channel } } }")
        .await;
    let confirmed = preferences.data()["me"]["notificationPreferences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|preference| preference["kind"] == "events.registration_confirmed")
        .unwrap()
        .clone();
    assert_eq!(confirmed["channel"], "IN_APP");
    let second = event(&app, &secretariat, 10).await;
    app.client_as(&member)
        .query_with(REGISTER, json!({ "id": second }))
        .await
        .data();
    app.jobs.drain().await.unwrap();
    assert_eq!(written_mail(&app).len(), 1, "no second mail");

    let unknown = http
        .post(format!(
            "{}/unsubscribe/unsub_not-a-real-token",
            app.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn a_refused_message_fails_for_good_and_an_absent_server_is_retried() {
    let smtp = SmtpServer::start();
    smtp.refuse_recipients(true);
    let app = app_mailing_to(&smtp).await;
    let (secretariat, member) = people(&app).await;
    let event = event(&app, &secretariat, 10).await;
    app.client_as(&member)
        .query_with(REGISTER, json!({ "id": event }))
        .await
        .data();
    let worked = app.jobs.drain().await.unwrap();
    assert_eq!((worked.done, worked.failed), (1, 1), "550 is permanent");
    let failed = app
        .client_as(&secretariat)
        .query("{ failedJobs { nodes { kind lastError } } }")
        .await;
    let job = &failed.data()["failedJobs"]["nodes"][0];
    assert_eq!(job["kind"], "notify.send_mail");
    assert!(job["lastError"].as_str().unwrap().contains("550"), "{job}");
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn mail_waits_while_the_smtp_server_is_away_and_goes_out_when_it_is_back() {
    // An address nobody listens on: connecting is refused at once.
    let away = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = away.local_addr().unwrap().port();
    drop(away);
    let app = TestApp::spawn_with(move |settings| {
        settings.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}?tls=none"));
    })
    .await;
    let (secretariat, member) = people(&app).await;
    let event = event(&app, &secretariat, 10).await;
    let registered = app
        .client_as(&member)
        .query_with(REGISTER, json!({ "id": event }))
        .await;
    assert_eq!(
        registered.data()["registerForEvent"]["status"],
        "CONFIRMED",
        "the request succeeds"
    );
    let worked = app.jobs.drain().await.unwrap();
    assert_eq!((worked.done, worked.retried, worked.failed), (1, 1, 0));
    app.clock.advance(Duration::seconds(10));
    let worked = app.jobs.drain().await.unwrap();
    assert_eq!(
        worked.retried, 1,
        "still away, tried again after its back-off"
    );
    let _ = app.clock.now();
}

#[tokio::test]
async fn unsubscribe_links_stop_working_after_half_a_year() {
    let app = TestApp::spawn().await;
    let (secretariat, member) = people(&app).await;
    let event = event(&app, &secretariat, 10).await;
    app.client_as(&member)
        .query_with(REGISTER, json!({ "id": event }))
        .await
        .data();
    app.jobs.drain().await.unwrap();
    let mail = written_mail(&app);
    let url = mail[0]
        .lines()
        .find_map(|line| line.strip_prefix("List-Unsubscribe: <"))
        .and_then(|rest| rest.strip_suffix('>'))
        .expect("an unsubscribe address")
        .to_owned();
    let address = format!(
        "{}{}",
        app.base_url(),
        &url[url.find("/unsubscribe/").unwrap()..]
    );

    app.clock.advance(Duration::days(181));
    // The daily upkeep, as running workers would schedule and run it.
    app.jobs.schedule_recurring().await.unwrap();
    app.jobs.drain().await.unwrap();
    let late = reqwest::Client::new().post(&address).send().await.unwrap();
    assert_eq!(late.status(), 404);
    assert_eq!(app.audit_count("notify.unsubscribed").await, 0);
}
