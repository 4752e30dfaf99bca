//! Changing one's address: the password, then a code mailed to the new
//! address; the previous address is told.

use alumni_core::Role;
use alumni_test_support::{TEST_PASSWORD, TestApp};
use chrono::Duration;
use serde_json::json;

use crate::support::{apply, rows_in, sato_application, sign_in_as_applicant, world};

const REQUEST: &str = "mutation($email: String!, $password: String!) {
    requestEmailChange(newEmail: $email, password: $password)
}";
const CONFIRM: &str = "mutation($code: String!) { confirmEmailChange(code: $code) }";
const LOGIN: &str = "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }";

/// The subjects and recipients of the mail written so far.
fn mail_to(app: &TestApp) -> Vec<(String, String)> {
    app.written_mail()
        .iter()
        .map(|mail| {
            let parsed = mail.parsed();
            (
                parsed
                    .to()
                    .and_then(|to| to.first()?.address().map(str::to_owned))
                    .unwrap_or_default(),
                parsed.subject().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_new_address_needs_the_password_and_the_code_mailed_to_it_and_the_old_one_is_told() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    let new_address = "New.Address@Example.jp";

    client
        .query_with(
            REQUEST,
            json!({ "email": new_address, "password": "not my password at all" }),
        )
        .await
        .expect_error("UNAUTHENTICATED");
    client
        .query_with(
            REQUEST,
            json!({ "email": "no-at-sign", "password": TEST_PASSWORD }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
    client
        .query_with(
            REQUEST,
            json!({ "email": member.email, "password": TEST_PASSWORD }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
    let asked = client
        .query_with(
            REQUEST,
            json!({ "email": new_address, "password": TEST_PASSWORD }),
        )
        .await;
    assert_eq!(asked.data()["requestEmailChange"], true);
    // Asking again at once is refused, so nobody floods the new address.
    client
        .query_with(
            REQUEST,
            json!({ "email": new_address, "password": TEST_PASSWORD }),
        )
        .await
        .expect_error("RATE_LIMITED");

    let code = app.verification_code("new.address@example.jp").await;
    // Until confirmed, nothing changed: the old address still signs in.
    app.client()
        .query_with(
            LOGIN,
            json!({ "email": "new.address@example.jp", "password": TEST_PASSWORD }),
        )
        .await
        .expect_error("UNAUTHENTICATED");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = client.query_with(CONFIRM, json!({ "code": wrong })).await;
    refused.expect_error("BAD_USER_INPUT");

    let confirmed = client.query_with(CONFIRM, json!({ "code": code })).await;
    assert_eq!(
        confirmed.data()["confirmEmailChange"],
        "new.address@example.jp"
    );
    // The code is spent.
    client
        .query_with(CONFIRM, json!({ "code": code }))
        .await
        .expect_error("BAD_USER_INPUT");
    app.client()
        .query_with(
            LOGIN,
            json!({ "email": "new.address@example.jp", "password": TEST_PASSWORD }),
        )
        .await
        .data();
    app.client()
        .query_with(
            LOGIN,
            json!({ "email": member.email, "password": TEST_PASSWORD }),
        )
        .await
        .expect_error("UNAUTHENTICATED");

    app.jobs.drain().await.unwrap();
    let sent = mail_to(&app);
    assert_eq!(
        sent,
        vec![
            (
                "new.address@example.jp".to_owned(),
                "新しいメールアドレスの確認コード".to_owned()
            ),
            (
                member.email.clone(),
                "メールアドレスが変更されました".to_owned()
            ),
        ]
    );
    assert_eq!(
        app.audit_count("membership.email_change_requested").await,
        1
    );
    assert_eq!(app.audit_count("membership.email_changed").await, 1);
}

#[tokio::test]
async fn a_code_expires_and_an_address_taken_meanwhile_is_a_conflict() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let other = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);

    client
        .query_with(
            REQUEST,
            json!({ "email": "late@example.jp", "password": TEST_PASSWORD }),
        )
        .await
        .data();
    let code = app.verification_code("late@example.jp").await;
    app.clock.advance(Duration::minutes(31));
    client
        .query_with(CONFIRM, json!({ "code": code }))
        .await
        .expect_error("BAD_USER_INPUT");

    // Another member's address: the code is mailed (the request tells
    // nothing), but confirming it cannot take the address.
    client
        .query_with(
            REQUEST,
            json!({ "email": other.email, "password": TEST_PASSWORD }),
        )
        .await
        .data();
    let code = app.verification_code(&other.email).await;
    client
        .query_with(CONFIRM, json!({ "code": code }))
        .await
        .expect_error("CONFLICT");
    assert_eq!(app.audit_count("membership.email_changed").await, 0);
}

#[tokio::test]
async fn only_a_signed_in_member_may_change_an_address() {
    let world = world().await;
    let app = &world.app;
    let input = sato_application(&world.company_id);
    apply(app, input.clone()).await.data();
    let applicant = app
        .client()
        .with_token(sign_in_as_applicant(app, &input).await);
    let changed = json!({ "email": "elsewhere@example.jp", "password": TEST_PASSWORD });

    app.client()
        .query_with(REQUEST, changed.clone())
        .await
        .expect_error("UNAUTHENTICATED");
    app.client()
        .query_with(CONFIRM, json!({ "code": "123456" }))
        .await
        .expect_error("UNAUTHENTICATED");
    // An applicant verifies the address applied with instead.
    applicant
        .query_with(REQUEST, changed)
        .await
        .expect_error("FORBIDDEN");
    // A member with nothing pending.
    app.client_as(&world.secretariat)
        .query_with(CONFIRM, json!({ "code": "123456" }))
        .await
        .expect_error("BAD_USER_INPUT");
}

#[tokio::test]
async fn withdrawal_forgets_pending_codes_tokens_and_the_last_visit() {
    let app = TestApp::spawn().await;
    let _keeps_the_network_run = app.create_member(&[Role::Secretariat]).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    client
        .query_with(
            REQUEST,
            json!({ "email": "moving@example.jp", "password": TEST_PASSWORD }),
        )
        .await
        .data();
    app.client()
        .query_with(
            "mutation($email: String!) { requestPasswordReset(email: $email) }",
            json!({ "email": member.email }),
        )
        .await
        .data();
    app.jobs.drain().await.unwrap();
    let of_member = |table: &str| format!("{table} WHERE member_id = '{}'", member.id.0);
    assert_eq!(rows_in(&app, &of_member("email_changes")).await, 1);
    assert_eq!(rows_in(&app, &of_member("password_resets")).await, 1);

    client
        .query("mutation { withdrawMembership(confirm: true) }")
        .await
        .data();
    assert_eq!(rows_in(&app, &of_member("email_changes")).await, 0);
    assert_eq!(rows_in(&app, &of_member("password_resets")).await, 0);
    assert_eq!(
        rows_in(
            &app,
            &format!(
                "members WHERE id = '{}' AND last_seen_at IS NULL",
                member.id.0
            )
        )
        .await,
        1
    );
}
