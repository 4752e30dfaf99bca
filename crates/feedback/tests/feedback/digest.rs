//! The activity digest's feedback section: what moved on proposals the
//! member follows, and surveys open to them that they have not answered.

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
use serde_json::{Value, json};

use crate::support::submit_named;

async fn accept(app: &TestApp, member: &TestMember, purposes: &[&str]) {
    app.client_as(member)
        .query_with(
            "mutation($purposes: [ConsentPurpose!]!) { acceptTerms(version: \"2026-04\", purposes: $purposes) { purposes } }",
            json!({ "purposes": purposes }),
        )
        .await
        .data();
}

async fn run(app: &TestApp, member: &TestMember, operation: &str, variables: Value) -> Value {
    app.client_as(member)
        .query_with(operation, variables)
        .await
        .data()
        .clone()
}

/// An open survey for `audience` titled `title`.
async fn open_survey(
    app: &TestApp,
    secretariat: &TestMember,
    title: &str,
    audience: &str,
) -> String {
    let created = run(
        app,
        secretariat,
        "mutation($input: SurveyDetailsInput!) { createSurvey(input: $input) { id } }",
        json!({ "input": { "title": title, "audience": audience, "closesAt": "2026-04-30T00:00:00Z" } }),
    )
    .await;
    let id = created["createSurvey"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    run(
        app,
        secretariat,
        "mutation($id: ID!, $input: SurveyQuestionInput!) { addSurveyQuestion(surveyId: $id, input: $input) { id } }",
        json!({ "id": id, "input": { "kind": "SCALE", "prompt": "満足度は？", "required": true } }),
    )
    .await;
    run(
        app,
        secretariat,
        "mutation($id: ID!) { openSurvey(id: $id) { state } }",
        json!({ "id": id }),
    )
    .await;
    id
}

#[tokio::test]
async fn the_digest_tells_a_member_of_followed_proposals_and_surveys_to_answer() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let management = app.create_member(&[Role::Management]).await;
    run(
        &app,
        &secretariat,
        "mutation { publishTerms(input: { version: \"2026-04\", title: \"利用規約\", body: \"# 利用規約\" }) { id } }",
        json!({}),
    )
    .await;
    accept(&app, &secretariat, &["MEMBERSHIP"]).await;
    accept(&app, &management, &["MEMBERSHIP"]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    accept(&app, &reader, &["MEMBERSHIP", "NEWSLETTER"]).await;

    // The reader's named feedback leads to a published proposal they then
    // follow automatically; a second proposal they do not follow.
    let item = submit_named(&app, &reader, "評価の理由を説明してほしい").await;
    let theme = run(
        &app,
        &secretariat,
        "mutation { createFeedbackTheme(input: { title: \"評価制度\" }) { id } }",
        json!({}),
    )
    .await["createFeedbackTheme"]["id"]
        .clone();
    run(
        &app,
        &secretariat,
        "mutation($items: [ID!]!, $theme: ID!) { groupFeedback(itemIds: $items, themeId: $theme) { id } }",
        json!({ "items": [item], "theme": theme }),
    )
    .await;
    let mut proposals = Vec::new();
    for title in ["評価理由の文書化", "社食の改善"] {
        let created = run(
            &app,
            &secretariat,
            "mutation($input: ProposalInput!) { createProposal(input: $input) { id } }",
            json!({ "input": { "title": title, "body": format!("{title}を提言します。"), "themeIds": [theme] } }),
        )
        .await;
        let id = created["createProposal"]["id"].clone();
        run(
            &app,
            &secretariat,
            "mutation($id: ID!) { submitProposal(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
        proposals.push(id);
    }
    run(
        &app,
        &secretariat,
        "mutation($id: ID!) { publishProposal(id: $id) { id } }",
        json!({ "id": proposals[0] }),
    )
    .await;
    let followed = run(
        &app,
        &reader,
        "{ proposals(published: true) { nodes { title followed } } }",
        json!({}),
    )
    .await;
    assert_eq!(followed["proposals"]["nodes"][0]["followed"], true);

    // A visit; what follows is news since then.
    app.clock.advance(chrono::Duration::hours(1));
    run(&app, &reader, "{ myFeedback { totalCount } }", json!({})).await;
    app.clock.advance(chrono::Duration::minutes(10));
    run(
        &app,
        &management,
        "mutation($id: ID!) { respondToProposal(id: $id, input: { response: ACCEPTED, reasons: \"来期から実施します\" }) { id } }",
        json!({ "id": proposals[0] }),
    )
    .await;
    let everyone = open_survey(&app, &secretariat, "アルムナイ満足度調査", "EVERYONE").await;
    open_survey(&app, &secretariat, "現役社員アンケート", "EMPLOYEES").await;
    let answered = open_survey(&app, &secretariat, "回答済みの調査", "ALUMNI").await;
    let questions = run(
        &app,
        &reader,
        "query($id: ID!) { node(id: $id) { ... on Survey { questions { id } } } }",
        json!({ "id": answered }),
    )
    .await;
    let question = questions["node"]["questions"][0]["id"].clone();
    run(
        &app,
        &reader,
        "mutation($id: ID!, $answers: [SurveyAnswerInput!]!) { respondToSurvey(surveyId: $id, answers: $answers) { id } }",
        json!({ "id": answered, "answers": [{ "questionId": question, "scale": 4 }] }),
    )
    .await;
    assert!(!everyone.is_empty());

    app.clock
        .set("2026-04-06T00:00:00Z".parse().expect("a time"));
    app.jobs.schedule_recurring().await.expect("schedule");
    app.jobs.drain().await.expect("jobs run");
    let mail = app.written_mail();
    let text = mail
        .iter()
        .map(|message| message.parsed().body_text(0).expect("text").to_string())
        .find(|text| text.contains("提言とアンケート"))
        .expect("a digest with the section");
    assert!(
        text.contains("評価理由の文書化"),
        "a followed proposal answered: {text}"
    );
    assert!(
        !text.contains("社食の改善"),
        "not published, not followed: {text}"
    );
    assert!(
        text.contains("アルムナイ満足度調査"),
        "an open survey: {text}"
    );
    assert!(
        !text.contains("現役社員アンケート"),
        "not their audience: {text}"
    );
    assert!(!text.contains("回答済みの調査"), "already answered: {text}");
}
