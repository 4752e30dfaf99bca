//! Surveys: the secretariat prepares and opens them, members answer once
//! while they are open, and results show only groups large enough to
//! hide anyone.

use alumni_core::{Clock as _, Role};
use alumni_test_support::{GqlResponse, TestApp, TestMember};
use chrono::Duration;
use serde_json::{Value, json};

use crate::support::{company, place_in_cohort, rows};

/// The questions most tests ask: a required scale, a single choice, a
/// multiple choice and an optional free text.
fn standard_questions() -> Vec<Value> {
    vec![
        json!({ "kind": "SCALE", "prompt": "満足度は？", "required": true }),
        json!({ "kind": "SINGLE_CHOICE", "prompt": "いちばん役立つものは？", "options": ["イベント", "記事", "相談"] }),
        json!({ "kind": "MULTIPLE_CHOICE", "prompt": "参加したいものは？", "options": ["交流会", "副業", "メンター"] }),
        json!({ "kind": "FREE_TEXT", "prompt": "ご意見" }),
    ]
}

/// A draft survey with `questions`; its id and its questions' ids.
async fn draft(
    app: &TestApp,
    secretariat: &TestMember,
    details: Value,
    questions: &[Value],
) -> (String, Vec<String>) {
    let mut input = json!({
        "title": "アルムナイ調査", "audience": "EVERYONE", "closesAt": "2026-04-15T00:00:00Z",
    });
    for (key, value) in details.as_object().expect("details") {
        input[key] = value.clone();
    }
    let created = app
        .client_as(secretariat)
        .query_with(
            "mutation($input: SurveyDetailsInput!) { createSurvey(input: $input) { id state } }",
            json!({ "input": input }),
        )
        .await;
    assert_eq!(created.data()["createSurvey"]["state"], "DRAFT");
    let id = created.data()["createSurvey"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut question_ids = Vec::new();
    for question in questions {
        let added = app
            .client_as(secretariat)
            .query_with(
                "mutation($survey: ID!, $input: SurveyQuestionInput!) { \
                   addSurveyQuestion(surveyId: $survey, input: $input) { id } }",
                json!({ "survey": id, "input": question }),
            )
            .await;
        question_ids.push(
            added.data()["addSurveyQuestion"]["id"]
                .as_str()
                .expect("question id")
                .to_owned(),
        );
    }
    (id, question_ids)
}

/// An open survey; its id and its questions' ids.
async fn open_survey(
    app: &TestApp,
    secretariat: &TestMember,
    details: Value,
    questions: &[Value],
) -> (String, Vec<String>) {
    let (id, questions) = draft(app, secretariat, details, questions).await;
    let opened = app
        .client_as(secretariat)
        .query_with(
            "mutation($id: ID!) { openSurvey(id: $id) { state } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(opened.data()["openSurvey"]["state"], "OPEN");
    (id, questions)
}

async fn close(app: &TestApp, secretariat: &TestMember, survey: &str) {
    let closed = app
        .client_as(secretariat)
        .query_with(
            "mutation($id: ID!) { closeSurvey(id: $id) { state } }",
            json!({ "id": survey }),
        )
        .await;
    assert_eq!(closed.data()["closeSurvey"]["state"], "CLOSED");
}

async fn respond(app: &TestApp, member: &TestMember, survey: &str, answers: Value) -> GqlResponse {
    app.client_as(member)
        .query_with(
            "mutation($survey: ID!, $answers: [SurveyAnswerInput!]!) { \
               respondToSurvey(surveyId: $survey, answers: $answers) { id responded } }",
            json!({ "survey": survey, "answers": answers }),
        )
        .await
}

/// Answers to the standard questions: a point, an option, and a text.
fn answers(questions: &[String], point: i32, text: Option<&str>) -> Value {
    let mut answers = vec![
        json!({ "questionId": questions[0], "scale": point }),
        json!({ "questionId": questions[1], "choices": [point % 3] }),
        json!({ "questionId": questions[2], "choices": [0, 2] }),
    ];
    if let Some(text) = text {
        answers.push(json!({ "questionId": questions[3], "text": text }));
    }
    Value::Array(answers)
}

fn reason(response: &GqlResponse) -> String {
    response.expect_error("CONFLICT")["extensions"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn field(response: &GqlResponse) -> String {
    response.expect_error("BAD_USER_INPUT")["extensions"]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

const RESULTS: &str = "query($id: ID!, $by: [SurveyDimension!]!) { node(id: $id) { ... on Survey { \
    results(by: $by) { suppressed responses \
      overall { suppressed responses textsWithheld questions { answered mean scale { point count } \
                options { index label count } texts { totalCount nodes { text count } } } } \
      groups { company { name } leftYearBand suppressed responses textsWithheld \
               questions { answered mean texts { nodes { text count } } } } } } } }";

async fn results(app: &TestApp, viewer: &TestMember, survey: &str, by: Value) -> GqlResponse {
    app.client_as(viewer)
        .query_with(RESULTS, json!({ "id": survey, "by": by }))
        .await
}

#[tokio::test]
async fn a_member_answers_an_open_survey_once() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let (survey, questions) =
        open_survey(&app, &secretariat, json!({}), &standard_questions()).await;

    let list = "{ surveys(open: true) { totalCount nodes { id title responded \
                  questions { id kind prompt required options } } } }";
    let before = app.client_as(&alumnus).query(list).await;
    let listed = &before.data()["surveys"];
    assert_eq!(listed["totalCount"], 1);
    assert_eq!(listed["nodes"][0]["responded"], false);
    assert_eq!(listed["nodes"][0]["questions"][1]["options"][2], "相談");
    assert_eq!(listed["nodes"][0]["questions"][0]["required"], true);

    let answered = respond(
        &app,
        &alumnus,
        &survey,
        answers(&questions, 4, Some("よかったです")),
    )
    .await;
    assert_eq!(answered.data()["respondToSurvey"]["responded"], true);
    let after = app.client_as(&alumnus).query(list).await;
    assert_eq!(after.data()["surveys"]["nodes"][0]["responded"], true);

    let again = respond(&app, &alumnus, &survey, answers(&questions, 2, None)).await;
    assert_eq!(reason(&again), "ALREADY_RESPONDED");
    assert_eq!(rows(&app, "feedback.survey_participation").await, 1);
    assert_eq!(rows(&app, "feedback.survey_responses").await, 1);
    assert_eq!(rows(&app, "feedback.survey_answers").await, 4);
    // The secretariat sees how many answered, members do not.
    let count = "query($id: ID!) { node(id: $id) { ... on Survey { responseCount } } }";
    let staff = app
        .client_as(&secretariat)
        .query_with(count, json!({ "id": survey }))
        .await;
    assert_eq!(staff.data()["node"]["responseCount"], 1);
    let member = app
        .client_as(&alumnus)
        .query_with(count, json!({ "id": survey }))
        .await;
    assert!(member.data()["node"]["responseCount"].is_null());
}

#[tokio::test]
async fn concurrent_answers_of_one_member_make_one_response() {
    let app = TestApp::spawn().await;
    // Other processes on the same database, each with its own connection,
    // so the answers really arrive at the same time.
    let mut processes = Vec::new();
    for _ in 0..3 {
        processes.push(app.spawn_beside().await);
    }
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let (survey, questions) =
        open_survey(&app, &secretariat, json!({}), &standard_questions()).await;
    let given = answers(&questions, 5, Some("同時に送信"));
    let (first, second, third, fourth) = tokio::join!(
        respond(&app, &alumnus, &survey, given.clone()),
        respond(&processes[0], &alumnus, &survey, given.clone()),
        respond(&processes[1], &alumnus, &survey, given.clone()),
        respond(&processes[2], &alumnus, &survey, given.clone()),
    );
    let responses = [first, second, third, fourth];
    let accepted = responses
        .iter()
        .filter(|response| response.body["errors"].is_null())
        .count();
    assert_eq!(accepted, 1, "{responses:?}");
    for refused in responses
        .iter()
        .filter(|response| !response.body["errors"].is_null())
    {
        assert_eq!(reason(refused), "ALREADY_RESPONDED");
    }
    assert_eq!(rows(&app, "feedback.survey_responses").await, 1);
    assert_eq!(rows(&app, "feedback.survey_answers").await, 4);
    assert_eq!(rows(&app, "feedback.survey_participation").await, 1);
}

#[tokio::test]
async fn answers_are_taken_only_while_the_survey_is_open() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let questions = [json!({ "kind": "SCALE", "prompt": "満足度", "required": true })];
    let (survey, ids) = draft(&app, &secretariat, json!({}), &questions).await;
    let point = json!([{ "questionId": ids[0], "scale": 3 }]);
    assert_eq!(
        reason(&respond(&app, &alumnus, &survey, point.clone()).await),
        "NOT_OPEN"
    );

    // Scheduled for tomorrow: not open yet, and not listed to members.
    let scheduled = app
        .client_as(&secretariat)
        .query_with(
            "mutation($id: ID!) { openSurvey(id: $id, opensAt: \"2026-04-02T00:00:00Z\") { state opensAt } }",
            json!({ "id": survey }),
        )
        .await;
    assert_eq!(scheduled.data()["openSurvey"]["state"], "SCHEDULED");
    assert_eq!(
        reason(&respond(&app, &alumnus, &survey, point.clone()).await),
        "NOT_OPEN"
    );
    let open_list = "{ surveys(open: true) { totalCount } }";
    let listed = app.client_as(&alumnus).query(open_list).await;
    assert_eq!(listed.data()["surveys"]["totalCount"], 0);

    app.clock.advance(Duration::days(1));
    let listed = app.client_as(&alumnus).query(open_list).await;
    assert_eq!(listed.data()["surveys"]["totalCount"], 1);
    respond(&app, &alumnus, &survey, point.clone()).await.data();

    // Past `closesAt` (2026-04-15) it takes no more answers.
    let late = app.create_member(&[Role::Alumnus]).await;
    app.clock.advance(Duration::days(14));
    assert_eq!(
        reason(&respond(&app, &late, &survey, point.clone()).await),
        "SURVEY_CLOSED"
    );
    let listed = app.client_as(&late).query(open_list).await;
    assert_eq!(listed.data()["surveys"]["totalCount"], 0);

    // Closed early by the secretariat, likewise.
    let (early, early_ids) = open_survey(
        &app,
        &secretariat,
        json!({ "closesAt": "2026-06-01T00:00:00Z" }),
        &questions,
    )
    .await;
    close(&app, &secretariat, &early).await;
    assert_eq!(
        reason(
            &respond(
                &app,
                &late,
                &early,
                json!([{ "questionId": early_ids[0], "scale": 3 }])
            )
            .await
        ),
        "SURVEY_CLOSED"
    );
    assert_eq!(rows(&app, "feedback.survey_responses").await, 1);
}

#[tokio::test]
async fn only_the_audience_answers() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let employee = app.create_member(&[Role::Employee]).await;
    let scale = [json!({ "kind": "SCALE", "prompt": "満足度", "required": true })];
    let (for_alumni, alumni_q) =
        open_survey(&app, &secretariat, json!({ "audience": "ALUMNI" }), &scale).await;
    let (for_employees, employee_q) = open_survey(
        &app,
        &secretariat,
        json!({ "audience": "EMPLOYEES" }),
        &scale,
    )
    .await;
    let point = |question: &str| json!([{ "questionId": question, "scale": 4 }]);

    respond(&app, &employee, &for_alumni, point(&alumni_q[0]))
        .await
        .expect_error("FORBIDDEN");
    respond(&app, &alumnus, &for_employees, point(&employee_q[0]))
        .await
        .expect_error("FORBIDDEN");
    for role in [
        Role::Secretariat,
        Role::Analyst,
        Role::Moderator,
        Role::Management,
    ] {
        let member = app.create_member(&[role]).await;
        respond(&app, &member, &for_alumni, point(&alumni_q[0]))
            .await
            .expect_error("FORBIDDEN");
    }
    app.client()
        .query_with(
            "mutation($survey: ID!) { respondToSurvey(surveyId: $survey, answers: []) { id } }",
            json!({ "survey": for_alumni }),
        )
        .await
        .expect_error("UNAUTHENTICATED");
    respond(&app, &alumnus, &for_alumni, point(&alumni_q[0]))
        .await
        .data();
    respond(&app, &employee, &for_employees, point(&employee_q[0]))
        .await
        .data();

    // Each sees the surveys that ask them; staff see every survey.
    let titles = "{ surveys(open: true) { nodes { id } } }";
    let seen = |response: GqlResponse| -> Vec<String> {
        response.data()["surveys"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|node| node["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(
        seen(app.client_as(&alumnus).query(titles).await),
        [for_alumni]
    );
    assert_eq!(
        seen(app.client_as(&employee).query(titles).await),
        [for_employees]
    );
    let moderator = app.create_member(&[Role::Moderator]).await;
    assert!(seen(app.client_as(&moderator).query(titles).await).is_empty());
    let analyst = app.create_member(&[Role::Analyst]).await;
    assert_eq!(seen(app.client_as(&analyst).query(titles).await).len(), 2);
    app.client()
        .query(titles)
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn answers_are_checked_against_the_questions_and_nothing_is_written_on_a_refusal() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let (survey, q) = open_survey(&app, &secretariat, json!({}), &standard_questions()).await;
    let (_, other) = draft(
        &app,
        &secretariat,
        json!({}),
        &[json!({ "kind": "SCALE", "prompt": "別の調査" })],
    )
    .await;
    let long = "あ".repeat(2001);
    let cases = [
        (
            json!([{ "questionId": q[0], "scale": 6 }]),
            "answers[0].scale",
        ),
        (
            json!([{ "questionId": q[0], "scale": 0 }]),
            "answers[0].scale",
        ),
        (
            json!([{ "questionId": q[0], "choices": [1] }]),
            "answers[0].scale",
        ),
        (
            json!([{ "questionId": q[0], "scale": 3 }, { "questionId": q[1], "choices": [0, 1] }]),
            "answers[1].choices",
        ),
        (
            json!([{ "questionId": q[0], "scale": 3 }, { "questionId": q[1], "choices": [3] }]),
            "answers[1].choices",
        ),
        (
            json!([{ "questionId": q[0], "scale": 3 }, { "questionId": q[2], "choices": [1, 1] }]),
            "answers[1].choices",
        ),
        (
            json!([{ "questionId": q[0], "scale": 3 }, { "questionId": q[3], "text": long }]),
            "answers[1].text",
        ),
        (
            json!([{ "questionId": q[0], "scale": 3 }, { "questionId": q[0], "scale": 4 }]),
            "answers[1].questionId",
        ),
        (
            json!([{ "questionId": q[0], "scale": 3 }, { "questionId": other[0], "scale": 4 }]),
            "answers[1].questionId",
        ),
        (
            json!([{ "questionId": q[0], "scale": 3 }, { "questionId": survey, "scale": 4 }]),
            "answers[1].questionId",
        ),
        // The required scale question left out, or answered with nothing.
        (
            json!([{ "questionId": q[3], "text": "意見だけ" }]),
            "answers",
        ),
        (json!([{ "questionId": q[0] }]), "answers"),
    ];
    for (given, expected) in cases {
        let refused = respond(&app, &alumnus, &survey, given.clone()).await;
        assert_eq!(field(&refused), expected, "{given}");
    }
    assert_eq!(rows(&app, "feedback.survey_participation").await, 0);
    assert_eq!(rows(&app, "feedback.survey_responses").await, 0);
    assert_eq!(rows(&app, "feedback.survey_answers").await, 0);
    // Optional questions may be left out; blank text counts as no answer.
    respond(
        &app,
        &alumnus,
        &survey,
        json!([{ "questionId": q[0], "scale": 1 }, { "questionId": q[3], "text": "   " }]),
    )
    .await
    .data();
    assert_eq!(rows(&app, "feedback.survey_answers").await, 1);
}

#[tokio::test]
async fn responses_carry_nothing_that_links_them_to_the_member() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let (survey, questions) =
        open_survey(&app, &secretariat, json!({}), &standard_questions()).await;
    let audited = rows(&app, "audit.events").await;
    respond(
        &app,
        &alumnus,
        &survey,
        answers(&questions, 3, Some("匿名の意見")),
    )
    .await
    .data();
    assert_eq!(
        rows(&app, "audit.events").await,
        audited,
        "a response is not audited"
    );

    // No column of the responses or answers can hold a member or a time.
    let columns = "information_schema.columns WHERE table_schema = 'feedback' \
                   AND table_name IN ('survey_responses', 'survey_answers')";
    assert_eq!(rows(&app, columns).await, 10);
    assert_eq!(
        rows(
            &app,
            &format!(
                "{columns} AND (column_name LIKE '%member%' OR column_name LIKE '%author%' \
                 OR data_type LIKE 'timestamp%')"
            )
        )
        .await,
        0
    );
    let member = alumnus.id.0;
    assert_eq!(
        rows(
            &app,
            &format!(
                "feedback.survey_responses r JOIN feedback.survey_answers a ON a.response_id = r.id \
                 WHERE r::text LIKE '%{member}%' OR a::text LIKE '%{member}%'"
            )
        )
        .await,
        0
    );
    // The response's id is random (version 4), not time-ordered.
    assert_eq!(
        rows(
            &app,
            "feedback.survey_responses WHERE substr(id::text, 15, 1) = '4'"
        )
        .await,
        1
    );
    // Participation keeps who answered, and nothing else.
    let participation_columns = "information_schema.columns WHERE table_schema = 'feedback' \
                                 AND table_name = 'survey_participation'";
    assert_eq!(rows(&app, participation_columns).await, 2);
}

#[tokio::test]
async fn the_hourly_job_rewrites_responses_and_participation_so_they_share_no_transaction() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let (survey, questions) =
        open_survey(&app, &secretariat, json!({}), &standard_questions()).await;
    for point in 1..=3 {
        let member = app.create_member(&[Role::Alumnus]).await;
        respond(
            &app,
            &member,
            &survey,
            answers(&questions, point, Some("意見")),
        )
        .await
        .data();
    }
    let linked = "feedback.survey_participation p JOIN feedback.survey_responses r \
                  ON p.xmin::text = r.xmin::text";
    assert_eq!(
        rows(&app, linked).await,
        3,
        "written together, each pair shares its transaction"
    );

    app.jobs.schedule_recurring().await.expect("schedule");
    app.jobs.drain().await.expect("jobs run");
    let transactions = "(SELECT xmin::text FROM feedback.survey_participation \
                         UNION SELECT xmin::text FROM feedback.survey_responses \
                         UNION SELECT xmin::text FROM feedback.survey_answers) AS transactions";
    assert_eq!(
        rows(&app, transactions).await,
        1,
        "every row now carries the job's transaction"
    );
    assert_eq!(rows(&app, "feedback.survey_responses").await, 3);
}

/// A company with five members who left it in 2016 (so a response may
/// carry the company and the band); the members.
async fn cohort_of_five(app: &TestApp, name: &str) -> Vec<TestMember> {
    let company = company(app, name).await;
    let mut members = Vec::new();
    for _ in 0..5 {
        let member = app.create_member(&[Role::Alumnus]).await;
        place_in_cohort(app, &member, &company, "2016-03-31").await;
        members.push(member);
    }
    members
}

fn groups(response: &GqlResponse) -> Vec<(String, bool, Value)> {
    response.data()["node"]["results"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|group| {
            (
                group["company"]["name"].as_str().unwrap_or("-").to_owned(),
                group["suppressed"].as_bool().expect("suppressed"),
                group["responses"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_group_of_k_is_shown_and_a_smaller_one_withheld_with_its_complement() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let analyst = app.create_member(&[Role::Analyst]).await;
    let a = cohort_of_five(&app, "旧A").await;
    let b = cohort_of_five(&app, "旧B").await;
    let c = cohort_of_five(&app, "旧C").await;
    let k = 3;
    let details = json!({ "minGroup": k, "minTextGroup": k });
    let scale = [json!({ "kind": "SCALE", "prompt": "満足度", "required": true })];

    // A answers k times, B and C k - 1 times each.
    let (survey, q) = open_survey(&app, &secretariat, details.clone(), &scale).await;
    for (members, count) in [(&a, 3), (&b, 2), (&c, 2)] {
        for member in members.iter().take(count) {
            respond(
                &app,
                member,
                &survey,
                json!([{ "questionId": q[0], "scale": 4 }]),
            )
            .await
            .data();
        }
    }
    close(&app, &secretariat, &survey).await;
    let read = results(&app, &analyst, &survey, json!(["COMPANY"])).await;
    assert_eq!(read.data()["node"]["results"]["responses"], 7);
    assert_eq!(
        groups(&read),
        [
            ("旧A".to_owned(), false, json!(3)),
            ("旧B".to_owned(), true, Value::Null),
            ("旧C".to_owned(), true, Value::Null),
        ]
    );
    let withheld = &read.data()["node"]["results"]["groups"][1];
    assert!(withheld["questions"].is_null());
    assert_eq!(withheld["textsWithheld"], true);

    // Exactly one small group: a larger one is withheld with it, so the
    // total minus what is shown is never a group smaller than k.
    let (survey, q) = open_survey(&app, &secretariat, details, &scale).await;
    for (members, count) in [(&a, 4), (&b, 2), (&c, 5)] {
        for member in members.iter().take(count) {
            respond(
                &app,
                member,
                &survey,
                json!([{ "questionId": q[0], "scale": 2 }]),
            )
            .await
            .data();
        }
    }
    close(&app, &secretariat, &survey).await;
    let read = results(&app, &secretariat, &survey, json!(["COMPANY"])).await;
    let shown = groups(&read);
    assert_eq!(
        shown,
        [
            ("旧A".to_owned(), true, Value::Null),
            ("旧B".to_owned(), true, Value::Null),
            ("旧C".to_owned(), false, json!(5)),
        ]
    );
    let total = read.data()["node"]["results"]["responses"]
        .as_i64()
        .expect("total");
    let visible: i64 = shown
        .iter()
        .filter_map(|(_, _, responses)| responses.as_i64())
        .sum();
    assert!(total - visible >= k, "{total} - {visible}");

    // By company and band at once: every company's members left in the
    // same band, so the table is one column, suppressed alike.
    let both = results(
        &app,
        &secretariat,
        &survey,
        json!(["COMPANY", "LEFT_YEAR_BAND"]),
    )
    .await;
    let table = &both.data()["node"]["results"]["groups"];
    assert_eq!(table[2]["leftYearBand"], 2015);
    assert_eq!(table[2]["responses"], 5);
    assert_eq!(table[0]["suppressed"], true);
    assert_eq!(table[1]["suppressed"], true);
}

#[tokio::test]
async fn below_k_responses_in_all_there_are_no_results() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let (survey, questions) = open_survey(
        &app,
        &secretariat,
        json!({ "minGroup": 3, "minTextGroup": 3 }),
        &standard_questions(),
    )
    .await;
    for point in [1, 5] {
        let member = app.create_member(&[Role::Alumnus]).await;
        respond(
            &app,
            &member,
            &survey,
            answers(&questions, point, Some("少数")),
        )
        .await
        .data();
    }
    close(&app, &secretariat, &survey).await;
    for by in [json!([]), json!(["COMPANY"])] {
        let read = results(&app, &secretariat, &survey, by).await;
        let results = &read.data()["node"]["results"];
        assert_eq!(results["suppressed"], true);
        assert!(results["responses"].is_null());
        assert_eq!(results["overall"]["suppressed"], true);
        assert!(results["overall"]["responses"].is_null());
        assert!(results["overall"]["questions"].is_null());
        assert_eq!(results["groups"], json!([]));
    }
}

#[tokio::test]
async fn free_texts_need_their_own_larger_group_and_come_in_text_order() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let a = cohort_of_five(&app, "旧A").await;
    let b = cohort_of_five(&app, "旧B").await;
    let details = json!({ "minGroup": 3, "minTextGroup": 5 });
    let (survey, q) = open_survey(&app, &secretariat, details.clone(), &standard_questions()).await;
    let texts = ["ぬ", "い", "あ", "ろ", "い", "は", "え", "お"];
    let respondents = a.iter().take(5).chain(b.iter().take(3));
    for (member, text) in respondents.zip(texts) {
        respond(&app, member, &survey, answers(&q, 3, Some(text)))
            .await
            .data();
    }
    close(&app, &secretariat, &survey).await;

    let read = results(&app, &secretariat, &survey, json!(["COMPANY"])).await;
    let figures = &read.data()["node"]["results"];
    // All eight: texts shown, distinct and sorted (never in the order
    // they were written), with how many wrote each.
    let overall = &figures["overall"]["questions"][3]["texts"];
    assert_eq!(overall["totalCount"], 7);
    let shown: Vec<(&str, i64)> = overall["nodes"]
        .as_array()
        .expect("texts")
        .iter()
        .map(|text| {
            (
                text["text"].as_str().unwrap_or_default(),
                text["count"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("あ", 1),
            ("い", 2),
            ("え", 1),
            ("お", 1),
            ("ぬ", 1),
            ("は", 1),
            ("ろ", 1)
        ]
    );
    assert_eq!(figures["overall"]["textsWithheld"], false);
    // B (3 responses) shows its figures but not its texts; A (5) is
    // withheld with it, or all texts minus A's would be B's.
    let groups = figures["groups"].as_array().expect("groups");
    assert_eq!(groups[0]["responses"], 5);
    assert_eq!(groups[1]["responses"], 3);
    for group in groups {
        assert_eq!(group["suppressed"], false);
        assert_eq!(group["textsWithheld"], true);
        assert!(group["questions"][3]["texts"].is_null());
        assert_eq!(group["questions"][0]["answered"], group["responses"]);
    }

    // Texts page in text order.
    let page = "query($id: ID!, $after: String) { node(id: $id) { ... on Survey { results { \
                overall { questions { texts(first: 3, after: $after) { \
                  pageInfo { hasNextPage endCursor } nodes { text } } } } } } } }";
    let mut after = Value::Null;
    let mut read_texts = Vec::new();
    loop {
        let response = app
            .client_as(&secretariat)
            .query_with(page, json!({ "id": survey, "after": after }))
            .await;
        let texts = &response.data()["node"]["results"]["overall"]["questions"][3]["texts"];
        for node in texts["nodes"].as_array().expect("nodes") {
            read_texts.push(node["text"].as_str().unwrap_or_default().to_owned());
        }
        if texts["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = texts["pageInfo"]["endCursor"].clone();
    }
    let mut sorted = read_texts.clone();
    sorted.sort();
    assert_eq!(read_texts, sorted);
    assert_eq!(read_texts.len(), 7);

    // Below minTextGroup in all, no text is shown, figures are.
    let (small, q) = open_survey(&app, &secretariat, details, &standard_questions()).await;
    for member in a.iter().take(4) {
        respond(&app, member, &small, answers(&q, 3, Some("少人数の意見")))
            .await
            .data();
    }
    close(&app, &secretariat, &small).await;
    let read = results(&app, &secretariat, &small, json!([])).await;
    let overall = &read.data()["node"]["results"]["overall"];
    assert_eq!(overall["responses"], 4);
    assert_eq!(overall["textsWithheld"], true);
    assert!(overall["questions"][3]["texts"].is_null());
    assert_eq!(overall["questions"][0]["mean"], 3.0);
}

#[tokio::test]
async fn figures_count_each_point_and_option() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let (survey, q) = open_survey(
        &app,
        &secretariat,
        json!({ "minGroup": 3, "minTextGroup": 3 }),
        &standard_questions(),
    )
    .await;
    for point in [1, 4, 4, 5] {
        let member = app.create_member(&[Role::Alumnus]).await;
        respond(&app, &member, &survey, answers(&q, point, None))
            .await
            .data();
    }
    close(&app, &secretariat, &survey).await;
    let read = results(&app, &secretariat, &survey, json!([])).await;
    let questions = &read.data()["node"]["results"]["overall"]["questions"];
    assert_eq!(questions[0]["answered"], 4);
    assert_eq!(questions[0]["mean"], 3.5);
    assert_eq!(
        questions[0]["scale"],
        json!([
            { "point": 1, "count": 1 }, { "point": 2, "count": 0 }, { "point": 3, "count": 0 },
            { "point": 4, "count": 2 }, { "point": 5, "count": 1 },
        ])
    );
    // Single choice: point % 3 → 1, 1, 1, 2.
    let options: Vec<i64> = questions[1]["options"]
        .as_array()
        .expect("options")
        .iter()
        .map(|option| option["count"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(options, [0, 3, 1]);
    assert_eq!(questions[1]["options"][1]["label"], "記事");
    // Multiple choice: every respondent chose options 0 and 2.
    let options: Vec<i64> = questions[2]["options"]
        .as_array()
        .expect("options")
        .iter()
        .map(|option| option["count"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(options, [4, 0, 4]);
    assert_eq!(questions[3]["answered"], 0);
    assert_eq!(questions[3]["texts"]["totalCount"], 0);
}

#[tokio::test]
async fn results_are_read_by_staff_after_closing_and_by_the_audience_once_published() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let analyst = app.create_member(&[Role::Analyst]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let (survey, q) = open_survey(
        &app,
        &secretariat,
        json!({ "audience": "ALUMNI", "minGroup": 3, "minTextGroup": 3 }),
        &standard_questions(),
    )
    .await;
    for point in [2, 3, 4] {
        let member = app.create_member(&[Role::Alumnus]).await;
        respond(&app, &member, &survey, answers(&q, point, None))
            .await
            .data();
    }
    // While open nobody reads results, not even the secretariat.
    for staff in [&secretariat, &analyst] {
        assert_eq!(
            reason(&results(&app, staff, &survey, json!([])).await),
            "NOT_CLOSED"
        );
    }
    assert_eq!(
        reason(&results(&app, &alumnus, &survey, json!([])).await),
        "NOT_CLOSED"
    );
    close(&app, &secretariat, &survey).await;
    for staff in [&secretariat, &analyst] {
        let read = results(&app, staff, &survey, json!([])).await;
        assert_eq!(read.data()["node"]["results"]["responses"], 3);
    }
    // Not published: the audience no longer sees the survey at all.
    let hidden = results(&app, &alumnus, &survey, json!([])).await;
    assert!(hidden.data()["node"].is_null());

    let publish = "mutation($id: ID!, $published: Boolean!) { \
                   publishSurveyResults(id: $id, published: $published) { resultsPublished } }";
    app.client_as(&secretariat)
        .query_with(publish, json!({ "id": survey, "published": true }))
        .await
        .data();
    let read = results(&app, &alumnus, &survey, json!([])).await;
    assert_eq!(
        read.data()["node"]["results"]["overall"]["questions"][0]["mean"],
        3.0
    );
    let closed = app
        .client_as(&alumnus)
        .query("{ surveys(open: false) { nodes { state resultsPublished } } }")
        .await;
    assert_eq!(
        closed.data()["surveys"]["nodes"],
        json!([{ "state": "CLOSED", "resultsPublished": true }])
    );
    // Outside the audience, published or not, nothing.
    for role in [Role::Employee, Role::Moderator, Role::Management] {
        let member = app.create_member(&[role]).await;
        let read = results(&app, &member, &survey, json!([])).await;
        assert!(read.data()["node"].is_null(), "{role:?}");
    }
    app.client()
        .query_with(RESULTS, json!({ "id": survey, "by": [] }))
        .await
        .expect_error("UNAUTHENTICATED");
    // Taken back.
    app.client_as(&secretariat)
        .query_with(publish, json!({ "id": survey, "published": false }))
        .await
        .data();
    assert!(results(&app, &alumnus, &survey, json!([])).await.data()["node"].is_null());
}

#[tokio::test]
async fn the_secretariat_prepares_surveys_within_their_rules_and_each_step_is_audited() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let client = app.client_as(&secretariat);
    let create = "mutation($input: SurveyDetailsInput!) { createSurvey(input: $input) { id } }";
    let base = json!({ "title": "調査", "audience": "ALUMNI", "closesAt": "2026-05-01T00:00:00Z" });
    let with = |key: &str, value: Value| {
        let mut input = base.clone();
        input[key] = value;
        json!({ "input": input })
    };
    for (variables, expected) in [
        (
            with("closesAt", json!("2026-03-01T00:00:00Z")),
            "input.closesAt",
        ),
        (with("minGroup", json!(2)), "input.minGroup"),
        (with("minTextGroup", json!(2)), "input.minTextGroup"),
        (
            json!({ "input": { "title": "調査", "audience": "ALUMNI", "closesAt": "2026-05-01T00:00:00Z", "minGroup": 8, "minTextGroup": 6 } }),
            "input.minTextGroup",
        ),
        (with("title", json!("  ")), "input.title"),
    ] {
        assert_eq!(field(&client.query_with(create, variables).await), expected);
    }
    assert_eq!(rows(&app, "feedback.surveys").await, 0);

    let (survey, _) = draft(&app, &secretariat, json!({}), &[]).await;
    let open = "mutation($id: ID!, $at: DateTime) { openSurvey(id: $id, opensAt: $at) { state } }";
    assert_eq!(
        reason(&client.query_with(open, json!({ "id": survey })).await),
        "NO_QUESTIONS"
    );
    let add = "mutation($survey: ID!, $input: SurveyQuestionInput!) { \
               addSurveyQuestion(surveyId: $survey, input: $input) { id position } }";
    for (question, expected) in [
        (
            json!({ "kind": "SCALE", "prompt": "x", "options": ["a", "b"] }),
            "input.options",
        ),
        (
            json!({ "kind": "SINGLE_CHOICE", "prompt": "x", "options": ["a"] }),
            "input.options",
        ),
        (
            json!({ "kind": "MULTIPLE_CHOICE", "prompt": "x", "options": ["a", "a"] }),
            "input.options",
        ),
        (json!({ "kind": "FREE_TEXT", "prompt": "" }), "input.prompt"),
    ] {
        assert_eq!(
            field(
                &client
                    .query_with(add, json!({ "survey": survey, "input": question }))
                    .await
            ),
            expected
        );
    }
    let first = client
        .query_with(
            add,
            json!({ "survey": survey, "input": { "kind": "SCALE", "prompt": "一問目" } }),
        )
        .await;
    assert_eq!(first.data()["addSurveyQuestion"]["position"], 1);
    let question = first.data()["addSurveyQuestion"]["id"].clone();
    let update_question = "mutation($id: ID!) { updateSurveyQuestion(id: $id, input: \
                           { kind: SINGLE_CHOICE, prompt: \"改訂\", options: [\"はい\", \"いいえ\"], required: true }) \
                           { prompt options required position } }";
    let updated = client
        .query_with(update_question, json!({ "id": question }))
        .await;
    assert_eq!(
        updated.data()["updateSurveyQuestion"]["options"][1],
        "いいえ"
    );
    assert_eq!(
        field(
            &client
                .query_with(open, json!({ "id": survey, "at": "2026-06-01T00:00:00Z" }))
                .await
        ),
        "opensAt"
    );
    assert_eq!(
        field(
            &client
                .query_with(open, json!({ "id": survey, "at": "2026-03-01T00:00:00Z" }))
                .await
        ),
        "opensAt"
    );
    let publish = "mutation($id: ID!) { publishSurveyResults(id: $id) { id } }";
    let close = "mutation($id: ID!) { closeSurvey(id: $id) { id } }";
    assert_eq!(
        reason(&client.query_with(close, json!({ "id": survey })).await),
        "NOT_OPEN"
    );
    client
        .query_with(open, json!({ "id": survey }))
        .await
        .data();
    assert_eq!(
        reason(&client.query_with(open, json!({ "id": survey })).await),
        "NOT_DRAFT"
    );
    assert_eq!(
        reason(&client.query_with(publish, json!({ "id": survey })).await),
        "NOT_CLOSED"
    );
    let update = "mutation($id: ID!, $input: SurveyDetailsInput!) { updateSurvey(id: $id, input: $input) { title } }";
    assert_eq!(
        reason(
            &client
                .query_with(update, json!({ "id": survey, "input": base }))
                .await
        ),
        "ALREADY_OPENED"
    );
    let remove = "mutation($id: ID!) { removeSurveyQuestion(id: $id) { id } }";
    assert_eq!(
        reason(&client.query_with(remove, json!({ "id": question })).await),
        "NO_QUESTIONS"
    );

    // After the first response the questions stay as they are.
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    respond(
        &app,
        &alumnus,
        &survey,
        json!([{ "questionId": question, "choices": [0] }]),
    )
    .await
    .data();
    assert_eq!(
        reason(
            &client
                .query_with(
                    add,
                    json!({ "survey": survey, "input": { "kind": "SCALE", "prompt": "追加" } })
                )
                .await
        ),
        "HAS_RESPONSES"
    );
    assert_eq!(
        reason(
            &client
                .query_with(update_question, json!({ "id": question }))
                .await
        ),
        "HAS_RESPONSES"
    );
    client
        .query_with(close, json!({ "id": survey }))
        .await
        .data();
    client
        .query_with(publish, json!({ "id": survey }))
        .await
        .data();

    // A draft's details change; a scheduled survey's too.
    let (other, _) = draft(
        &app,
        &secretariat,
        json!({}),
        &[json!({ "kind": "SCALE", "prompt": "q" })],
    )
    .await;
    let renamed = client
        .query_with(
            update,
            json!({ "id": other, "input": with("title", json!("改題"))["input"] }),
        )
        .await;
    assert_eq!(renamed.data()["updateSurvey"]["title"], "改題");

    for (action, count) in [
        ("feedback.survey_created", 2),
        ("feedback.survey_updated", 1),
        ("feedback.survey_question_added", 2),
        ("feedback.survey_question_updated", 1),
        ("feedback.survey_opened", 1),
        ("feedback.survey_closed", 1),
        ("feedback.survey_results_published", 1),
    ] {
        assert_eq!(app.audit_count(action).await, count, "{action}");
    }
}

#[tokio::test]
async fn only_the_secretariat_manages_surveys() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let (survey, questions) = open_survey(
        &app,
        &secretariat,
        json!({}),
        &[json!({ "kind": "SCALE", "prompt": "満足度" })],
    )
    .await;
    let (draft_survey, draft_questions) = draft(
        &app,
        &secretariat,
        json!({}),
        &[json!({ "kind": "SCALE", "prompt": "満足度" })],
    )
    .await;
    let details = "{ title: \"x\", audience: ALUMNI, closesAt: \"2026-05-01T00:00:00Z\" }";
    let question = "{ kind: SCALE, prompt: \"x\" }";
    let operations = [
        format!("mutation {{ createSurvey(input: {details}) {{ id }} }}"),
        format!("mutation {{ updateSurvey(id: \"{draft_survey}\", input: {details}) {{ id }} }}"),
        format!(
            "mutation {{ addSurveyQuestion(surveyId: \"{draft_survey}\", input: {question}) {{ id }} }}"
        ),
        format!(
            "mutation {{ updateSurveyQuestion(id: \"{}\", input: {question}) {{ id }} }}",
            draft_questions[0]
        ),
        format!(
            "mutation {{ removeSurveyQuestion(id: \"{}\") {{ id }} }}",
            draft_questions[0]
        ),
        format!("mutation {{ openSurvey(id: \"{draft_survey}\") {{ id }} }}"),
        format!("mutation {{ closeSurvey(id: \"{survey}\") {{ id }} }}"),
        format!("mutation {{ publishSurveyResults(id: \"{survey}\") {{ id }} }}"),
    ];
    let mut members = Vec::new();
    for role in [
        Role::Alumnus,
        Role::Employee,
        Role::Analyst,
        Role::Moderator,
        Role::Management,
    ] {
        members.push(app.create_member(&[role]).await);
    }
    for operation in &operations {
        for member in &members {
            app.client_as(member)
                .query(operation)
                .await
                .expect_error("FORBIDDEN");
        }
        app.client()
            .query(operation)
            .await
            .expect_error("UNAUTHENTICATED");
    }
    assert_eq!(rows(&app, "feedback.surveys").await, 2);
    assert_eq!(rows(&app, "feedback.survey_questions").await, 2);
    let unchanged = app
        .client_as(&secretariat)
        .query_with(
            "query($id: ID!) { node(id: $id) { ... on Survey { state questions { id } } } }",
            json!({ "id": survey }),
        )
        .await;
    assert_eq!(unchanged.data()["node"]["state"], "OPEN");
    assert_eq!(unchanged.data()["node"]["questions"][0]["id"], questions[0]);
}

#[tokio::test]
async fn a_page_of_surveys_with_questions_costs_the_same_whatever_its_size() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let staff = alumni_core::domain::demo_viewer(
        secretariat.id,
        alumni_core::RoleSet::default().with(Role::Secretariat),
    );
    let member = alumni_core::domain::demo_viewer(
        alumnus.id,
        alumni_core::RoleSet::default().with(Role::Alumnus),
    );
    let service = &app.services.feedback;
    let now = app.clock.now();
    for index in 0..100 {
        let survey = service
            .create_survey(
                &staff,
                alumni_feedback::service::SurveyInput {
                    title: format!("調査 {index}"),
                    description: String::new(),
                    audience: alumni_feedback::model::SurveyAudience::Everyone,
                    closes_at: now + Duration::days(7),
                    min_group: 5,
                    min_text_group: 10,
                },
            )
            .await
            .expect("survey");
        for kind in [
            alumni_feedback::model::SurveyQuestionKind::Scale,
            alumni_feedback::model::SurveyQuestionKind::FreeText,
        ] {
            service
                .add_survey_question(
                    &staff,
                    survey.id,
                    alumni_feedback::service::QuestionInput {
                        kind,
                        prompt: "質問".to_owned(),
                        required: false,
                        options: Vec::new(),
                    },
                )
                .await
                .expect("question");
        }
        service
            .open_survey(&staff, survey.id, None)
            .await
            .expect("open");
        if index % 2 == 0 {
            service
                .respond_to_survey(&member, survey.id, Vec::new())
                .await
                .expect("respond");
        }
    }
    let page = "query($first: Int!) { surveys(open: true, first: $first) { nodes { \
                id title state responded questions { id kind prompt options } } } }";
    let client = app.client_as(&alumnus);
    let mut counts = Vec::new();
    for first in [10, 100] {
        let (response, statements) = app
            .count_statements(client.query_with(page, json!({ "first": first })))
            .await;
        let nodes = response.data()["surveys"]["nodes"]
            .as_array()
            .expect("nodes")
            .clone();
        assert_eq!(nodes.len(), first);
        assert!(nodes.iter().any(|node| node["responded"] == true));
        assert!(nodes.iter().any(|node| node["responded"] == false));
        assert_eq!(nodes[0]["questions"].as_array().map(Vec::len), Some(2));
        counts.push(statements);
    }
    assert_eq!(counts[0], counts[1], "{counts:?}");
}

#[tokio::test]
async fn the_export_lists_surveys_answered_and_withdrawal_forgets_them_but_not_the_answers() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let (survey, questions) = open_survey(
        &app,
        &secretariat,
        json!({ "title": "退職者エンゲージメント調査 2026" }),
        &standard_questions(),
    )
    .await;
    respond(
        &app,
        &alumnus,
        &survey,
        answers(&questions, 4, Some("書いた意見")),
    )
    .await
    .data();
    let export = app
        .client_as(&alumnus)
        .query("mutation { exportMyData }")
        .await;
    let feedback = &export.data()["exportMyData"]["feedback"];
    let answered = feedback["surveysAnswered"].as_array().expect("surveys");
    assert_eq!(answered.len(), 1);
    assert_eq!(answered[0]["title"], "退職者エンゲージメント調査 2026");
    // Which surveys, never what was answered.
    assert!(!feedback.to_string().contains("書いた意見"));

    app.client_as(&alumnus)
        .query("mutation { withdrawMembership(confirm: true) }")
        .await
        .data();
    assert_eq!(rows(&app, "feedback.survey_participation").await, 0);
    assert_eq!(rows(&app, "feedback.survey_responses").await, 1);
    assert_eq!(rows(&app, "feedback.survey_answers").await, 4);
}
