//! Password reset by mail, and a verification code received over SMTP.

use alumni_core::Role;
use alumni_test_support::{SmtpServer, TEST_PASSWORD, TestApp};
use chrono::Duration;
use serde_json::json;

use crate::support::{
    SATO, apply, import, roster, rows_in, sato_application, sign_in_as_applicant, world_on,
};

const REQUEST: &str = "mutation($email: String!) { requestPasswordReset(email: $email) }";
const RESET: &str = "mutation($token: String!, $password: String!) { resetPassword(token: $token, newPassword: $password) }";
const LOGIN: &str = "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }";
const NEW_PASSWORD: &str = "a brand new password for 2026";

/// The token in the newest reset mail the application wrote.
fn reset_token(app: &TestApp) -> String {
    app.written_mail()
        .iter()
        .rev()
        .find_map(|mail| {
            let text = mail.parsed().body_text(0)?.into_owned();
            let after = text.split("/reset-password?token=").nth(1)?;
            Some(after.split_whitespace().next()?.to_owned())
        })
        .expect("a reset mail")
}

#[tokio::test]
async fn a_reset_by_mail_sets_the_password_once_and_ends_every_session() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let before = app.client_as(&member);
    before.query("{ me { roles } }").await.data();

    for email in [member.email.as_str(), "nobody@nowhere.example"] {
        let asked = app
            .client()
            .query_with(REQUEST, json!({ "email": email }))
            .await;
        assert_eq!(
            asked.data()["requestPasswordReset"],
            true,
            "the same answer for both"
        );
    }
    app.jobs.drain().await.unwrap();
    let mail = app.written_mail();
    assert_eq!(mail.len(), 1, "mail only to the address with an account");
    let to = mail[0]
        .parsed()
        .to()
        .unwrap()
        .first()
        .unwrap()
        .address()
        .unwrap()
        .to_owned();
    assert_eq!(to, member.email);
    let token = reset_token(&app);

    app.client()
        .query_with(RESET, json!({ "token": token, "password": "short" }))
        .await
        .expect_error("BAD_USER_INPUT");
    let reset = app
        .client()
        .query_with(RESET, json!({ "token": token, "password": NEW_PASSWORD }))
        .await;
    assert_eq!(reset.data()["resetPassword"], true);
    before
        .query("{ me { roles } }")
        .await
        .expect_error("UNAUTHENTICATED");
    app.client()
        .query_with(
            LOGIN,
            json!({ "email": member.email, "password": TEST_PASSWORD }),
        )
        .await
        .expect_error("UNAUTHENTICATED");
    app.client()
        .query_with(
            LOGIN,
            json!({ "email": member.email, "password": NEW_PASSWORD }),
        )
        .await
        .data();
    let reused = app
        .client()
        .query_with(
            RESET,
            json!({ "token": token, "password": "yet another password 2026" }),
        )
        .await;
    assert_eq!(
        reused.expect_error("BAD_USER_INPUT")["extensions"]["field"],
        "token"
    );
    assert_eq!(app.audit_count("membership.password_reset").await, 1);
}

#[tokio::test]
async fn a_reset_link_expires_after_an_hour() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    app.client()
        .query_with(REQUEST, json!({ "email": member.email }))
        .await
        .data();
    app.jobs.drain().await.unwrap();
    let token = reset_token(&app);
    app.clock.advance(Duration::minutes(61));
    app.client()
        .query_with(RESET, json!({ "token": token, "password": NEW_PASSWORD }))
        .await
        .expect_error("BAD_USER_INPUT");
    app.client()
        .query_with(
            RESET,
            json!({ "token": "reset_not-a-real-token", "password": NEW_PASSWORD }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
}

#[tokio::test]
async fn a_verification_code_received_over_smtp_verifies_the_address() {
    let smtp = SmtpServer::start();
    let url = smtp.url();
    let world =
        world_on(TestApp::spawn_with(move |settings| settings.mail.smtp_url = Some(url)).await)
            .await;
    let app = &world.app;
    import(app, &roster(&[SATO])).await;
    let input = sato_application(&world.company_id);
    apply(app, input.clone()).await.data();
    let token = sign_in_as_applicant(app, &input).await;
    app.jobs.drain().await.unwrap();

    let received = smtp.wait_for(1).await;
    assert_eq!(received[0].to, ["hanako@old.example"]);
    let message = received[0].parsed();
    assert_eq!(message.subject(), Some("メールアドレスの確認コード"));
    assert!(
        message.header_raw("List-Unsubscribe").is_none(),
        "transactional"
    );
    let text = message.body_text(0).unwrap().into_owned();
    let code = text.split("確認コード: ").nth(1).unwrap()[..6].to_owned();
    let verified = app
        .client()
        .with_token(token)
        .query_with(
            "mutation($code: String!) { verifyEmail(code: $code) { status emailVerified } }",
            json!({ "code": code }),
        )
        .await;
    assert_eq!(
        verified.data()["verifyEmail"],
        json!({ "status": "APPROVED", "emailVerified": true })
    );
}

#[tokio::test]
async fn expired_reset_tokens_and_codes_are_purged_daily() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    app.client()
        .query_with(REQUEST, json!({ "email": member.email }))
        .await
        .data();
    app.client_as(&member)
        .query_with(
            "mutation($email: String!, $password: String!) { requestEmailChange(newEmail: $email, password: $password) }",
            json!({ "email": "moved@example.jp", "password": TEST_PASSWORD }),
        )
        .await
        .data();
    app.jobs.drain().await.unwrap();
    assert_eq!(rows_in(&app, "password_resets").await, 1);
    assert_eq!(rows_in(&app, "email_changes").await, 1);

    // A day after they expired, the daily upkeep removes them; a fresh
    // token stays.
    app.clock.advance(Duration::days(2));
    app.client()
        .query_with(REQUEST, json!({ "email": member.email }))
        .await
        .data();
    app.jobs.schedule_recurring().await.unwrap();
    app.jobs.drain().await.unwrap();
    assert_eq!(rows_in(&app, "password_resets").await, 1);
    assert_eq!(rows_in(&app, "email_changes").await, 0);
}
