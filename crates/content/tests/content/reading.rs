//! Reading counts, reactions, search, statistics and data rights.

use alumni_core::Role;
use alumni_test_support::TestApp;
use serde_json::{Value, json};

use super::support::{execute, feed, published, rows};

#[tokio::test]
async fn reads_are_idempotent_and_unread_counts_follow_them() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    let first = published(
        &app,
        &secretariat,
        "一本目",
        json!({ "audience": "EVERYONE" }),
    )
    .await;
    let second = published(
        &app,
        &secretariat,
        "二本目",
        json!({ "audience": "EVERYONE" }),
    )
    .await;
    let client = app.client_as(&reader);
    const STATE: &str = "{ unreadPostCount posts { nodes { id viewerHasRead viewerReadAt } } }";
    assert_eq!(client.query(STATE).await.data()["unreadPostCount"], 2);

    const READ: &str =
        "mutation($id: ID!) { markPostRead(id: $id) { viewerHasRead viewerReadAt } }";
    let read = client.query_with(READ, json!({ "id": first })).await;
    let first_read = read.data()["markPostRead"]["viewerReadAt"].clone();
    assert_eq!(read.data()["markPostRead"]["viewerHasRead"], true);
    app.clock.advance(chrono::Duration::hours(1));
    let again = client.query_with(READ, json!({ "id": first })).await;
    assert_eq!(
        again.data()["markPostRead"]["viewerReadAt"],
        first_read,
        "the first read is kept"
    );
    assert_eq!(rows(&app, "content.reads").await, 1);

    let state = client.query(STATE).await;
    assert_eq!(state.data()["unreadPostCount"], 1);
    let unread = feed(&app, &reader, json!({ "unreadOnly": true })).await;
    assert_eq!(unread, [second]);
}

#[tokio::test]
async fn one_reaction_of_each_kind_per_member_is_counted() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let readers = [
        app.create_member(&[Role::Alumnus]).await,
        app.create_member(&[Role::Employee]).await,
    ];
    let post = published(
        &app,
        &secretariat,
        "反応",
        json!({ "audience": "EVERYONE" }),
    )
    .await;
    const REACT: &str = "mutation($id: ID!, $kind: ReactionKind!, $on: Boolean!) {
        reactToPost(id: $id, kind: $kind, on: $on) { reactionCounts { kind count } viewerReactions }
    }";
    for reader in &readers {
        for _ in 0..2 {
            app.client_as(reader)
                .query_with(REACT, json!({ "id": post, "kind": "LIKE", "on": true }))
                .await
                .data();
        }
    }
    let thanks = app
        .client_as(&readers[0])
        .query_with(REACT, json!({ "id": post, "kind": "THANKS", "on": true }))
        .await;
    let counts = &thanks.data()["reactToPost"]["reactionCounts"];
    let count_of = |kind: &str| {
        counts
            .as_array()
            .unwrap()
            .iter()
            .find(|count| count["kind"] == kind)
            .map(|count| count["count"].clone())
    };
    assert_eq!(count_of("LIKE"), Some(json!(2)));
    assert_eq!(count_of("THANKS"), Some(json!(1)));
    assert_eq!(
        thanks.data()["reactToPost"]["viewerReactions"],
        json!(["LIKE", "THANKS"])
    );
    let taken_back = app
        .client_as(&readers[0])
        .query_with(REACT, json!({ "id": post, "kind": "LIKE", "on": false }))
        .await;
    assert_eq!(
        taken_back.data()["reactToPost"]["viewerReactions"],
        json!(["THANKS"])
    );
}

#[tokio::test]
async fn search_finds_two_character_words_and_mixed_text() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&secretariat);
    let mut ids = Vec::new();
    for (title, body) in [
        ("設計レビューのすすめ", "良い設計は対話から生まれます。"),
        (
            "クラスタ移行の記録",
            "Kubernetes の運用を三年続けて学んだこと。",
        ),
        ("夏休みのお知らせ", "今年の夏休みは八月です。"),
        ("新しいオフィス", "会議室の設計にもこだわりました。"),
    ] {
        let created = client
            .query_with(
                "mutation($input: PostContentInput!) { createPost(input: $input) { id } }",
                json!({ "input": { "title": title, "body": body, "audience": { "audience": "EVERYONE" } } }),
            )
            .await;
        let id = created.data()["createPost"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        super::support::transition(&app, &secretariat, "publishPost", &id)
            .await
            .data();
        ids.push(id);
    }
    // Ranked: the word in a title first, then newest first.
    assert_eq!(
        feed(&app, &reader, json!({ "query": "設計" })).await,
        [ids[0].clone(), ids[3].clone()]
    );
    const PAGE: &str =
        "query($after: String) { posts(first: 1, after: $after, filter: { query: \"設計\" }) {
        totalCount pageInfo { endCursor hasNextPage } nodes { id } } }";
    let first = app
        .client_as(&reader)
        .query_with(PAGE, json!({ "after": null }))
        .await;
    let first = &first.data()["posts"];
    assert_eq!(first["totalCount"], 2);
    assert_eq!(first["nodes"][0]["id"], ids[0].as_str());
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let second = app
        .client_as(&reader)
        .query_with(PAGE, json!({ "after": first["pageInfo"]["endCursor"] }))
        .await;
    assert_eq!(second.data()["posts"]["nodes"][0]["id"], ids[3].as_str());
    assert_eq!(second.data()["posts"]["pageInfo"]["hasNextPage"], false);
    assert_eq!(
        feed(&app, &reader, json!({ "query": "Kubernetes 運用" })).await,
        [ids[1].clone()]
    );
    assert_eq!(
        feed(&app, &reader, json!({ "query": "ｋｕｂｅｒｎｅｔｅｓ" })).await,
        [ids[1].clone()]
    );
    assert!(
        feed(&app, &reader, json!({ "query": "運用 夏休み" }))
            .await
            .is_empty()
    );
    app.client_as(&reader)
        .query("{ posts(filter: { query: \"a b c d e f\" }) { totalCount } }")
        .await
        .expect_error("BAD_USER_INPUT");
}

