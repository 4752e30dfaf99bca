//! Feedback in figures: items counted by category, triage and cohort for
//! the secretariat and analysts, small counts withheld.

use alumni_core::Role;
use alumni_test_support::{GqlResponse, TestApp, TestMember};
use serde_json::{Value, json};

use crate::support::submit;

const SUMMARY: &str = "query($from: NaiveDate!, $to: NaiveDate!, $by: [FeedbackDimension!]!) { \
    feedbackSummary(from: $from, to: $to, by: $by) { suppressed total \
      groups { category { slug } triage company { name } leftYearBand suppressed count } } }";

async fn summary(app: &TestApp, viewer: &TestMember, by: Value) -> GqlResponse {
    app.client_as(viewer)
        .query_with(
            SUMMARY,
            json!({ "from": "2026-01-01", "to": "2026-12-31", "by": by }),
        )
        .await
}

/// Sends `count` named items in `category`, spread over members so no
/// one reaches the daily limit.
async fn send(app: &TestApp, category: &str, count: usize) {
    let mut author = app.create_member(&[Role::Alumnus]).await;
    for index in 0..count {
        if index > 0 && index % 10 == 0 {
            author = app.create_member(&[Role::Alumnus]).await;
        }
        app.client_as(&author)
            .query_with(
                "mutation($input: FeedbackInput!) { submitFeedback(input: $input) { submittedOn } }",
                json!({ "input": { "category": category, "body": format!("{category} {index}") } }),
            )
            .await
            .data();
    }
}

