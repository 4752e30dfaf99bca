//! Roles, suspension, withdrawal and the export of one's own data.

use alumni_core::Role;
use alumni_test_support::{TEST_PASSWORD, TestApp, TestClient, TestMember};
use serde_json::{Value, json};

use crate::support::{SATO, applied, import, roster, sato_application, world};

const LOGIN: &str = "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }";

async fn login(app: &TestApp, email: &str) -> alumni_test_support::GqlResponse {
    app.client()
        .query_with(LOGIN, json!({ "email": email, "password": TEST_PASSWORD }))
        .await
}

async fn audit_actions(secretariat: &TestClient, subject: &str) -> Vec<String> {
    let response = secretariat
        .query_with(
            "query($subject: ID) { auditEvents(first: 50, filter: { subjectId: $subject }) { nodes { action } } }",
            json!({ "subject": subject }),
        )
        .await;
    response.data()["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["action"].as_str().unwrap().to_owned())
        .collect()
}

fn member_call(mutation: &str) -> String {
    format!("mutation($id: ID!) {{ {mutation} {{ status roles }} }}")
}

#[tokio::test]
async fn suspension_ends_sessions_and_refuses_sign_in_until_reinstated() {
    let world = world().await;
    let app = &world.app;
    let member = app.create_member(&[Role::Alumnus]).await;
    let secretariat = app.client_as(&world.secretariat);
    let id = json!({ "id": member.global_id() });

    let suspended = secretariat
        .query_with(
            &member_call("suspendMember(memberId: $id, reason: \"規約違反の投稿\")"),
            id.clone(),
        )
        .await;
    assert_eq!(suspended.data()["suspendMember"]["status"], "SUSPENDED");
    app.client_as(&member)
        .query("{ me { roles } }")
        .await
        .expect_error("UNAUTHENTICATED");
    let refused = login(app, &member.email).await;
    assert!(
        refused.expect_error("FORBIDDEN")["message"]
            .as_str()
            .unwrap()
            .contains("suspended")
    );
    // Hidden from other members meanwhile.
    let other = app.client_as(&app.create_member(&[Role::Alumnus]).await);
    other
        .query_with("query($id: ID!) { member(id: $id) { id } }", id.clone())
        .await
        .expect_error("NOT_FOUND");

    let reinstated = secretariat
        .query_with(&member_call("reinstateMember(memberId: $id)"), id.clone())
        .await;
    assert_eq!(reinstated.data()["reinstateMember"]["status"], "ACTIVE");
    login(app, &member.email).await.data();
    assert_eq!(
        audit_actions(&secretariat, &member.global_id()).await[..2],
        [
            "membership.member_reinstated",
            "membership.member_suspended"
        ]
    );

    secretariat
        .query_with(&member_call("reinstateMember(memberId: $id)"), id)
        .await
        .expect_error("CONFLICT");
    let own = json!({ "id": world.secretariat.global_id() });
    secretariat
        .query_with(
            &member_call("suspendMember(memberId: $id, reason: \"x\")"),
            own,
        )
        .await
        .expect_error("BAD_USER_INPUT");
}

#[tokio::test]
async fn only_the_secretariat_changes_roles_and_standing() {
    let world = world().await;
    let app = &world.app;
    let target = app.create_member(&[Role::Alumnus]).await;
    let id = json!({ "id": target.global_id() });
    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Moderator,
        Role::Analyst,
    ] {
        let member = app.create_member(&[role]).await;
        let client = app.client_as(&member);
        for mutation in [
            "grantRole(memberId: $id, role: MODERATOR)",
            "revokeRole(memberId: $id, role: ALUMNUS)",
            "suspendMember(memberId: $id, reason: \"x\")",
            "reinstateMember(memberId: $id)",
        ] {
            client
                .query_with(&member_call(mutation), id.clone())
                .await
                .expect_error("FORBIDDEN");
        }
    }
    app.client()
        .query_with(
            &member_call("grantRole(memberId: $id, role: MODERATOR)"),
            id,
        )
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn roles_change_at_once_and_the_last_secretariat_stays() {
    let world = world().await;
    let app = &world.app;
    let member = app.create_member(&[Role::Alumnus]).await;
    let secretariat = app.client_as(&world.secretariat);
    let id = json!({ "id": member.global_id() });

    let granted = secretariat
        .query_with(
            &member_call("grantRole(memberId: $id, role: MODERATOR)"),
            id.clone(),
        )
        .await;
    assert_eq!(
        granted.data()["grantRole"]["roles"],
        json!(["ALUMNUS", "MODERATOR"])
    );
    let me = app.client_as(&member).query("{ me { roles } }").await;
    assert_eq!(
        me.data()["me"]["roles"],
        json!(["ALUMNUS", "MODERATOR"]),
        "the session sees it at once"
    );

    let own = json!({ "id": world.secretariat.global_id() });
    let last = secretariat
        .query_with(
            &member_call("revokeRole(memberId: $id, role: SECRETARIAT)"),
            own.clone(),
        )
        .await;
    assert!(
        last.expect_error("CONFLICT")["message"]
            .as_str()
            .unwrap()
            .contains("last")
    );

    secretariat
        .query_with(
            &member_call("grantRole(memberId: $id, role: SECRETARIAT)"),
            id.clone(),
        )
        .await
        .data();
    let stepped_down = secretariat
        .query_with(
            &member_call("revokeRole(memberId: $id, role: SECRETARIAT)"),
            own,
        )
        .await;
    assert_eq!(stepped_down.data()["revokeRole"]["roles"], json!([]));
}

#[tokio::test]
async fn withdrawal_erases_personal_data_and_keeps_the_audit_trail() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[SATO])).await;
    let (token, _) = applied(app, sato_application(&world.company_id)).await;
    let leaving = app.client().with_token(token);
    let id = leaving.query("{ me { member { id } } }").await.data()["me"]["member"]["id"].clone();
    let other = app.client_as(&app.create_member(&[Role::Alumnus]).await);

    leaving
        .query("mutation { withdrawMembership(confirm: false) }")
        .await
        .expect_error("BAD_USER_INPUT");
    leaving
        .query("mutation { withdrawMembership(confirm: true) }")
        .await
        .data();

    leaving
        .query("{ myApplication { status } }")
        .await
        .expect_error("UNAUTHENTICATED");
    login(app, "hanako@old.example")
        .await
        .expect_error("UNAUTHENTICATED");
    let directory = other
        .query("{ members(filter: { query: \"佐藤\" }) { nodes { id } } }")
        .await;
    assert_eq!(directory.data()["members"]["nodes"], json!([]));
    other
        .query_with(
            "query($id: ID!) { member(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await
        .expect_error("NOT_FOUND");

    let secretariat = app.client_as(&world.secretariat);
    let seen = secretariat
        .query_with(
            "query($id: ID!) { member(id: $id) { status email displayName roles } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        seen.data()["member"],
        json!({ "status": "WITHDRAWN", "email": null, "displayName": null, "roles": [] })
    );
    // One withdrawal, recorded by each domain it touched.
    let trail = audit_actions(&secretariat, id.as_str().unwrap()).await;
    let mut latest: Vec<&str> = trail[..2].iter().map(String::as_str).collect();
    latest.sort_unstable();
    assert_eq!(
        latest,
        ["events.member_released", "membership.member_withdrew"]
    );

    // The roster person may come back later, from scratch.
    applied(app, sato_application(&world.company_id)).await;
}