#[tokio::test]
async fn the_secretariat_sees_reading_by_cohort_with_small_groups_withheld() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let mut alumni = Vec::new();
    for _ in 0..8 {
        alumni.push(app.create_member(&[Role::Alumnus]).await);
    }
    // Six left in 2011, two in 2019: the second cohort is too small to show.
    for (index, member) in alumni.iter().enumerate() {
        let year = if index < 6 { 2011 } else { 2019 };
        execute(
            &app,
            &format!(
                "UPDATE membership.profiles SET left_on = '{year}-03-31' WHERE member_id = '{}'",
                member.id.0
            ),
        )
        .await;
    }
    let post = published(&app, &secretariat, "統計", json!({ "audience": "ALUMNI" })).await;
    for member in &alumni[..4] {
        app.client_as(member)
            .query_with(
                "mutation($id: ID!) { markPostRead(id: $id) { id } }",
                json!({ "id": post }),
            )
            .await
            .data();
    }
    app.client_as(&alumni[6])
        .query_with(
            "mutation($id: ID!) { markPostRead(id: $id) { id } }",
            json!({ "id": post }),
        )
        .await
        .data();
    const STATS: &str = "query($id: ID!) { post(id: $id) { stats {
        readers audienceSize readRate reactors comments
        byCohort { leftFrom audienceSize readers suppressed }
    } } }";
    let stats = app
        .client_as(&secretariat)
        .query_with(STATS, json!({ "id": post }))
        .await;
    let stats = &stats.data()["post"]["stats"];
    assert_eq!(stats["readers"], 5);
    assert_eq!(stats["audienceSize"], 9, "eight alumni and the secretariat");
    let cohorts = stats["byCohort"].as_array().unwrap();
    assert!(
        cohorts
            .iter()
            .all(|row| row["suppressed"] == true || row["audienceSize"].as_i64() >= Some(5))
    );
    let shown: Vec<&Value> = cohorts
        .iter()
        .filter(|row| row["suppressed"] == false)
        .collect();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0]["leftFrom"], 2010);
    assert_eq!(shown[0]["readers"], 4);
    assert!(
        cohorts
            .iter()
            .filter(|row| row["suppressed"] == true)
            .all(|row| row["readers"].is_null())
    );

    app.client_as(&alumni[0])
        .query_with(STATS, json!({ "id": post }))
        .await
        .expect_error("FORBIDDEN");
}

#[tokio::test]
async fn reads_and_comments_are_exported_and_anonymised_on_withdrawal() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let post = published(
        &app,
        &secretariat,
        "データの扱い",
        json!({ "audience": "EVERYONE" }),
    )
    .await;
    let client = app.client_as(&member);
    client
        .query_with(
            "mutation($id: ID!) { markPostRead(id: $id) { id } }",
            json!({ "id": post }),
        )
        .await
        .data();
    client
        .query_with(
            "mutation($id: ID!) { reactToPost(id: $id, kind: LEARNED) { id } }",
            json!({ "id": post }),
        )
        .await
        .data();
    client
        .query_with(
            "mutation($id: ID!) { commentOnPost(postId: $id, body: \"参考になりました\") { id } }",
            json!({ "id": post }),
        )
        .await
        .data();
    let export = client.query("mutation { exportMyData }").await;
    let content = &export.data()["exportMyData"]["content"];
    assert!(content["reads"][0]["postId"].is_string());
    assert_eq!(content["reactions"][0]["kind"], "LEARNED");
    assert_eq!(content["comments"][0]["body"], "参考になりました");

    client
        .query("mutation { withdrawMembership(confirm: true) }")
        .await
        .data();
    let seen = app
        .client_as(&secretariat)
        .query_with("query($id: ID!) { post(id: $id) { comments { author { id } body } stats { readers reactors } } }", json!({ "id": post }))
        .await;
    let data = &seen.data()["post"];
    assert_eq!(
        data["comments"][0]["author"],
        Value::Null,
        "a withdrawn member"
    );
    assert_eq!(data["comments"][0]["body"], "");
    assert_eq!(
        data["stats"]["readers"], 1,
        "the read still counts, anonymously"
    );
    assert_eq!(data["stats"]["reactors"], 0);
    assert_eq!(
        rows(
            &app,
            &format!("content.reads WHERE member_id = '{}'", member.id.0)
        )
        .await,
        0
    );
}
