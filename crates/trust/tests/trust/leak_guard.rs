//! The leak guard on save: each action, on Japanese, mixed and full-width
//! text, for the audience the text reaches; what is recorded.

use alumni_test_support::TestApp;
use serde_json::{Value, json};

use super::support::{bio_seen_by, create_event, people, publish, queue, rows, rule, set_bio};

const CHECK: &str = "query($text: String!, $audience: TextAudience!) {
    checkText(text: $text, audience: $audience) { verdict findings { action explanation excerpt } }
}";

async fn verdict(
    app: &TestApp,
    member: &alumni_test_support::TestMember,
    text: &str,
    audience: &str,
) -> Value {
    app.client_as(member)
        .query_with(CHECK, json!({ "text": text, "audience": audience }))
        .await
        .data()["checkText"]["verdict"]
        .clone()
}

#[tokio::test]
async fn a_blocked_bio_is_refused_with_the_rule_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    set_bio(&app, &people.author, "データ基盤を作っています", false)
        .await
        .data();

    for text in [
        "今はケストレル計画の話はできません",
        "ｐｒｏｊｅｃｔ－ｋｅｓｔｒｅｌ に参加",
        "ｹｽﾄﾚﾙ計画のこと",
        "I worked on project  KESTREL last year",
    ] {
        let refused = set_bio(&app, &people.author, text, true).await;
        let error = refused.expect_error("CONTENT_BLOCKED");
        let finding = &error["extensions"]["findings"][0];
        assert_eq!(finding["field"], "input.bio", "{text}");
        assert_eq!(finding["action"], "BLOCK");
        assert_eq!(finding["explanation"], "BLOCK: not for this network");
        assert_eq!(refused.body["data"]["updateMyProfile"], Value::Null);
    }
    assert_eq!(
        bio_seen_by(&app, &people.author, &people.author).await,
        "データ基盤を作っています",
        "a blocked save writes nothing"
    );
    assert_eq!(
        rows(&app, "trust.decisions WHERE outcome = 'BLOCKED'").await,
        4
    );
    assert_eq!(rows(&app, "trust.cases").await, 0);
    assert_eq!(
        rows(
            &app,
            "trust.decisions WHERE NOT matches @> '[{\"field\": \"input.bio\"}]'"
        )
        .await,
        0,
        "every decision names the rule and field that matched"
    );
}

#[tokio::test]
async fn a_warning_needs_confirming_and_the_confirmation_is_recorded() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    let text = "PRJ-1234 の振り返りを書きました";

    let refused = set_bio(&app, &people.author, text, false).await;
    let error = refused.expect_error("WARNINGS_NOT_CONFIRMED");
    assert_eq!(error["extensions"]["findings"][0]["action"], "WARN");
    assert_eq!(
        error["extensions"]["findings"][0]["excerpt"]
            .as_str()
            .map(|e| e.contains("PRJ-1234")),
        Some(true)
    );
    assert_eq!(
        bio_seen_by(&app, &people.author, &people.author).await,
        Value::Null
    );

    let saved = set_bio(&app, &people.author, text, true).await;
    assert_eq!(saved.data()["updateMyProfile"]["bio"], text);
    assert_eq!(saved.data()["updateMyProfile"]["moderation"], "VISIBLE");
    assert_eq!(
        bio_seen_by(&app, &people.alumnus, &people.author).await,
        text
    );
    assert_eq!(
        rows(&app, "trust.decisions WHERE outcome = 'UNCONFIRMED'").await,
        1
    );
    assert_eq!(
        rows(&app, "trust.decisions WHERE outcome = 'CONFIRMED'").await,
        1
    );
}

#[tokio::test]
async fn a_held_bio_is_saved_for_its_author_and_queued_for_moderators() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    let text = "前職では北斗フィナンシャル向けの決済基盤を担当";

    let saved = set_bio(&app, &people.author, text, false).await;
    assert_eq!(saved.data()["updateMyProfile"]["bio"], text);
    assert_eq!(saved.data()["updateMyProfile"]["moderation"], "HELD");
    assert_eq!(
        bio_seen_by(&app, &people.alumnus, &people.author).await,
        Value::Null
    );
    assert_eq!(
        bio_seen_by(&app, &people.moderator, &people.author).await,
        text
    );

    let queue = queue(&app, &people.moderator).await;
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["origin"], "HELD");
    assert_eq!(queue[0]["subject"]["__typename"], "Member");
    assert_eq!(
        queue[0]["subject"]["id"],
        people.author.global_id().as_str()
    );
    assert_eq!(queue[0]["author"]["id"], people.author.global_id().as_str());

    // A clean edit does not release it: only a moderator does.
    let edited = set_bio(&app, &people.author, "決済基盤を担当していました", false).await;
    assert_eq!(edited.data()["updateMyProfile"]["moderation"], "HELD");
    assert_eq!(
        bio_seen_by(&app, &people.alumnus, &people.author).await,
        Value::Null
    );
}

