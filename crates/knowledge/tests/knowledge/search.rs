//! One search over everything written here: two-character words, mixed
//! text, aliases, what the viewer may see; similar questions.

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
use serde_json::json;

use super::support::{answer, ask, ask_question, execute, report, rule};

async fn search(app: &TestApp, viewer: &TestMember, query: &str) -> Vec<(String, String)> {
    let response = app
        .client_as(viewer)
        .query_with(
            "query($q: String!) { searchKnowledge(query: $q, first: 50) { totalCount nodes { kind item { ... on Question { title } ... on Answer { body } } } } }",
            json!({ "q": query }),
        )
        .await;
    let found = &response.data()["searchKnowledge"];
    let nodes = found["nodes"].as_array().unwrap();
    assert_eq!(
        found["totalCount"],
        nodes.len(),
        "the count matches the hits"
    );
    nodes
        .iter()
        .map(|node| {
            let text = node["item"]["title"]
                .as_str()
                .or(node["item"]["body"].as_str())
                .unwrap_or("");
            (node["kind"].as_str().unwrap().to_owned(), text.to_owned())
        })
        .collect()
}

fn titles(found: &[(String, String)]) -> Vec<&str> {
    found.iter().map(|(_, text)| text.as_str()).collect()
}

#[tokio::test]
async fn two_character_words_mixed_text_and_aliases_find_what_they_mean() {
    let app = TestApp::spawn().await;
    let asker = app.create_member(&[Role::Alumnus]).await;
    let answerer = app.create_member(&[Role::Employee]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    let k8s = ask(
        &app,
        &asker,
        "Kubernetes の運用で困っていること",
        &["Kubernetes"],
    )
    .await;
    ask(&app, &asker, "要件定義の進め方", &["要件定義"]).await;
    ask(&app, &asker, "クラウド移行の運用設計", &["AWS"]).await;
    answer(
        &app,
        &answerer,
        &k8s,
        "監視は Prometheus で運用しています。",
    )
    .await;

    assert_eq!(
        titles(&search(&app, &reader, "運用").await),
        [
            "クラウド移行の運用設計",
            "Kubernetes の運用で困っていること",
            "監視は Prometheus で運用しています。"
        ],
        "a two-character word; titles first, then newest"
    );
    assert_eq!(
        titles(&search(&app, &reader, "要件").await),
        ["要件定義の進め方"]
    );
    assert_eq!(
        titles(&search(&app, &reader, "Kubernetes運用").await),
        [
            "Kubernetes の運用で困っていること",
            "監視は Prometheus で運用しています。"
        ],
        "mixed text is read as two words (the answer sits under a question tagged Kubernetes)"
    );
    assert_eq!(
        search(&app, &reader, "ｋｕｂｅｒｎｅｔｅｓ").await.len(),
        2,
        "full-width letters normalise (the question, and the answer under its tag)"
    );

    execute(
        &app,
        "INSERT INTO membership.tag_aliases (slug, tag_id, name, created_at) \
         SELECT s, id, n, now() FROM membership.tags, (VALUES ('k8s', 'k8s'), ('くばねてぃす', 'クバネティス')) AS a(s, n) \
         WHERE slug = 'kubernetes'",
    )
    .await;
    for alias in ["k8s", "K8S", "クバネティス"] {
        let found = search(&app, &reader, alias).await;
        assert_eq!(
            found,
            [
                (
                    "QUESTION".to_owned(),
                    "Kubernetes の運用で困っていること".to_owned()
                ),
                (
                    "ANSWER".to_owned(),
                    "監視は Prometheus で運用しています。".to_owned()
                ),
            ],
            "{alias} finds what carries or spells the tag"
        );
    }
    let only_answers = app
        .client_as(&reader)
        .query("{ searchKnowledge(query: \"運用\", kinds: [ANSWER]) { nodes { kind } } }")
        .await;
    assert_eq!(
        only_answers.data()["searchKnowledge"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    for (query, code) in [("", "BAD_USER_INPUT"), ("a b c d e f", "BAD_USER_INPUT")] {
        app.client_as(&reader)
            .query_with(
                "query($q: String!) { searchKnowledge(query: $q) { totalCount } }",
                json!({ "q": query }),
            )
            .await
            .expect_error(code);
    }
    app.client()
        .query("{ searchKnowledge(query: \"運用\") { totalCount } }")
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn search_finds_only_what_the_viewer_may_read() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let asker = app.create_member(&[Role::Alumnus]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    rule(&app, &secretariat, "要確認ワード", "HOLD").await;
    let held = ask_question(&app, &asker, "要確認ワードと障害対応", "本文", &["運用"]).await;
    assert_eq!(held.data()["askQuestion"]["moderation"], "HELD");
    let hidden = ask(&app, &asker, "障害対応の振り返り方", &["運用"]).await;
    answer(&app, &reader, &hidden, "障害対応はタイムラインから。").await;
    app.client_as(&secretariat)
        .query("mutation { setReportThreshold(threshold: 1) }")
        .await
        .data();
    report(&app, &reader, &hidden).await;
    assert!(
        search(&app, &reader, "障害").await.is_empty(),
        "held and hidden questions, and answers under them, are not found"
    );
    let visible = ask(&app, &asker, "障害対応の連絡網", &["運用"]).await;
    assert_eq!(
        titles(&search(&app, &reader, "障害").await),
        ["障害対応の連絡網"]
    );
    let _ = visible;
}

#[tokio::test]
async fn similar_questions_show_up_while_asking() {
    let app = TestApp::spawn().await;
    let asker = app.create_member(&[Role::Alumnus]).await;
    let other = app.create_member(&[Role::Employee]).await;
    ask(
        &app,
        &asker,
        "COBOL から Java への移行で文字コードが化ける",
        &["COBOL"],
    )
    .await;
    ask(&app, &asker, "Java の GC チューニング", &["Java"]).await;
    ask(&app, &asker, "要件定義の進め方", &["要件定義"]).await;
    let similar = app
        .client_as(&other)
        .query("{ similarQuestions(title: \"COBOLからJavaに移行したら文字化けする\") { title } }")
        .await;
    let titles: Vec<&str> = similar.data()["similarQuestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|question| question["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles.first(),
        Some(&"COBOL から Java への移行で文字コードが化ける")
    );
    assert!(!titles.contains(&"要件定義の進め方"));
    let none = app
        .client_as(&other)
        .query("{ similarQuestions(title: \"のがする\") { title } }")
        .await;
    assert!(
        none.data()["similarQuestions"]
            .as_array()
            .unwrap()
            .is_empty(),
        "only particles say nothing"
    );
}
