//! Versioned terms and the re-acceptance gate.

use alumni_core::Role;
use serde_json::json;

use crate::support::world;

const PUBLISH: &str = "mutation($version: String!) {
    publishTerms(input: { version: $version, title: \"利用規約\", body: \"# 利用規約\\n\\n改定版です。\" }) { id version }
}";

const ACCEPT: &str = "mutation($version: String!, $purposes: [ConsentPurpose!]!) {
    acceptTerms(version: $version, purposes: $purposes) { purposes acceptedAt }
}";

#[tokio::test]
async fn new_terms_block_everything_but_reading_and_accepting_them() {
    let world = world().await;
    let app = &world.app;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    client.query("{ members { nodes { id } } }").await.data();

    let published = app
        .client_as(&world.secretariat)
        .query_with(PUBLISH, json!({ "version": "2026-10" }))
        .await;
    assert_eq!(published.data()["publishTerms"]["version"], "2026-10");

    for blocked in [
        "{ members { nodes { id } } }",
        "{ me { roles } }",
        "mutation { updateMyProfile(input: { bio: \"hello\" }) { id } }",
        "mutation { updateMyConsent(purposes: [MEMBERSHIP]) { purposes } }",
    ] {
        client
            .query(blocked)
            .await
            .expect_error("TERMS_NOT_ACCEPTED");
    }
    // Even the secretariat accepts before acting again.
    app.client_as(&world.secretariat)
        .query("{ pendingApplications { nodes { id } } }")
        .await
        .expect_error("TERMS_NOT_ACCEPTED");

    // Reading the terms, one's consent, one's data and signing out stay open.
    let current = client
        .query("{ currentTerms { version title body } myConsent { purposes } }")
        .await;
    assert_eq!(current.data()["currentTerms"]["version"], "2026-10");
    assert!(current.data()["myConsent"].is_null());
    client.query("mutation { exportMyData }").await.data();

    client
        .query_with(
            ACCEPT,
            json!({ "version": "2025-01", "purposes": ["MEMBERSHIP"] }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
    client
        .query_with(
            ACCEPT,
            json!({ "version": "2026-10", "purposes": ["NEWSLETTER"] }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
    let accepted = client
        .query_with(
            ACCEPT,
            json!({ "version": "2026-10", "purposes": ["NEWSLETTER", "MEMBERSHIP"] }),
        )
        .await;
    assert_eq!(
        accepted.data()["acceptTerms"]["purposes"],
        json!(["MEMBERSHIP", "NEWSLETTER"])
    );
    client.query("{ members { nodes { id } } }").await.data();

    // Consent per purpose can be withdrawn later.
    let changed = client
        .query("mutation { updateMyConsent(purposes: [MEMBERSHIP]) { purposes } }")
        .await;
    assert_eq!(
        changed.data()["updateMyConsent"]["purposes"],
        json!(["MEMBERSHIP"])
    );
}

#[tokio::test]
async fn only_the_secretariat_publishes_and_versions_are_unique() {
    let world = world().await;
    let app = &world.app;
    for role in [Role::Alumnus, Role::Moderator, Role::Analyst] {
        let member = app.create_member(&[role]).await;
        app.client_as(&member)
            .query_with(PUBLISH, json!({ "version": "x" }))
            .await
            .expect_error("FORBIDDEN");
    }
    let secretariat = app.client_as(&world.secretariat);
    secretariat
        .query_with(PUBLISH, json!({ "version": "2026-10" }))
        .await
        .data();
    secretariat
        .query_with(
            ACCEPT,
            json!({ "version": "2026-10", "purposes": ["MEMBERSHIP"] }),
        )
        .await
        .data();
    secretariat
        .query_with(PUBLISH, json!({ "version": "2026-10" }))
        .await
        .expect_error("CONFLICT");

    let history = app
        .client()
        .query("{ termsVersions { nodes { version } } }")
        .await;
    assert_eq!(
        history.data()["termsVersions"]["nodes"],
        json!([{ "version": "2026-10" }])
    );
}
