//! Sign-in, sessions and throttling.

use alumni_core::Role;
use alumni_test_support::{TEST_PASSWORD, TestApp, TestClient};
use chrono::Duration;
use serde_json::json;

const LOGIN: &str = "mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) { token expiresAt member { id email roles } }
}";

async fn login(
    client: &TestClient,
    email: &str,
    password: &str,
) -> alumni_test_support::GqlResponse {
    client
        .query_with(LOGIN, json!({ "email": email, "password": password }))
        .await
}

#[tokio::test]
async fn login_issues_a_token_that_signs_requests_in() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;

    let response = login(&app.client(), &secretariat.email, TEST_PASSWORD).await;
    let payload = &response.data()["login"];
    assert_eq!(payload["member"]["email"], secretariat.email.as_str());
    assert_eq!(payload["member"]["roles"], json!(["SECRETARIAT"]));
    let token = payload["token"].as_str().unwrap();
    assert!(token.starts_with("alm_"));

    let me = app
        .client()
        .with_token(token)
        .query("{ me { roles sessionExpiresAt member { id email } } }")
        .await;
    let me = &me.data()["me"];
    assert_eq!(me["roles"], json!(["SECRETARIAT"]));
    assert_eq!(me["member"]["id"], secretariat.global_id().as_str());
    assert_eq!(me["sessionExpiresAt"], payload["expiresAt"]);
}

#[tokio::test]
async fn login_is_case_insensitive_in_the_email_address() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let shouted = format!("  {}  ", member.email.to_uppercase());
    let response = login(&app.client(), &shouted, TEST_PASSWORD).await;
    assert_eq!(
        response.data()["login"]["member"]["email"],
        member.email.as_str()
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_address_fail_alike() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;

    let wrong_password = login(&app.client(), &member.email, "not the password").await;
    let unknown_address = login(&app.client(), "nobody@test.example", TEST_PASSWORD).await;
    let first = wrong_password.expect_error("UNAUTHENTICATED");
    let second = unknown_address.expect_error("UNAUTHENTICATED");
    assert_eq!(first["message"], second["message"]);
    assert!(wrong_password.body["data"].is_null());
}

#[tokio::test]
async fn repeated_failures_throttle_the_address_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let bystander = app.create_member(&[Role::Alumnus]).await;
    let client = app.client();

    for _ in 0..5 {
        login(&client, &member.email, "guessing wrongly")
            .await
            .expect_error("UNAUTHENTICATED");
    }
    let blocked = login(&client, &member.email, TEST_PASSWORD).await;
    let error = blocked.expect_error("RATE_LIMITED");
    assert_eq!(error["extensions"]["retryAfterSeconds"], 60);

    // Other accounts are not affected.
    login(&client, &bystander.email, TEST_PASSWORD).await.data();

    // Each further failure doubles the block.
    app.clock.advance(Duration::seconds(61));
    login(&client, &member.email, "still guessing")
        .await
        .expect_error("UNAUTHENTICATED");
    let longer = login(&client, &member.email, TEST_PASSWORD).await;
    assert_eq!(
        longer.expect_error("RATE_LIMITED")["extensions"]["retryAfterSeconds"],
        120
    );

    app.clock.advance(Duration::seconds(121));
    login(&client, &member.email, TEST_PASSWORD).await.data();
    // Success clears the count: one more mistake is not blocked.
    login(&client, &member.email, "typo")
        .await
        .expect_error("UNAUTHENTICATED");
    login(&client, &member.email, TEST_PASSWORD).await.data();
}

#[tokio::test]
async fn unknown_addresses_are_throttled_too() {
    let app = TestApp::spawn().await;
    let client = app.client();
    for _ in 0..5 {
        login(&client, "ghost@test.example", "anything at all")
            .await
            .expect_error("UNAUTHENTICATED");
    }
    login(&client, "ghost@test.example", "anything at all")
        .await
        .expect_error("RATE_LIMITED");
}

#[tokio::test]
async fn old_failures_are_forgotten() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client();
    for _ in 0..4 {
        login(&client, &member.email, "wrong")
            .await
            .expect_error("UNAUTHENTICATED");
    }
    app.clock.advance(Duration::hours(2));
    for _ in 0..4 {
        login(&client, &member.email, "wrong")
            .await
            .expect_error("UNAUTHENTICATED");
    }
    login(&client, &member.email, TEST_PASSWORD).await.data();
}

#[tokio::test]
async fn an_expired_session_is_unauthenticated_but_can_sign_in_again() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    client.query("{ me { roles } }").await.data();

    app.clock.advance(Duration::days(31));
    let expired = client.query("{ me { roles } }").await;
    let error = expired.expect_error("UNAUTHENTICATED");
    assert!(
        error["message"].as_str().unwrap().contains("expired"),
        "{error}"
    );

    // The stale token does not stand in the way of signing in again.
    let fresh = login(&client, &member.email, TEST_PASSWORD).await;
    let token = fresh.data()["login"]["token"].as_str().unwrap();
    client
        .with_token(token)
        .query("{ me { roles } }")
        .await
        .data();
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);

    assert_eq!(
        client.query("mutation { logout }").await.data()["logout"],
        true
    );
    let after = client.query("{ me { roles } }").await;
    let error = after.expect_error("UNAUTHENTICATED");
    assert!(
        error["message"].as_str().unwrap().contains("ended"),
        "{error}"
    );
    client
        .query("mutation { logout }")
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn revoke_all_my_sessions_ends_every_session() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let other = app.create_member(&[Role::Alumnus]).await;
    let laptop = app.client_as(&member);
    let phone_token = login(&app.client(), &member.email, TEST_PASSWORD)
        .await
        .data()["login"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let phone = app.client().with_token(phone_token);

    let revoked = laptop.query("mutation { revokeAllMySessions }").await;
    assert_eq!(revoked.data()["revokeAllMySessions"], 2);
    laptop
        .query("{ me { roles } }")
        .await
        .expect_error("UNAUTHENTICATED");
    phone
        .query("{ me { roles } }")
        .await
        .expect_error("UNAUTHENTICATED");
    // Nobody else is signed out.
    app.client_as(&other).query("{ me { roles } }").await.data();
}

#[tokio::test]
async fn signed_out_viewers_get_no_me_and_bad_tokens_are_rejected() {
    let app = TestApp::spawn().await;
    let anonymous = app.client().query("{ me { roles } }").await;
    assert!(anonymous.data()["me"].is_null());

    for token in ["alm_not-a-real-token", "something-else"] {
        let response = app
            .client()
            .with_token(token)
            .query("{ me { roles } }")
            .await;
        response.expect_error("UNAUTHENTICATED");
    }
    let anonymous_only = app
        .client()
        .with_token("alm_unknown")
        .query("mutation { logout }")
        .await;
    anonymous_only.expect_error("UNAUTHENTICATED");
}