#[tokio::test]
async fn the_last_secretariat_cannot_withdraw() {
    let world = world().await;
    let response = world
        .app
        .client_as(&world.secretariat)
        .query("mutation { withdrawMembership(confirm: true) }")
        .await;
    response.expect_error("CONFLICT");
}

async fn exported(client: &TestClient) -> Value {
    let response = client.query("mutation { exportMyData }").await;
    response.data()["exportMyData"].clone()
}

#[tokio::test]
async fn export_holds_everything_about_the_member_and_nothing_secret() {
    let world = world().await;
    let app = &world.app;
    import(app, &roster(&[SATO])).await;
    app.client_as(&world.secretariat)
        .query("mutation { publishTerms(input: { version: \"2026-04\", title: \"規約\", body: \"本文\" }) { id } }")
        .await
        .data();
    let mut input = sato_application(&world.company_id);
    input["acceptedTermsVersion"] = json!("2026-04");
    input["consentPurposes"] = json!(["ANALYTICS", "MEMBERSHIP", "ANALYTICS"]);
    let (token, _) = applied(app, input).await;
    let member = app.client().with_token(token.clone());
    member
        .query(
            "mutation { updateMyProfile(input: { bio: \"秘密の趣味\", bioVisibility: PRIVATE, skills: [\"Rust\"], openToReturning: true }) { id } }",
        )
        .await
        .data();

    let data = exported(&member).await;
    let membership = &data["membership"];
    assert_eq!(membership["account"]["email"], "hanako@old.example");
    assert_eq!(membership["account"]["roles"], json!(["ALUMNUS"]));
    assert_eq!(membership["profile"]["bio"], "秘密の趣味");
    assert_eq!(membership["profile"]["visibility"]["bio"], "PRIVATE");
    assert_eq!(membership["profile"]["openToReturning"], true);
    assert_eq!(membership["profile"]["skills"], json!(["Rust"]));
    assert_eq!(membership["application"]["employeeNumber"], "E1001");
    assert_eq!(
        membership["consents"][0]["purposes"],
        json!(["MEMBERSHIP", "ANALYTICS"])
    );
    assert_eq!(membership["sessions"].as_array().unwrap().len(), 1);
    assert!(
        membership["auditTrail"]
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| {
                entry["action"] == "membership.application_submitted" && entry["actedByMe"] == true
            })
    );
    assert!(data["exportedAt"].is_string());

    let text = data.to_string();
    assert!(!text.contains(&token), "no session token");
    assert!(!text.contains("argon2"), "no password hash");

    let again = exported(&member).await;
    assert!(
        again["membership"]["auditTrail"]
            .as_array()
            .unwrap()
            .iter()
            .any(|entry| entry["action"] == "membership.data_exported")
    );
    app.client()
        .query("mutation { exportMyData }")
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn applicants_and_suspended_members_cannot_reach_the_network() {
    let world = world().await;
    let app = &world.app;
    let member: TestMember = app.create_member(&[Role::Alumnus]).await;
    let mut input = sato_application(&world.company_id);
    input["employeeNumber"] = json!(null);
    let (token, _) = applied(app, input).await;
    let applicant = app.client().with_token(token);
    applicant
        .query_with(
            "query($id: ID!) { member(id: $id) { id } }",
            json!({ "id": member.global_id() }),
        )
        .await
        .expect_error("FORBIDDEN");
    applicant
        .query("{ tags { nodes { name } } }")
        .await
        .expect_error("FORBIDDEN");
    applicant.query("mutation { logout }").await.data();
}
