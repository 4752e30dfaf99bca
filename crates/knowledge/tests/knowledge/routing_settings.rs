//! The routing settings: the secretariat's alone, validated, audited.

use alumni_core::Role;
use alumni_test_support::TestApp;
use serde_json::json;

use super::support::rows;

const UPDATE: &str = "mutation($input: RoutingSettingsInput!) { updateRoutingSettings(input: $input) { firstRound secondRound escalateAfterHours } }";

#[tokio::test]
async fn only_the_secretariat_reads_and_changes_how_widely_questions_are_routed() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;

    let defaults = app
        .client_as(&secretariat)
        .query("{ routingSettings { firstRound secondRound escalateAfterHours } }")
        .await;
    assert_eq!(
        defaults.data()["routingSettings"],
        json!({ "firstRound": 3, "secondRound": 6, "escalateAfterHours": 72 })
    );

    for client in [app.client(), app.client_as(&alumnus)] {
        let refused = client
            .query_with(UPDATE, json!({ "input": { "firstRound": 10 } }))
            .await;
        assert!(refused.body["errors"].is_array(), "{:?}", refused.body);
    }
    let invalid = app
        .client_as(&secretariat)
        .query_with(UPDATE, json!({ "input": { "secondRound": 0 } }))
        .await;
    assert_eq!(invalid.error_code(), Some("BAD_USER_INPUT"));

    let changed = app
        .client_as(&secretariat)
        .query_with(
            UPDATE,
            json!({ "input": { "firstRound": 2, "escalateAfterHours": 24 } }),
        )
        .await;
    assert_eq!(
        changed.data()["updateRoutingSettings"],
        json!({ "firstRound": 2, "secondRound": 6, "escalateAfterHours": 24 })
    );
    assert_eq!(
        rows(
            &app,
            "audit.events WHERE action = 'knowledge.routing_settings_updated'"
        )
        .await,
        1
    );
}
