//! What an anonymous caller can make the server do with passwords: however
//! sign-in attempts arrive (batched, aliased, concurrent, from many
//! addresses), only the allowed number of passwords is ever checked, and an
//! attacker's failures do not lock the owner out.

use std::time::Duration;

use alumni_core::Role;
use alumni_membership::rules::{ATTEMPTS_PER_ADDRESS, ATTEMPTS_PER_ADDRESS_AND_CLIENT};
use alumni_test_support::{GqlResponse, TEST_PASSWORD, TestApp, TestClient};
use serde_json::{Value, json};

const LOGIN: &str = "mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) { token }
}";

async fn login(client: &TestClient, email: &str, password: &str) -> GqlResponse {
    client
        .query_with(LOGIN, json!({ "email": email, "password": password }))
        .await
}

/// Passwords the server checked: every check ends in one of these entries.
async fn passwords_checked(app: &TestApp) -> i64 {
    app.audit_count("membership.login_failed").await
        + app.audit_count("membership.login_succeeded").await
}

fn codes(errors: &[Value]) -> Vec<&str> {
    let mut codes: Vec<&str> = errors
        .iter()
        .map(|error| error["extensions"]["code"].as_str().unwrap_or("none"))
        .collect();
    codes.sort_unstable();
    codes
}

#[tokio::test]
async fn a_batch_of_sign_ins_checks_one_password() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let attempt = json!({ "query": LOGIN, "variables": { "email": member.email, "password": "a wrong password" } });
    let batch = app.client().post_json(&json!(vec![attempt; 10])).await;
    let responses = batch.body.as_array().expect("a batch answer");
    let errors: Vec<Value> = responses
        .iter()
        .map(|response| response["errors"][0].clone())
        .collect();
    let mut expected = vec!["RATE_LIMITED"; 9];
    expected.push("UNAUTHENTICATED");
    assert_eq!(codes(&errors), expected);
    assert_eq!(passwords_checked(&app).await, 1);
}

#[tokio::test]
async fn aliased_sign_ins_check_one_password() {
    let app = TestApp::spawn().await;
    let aliases: String = (0..20)
        .map(|n| {
            format!("a{n}: login(email: \"someone{n}@test.example\", password: \"guess number {n}\") {{ token }} ")
        })
        .collect();
    let response = app
        .client()
        .query(&format!("mutation {{ {aliases} }}"))
        .await;
    let mut expected = vec!["RATE_LIMITED"; 19];
    expected.push("UNAUTHENTICATED");
    assert_eq!(codes(response.errors()), expected);
    assert_eq!(passwords_checked(&app).await, 1);
}

#[tokio::test]
async fn concurrent_sign_ins_check_no_more_passwords_than_allowed() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client();
    let attempts = (0..30).map(|_| login(&client, &member.email, "a wrong password"));
    let responses = futures_util::future::join_all(attempts).await;
    let errors: Vec<Value> = responses
        .iter()
        .map(|response| response.errors()[0].clone())
        .collect();
    let unauthenticated = codes(&errors)
        .iter()
        .filter(|code| **code == "UNAUTHENTICATED")
        .count();
    assert_eq!(unauthenticated, ATTEMPTS_PER_ADDRESS_AND_CLIENT as usize);
    assert_eq!(
        passwords_checked(&app).await,
        i64::from(ATTEMPTS_PER_ADDRESS_AND_CLIENT)
    );
}

#[tokio::test]
async fn an_attackers_failures_do_not_lock_the_owner_out() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let attacker = app.client().from_address("203.0.113.66");
    for _ in 0..ATTEMPTS_PER_ADDRESS_AND_CLIENT {
        login(&attacker, &member.email, "a wrong password")
            .await
            .expect_error("UNAUTHENTICATED");
    }
    login(&attacker, &member.email, TEST_PASSWORD)
        .await
        .expect_error("RATE_LIMITED");

    let owner = app.client().from_address("198.51.100.7");
    login(&owner, &member.email, TEST_PASSWORD).await.data();
}

#[tokio::test]
async fn guesses_spread_over_many_clients_hit_the_address_ceiling() {
    let app = TestApp::spawn_with(|settings| {
        settings.accounts.password_queue_wait = Duration::from_secs(30);
    })
    .await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client();
    let attempts = (0..ATTEMPTS_PER_ADDRESS).map(|n| {
        let client = client.from_address(format!("192.0.2.{}", n + 1));
        let email = member.email.clone();
        async move { login(&client, &email, "a wrong password").await }
    });
    for response in futures_util::future::join_all(attempts).await {
        response.expect_error("UNAUTHENTICATED");
    }
    let fresh_client = client.from_address("198.51.100.200");
    let refused = login(&fresh_client, &member.email, TEST_PASSWORD).await;
    let error = refused.expect_error("RATE_LIMITED");
    assert_eq!(error["extensions"]["retryAfterSeconds"], 60);
    assert_eq!(
        passwords_checked(&app).await,
        i64::from(ATTEMPTS_PER_ADDRESS)
    );
}

#[tokio::test]
async fn each_client_may_try_only_so_many_sign_ins() {
    let app = TestApp::spawn_with(|settings| {
        settings.accounts.sign_ins_per_client_per_minute = 3.try_into().unwrap();
    })
    .await;
    let client = app.client().from_address("203.0.113.9");
    for n in 0..3 {
        login(
            &client,
            &format!("nobody{n}@test.example"),
            "a wrong password",
        )
        .await
        .expect_error("UNAUTHENTICATED");
    }
    let refused = login(&client, "nobody9@test.example", "a wrong password").await;
    let error = refused.expect_error("RATE_LIMITED");
    assert!(error["extensions"]["retryAfterSeconds"].as_u64().unwrap() >= 1);
    let elsewhere = app.client().from_address("203.0.113.10");
    login(&elsewhere, "nobody9@test.example", "a wrong password")
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn password_hashing_waits_briefly_then_refuses() {
    let app = TestApp::spawn_with(|settings| {
        settings.accounts.password_hashing_concurrency = 1;
        settings.accounts.password_queue_wait = Duration::from_millis(1);
    })
    .await;
    let attempts = (0..8).map(|n| {
        let client = app.client().from_address(format!("192.0.2.{n}"));
        async move {
            login(
                &client,
                &format!("flood{n}@test.example"),
                "a wrong password",
            )
            .await
        }
    });
    let responses = futures_util::future::join_all(attempts).await;
    let errors: Vec<Value> = responses
        .iter()
        .map(|response| response.errors()[0].clone())
        .collect();
    let codes = codes(&errors);
    assert!(codes.contains(&"RATE_LIMITED"), "{codes:?}");
    assert!(codes.contains(&"UNAUTHENTICATED"), "{codes:?}");
}
