//! The secretariat's triage: themes, grouping, duplicates, items needing
//! no action, replies reaching named and anonymous authors; who may do
//! each; and what a member's data rights do to their feedback.

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
use serde_json::{Value, json};

use crate::support::{item_id, rows, submit_anonymously, submit_named};

const CREATE_THEME: &str = "mutation($input: FeedbackThemeInput!) { createFeedbackTheme(input: $input) { id title itemCount } }";
const GROUP: &str = "mutation($items: [ID!]!, $theme: ID!) { groupFeedback(itemIds: $items, themeId: $theme) { id triage theme { id } } }";
const DUPLICATE: &str = "mutation($item: ID!, $original: ID!) { markFeedbackDuplicate(itemId: $item, originalId: $original) { triage duplicateOf { id } } }";
const SET_TRIAGE: &str = "mutation($item: ID!, $triage: DirectTriage!) { setFeedbackTriage(itemId: $item, triage: $triage) { triage } }";
const REPLY: &str = "mutation($item: ID!, $body: String!) { replyToFeedback(itemId: $item, body: $body) { body createdAt } }";

async fn theme(app: &TestApp, secretariat: &TestMember, title: &str) -> String {
    let response = app
        .client_as(secretariat)
        .query_with(
            CREATE_THEME,
            json!({ "input": { "title": title, "summary": "まとめ" } }),
        )
        .await;
    response.data()["createFeedbackTheme"]["id"]
        .as_str()
        .expect("theme id")
        .to_owned()
}

async fn notifications(app: &TestApp, member: &TestMember) -> Vec<Value> {
    let response = app
        .client_as(member)
        .query(
            "{ me { notifications(first: 50) { nodes { kind payload {
                ... on FeedbackReplyNotice { item { body replies { body } } }
            } } } } }",
        )
        .await;
    response.data()["me"]["notifications"]["nodes"]
        .as_array()
        .expect("notifications")
        .clone()
}

#[tokio::test]
async fn the_secretariat_groups_items_into_themes_and_marks_duplicates_and_items_needing_nothing() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumni = [
        app.create_member(&[Role::Alumnus]).await,
        app.create_member(&[Role::Alumnus]).await,
    ];
    let first = submit_named(&app, &alumni[0], "評価の理由が分からない").await;
    submit_anonymously(&app, &alumni[1], "評価基準を公開してほしい").await;
    let second = item_id(&app, &secretariat, "評価基準を公開してほしい").await;
    let third = submit_named(&app, &alumni[1], "評価の理由を説明してほしい").await;
    let fourth = submit_named(&app, &alumni[0], "社食がおいしかった").await;
    let staff = app.client_as(&secretariat);

    let evaluation = theme(&app, &secretariat, "評価制度の透明性").await;
    let grouped = staff
        .query_with(
            GROUP,
            json!({ "items": [first, second], "theme": evaluation }),
        )
        .await;
    assert!(
        grouped.data()["groupFeedback"]
            .as_array()
            .expect("items")
            .iter()
            .all(|item| item["triage"] == "THEMED" && item["theme"]["id"] == evaluation)
    );
    let duplicate = staff
        .query_with(DUPLICATE, json!({ "item": third, "original": first }))
        .await;
    assert_eq!(
        duplicate.data()["markFeedbackDuplicate"]["triage"],
        "DUPLICATE"
    );
    assert_eq!(
        duplicate.data()["markFeedbackDuplicate"]["duplicateOf"]["id"],
        first
    );
    let nothing = staff
        .query_with(SET_TRIAGE, json!({ "item": fourth, "triage": "NO_ACTION" }))
        .await;
    assert_eq!(nothing.data()["setFeedbackTriage"]["triage"], "NO_ACTION");

    let themes = staff
        .query("{ feedbackThemes { totalCount nodes { title itemCount } } }")
        .await;
    assert_eq!(themes.data()["feedbackThemes"]["nodes"][0]["itemCount"], 2);
    let untriaged = staff
        .query("{ feedbackItems(filter: { triage: [NEW] }) { totalCount } }")
        .await;
    assert_eq!(untriaged.data()["feedbackItems"]["totalCount"], 0);
    let by_theme = staff
        .query_with(
            "query($theme: ID!) { feedbackItems(filter: { themeId: $theme, anonymous: true }) { nodes { body } } }",
            json!({ "theme": evaluation }),
        )
        .await;
    assert_eq!(
        by_theme.data()["feedbackItems"]["nodes"],
        json!([{ "body": "評価基準を公開してほしい" }])
    );

    // A duplicate of a duplicate points at the original; no cycles; the
    // original of duplicates stays in triage.
    let again = staff
        .query_with(DUPLICATE, json!({ "item": second, "original": third }))
        .await;
    assert_eq!(
        again.data()["markFeedbackDuplicate"]["duplicateOf"]["id"],
        first
    );
    let cycle = staff
        .query_with(DUPLICATE, json!({ "item": first, "original": third }))
        .await;
    assert_eq!(
        cycle.expect_error("CONFLICT")["extensions"]["reason"],
        "DUPLICATE_CYCLE"
    );
    staff
        .query_with(DUPLICATE, json!({ "item": first, "original": first }))
        .await
        .expect_error("BAD_USER_INPUT");
    let original = staff
        .query_with(SET_TRIAGE, json!({ "item": first, "triage": "NO_ACTION" }))
        .await;
    assert_eq!(
        original.expect_error("CONFLICT")["extensions"]["reason"],
        "HAS_DUPLICATES"
    );
    staff
        .query_with(GROUP, json!({ "items": [first], "theme": fourth }))
        .await
        .expect_error("BAD_USER_INPUT");
    assert_eq!(app.audit_count("feedback.items_grouped").await, 1);
    assert_eq!(app.audit_count("feedback.item_marked_duplicate").await, 2);
}

