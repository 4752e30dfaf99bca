//! Every moderation operation, from each role that must be refused.

use alumni_test_support::{TestApp, TestMember};
use serde_json::{Value, json};

use super::support::{people, queue, set_bio};

/// Reading and writing the rules, and the queue's work, for moderators and
/// the secretariat; `(operation, whether moderators may)`.
fn operations(case: &str, rule: &str) -> Vec<(String, bool)> {
    let input = r#"{ name: "x", category: LANGUAGE, kind: TERM, terms: ["x"], action: WARN, scope: EVERYWHERE, explanation: "x" }"#;
    vec![
        ("{ moderationRules { totalCount } }".to_owned(), true),
        ("{ secretDetectors { name } }".to_owned(), true),
        ("{ reportThreshold }".to_owned(), true),
        ("{ moderationQueue { totalCount } }".to_owned(), true),
        (
            "{ resolvedModerationCases { totalCount } }".to_owned(),
            true,
        ),
        (
            format!("mutation {{ createModerationRule(input: {input}) {{ id }} }}"),
            false,
        ),
        (
            format!("mutation {{ updateModerationRule(id: \"{rule}\", input: {input}) {{ id }} }}"),
            false,
        ),
        (
            format!("mutation {{ deleteModerationRule(id: \"{rule}\") }}"),
            false,
        ),
        (
            "mutation { setReportThreshold(threshold: 1) }".to_owned(),
            false,
        ),
        (
            format!("mutation {{ assignModerationCase(id: \"{case}\") {{ id }} }}"),
            true,
        ),
        (
            format!("mutation {{ addModerationNote(id: \"{case}\", body: \"x\") {{ id }} }}"),
            true,
        ),
        (
            format!(
                "mutation {{ resolveModerationCase(id: \"{case}\", resolution: HIDDEN) {{ id }} }}"
            ),
            true,
        ),
    ]
}

async fn code(app: &TestApp, viewer: Option<&TestMember>, operation: &str) -> Option<String> {
    let client = match viewer {
        Some(member) => app.client_as(member),
        None => app.client(),
    };
    client
        .query(operation)
        .await
        .error_code()
        .map(str::to_owned)
}

#[tokio::test]
async fn members_who_do_not_moderate_are_refused_every_moderation_operation() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    set_bio(&app, &people.author, "北斗フィナンシャルの件", false)
        .await
        .data();
    let case = queue(&app, &people.moderator).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rules = app
        .client_as(&people.secretariat)
        .query("{ moderationRules(first: 1) { nodes { id } } }")
        .await;
    let rule = rules.data()["moderationRules"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    for (operation, moderators_may) in operations(&case, &rule) {
        assert_eq!(
            code(&app, None, &operation).await.as_deref(),
            Some("UNAUTHENTICATED"),
            "{operation}"
        );
        for member in [
            &people.author,
            &people.alumnus,
            &people.employee,
            &people.analyst,
        ] {
            assert_eq!(
                code(&app, Some(member), &operation).await.as_deref(),
                Some("FORBIDDEN"),
                "{operation} as {}",
                member.email
            );
        }
        if !moderators_may {
            assert_eq!(
                code(&app, Some(&people.moderator), &operation)
                    .await
                    .as_deref(),
                Some("FORBIDDEN"),
                "{operation} as moderator"
            );
        }
    }
    // Nothing above changed the case, the rules or the threshold.
    let queue = queue(&app, &people.moderator).await;
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["resolution"], Value::Null);
    assert_eq!(app.audit_count("trust.rule_deleted").await, 0);

    // Cases and rules are not reachable by id either; the author sees
    // their own case without reporters or notes.
    for member in [&people.alumnus, &people.employee, &people.analyst] {
        let nodes = app
            .client_as(member)
            .query_with(
                "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
                json!({ "ids": [case, rule] }),
            )
            .await;
        assert_eq!(
            nodes.data()["nodes"],
            json!([null, null]),
            "{}",
            member.email
        );
    }
    let own = app
        .client_as(&people.author)
        .query_with(
            "query($id: ID!) { node(id: $id) { ... on ModerationCase { origin notes { body } } } }",
            json!({ "id": case }),
        )
        .await;
    assert_eq!(own.data()["node"]["origin"], "HELD");

    // Reporting and testing texts need a member.
    for operation in [
        format!(
            "mutation {{ reportContent(subjectId: \"{}\", reason: SPAM) {{ reason }} }}",
            people.author.global_id()
        ),
        "{ checkText(text: \"x\", audience: ALUMNI) { verdict } }".to_owned(),
        "{ myModerationCases { id } }".to_owned(),
    ] {
        assert_eq!(
            code(&app, None, &operation).await.as_deref(),
            Some("UNAUTHENTICATED"),
            "{operation}"
        );
    }
    // Only the author appeals.
    app.client_as(&people.moderator)
        .query_with(
            "mutation($id: ID!) { resolveModerationCase(id: $id, resolution: HIDDEN) { id } }",
            json!({ "id": case }),
        )
        .await
        .data();
    for member in [&people.alumnus, &people.moderator, &people.secretariat] {
        let appeal = app
            .client_as(member)
            .query_with(
                "mutation($id: ID!) { appealModerationCase(id: $id, text: \"x\") { id } }",
                json!({ "id": case }),
            )
            .await;
        appeal.expect_error("NOT_FOUND");
    }
}

#[tokio::test]
async fn hidden_content_cannot_be_reported_by_id_guessing() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    let created = super::support::create_event(
        &app,
        &people.secretariat,
        "北斗フィナンシャル様",
        "EVERYONE",
    )
    .await;
    let event = created.data()["createEvent"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    super::support::publish(&app, &people.secretariat, &event).await;
    let refused = app
        .client_as(&people.alumnus)
        .query_with(
            "mutation($id: ID!) { reportContent(subjectId: $id, reason: OTHER) { reason } }",
            json!({ "id": event }),
        )
        .await;
    refused.expect_error("NOT_FOUND");
}
