//! The weekly digest's knowledge section: answers to the member's
//! questions, unanswered questions on their skills, articles in tags they
//! follow.

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
use serde_json::json;

use super::support::{answer, ask, execute};

async fn accept(app: &TestApp, member: &TestMember, purposes: &[&str]) {
    app.client_as(member)
        .query_with(
            "mutation($purposes: [ConsentPurpose!]!) { acceptTerms(version: \"2026-04\", purposes: $purposes) { purposes } }",
            json!({ "purposes": purposes }),
        )
        .await
        .data();
}

#[tokio::test]
async fn the_digest_tells_a_member_what_in_the_community_concerns_them() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    app.client_as(&secretariat)
        .query("mutation { publishTerms(input: { version: \"2026-04\", title: \"利用規約\", body: \"# 利用規約\" }) { id } }")
        .await
        .data();
    accept(&app, &secretariat, &["MEMBERSHIP"]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    accept(&app, &reader, &["MEMBERSHIP", "NEWSLETTER"]).await;
    app.client_as(&reader)
        .query("mutation { updateMyProfile(input: { skills: [\"Rust\"] }) { id } }")
        .await
        .data();
    let other = app.create_member(&[Role::Employee]).await;
    accept(&app, &other, &["MEMBERSHIP"]).await;
    app.client_as(&reader)
        .query("mutation { followTag(tag: \"Terraform\") { name } }")
        .await
        .expect_error("NOT_FOUND");
    app.clock.advance(chrono::Duration::hours(1));
    app.client_as(&reader)
        .query("{ myFollowedTags { name } }")
        .await
        .data();
    // What follows is news since that visit.
    app.clock.advance(chrono::Duration::minutes(10));

    let mine = ask(&app, &reader, "Rust の非同期ランタイムの選び方", &["Rust"]).await;
    answer(&app, &other, &mine, "tokio が無難です。").await;
    ask(&app, &other, "Rust で組み込み開発はできますか", &["Rust"]).await;
    ask(&app, &other, "Go のジェネリクスについて", &["Go"]).await;
    execute(
        &app,
        &format!(
            "INSERT INTO knowledge.articles (id, author_id, title, body, body_html, audience, state, created_at, updated_at, published_at) VALUES \
             ('01900000-0000-7000-8000-000000000011', '{o}', 'Terraform 入門', '本文', '<p>本文</p>', 'EVERYONE', 'PUBLISHED', '2026-04-02T00:00:00Z', '2026-04-02T00:00:00Z', '2026-04-02T00:00:00Z'), \
             ('01900000-0000-7000-8000-000000000012', '{o}', '社員向け Terraform 規約', '本文', '<p>本文</p>', 'EMPLOYEES', 'PUBLISHED', '2026-04-02T00:00:00Z', '2026-04-02T00:00:00Z', '2026-04-02T00:00:00Z')",
            o = other.id.0
        ),
    )
    .await;
    execute(
        &app,
        "INSERT INTO membership.tags (id, slug, name, created_at) VALUES ('01900000-0000-7000-8000-0000000000aa', 'terraform', 'Terraform', now())",
    )
    .await;
    execute(
        &app,
        "INSERT INTO knowledge.article_tags (article_id, tag_id) VALUES \
         ('01900000-0000-7000-8000-000000000011', '01900000-0000-7000-8000-0000000000aa'), \
         ('01900000-0000-7000-8000-000000000012', '01900000-0000-7000-8000-0000000000aa')",
    )
    .await;
    let followed = app
        .client_as(&reader)
        .query("mutation { followTag(tag: \"terraform\") { name } }")
        .await;
    assert_eq!(
        followed.data()["followTag"],
        json!([{ "name": "Terraform" }])
    );

    app.clock.set("2026-04-06T00:00:00Z".parse().unwrap());
    app.jobs.schedule_recurring().await.unwrap();
    app.jobs.drain().await.unwrap();
    let mail = app.written_mail();
    let text = mail
        .iter()
        .map(|message| message.parsed().body_text(0).unwrap().to_string())
        .find(|text| text.contains("技術コミュニティ"))
        .expect("a digest with the section");
    assert!(
        text.contains("Rust の非同期ランタイムの選び方"),
        "an answer to their question: {text}"
    );
    assert!(
        text.contains("Rust で組み込み開発はできますか"),
        "unanswered on their skill: {text}"
    );
    assert!(
        !text.contains("Go のジェネリクス"),
        "not their skill: {text}"
    );
    assert!(text.contains("Terraform 入門"), "a followed tag: {text}");
    assert!(
        !text.contains("社員向け Terraform 規約"),
        "outside their audience: {text}"
    );
}
