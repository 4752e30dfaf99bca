//! The connection pool under ordinary concurrency: no request holds one
//! connection while waiting for another, so requests beyond the pool's size
//! queue briefly instead of jamming every client of the server. (The whole
//! suite also runs on a pool of one connection, where any such nesting
//! would deadlock and fail its test.)

use alumni_core::Role;
use alumni_test_support::TestApp;
use serde_json::json;

const POOL: usize = 4;

#[tokio::test]
async fn twice_the_pool_of_profile_edits_and_feed_fetches_all_succeed() {
    let app = TestApp::spawn_with(|settings| settings.pool.max_connections = POOL).await;
    let mut members = Vec::new();
    for _ in 0..2 * POOL {
        members.push(app.create_member(&[Role::Alumnus]).await);
    }
    let member = &members[0];
    let feed = app
        .client_as(member)
        .query("mutation { issueCalendarFeed { path } }")
        .await;
    let path = feed.data()["issueCalendarFeed"]["path"]
        .as_str()
        .unwrap()
        .to_owned();

    let calendar_app = app.client();
    for round in 0..3 {
        let edits = members.iter().map(|member| async {
            app.client_as(member)
                .query_with(
                    "mutation($input: ProfileInput!) { updateMyProfile(input: $input) { displayName } }",
                    json!({ "input": { "bio": format!("round {round}") } }),
                )
                .await
        });
        let fetches = (0..2 * POOL).map(|_| calendar_app.get(&path));
        let (edits, fetches) = tokio::join!(
            futures_util::future::join_all(edits),
            futures_util::future::join_all(fetches)
        );
        for edit in edits {
            edit.data();
        }
        for fetch in fetches {
            assert_eq!(fetch.status(), 200);
        }
    }
}
