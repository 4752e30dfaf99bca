//! Sending feedback and reading it back: who may send, who reads what,
//! receipt codes, the daily limits and cohort attributes.

use alumni_core::Role;
use alumni_test_support::TestApp;
use chrono::Duration;
use serde_json::json;

use crate::support::{company, place_in_cohort, rows, submit, submit_anonymously, submit_named};

#[tokio::test]
async fn a_named_item_is_read_by_its_author_and_the_secretariat_and_by_analysts_without_its_author()
{
    let app = TestApp::spawn().await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let other = app.create_member(&[Role::Alumnus]).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let analyst = app.create_member(&[Role::Analyst]).await;
    let id = submit_named(&app, &author, "評価の理由を教えてほしい").await;

    let query = "query($id: ID!) { node(id: $id) { ... on FeedbackItem { body anonymous author { id } } } }";
    let vars = json!({ "id": id });
    let own = app.client_as(&author).query_with(query, vars.clone()).await;
    assert_eq!(own.data()["node"]["author"]["id"], author.global_id());
    let staff = app
        .client_as(&secretariat)
        .query_with(query, vars.clone())
        .await;
    assert_eq!(staff.data()["node"]["author"]["id"], author.global_id());
    let analysis = app
        .client_as(&analyst)
        .query_with(query, vars.clone())
        .await;
    assert_eq!(analysis.data()["node"]["body"], "評価の理由を教えてほしい");
    assert!(analysis.data()["node"]["author"].is_null());
    let hidden = app.client_as(&other).query_with(query, vars.clone()).await;
    assert!(hidden.data()["node"].is_null());
    app.client()
        .query_with(query, vars)
        .await
        .expect_error("UNAUTHENTICATED");

    let mine = app
        .client_as(&author)
        .query("{ myFeedback { totalCount nodes { body category { slug } triage } } }")
        .await;
    assert_eq!(mine.data()["myFeedback"]["totalCount"], 1);
    assert_eq!(
        mine.data()["myFeedback"]["nodes"][0]["category"]["slug"],
        "what_should_change"
    );
    assert_eq!(mine.data()["myFeedback"]["nodes"][0]["triage"], "NEW");
    let others = app
        .client_as(&other)
        .query("{ myFeedback { totalCount } }")
        .await;
    assert_eq!(others.data()["myFeedback"]["totalCount"], 0);
}

#[tokio::test]
async fn only_alumni_and_employees_send_feedback_and_only_staff_and_analysts_list_it() {
    let app = TestApp::spawn().await;
    for role in [
        Role::Secretariat,
        Role::Analyst,
        Role::Moderator,
        Role::Management,
    ] {
        let member = app.create_member(&[role]).await;
        submit(&app, &member, "text", false, json!({}))
            .await
            .expect_error("FORBIDDEN");
    }
    let employee = app.create_member(&[Role::Employee]).await;
    submit_named(&app, &employee, "現役社員からの声").await;
    app.client()
        .query_with(
            "mutation { submitFeedback(input: { category: \"other\", body: \"x\" }) { receipt } }",
            json!({}),
        )
        .await
        .expect_error("UNAUTHENTICATED");

    let list = "{ feedbackItems { totalCount nodes { body } } }";
    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Moderator,
        Role::Management,
    ] {
        let member = app.create_member(&[role]).await;
        app.client_as(&member)
            .query(list)
            .await
            .expect_error("FORBIDDEN");
    }
    app.client()
        .query(list)
        .await
        .expect_error("UNAUTHENTICATED");
    for role in [Role::Secretariat, Role::Analyst] {
        let member = app.create_member(&[role]).await;
        let data = app.client_as(&member).query(list).await;
        assert_eq!(data.data()["feedbackItems"]["totalCount"], 1);
    }
}

#[tokio::test]
async fn bad_input_is_refused_without_writing_anything() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);
    let send = "mutation($input: FeedbackInput!) { submitFeedback(input: $input) { receipt } }";
    for input in [
        json!({ "category": "what_should_change", "body": "   " }),
        json!({ "category": "no_such_category", "body": "text" }),
        json!({ "category": "other", "body": "あ".repeat(10_001) }),
    ] {
        let error = client.query_with(send, json!({ "input": input })).await;
        error.expect_error("BAD_USER_INPUT");
    }
    assert_eq!(rows(&app, "feedback.items").await, 0);
    assert_eq!(rows(&app, "feedback.anonymous_submissions").await, 0);
}