fn counts(response: &GqlResponse) -> Vec<(String, bool, Value)> {
    response.data()["feedbackSummary"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|group| {
            (
                group["category"]["slug"]
                    .as_str()
                    .or_else(|| group["triage"].as_str())
                    .unwrap_or("-")
                    .to_owned(),
                group["suppressed"].as_bool().expect("suppressed"),
                group["count"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn items_are_counted_by_category_with_small_counts_withheld_with_their_complement() {
    let app = TestApp::spawn().await;
    let analyst = app.create_member(&[Role::Analyst]).await;
    send(&app, "why_i_left", 5).await;
    send(&app, "what_should_change", 6).await;
    send(&app, "other", 2).await;

    let read = summary(&app, &analyst, json!(["CATEGORY"])).await;
    assert_eq!(read.data()["feedbackSummary"]["total"], 13);
    let mut groups = counts(&read);
    groups.sort_by(|left, right| left.0.cmp(&right.0));
    // "other" (2) is withheld, and the smallest shown category (5) with
    // it: the total minus what is shown is 7, not 2.
    assert_eq!(
        groups,
        [
            ("other".to_owned(), true, Value::Null),
            ("what_should_change".to_owned(), false, json!(6)),
            ("why_i_left".to_owned(), true, Value::Null),
        ]
    );
    let total = 13;
    let shown: i64 = groups.iter().filter_map(|group| group.2.as_i64()).sum();
    assert!(total - shown >= 5);

    // The total alone.
    let whole = summary(&app, &analyst, json!([])).await;
    assert_eq!(whole.data()["feedbackSummary"]["total"], 13);
    assert_eq!(whole.data()["feedbackSummary"]["groups"], json!([]));
}

#[tokio::test]
async fn two_dimensions_are_suppressed_along_rows_and_columns() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    send(&app, "why_i_left", 8).await;
    send(&app, "what_should_change", 7).await;
    // Mark some as needing no action, so triage has two values.
    let items = app
        .client_as(&secretariat)
        .query("{ feedbackItems(first: 100) { nodes { id body } } }")
        .await;
    for item in items.data()["feedbackItems"]["nodes"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|item| {
            let body = item["body"].as_str().unwrap_or_default();
            body.starts_with("why_i_left") && body.ends_with(['0', '1'])
        })
    {
        app.client_as(&secretariat)
            .query_with(
                "mutation($id: ID!) { setFeedbackTriage(itemId: $id, triage: NO_ACTION) { id } }",
                json!({ "id": item["id"] }),
            )
            .await
            .data();
    }
    let read = summary(&app, &secretariat, json!(["CATEGORY", "TRIAGE"])).await;
    let groups = read.data()["feedbackSummary"]["groups"]
        .as_array()
        .expect("groups")
        .clone();
    // why_i_left: NEW 6, NO_ACTION 2; what_should_change: NEW 7.
    let cell = |slug: &str, triage: &str| {
        groups
            .iter()
            .find(|group| group["category"]["slug"] == slug && group["triage"] == triage)
            .cloned()
            .expect("cell")
    };
    assert_eq!(cell("why_i_left", "NO_ACTION")["suppressed"], true);
    // Its row would give it away from the category's total: the 6 beside
    // it goes too; the NO_ACTION column has no other cell, and the NEW
    // column then holds a withheld 6 alone, so the 7 goes as well.
    assert_eq!(cell("why_i_left", "NEW")["suppressed"], true);
    assert_eq!(cell("what_should_change", "NEW")["suppressed"], true);
    for group in &groups {
        assert!(group["count"].is_null() == group["suppressed"].as_bool().unwrap_or_default());
    }
}

#[tokio::test]
async fn below_five_items_nothing_is_shown() {
    let app = TestApp::spawn().await;
    let analyst = app.create_member(&[Role::Analyst]).await;
    send(&app, "other", 4).await;
    for by in [
        json!([]),
        json!(["CATEGORY"]),
        json!(["COMPANY", "LEFT_YEAR_BAND"]),
    ] {
        let read = summary(&app, &analyst, by).await;
        let figures = &read.data()["feedbackSummary"];
        assert_eq!(figures["suppressed"], true);
        assert!(figures["total"].is_null());
        assert_eq!(figures["groups"], json!([]));
    }
}

#[tokio::test]
async fn a_summary_covers_a_bounded_range_by_at_most_two_dimensions() {
    let app = TestApp::spawn().await;
    let analyst = app.create_member(&[Role::Analyst]).await;
    let client = app.client_as(&analyst);
    for (variables, expected) in [
        (
            json!({ "from": "2026-01-01", "to": "2026-12-31", "by": ["CATEGORY", "TRIAGE", "COMPANY"] }),
            "by",
        ),
        (
            json!({ "from": "2026-01-01", "to": "2026-12-31", "by": ["COMPANY", "COMPANY"] }),
            "by",
        ),
        (
            json!({ "from": "2022-01-01", "to": "2026-12-31", "by": [] }),
            "from",
        ),
        (
            json!({ "from": "2026-12-31", "to": "2026-01-01", "by": [] }),
            "to",
        ),
    ] {
        let refused = client.query_with(SUMMARY, variables).await;
        assert_eq!(
            refused.expect_error("BAD_USER_INPUT")["extensions"]["field"],
            expected
        );
    }
}

#[tokio::test]
async fn only_the_secretariat_and_analysts_read_feedback_figures() {
    let app = TestApp::spawn().await;
    send(&app, "other", 5).await;
    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Moderator,
        Role::Management,
    ] {
        let member = app.create_member(&[role]).await;
        summary(&app, &member, json!([]))
            .await
            .expect_error("FORBIDDEN");
    }
    app.client()
        .query_with(
            SUMMARY,
            json!({ "from": "2026-01-01", "to": "2026-12-31", "by": [] }),
        )
        .await
        .expect_error("UNAUTHENTICATED");
    for role in [Role::Secretariat, Role::Analyst] {
        let member = app.create_member(&[role]).await;
        let read = summary(&app, &member, json!([])).await;
        assert_eq!(read.data()["feedbackSummary"]["total"], 5);
    }
    // Anonymous items count too, without anything about their authors.
    let member = app.create_member(&[Role::Alumnus]).await;
    submit(&app, &member, "匿名", true, json!({})).await.data();
    let analyst = app.create_member(&[Role::Analyst]).await;
    let read = summary(&app, &analyst, json!([])).await;
    assert_eq!(read.data()["feedbackSummary"]["total"], 6);
}
