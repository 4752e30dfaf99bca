//! Draft → scheduled → published → archived, unpublishing, revisions, and
//! the leak guard on posts.

use alumni_core::{Clock as _, Role};
use alumni_test_support::TestApp;
use chrono::Duration;
use serde_json::json;

use super::support::{create, feed, rows, transition};

const SCHEDULE: &str =
    "mutation($id: ID!, $at: DateTime!) { schedulePost(id: $id, at: $at) { state scheduledAt } }";

#[tokio::test]
async fn a_rescheduled_or_unpublished_post_never_goes_out_at_its_old_time() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&secretariat);
    let created = create(
        &app,
        &secretariat,
        "年末のご挨拶",
        "本文",
        json!({ "audience": "EVERYONE" }),
    )
    .await;
    let id = created.data()["createPost"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created.data()["createPost"]["state"], "DRAFT");
    let soon = app.clock.now() + Duration::hours(1);
    let later = app.clock.now() + Duration::hours(3);

    let scheduled = client
        .query_with(SCHEDULE, json!({ "id": id, "at": soon.to_rfc3339() }))
        .await;
    assert_eq!(scheduled.data()["schedulePost"]["state"], "SCHEDULED");
    client
        .query_with(SCHEDULE, json!({ "id": id, "at": later.to_rfc3339() }))
        .await
        .data();
    app.clock.advance(Duration::hours(2));
    app.jobs.drain().await.unwrap();
    assert!(
        feed(&app, &reader, json!(null)).await.is_empty(),
        "not at the old time"
    );

    app.clock.advance(Duration::hours(2));
    app.jobs.drain().await.unwrap();
    assert_eq!(
        feed(&app, &reader, json!(null)).await,
        std::slice::from_ref(&id),
        "at the new time"
    );

    transition(&app, &secretariat, "unpublishPost", &id)
        .await
        .data();
    assert!(feed(&app, &reader, json!(null)).await.is_empty());
    let again = app.clock.now() + Duration::hours(1);
    client
        .query_with(SCHEDULE, json!({ "id": id, "at": again.to_rfc3339() }))
        .await
        .data();
    transition(&app, &secretariat, "unpublishPost", &id)
        .await
        .data();
    app.clock.advance(Duration::hours(2));
    app.jobs.drain().await.unwrap();
    assert!(
        feed(&app, &reader, json!(null)).await.is_empty(),
        "unpublished before its time"
    );

    client
        .query_with(
            SCHEDULE,
            json!({ "id": id, "at": (app.clock.now() - Duration::hours(1)).to_rfc3339() }),
        )
        .await
        .expect_error("BAD_USER_INPUT");
    transition(&app, &secretariat, "publishPost", &id)
        .await
        .data();
    let archived = transition(&app, &secretariat, "archivePost", &id).await;
    assert_eq!(archived.data()["archivePost"]["state"], "ARCHIVED");
    assert!(feed(&app, &reader, json!(null)).await.is_empty());
    let refused = transition(&app, &secretariat, "archivePost", &id).await;
    assert_eq!(
        refused.expect_error("CONFLICT")["extensions"]["reason"],
        "INVALID_TRANSITION"
    );
}

#[tokio::test]
async fn edits_of_published_posts_keep_revisions_for_the_secretariat() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    let id = super::support::published(
        &app,
        &secretariat,
        "初稿",
        json!({ "audience": "EVERYONE" }),
    )
    .await;
    app.client_as(&secretariat)
        .query_with(
            "mutation($id: ID!, $input: PostContentInput!) { updatePost(id: $id, input: $input) { title } }",
            json!({ "id": id, "input": { "title": "改稿", "body": "新しい本文", "audience": { "audience": "EVERYONE" } } }),
        )
        .await
        .data();
    const REVISIONS: &str = "query($id: ID!) { post(id: $id) { title revisions { title body } } }";
    let seen = app
        .client_as(&secretariat)
        .query_with(REVISIONS, json!({ "id": id }))
        .await;
    assert_eq!(seen.data()["post"]["title"], "改稿");
    assert_eq!(seen.data()["post"]["revisions"][0]["title"], "初稿");
    app.client_as(&reader)
        .query_with(REVISIONS, json!({ "id": id }))
        .await
        .expect_error("FORBIDDEN");
}

#[tokio::test]
async fn posts_and_comments_pass_the_leak_guard_for_their_audience() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let alumnus = app.create_member(&[Role::Alumnus]).await;
    let employee = app.create_member(&[Role::Employee]).await;
    let rule = |terms: &str, action: &str, scope: &str| {
        json!({ "input": {
            "name": terms, "category": "CONFIDENTIAL", "kind": "TERM", "terms": [terms],
            "action": action, "scope": scope, "explanation": "社外秘です",
        } })
    };
    const RULE: &str =
        "mutation($input: ModerationRuleInput!) { createModerationRule(input: $input) { id } }";
    let client = app.client_as(&secretariat);
    client
        .query_with(RULE, rule("ケストレル計画", "BLOCK", "EVERYWHERE"))
        .await
        .data();
    client
        .query_with(RULE, rule("社内ポータル", "BLOCK", "ALUMNI_FACING"))
        .await
        .data();
    client
        .query_with(RULE, rule("無能", "HOLD", "EVERYWHERE"))
        .await
        .data();

    create(
        &app,
        &secretariat,
        "近況",
        "ｹｽﾄﾚﾙ計画の進み具合",
        json!({ "audience": "EVERYONE" }),
    )
    .await
    .expect_error("CONTENT_BLOCKED");
    create(
        &app,
        &secretariat,
        "社内ポータルの使い方",
        "手順",
        json!({ "audience": "EVERYONE" }),
    )
    .await
    .expect_error("CONTENT_BLOCKED");
    let internal = create(
        &app,
        &secretariat,
        "社内ポータルの使い方",
        "手順",
        json!({ "audience": "EMPLOYEES" }),
    )
    .await;
    assert!(
        internal.data()["createPost"]["id"].is_string(),
        "fine for employees only"
    );
    assert_eq!(
        rows(&app, "content.posts").await,
        1,
        "refused posts wrote nothing"
    );

    let post = super::support::published(
        &app,
        &secretariat,
        "今月の話題",
        json!({ "audience": "EVERYONE" }),
    )
    .await;
    const COMMENT: &str = "mutation($post: ID!, $body: String!) { commentOnPost(postId: $post, body: $body) { id body moderation } }";
    app.client_as(&alumnus)
        .query_with(
            COMMENT,
            json!({ "post": post, "body": "ケストレル計画って何ですか" }),
        )
        .await
        .expect_error("CONTENT_BLOCKED");
    let held = app
        .client_as(&alumnus)
        .query_with(
            COMMENT,
            json!({ "post": post, "body": "担当者が無能だった" }),
        )
        .await;
    assert_eq!(held.data()["commentOnPost"]["moderation"], "HELD");
    const COMMENTS: &str = "query($id: ID!) { post(id: $id) { commentCount comments { body } } }";
    let others = app
        .client_as(&employee)
        .query_with(COMMENTS, json!({ "id": post }))
        .await;
    assert_eq!(others.data()["post"]["comments"], json!([]));
    assert_eq!(others.data()["post"]["commentCount"], 0);
    let own = app
        .client_as(&alumnus)
        .query_with(COMMENTS, json!({ "id": post }))
        .await;
    assert_eq!(
        own.data()["post"]["comments"][0]["body"],
        "担当者が無能だった"
    );
}