#[tokio::test]
async fn an_anonymous_author_follows_their_item_with_the_receipt_code_alone() {
    let app = TestApp::spawn().await;
    let author = app.create_member(&[Role::Alumnus]).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let response = submit(&app, &author, "残業が多すぎました", true, json!({})).await;
    let sent = &response.data()["submitFeedback"];
    assert!(
        sent["item"].is_null(),
        "an anonymous item is not handed back by id"
    );
    let receipt = sent["receipt"].as_str().expect("receipt").to_owned();
    assert_eq!(receipt.len(), 19);
    assert_eq!(sent["submittedOn"], "2026-04-01");

    let id = crate::support::item_id(&app, &secretariat, "残業が多すぎました").await;
    app.client_as(&secretariat)
        .query_with(
            "mutation($id: ID!) { replyToFeedback(itemId: $id, body: \"ご意見ありがとうございます\") { body } }",
            json!({ "id": id }),
        )
        .await
        .data();

    let status = "query($receipt: String!) { feedbackByReceipt(receipt: $receipt) { \
                    body submittedOn triage category { slug } replies { body } } }";
    // However it is typed, and without signing in.
    let typed = receipt.to_lowercase().replace('-', " ");
    let read = app
        .client()
        .query_with(status, json!({ "receipt": typed }))
        .await;
    let read = &read.data()["feedbackByReceipt"];
    assert_eq!(read["body"], "残業が多すぎました");
    assert_eq!(read["replies"][0]["body"], "ご意見ありがとうございます");
    assert_eq!(read["category"]["slug"], "what_should_change");

    for wrong in ["ABCD-EFGH-JKMN-PQRS", "", "x".repeat(500).as_str()] {
        app.client()
            .query_with(status, json!({ "receipt": wrong }))
            .await
            .expect_error("NOT_FOUND");
    }
    // The author's own lists do not hold it: nothing ties it to them.
    let mine = app
        .client_as(&author)
        .query("{ myFeedback { totalCount } }")
        .await;
    assert_eq!(mine.data()["myFeedback"]["totalCount"], 0);
    // Only the hash of the code is kept.
    let bare = receipt.replace('-', "");
    assert_eq!(
        rows(
            &app,
            &format!(
                "feedback.items AS i WHERE i::text LIKE '%{bare}%' OR i::text LIKE '%{receipt}%'"
            )
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_member_sends_at_most_three_anonymous_items_a_day() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    for n in 0..3 {
        submit_anonymously(&app, &member, &format!("意見 {n}")).await;
    }
    let refused = submit(&app, &member, "四つ目", true, json!({})).await;
    let error = refused.expect_error("CONFLICT");
    assert_eq!(error["extensions"]["reason"], "DAILY_LIMIT");
    assert_eq!(rows(&app, "feedback.items").await, 3);
    // Others are not held back by it, and named feedback is counted apart.
    let other = app.create_member(&[Role::Alumnus]).await;
    submit_anonymously(&app, &other, "別の会員").await;
    submit_named(&app, &member, "名前を出して送る").await;

    // The next day (Japan time) the count starts again, and the hourly
    // job forgets the counts of days that are over.
    app.clock.advance(Duration::days(1));
    submit_anonymously(&app, &member, "翌日の意見").await;
    app.jobs.schedule_recurring().await.expect("schedule");
    app.jobs.drain().await.expect("jobs run");
    assert_eq!(
        rows(
            &app,
            "feedback.anonymous_submissions WHERE day < '2026-04-02'"
        )
        .await,
        0
    );
    assert_eq!(rows(&app, "feedback.anonymous_submissions").await, 1);
}

#[tokio::test]
async fn cohort_attributes_are_the_members_own_and_only_for_cohorts_of_five() {
    let app = TestApp::spawn().await;
    let acme = company(&app, "旧アクメ").await;
    let mut cohort = Vec::new();
    for _ in 0..4 {
        let member = app.create_member(&[Role::Alumnus]).await;
        place_in_cohort(&app, &member, &acme, "2016-03-31").await;
        cohort.push(member);
    }
    let both = json!({ "company": true, "leftYearBand": true });
    let refused = submit(&app, &cohort[0], "少人数", true, both.clone()).await;
    assert_eq!(
        refused.expect_error("CONFLICT")["extensions"]["reason"],
        "COHORT_TOO_SMALL"
    );
    // Refused before anything is written, the daily count included.
    assert_eq!(rows(&app, "feedback.items").await, 0);
    assert_eq!(rows(&app, "feedback.anonymous_submissions").await, 0);

    // A fifth member who left the same company in the same band (2015–2019).
    let fifth = app.create_member(&[Role::Alumnus]).await;
    place_in_cohort(&app, &fifth, &acme, "2019-12-31").await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    submit(&app, &cohort[0], "五人以上", true, both.clone())
        .await
        .data();
    let read = app
        .client_as(&secretariat)
        .query("{ feedbackItems { nodes { cohort { company { name } leftYearBand } } } }")
        .await;
    let attached = &read.data()["feedbackItems"]["nodes"][0]["cohort"];
    assert_eq!(attached["company"]["name"], "旧アクメ");
    assert_eq!(attached["leftYearBand"], 2015);
    // Analysts read the text, never the cohort.
    let analyst = app.create_member(&[Role::Analyst]).await;
    let analysis = app
        .client_as(&analyst)
        .query("{ feedbackItems { nodes { body cohort { leftYearBand } } } }")
        .await;
    assert!(analysis.data()["feedbackItems"]["nodes"][0]["cohort"].is_null());

    // A member whose profile has no company cannot attach one.
    let stranger = app.create_member(&[Role::Alumnus]).await;
    let none = submit(
        &app,
        &stranger,
        "会社なし",
        false,
        json!({ "company": true }),
    )
    .await;
    assert_eq!(
        none.expect_error("CONFLICT")["extensions"]["reason"],
        "NO_COHORT"
    );
}
