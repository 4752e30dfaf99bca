//! "Who knows X": ranked by the evidence the viewer may see, with
//! availability; directory opt-out and skill visibility respected.

use alumni_core::Role;
use alumni_test_support::TestApp;
use serde_json::json;

use super::support::{answer, ask, execute, member_with_skills, set_availability};

const EXPERTS: &str = "query($tag: String!) { experts(tag: $tag) { totalCount nodes {
    member { id } score declaredSkill acceptedAnswers helpfulAnswers articles availability acceptingQuestions
} } }";

#[tokio::test]
async fn experts_are_ranked_by_visible_evidence() {
    let app = TestApp::spawn().await;
    let asker = app.create_member(&[Role::Alumnus]).await;
    let viewer = app.create_member(&[Role::Employee]).await;
    let declared = member_with_skills(&app, &[Role::Alumnus], &["COBOL"]).await;
    set_availability(&app, &declared, "COBOL", "LIMITED", Some(2)).await;
    let answerer = app.create_member(&[Role::Alumnus]).await;
    let writer = app.create_member(&[Role::Alumnus]).await;
    let private = member_with_skills(&app, &[Role::Alumnus], &["COBOL"]).await;
    set_availability(&app, &private, "COBOL", "OPEN", None).await;
    app.client_as(&private)
        .query("mutation { updateMyProfile(input: { skillsVisibility: PRIVATE }) { id } }")
        .await
        .data();
    let unlisted = member_with_skills(&app, &[Role::Alumnus], &["COBOL"]).await;
    app.client_as(&unlisted)
        .query("mutation { updateMyProfile(input: { listedInDirectory: false }) { id } }")
        .await
        .data();

    let question = ask(&app, &asker, "COBOL の帳票を移行したい", &["cobol"]).await;
    let accepted = answer(&app, &answerer, &question, "帳票定義を先に棚卸しします。").await;
    answer(&app, &declared, &question, "PDF 化のツールを使いました。").await;
    answer(&app, &unlisted, &question, "私もやりました。").await;
    app.client_as(&asker)
        .query_with(
            "mutation($a: ID!) { acceptAnswer(answerId: $a) { id } }",
            json!({ "a": accepted }),
        )
        .await
        .data();
    execute(&app, "UPDATE knowledge.answers SET helpful_count = 3 WHERE body = 'PDF 化のツールを使いました。'").await;
    execute(&app, &format!(
        "INSERT INTO knowledge.articles (id, author_id, title, body, body_html, audience, state, created_at, updated_at, published_at) VALUES \
         ('01900000-0000-7000-8000-000000000001', '{w}', 'COBOL 資産の棚卸し', '本文', '<p>本文</p>', 'EVERYONE', 'PUBLISHED', now(), now(), now()), \
         ('01900000-0000-7000-8000-000000000002', '{w}', '卒業生向け COBOL 講座', '本文', '<p>本文</p>', 'ALUMNI', 'PUBLISHED', now(), now(), now())",
        w = writer.id.0
    )).await;
    execute(&app,
        "INSERT INTO knowledge.article_tags (article_id, tag_id) SELECT a, t.id FROM membership.tags t, \
         (VALUES ('01900000-0000-7000-8000-000000000001'::uuid), ('01900000-0000-7000-8000-000000000002'::uuid)) AS x(a) WHERE t.slug = 'cobol'"
    ).await;

    let response = app
        .client_as(&viewer)
        .query_with(EXPERTS, json!({ "tag": "COBOL" }))
        .await;
    let list = &response.data()["experts"];
    let ids: Vec<String> = list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["member"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids,
        [
            declared.global_id(),
            answerer.global_id(),
            writer.global_id()
        ],
        "skill 3 + helpful 2 = 5; accepted 4; one article the employee may read 2; hidden skills and unlisted members are not there"
    );
    assert_eq!(list["totalCount"], 3);
    assert_eq!(
        list["nodes"][0],
        json!({
            "member": { "id": declared.global_id() }, "score": 5, "declaredSkill": true,
            "acceptedAnswers": 0, "helpfulAnswers": 1, "articles": 0,
            "availability": "LIMITED", "acceptingQuestions": true,
        })
    );
    assert_eq!(list["nodes"][1]["acceptedAnswers"], 1);
    assert!(list["nodes"][1]["availability"].is_null(), "said nothing");

    let alumni_view = app
        .client_as(&asker)
        .query_with(EXPERTS, json!({ "tag": "cobol" }))
        .await;
    let writer_entry = alumni_view.data()["experts"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|node| node["member"]["id"] == writer.global_id())
        .cloned()
        .unwrap();
    assert_eq!(
        writer_entry["articles"], 2,
        "an alumnus also reads the alumni-only article"
    );

    let own = app
        .client_as(&private)
        .query_with(EXPERTS, json!({ "tag": "COBOL" }))
        .await;
    assert!(
        own.data()["experts"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|node| node["member"]["id"] == private.global_id()),
        "members see their own hidden skill"
    );
    let unknown = app
        .client_as(&viewer)
        .query_with(EXPERTS, json!({ "tag": "存在しない" }))
        .await;
    assert_eq!(unknown.data()["experts"]["totalCount"], 0);
    app.client()
        .query_with(EXPERTS, json!({ "tag": "COBOL" }))
        .await
        .expect_error("UNAUTHENTICATED");
}
