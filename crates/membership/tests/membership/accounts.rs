//! Account rules at the service level.

use alumni_core::{Caller, ClientAddress, Role, RoleSet, Viewer};
use alumni_membership::NewAccount;
use alumni_membership::rules::ATTEMPTS_PER_ADDRESS_AND_CLIENT;
use alumni_test_support::{TEST_PASSWORD, TestApp};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;

fn account(email: &str, password: &str) -> NewAccount {
    NewAccount {
        email: email.to_owned(),
        password: password.to_owned(),
        roles: RoleSet::EMPTY.with(Role::Alumnus),
        name: None,
    }
}

#[tokio::test]
async fn accounts_refuse_bad_passwords_and_addresses() {
    let app = TestApp::spawn().await;
    let cases = [
        (account("a@test.example", "elevenchars"), "password"),
        (account("a@test.example", &"x".repeat(257)), "password"),
        (account("not an address", TEST_PASSWORD), "email"),
    ];
    for (new_account, field) in cases {
        let error = app
            .services
            .membership
            .create_account(new_account)
            .await
            .unwrap_err();
        assert_eq!(error.code(), "BAD_USER_INPUT");
        assert_eq!(error.field(), Some(field));
    }
    assert!(
        app.services.membership.is_empty().await.unwrap(),
        "nothing was written"
    );
}

#[tokio::test]
async fn an_address_is_taken_whatever_its_case() {
    let app = TestApp::spawn().await;
    app.services
        .membership
        .create_account(account("Yuki.Tanaka@test.example", TEST_PASSWORD))
        .await
        .unwrap();
    let error = app
        .services
        .membership
        .create_account(account("yuki.tanaka@TEST.example", TEST_PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "CONFLICT");
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let mut conn = app.database().connect().await;
    let by_hash: Count = diesel::sql_query(
        "SELECT count(*) AS count FROM membership.sessions WHERE token_hash = sha256(convert_to($1, 'UTF8'))",
    )
    .bind::<Text, _>(&member.token)
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(by_hash.count, 1);
    let in_clear: Count = diesel::sql_query(
        "SELECT count(*) AS count FROM membership.sessions s WHERE position($1 in s::text) > 0",
    )
    .bind::<Text, _>(&member.token)
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(in_clear.count, 0);
}

#[tokio::test]
async fn concurrent_attempts_check_no_more_passwords_than_allowed() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let attempts = (0..8).map(|_| async {
        app.services
            .membership
            .login(
                &Caller::new(ClientAddress::LOCAL),
                &member.email,
                "a wrong password",
            )
            .await
            .unwrap_err()
            .code()
    });
    let mut codes = futures_util::future::join_all(attempts).await;
    codes.sort_unstable();
    assert_eq!(
        codes,
        [
            vec!["RATE_LIMITED"; 3],
            vec!["UNAUTHENTICATED"; ATTEMPTS_PER_ADDRESS_AND_CLIENT as usize]
        ]
        .concat()
    );
    let error = app
        .services
        .membership
        .login(
            &Caller::new(ClientAddress::LOCAL),
            &member.email,
            TEST_PASSWORD,
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), "RATE_LIMITED");
}

#[tokio::test]
async fn signed_out_viewers_see_no_members() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let error = app
        .services
        .membership
        .member(&Viewer::Anonymous, member.id)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_visit_is_written_at_most_once_an_hour() {
    use alumni_core::Clock as _;
    use chrono::Duration;

    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    let cost = || async {
        app.count_statements(client.query("{ me { roles } }"))
            .await
            .1
    };
    // Signed in just now: the visit is already kept.
    let settled = cost().await;
    app.clock.advance(Duration::minutes(59));
    assert_eq!(cost().await, settled);
    app.clock.advance(Duration::minutes(2));
    assert_eq!(
        cost().await,
        settled + 1,
        "an hour on, the visit is written"
    );
    assert_eq!(cost().await, settled);

    #[derive(QueryableByName)]
    struct Seen {
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        last_seen_at: chrono::DateTime<chrono::Utc>,
    }
    let mut conn = app.database().connect().await;
    let seen: Seen = diesel::sql_query("SELECT last_seen_at FROM membership.members WHERE id = $1")
        .bind::<diesel::sql_types::Uuid, _>(member.id.0)
        .get_result(&mut conn)
        .await
        .unwrap();
    assert_eq!(seen.last_seen_at, app.clock.now());
}
