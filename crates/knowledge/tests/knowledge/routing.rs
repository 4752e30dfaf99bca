//! Routing: who is and is not asked, limits, escalation after the delay,
//! nobody asked twice, and requests spread over the experts.

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
use chrono::Duration;
use serde_json::json;

use super::support::{answer, ask, member_with_skills, question_list, rows, set_availability};

/// Members asked about a question, in the database.
async fn asked(app: &TestApp, question: &str, members: &[&TestMember]) -> Vec<bool> {
    let mut found = Vec::new();
    for member in members {
        let count = rows(
            app,
            &format!(
                "knowledge.question_routes r WHERE r.member_id = '{}' AND r.question_id = \
                 (SELECT id FROM knowledge.questions WHERE title = '{question}')",
                member.id.0
            ),
        )
        .await;
        found.push(count == 1);
    }
    found
}

#[tokio::test]
async fn a_question_reaches_willing_members_whose_visible_skills_match() {
    let app = TestApp::spawn().await;
    let asker = member_with_skills(&app, &[Role::Alumnus], &["Kubernetes"]).await;
    set_availability(&app, &asker, "Kubernetes", "OPEN", None).await;
    let open = member_with_skills(&app, &[Role::Alumnus], &["Kubernetes"]).await;
    set_availability(&app, &open, "Kubernetes", "OPEN", None).await;
    let employee = member_with_skills(&app, &[Role::Employee], &["kubernetes", "Go"]).await;
    set_availability(&app, &employee, "Kubernetes", "LIMITED", Some(1)).await;
    let closed = member_with_skills(&app, &[Role::Alumnus], &["Kubernetes"]).await;
    set_availability(&app, &closed, "Kubernetes", "CLOSED", None).await;
    let silent = member_with_skills(&app, &[Role::Alumnus], &["Kubernetes"]).await;
    let hidden = member_with_skills(&app, &[Role::Alumnus], &["Kubernetes"]).await;
    set_availability(&app, &hidden, "Kubernetes", "OPEN", None).await;
    app.client_as(&hidden)
        .query("mutation { updateMyProfile(input: { skillsVisibility: PRIVATE }) { id } }")
        .await
        .data();
    let other_skill = member_with_skills(&app, &[Role::Alumnus], &["Go"]).await;
    set_availability(&app, &other_skill, "Go", "OPEN", None).await;

    ask(
        &app,
        &asker,
        "Pod のスケジューリングが偏る",
        &["Kubernetes"],
    )
    .await;
    app.jobs.drain().await.unwrap();
    assert_eq!(
        asked(
            &app,
            "Pod のスケジューリングが偏る",
            &[
                &open,
                &employee,
                &asker,
                &closed,
                &silent,
                &hidden,
                &other_skill
            ]
        )
        .await,
        [true, true, false, false, false, false, false],
        "open and limited members with the visible skill; never the asker, the closed, the silent, hidden skills or other skills"
    );
    assert_eq!(
        rows(
            &app,
            "notify.notifications WHERE kind = 'knowledge.question_routed'"
        )
        .await,
        2
    );

    // The employee's one open request is taken: a second question skips them.
    ask(
        &app,
        &asker,
        "Ingress の証明書更新が失敗する",
        &["Kubernetes"],
    )
    .await;
    app.jobs.drain().await.unwrap();
    assert_eq!(
        asked(&app, "Ingress の証明書更新が失敗する", &[&open, &employee]).await,
        [true, false],
        "a limited member at their maximum is not asked"
    );
    // Answering frees the request.
    let first = question_list(&app, &asker, ", list: UNANSWERED")
        .await
        .pop()
        .unwrap();
    answer(
        &app,
        &employee,
        &first,
        "ノードの taint を確認してください。",
    )
    .await;
    ask(&app, &asker, "HPA が反応しない", &["Kubernetes"]).await;
    app.jobs.drain().await.unwrap();
    assert_eq!(asked(&app, "HPA が反応しない", &[&employee]).await, [true]);

    let refused = app
        .client_as(&silent)
        .query("mutation { setSkillAvailability(input: { tag: \"COBOL\", availability: OPEN }) { availability } }")
        .await;
    assert_eq!(
        refused.error_code(),
        Some("BAD_USER_INPUT"),
        "only a skill of one's profile"
    );
    let invalid = app
        .client_as(&silent)
        .query("mutation { setSkillAvailability(input: { tag: \"Kubernetes\", availability: LIMITED }) { availability } }")
        .await;
    assert_eq!(
        invalid.error_code(),
        Some("BAD_USER_INPUT"),
        "LIMITED needs a maximum"
    );
    let mine = app
        .client_as(&employee)
        .query("{ mySkillAvailability { openRequests skills { tag { name } availability maxOpenRequests } } }")
        .await;
    assert_eq!(
        mine.data()["mySkillAvailability"],
        json!({ "openRequests": 1, "skills": [{ "tag": { "name": "Kubernetes" }, "availability": "LIMITED", "maxOpenRequests": 1 }] })
    );
}