#[tokio::test]
async fn a_reply_reaches_a_named_author_by_notification_and_an_anonymous_one_by_receipt() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let named = app.create_member(&[Role::Alumnus]).await;
    let anonymous = app.create_member(&[Role::Alumnus]).await;
    let named_item = submit_named(&app, &named, "勉強会を業務時間に").await;
    let receipt = submit_anonymously(&app, &anonymous, "残業を減らしてほしい").await;
    let anonymous_item = item_id(&app, &secretariat, "残業を減らしてほしい").await;
    let staff = app.client_as(&secretariat);
    staff
        .query_with(REPLY, json!({ "item": named_item, "body": "検討します" }))
        .await
        .data();
    staff
        .query_with(
            REPLY,
            json!({ "item": anonymous_item, "body": "承知しました" }),
        )
        .await
        .data();

    let told = notifications(&app, &named).await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0]["kind"], "feedback.replied");
    assert_eq!(
        told[0]["payload"]["item"]["replies"][0]["body"],
        "検討します"
    );
    // Nobody is told of a reply to an anonymous item: there is no one to tell.
    assert!(notifications(&app, &anonymous).await.is_empty());
    assert_eq!(rows(&app, "notify.notifications").await, 1);
    let status = app
        .client()
        .query_with(
            "query($r: String!) { feedbackByReceipt(receipt: $r) { replies { body } } }",
            json!({ "r": receipt }),
        )
        .await;
    assert_eq!(
        status.data()["feedbackByReceipt"]["replies"],
        json!([{ "body": "承知しました" }])
    );
    staff
        .query_with(REPLY, json!({ "item": named_item, "body": "  " }))
        .await
        .expect_error("BAD_USER_INPUT");
}

#[tokio::test]
async fn only_the_secretariat_triages_and_replies() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let item = submit_named(&app, &author, "意見").await;
    let other = submit_named(&app, &author, "別の意見").await;
    let theme_id = theme(&app, &secretariat, "テーマ").await;
    let operations = [
        (CREATE_THEME, json!({ "input": { "title": "t" } })),
        (
            "mutation($id: ID!) { updateFeedbackTheme(id: $id, input: { title: \"t\" }) { id } }",
            json!({ "id": theme_id }),
        ),
        (GROUP, json!({ "items": [item], "theme": theme_id })),
        (DUPLICATE, json!({ "item": item, "original": other })),
        (SET_TRIAGE, json!({ "item": item, "triage": "NO_ACTION" })),
        (REPLY, json!({ "item": item, "body": "返信" })),
    ];
    let refused = [
        app.create_member(&[Role::Alumnus]).await,
        app.create_member(&[Role::Employee]).await,
        app.create_member(&[Role::Analyst]).await,
        app.create_member(&[Role::Moderator]).await,
        app.create_member(&[Role::Management]).await,
        author.clone(),
    ];
    for (operation, variables) in &operations {
        app.client()
            .query_with(operation, variables.clone())
            .await
            .expect_error("UNAUTHENTICATED");
        for member in &refused {
            app.client_as(member)
                .query_with(operation, variables.clone())
                .await
                .expect_error("FORBIDDEN");
        }
    }
    assert_eq!(rows(&app, "feedback.themes").await, 1);
    assert_eq!(rows(&app, "feedback.replies").await, 0);
    assert_eq!(rows(&app, "feedback.items WHERE triage <> 'NEW'").await, 0);
    // Themes are for the secretariat and analysts.
    for member in &refused[..2] {
        app.client_as(member)
            .query("{ feedbackThemes { totalCount } }")
            .await
            .expect_error("FORBIDDEN");
    }
    let analyst = &refused[2];
    let themes = app
        .client_as(analyst)
        .query("{ feedbackThemes { totalCount } }")
        .await;
    assert_eq!(themes.data()["feedbackThemes"]["totalCount"], 1);
}

