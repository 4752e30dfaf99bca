//! A feed page costs the same number of statements for 10 posts as for 100.

use alumni_core::Role;
use alumni_test_support::TestApp;
use serde_json::json;

use super::support::{execute, published};

#[tokio::test]
async fn the_feed_costs_the_same_however_many_posts_it_shows() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let reader = app.create_member(&[Role::Alumnus]).await;
    for n in 0..100 {
        let post = published(
            &app,
            &secretariat,
            &format!("記事 {n}"),
            json!({ "audience": "EVERYONE" }),
        )
        .await;
        if n % 2 == 0 {
            app.client_as(&reader)
                .query_with(
                    "mutation($id: ID!) { reactToPost(id: $id, kind: LIKE) { id } }",
                    json!({ "id": post }),
                )
                .await
                .data();
            app.client_as(&reader)
                .query_with(
                    "mutation($id: ID!) { markPostRead(id: $id) { id } }",
                    json!({ "id": post }),
                )
                .await
                .data();
        }
    }
    app.client_as(&secretariat)
        .query("mutation { createPostCategory(name: \"社内の今\") { id } }")
        .await
        .data();
    execute(
        &app,
        "UPDATE content.posts SET category_id = (SELECT id FROM content.categories)",
    )
    .await;
    let client = app.client_as(&reader);
    const FEED: &str =
        "query($first: Int!) { unreadPostCount posts(first: $first) { totalCount nodes {
        id title publishedAt
        category { name }
        author { displayName }
        tags { name }
        viewerHasRead
        reactionCounts { kind count }
        viewerReactions
        commentCount
    } } }";
    client.query_with(FEED, json!({ "first": 1 })).await.data();
    let mut costs = Vec::new();
    for first in [10, 100] {
        let (response, statements) = app
            .count_statements(client.query_with(FEED, json!({ "first": first })))
            .await;
        let nodes = response.data()["posts"]["nodes"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(nodes.len(), first);
        assert!(
            nodes
                .iter()
                .all(|node| node["author"]["displayName"].is_string())
        );
        assert!(
            nodes
                .iter()
                .all(|node| node["tags"].as_array().unwrap().len() == 2)
        );
        costs.push(statements);
    }
    assert_eq!(costs[0], costs[1], "statements for 10 and 100 posts");
}