#[tokio::test]
async fn unanswered_questions_are_routed_again_more_widely_then_handed_to_the_secretariat() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    app.client_as(&secretariat)
        .query("mutation { updateRoutingSettings(input: { firstRound: 2, secondRound: 3, escalateAfterHours: 48 }) { firstRound } }")
        .await
        .data();
    let asker = app.create_member(&[Role::Alumnus]).await;
    let mut experts = Vec::new();
    for _ in 0..7 {
        let expert = member_with_skills(&app, &[Role::Alumnus], &["COBOL"]).await;
        set_availability(&app, &expert, "COBOL", "OPEN", None).await;
        experts.push(expert);
    }
    let question = ask(&app, &asker, "COBOL の COMP-3 を Java で読む", &["COBOL"]).await;
    let answered = ask(&app, &asker, "JCL の置き換え先は", &["COBOL"]).await;
    app.jobs.drain().await.unwrap();
    assert_eq!(
        rows(&app, "knowledge.question_routes WHERE round = 1").await,
        4,
        "two per question"
    );

    answer(
        &app,
        &experts[0],
        &answered,
        "シェルスクリプトとジョブ管理ツールです。",
    )
    .await;
    app.clock.advance(Duration::hours(47));
    app.jobs.drain().await.unwrap();
    assert_eq!(
        rows(&app, "knowledge.question_routes WHERE round = 2").await,
        0,
        "not before the delay"
    );

    app.clock.advance(Duration::hours(2));
    app.jobs.drain().await.unwrap();
    let mut everyone: Vec<&TestMember> = experts.iter().collect();
    everyone.push(&asker);
    let routed = asked(&app, "COBOL の COMP-3 を Java で読む", &everyone).await;
    assert_eq!(
        routed.iter().filter(|asked| **asked).count(),
        5,
        "two, then three more"
    );
    assert_eq!(
        rows(&app, "knowledge.question_routes r JOIN knowledge.questions q ON q.id = r.question_id WHERE q.title = 'JCL の置き換え先は'").await,
        2,
        "an answered question is not routed again"
    );
    let routing = app
        .client_as(&asker)
        .query_with(
            "query($id: ID!) { question(id: $id) { routing { roundsDone membersAsked handedToSecretariatAt } } }",
            json!({ "id": question }),
        )
        .await;
    assert_eq!(
        routing.data()["question"]["routing"],
        json!({ "roundsDone": 2, "membersAsked": 5, "handedToSecretariatAt": null })
    );
    let hidden_routing = app
        .client_as(&experts[1])
        .query_with(
            "query($id: ID!) { question(id: $id) { routing { membersAsked } } }",
            json!({ "id": question }),
        )
        .await;
    assert!(
        hidden_routing.data()["question"]["routing"].is_null(),
        "only the asker and the secretariat see routing"
    );

    assert!(
        question_list(&app, &secretariat, ", list: HANDED_TO_SECRETARIAT")
            .await
            .is_empty()
    );
    app.clock.advance(Duration::hours(49));
    app.jobs.drain().await.unwrap();
    assert_eq!(
        question_list(&app, &secretariat, ", list: HANDED_TO_SECRETARIAT").await,
        vec![question.clone()]
    );
    assert_eq!(
        rows(
            &app,
            "notify.notifications WHERE kind = 'knowledge.question_escalated'"
        )
        .await,
        1,
        "the secretariat is told once"
    );
    app.clock.advance(Duration::hours(100));
    app.jobs.drain().await.unwrap();
    assert_eq!(
        rows(&app, "knowledge.question_routes").await,
        7,
        "nobody is asked twice and routing stops"
    );
    assert_eq!(
        rows(
            &app,
            "notify.notifications WHERE kind = 'knowledge.question_escalated'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn requests_are_spread_so_the_same_experts_are_not_asked_every_time() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    app.client_as(&secretariat)
        .query("mutation { updateRoutingSettings(input: { firstRound: 1 }) { firstRound } }")
        .await
        .data();
    let asker = app.create_member(&[Role::Employee]).await;
    let mut experts = Vec::new();
    for _ in 0..3 {
        let expert = member_with_skills(&app, &[Role::Alumnus], &["AWS"]).await;
        set_availability(&app, &expert, "AWS", "OPEN", None).await;
        experts.push(expert);
    }
    let both = member_with_skills(&app, &[Role::Alumnus], &["AWS", "Terraform"]).await;
    set_availability(&app, &both, "AWS", "OPEN", None).await;
    set_availability(&app, &both, "Terraform", "OPEN", None).await;

    ask(
        &app,
        &asker,
        "Terraform で AWS の VPC を分割する",
        &["AWS", "Terraform"],
    )
    .await;
    app.jobs.drain().await.unwrap();
    assert_eq!(
        asked(&app, "Terraform で AWS の VPC を分割する", &[&both]).await,
        [true],
        "the closest match first"
    );

    for n in 0..3 {
        ask(&app, &asker, &format!("AWS のコスト削減 その{n}"), &["AWS"]).await;
        app.jobs.drain().await.unwrap();
    }
    for expert in &experts {
        assert_eq!(
            rows(
                &app,
                &format!(
                    "knowledge.question_routes WHERE member_id = '{}'",
                    expert.id.0
                )
            )
            .await,
            1,
            "each of the three equally skilled experts was asked once"
        );
    }
}

#[tokio::test]
async fn a_held_question_is_routed_once_a_moderator_releases_it() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let moderator = app.create_member(&[Role::Employee, Role::Moderator]).await;
    super::support::rule(&app, &secretariat, "要確認ワード", "HOLD").await;
    let asker = app.create_member(&[Role::Alumnus]).await;
    let expert = member_with_skills(&app, &[Role::Alumnus], &["Go"]).await;
    set_availability(&app, &expert, "Go", "OPEN", None).await;
    super::support::ask_question(
        &app,
        &asker,
        "要確認ワードを含む Go の質問",
        "本文",
        &["Go"],
    )
    .await
    .data();
    app.jobs.drain().await.unwrap();
    assert_eq!(
        rows(&app, "knowledge.question_routes").await,
        0,
        "nobody is asked about held text"
    );

    let queue = app
        .client_as(&moderator)
        .query("{ moderationQueue(first: 10) { nodes { id subject { __typename } } } }")
        .await;
    let case = queue.data()["moderationQueue"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        queue.data()["moderationQueue"]["nodes"][0]["subject"]["__typename"],
        "Question"
    );
    app.client_as(&moderator)
        .query_with(
            "mutation($id: ID!) { resolveModerationCase(id: $id, resolution: RELEASED) { id } }",
            json!({ "id": case }),
        )
        .await
        .data();
    app.clock.advance(Duration::hours(1));
    app.jobs.drain().await.unwrap();
    assert_eq!(
        asked(&app, "要確認ワードを含む Go の質問", &[&expert]).await,
        [true]
    );
}