#[tokio::test]
async fn named_feedback_is_exported_and_leaves_with_its_author_unless_they_let_the_text_stay() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let keeper = app.create_member(&[Role::Alumnus]).await;
    let eraser = app.create_member(&[Role::Alumnus]).await;
    let kept = submit_named(&app, &keeper, "残してよい意見").await;
    submit_named(&app, &eraser, "消してほしい意見").await;
    let erased = item_id(&app, &secretariat, "消してほしい意見").await;
    submit_anonymously(&app, &eraser, "匿名の意見").await;
    let anonymous = item_id(&app, &secretariat, "匿名の意見").await;
    // Another item marked as a duplicate of the one to be erased stays.
    app.client_as(&secretariat)
        .query_with(DUPLICATE, json!({ "item": anonymous, "original": erased }))
        .await
        .data();
    app.client_as(&secretariat)
        .query_with(
            REPLY,
            json!({ "item": kept, "body": "ありがとうございます" }),
        )
        .await
        .data();

    let export = app
        .client_as(&keeper)
        .query("mutation { exportMyData }")
        .await;
    let feedback = &export.data()["exportMyData"]["feedback"]["feedback"];
    assert_eq!(feedback[0]["body"], "残してよい意見");
    assert_eq!(feedback[0]["replies"][0]["body"], "ありがとうございます");
    let eraser_export = app
        .client_as(&eraser)
        .query("mutation { exportMyData }")
        .await;
    let theirs = &eraser_export.data()["exportMyData"]["feedback"]["feedback"];
    assert_eq!(
        theirs.as_array().expect("items").len(),
        1,
        "anonymous items are nobody's"
    );

    app.client_as(&keeper)
        .query("mutation { withdrawMembership(confirm: true, keepFeedbackText: true) }")
        .await
        .data();
    app.client_as(&eraser)
        .query("mutation { withdrawMembership(confirm: true) }")
        .await
        .data();
    let left = app
        .client_as(&secretariat)
        .query("{ feedbackItems { nodes { body anonymous author { id } triage } } }")
        .await;
    let mut bodies: Vec<Value> = left.data()["feedbackItems"]["nodes"]
        .as_array()
        .expect("items")
        .clone();
    bodies.sort_by_key(|item| item["body"].as_str().map(str::to_owned));
    assert_eq!(
        bodies,
        [
            json!({ "body": "匿名の意見", "anonymous": true, "author": null, "triage": "NEW" }),
            json!({ "body": "残してよい意見", "anonymous": false, "author": null, "triage": "NEW" }),
        ]
    );
    assert_eq!(rows(&app, "feedback.anonymous_submissions").await, 0);
}

#[tokio::test]
async fn a_page_of_items_costs_the_same_statements_for_ten_as_for_a_hundred() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let theme_id = theme(&app, &secretariat, "テーマ").await;
    let mut authors = Vec::new();
    for _ in 0..25 {
        authors.push(app.create_member(&[Role::Alumnus]).await);
    }
    let mut ids = Vec::new();
    for n in 0..100 {
        let author = &authors[n % authors.len()];
        // Each author sends one anonymous item and three named ones.
        let id = if n < authors.len() {
            submit_anonymously(&app, author, &format!("匿名の意見 {n}")).await;
            item_id(&app, &secretariat, &format!("匿名の意見 {n}")).await
        } else {
            submit_named(&app, author, &format!("意見 {n}")).await
        };
        ids.push(id);
    }
    let staff = app.client_as(&secretariat);
    staff
        .query_with(GROUP, json!({ "items": ids, "theme": theme_id }))
        .await
        .data();
    for id in ids.iter().step_by(3) {
        staff
            .query_with(REPLY, json!({ "item": id, "body": "返信" }))
            .await
            .data();
    }
    let query = |size: usize| {
        format!(
            "{{ feedbackItems(first: {size}) {{ totalCount nodes {{ id body anonymous submittedOn triage
                category {{ slug nameJa }} author {{ displayName }}
                cohort {{ company {{ name }} leftYearBand }}
                theme {{ title itemCount }} duplicateOf {{ id }} replies {{ body }} }} }} }}"
        )
    };
    let (_, small) = app.count_statements(staff.query(&query(10))).await;
    let (large_page, large) = app.count_statements(staff.query(&query(100))).await;
    assert_eq!(
        large_page.data()["feedbackItems"]["nodes"]
            .as_array()
            .expect("items")
            .len(),
        100
    );
    assert_eq!(
        small, large,
        "{small} statements for 10 items, {large} for 100"
    );
}