#[tokio::test]
async fn rules_apply_to_the_audience_a_text_reaches() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    rule(
        &app,
        &people.secretariat,
        "PATTERN",
        &[r"(?i)\b[a-z0-9-]+\.corp\.hokushin\.example\b"],
        "BLOCK",
        "ALUMNI_FACING",
    )
    .await;
    rule(
        &app,
        &people.secretariat,
        "DETECTOR",
        &["AWS_ACCESS_KEY"],
        "BLOCK",
        "EVERYWHERE",
    )
    .await;
    rule(
        &app,
        &people.secretariat,
        "PATTERN",
        &[r"\b10\.\d{1,3}\.\d{1,3}\.\d{1,3}\b"],
        "HOLD",
        "ALUMNI_FACING",
    )
    .await;

    let host = "ビルドは build01.corp.hokushin.example で動いています";
    assert_eq!(
        verdict(&app, &people.employee, host, "ALUMNI").await,
        "BLOCK"
    );
    assert_eq!(
        verdict(&app, &people.employee, host, "EMPLOYEES_ONLY").await,
        Value::Null
    );
    let address = "サーバーは１０．２．３．４です";
    assert_eq!(
        verdict(&app, &people.employee, address, "ALUMNI").await,
        "HOLD"
    );
    assert_eq!(
        verdict(&app, &people.employee, address, "EMPLOYEES_ONLY").await,
        Value::Null
    );
    let key = "設定例: AKIAIOSFODNN7EXAMPLE をコピー";
    assert_eq!(
        verdict(&app, &people.alumnus, key, "EMPLOYEES_ONLY").await,
        "BLOCK"
    );
    let checked = app
        .client_as(&people.alumnus)
        .query_with(CHECK, json!({ "text": key, "audience": "ALUMNI" }))
        .await;
    let excerpt = checked.data()["checkText"]["findings"][0]["excerpt"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        !excerpt.contains("AKIAIOSFODNN7EXAMPLE"),
        "a secret is never echoed: {excerpt}"
    );
    assert_eq!(
        verdict(&app, &people.alumnus, "Kubernetes 運用の話", "ALUMNI").await,
        Value::Null
    );

    // The same event text: refused for everyone, published for employees.
    create_event(&app, &people.secretariat, host, "EVERYONE")
        .await
        .expect_error("CONTENT_BLOCKED");
    let internal = create_event(&app, &people.secretariat, host, "EMPLOYEES").await;
    assert!(internal.data()["createEvent"]["id"].is_string());
    assert_eq!(
        rows(&app, "events.events").await,
        1,
        "the refused event wrote nothing"
    );
}

#[tokio::test]
async fn editing_published_text_is_checked_again() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    let created = create_event(&app, &people.secretariat, "Rust の基礎", "EVERYONE").await;
    let event = created.data()["createEvent"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    publish(&app, &people.secretariat, &event).await;
    let client = app.client_as(&people.secretariat);
    const UPDATE: &str = "mutation($id: ID!, $description: String!) {
        updateEvent(id: $id, input: { description: $description }) { description }
    }";

    client
        .query_with(
            UPDATE,
            json!({ "id": event, "description": "ケストレル計画の裏話" }),
        )
        .await
        .expect_error("CONTENT_BLOCKED");
    let held = client
        .query_with(
            UPDATE,
            json!({ "id": event, "description": "北斗フィナンシャル様の事例" }),
        )
        .await;
    assert_eq!(
        held.data()["updateEvent"]["description"],
        "北斗フィナンシャル様の事例"
    );
    let seen = app
        .client_as(&people.alumnus)
        .query_with(
            "query($id: ID!) { event(id: $id) { id } }",
            json!({ "id": event }),
        )
        .await;
    // The held edit withdrew the event.
    seen.expect_error("NOT_FOUND");
}

#[tokio::test]
async fn the_secretariat_manages_rules_with_the_audit_log() {
    let app = TestApp::spawn().await;
    let people = people(&app).await;
    let client = app.client_as(&people.secretariat);
    const CREATE: &str = "mutation($input: ModerationRuleInput!) { createModerationRule(input: $input) { id terms } }";
    let input = |kind: &str, terms: Value| {
        json!({ "input": {
            "name": "test", "category": "LANGUAGE", "kind": kind, "terms": terms,
            "action": "HOLD", "scope": "EVERYWHERE", "explanation": "x",
        } })
    };
    for (kind, terms) in [
        ("PATTERN", json!(["(unclosed"])),
        ("PATTERN", json!(["a*"])),
        ("DETECTOR", json!(["NO_SUCH_DETECTOR"])),
        ("TERM", json!(["  "])),
    ] {
        let refused = client.query_with(CREATE, input(kind, terms.clone())).await;
        refused.expect_error("BAD_USER_INPUT");
    }
    let watched = client
        .query_with(CREATE, input("TERM", json!(["死ね", "idiot"])))
        .await;
    let id = watched.data()["createModerationRule"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        verdict(&app, &people.alumnus, "お前なんか死ねばいい", "ALUMNI").await,
        "HOLD"
    );

    client
        .query_with(
            "mutation($id: ID!, $input: ModerationRuleInput!) { updateModerationRule(id: $id, input: $input) { id } }",
            json!({ "id": id, "input": input("TERM", json!(["idiot"]))["input"] }),
        )
        .await
        .data();
    assert_eq!(
        verdict(&app, &people.alumnus, "お前なんか死ねばいい", "ALUMNI").await,
        Value::Null
    );
    client
        .query_with(
            "mutation($id: ID!) { deleteModerationRule(id: $id) }",
            json!({ "id": id }),
        )
        .await
        .data();
    assert_eq!(
        verdict(&app, &people.alumnus, "what an idiot", "ALUMNI").await,
        Value::Null
    );

    assert_eq!(
        app.audit_count("trust.rule_created").await,
        4,
        "three shared rules and this one"
    );
    assert_eq!(app.audit_count("trust.rule_updated").await, 1);
    assert_eq!(app.audit_count("trust.rule_deleted").await, 1);
}
