//! The queue costs the same number of statements for 10 cases as for 100.

use alumni_core::Role;
use alumni_test_support::TestApp;
use diesel_async::RunQueryDsl as _;
use serde_json::json;

#[tokio::test]
async fn the_queue_page_costs_the_same_however_many_cases_it_shows() {
    let app = TestApp::spawn().await;
    let moderator = app.create_member(&[Role::Moderator]).await;
    for _ in 0..100 {
        app.create_member(&[Role::Alumnus]).await;
    }
    let mut conn = app.database().connect().await;
    diesel::sql_query(
        "INSERT INTO trust.cases (id, subject_type, subject_id, author_id, origin, priority, opened_at)
         SELECT gen_random_uuid(), 'Member', id, id, 'REPORTED', 50, now()
         FROM membership.members WHERE NOT 'MODERATOR' = ANY(roles)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    diesel::sql_query(format!(
        "INSERT INTO trust.reports (id, case_id, subject_type, subject_id, reporter_id, reason, created_at)
         SELECT gen_random_uuid(), id, subject_type, subject_id, '{}', 'SPAM', now() FROM trust.cases",
        moderator.id.0
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    diesel::sql_query(format!(
        "INSERT INTO trust.case_notes (id, case_id, author_id, body, created_at)
         SELECT gen_random_uuid(), id, '{}', '確認中', now() FROM trust.cases",
        moderator.id.0
    ))
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);

    let client = app.client_as(&moderator);
    const QUEUE: &str = "query($first: Int!) { moderationQueue(first: $first) { totalCount nodes {
        id origin priority
        subject { __typename ... on Member { displayName bio } }
        author { displayName }
        assignee { displayName }
        reports { reason reporter { displayName } }
        notes { body author { displayName } }
    } } }";
    client.query_with(QUEUE, json!({ "first": 1 })).await.data();
    let mut costs = Vec::new();
    for first in [10, 100] {
        let (response, statements) = app
            .count_statements(client.query_with(QUEUE, json!({ "first": first })))
            .await;
        let nodes = response.data()["moderationQueue"]["nodes"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(nodes.len(), first);
        assert!(
            nodes
                .iter()
                .all(|node| node["subject"]["displayName"].is_string())
        );
        assert!(
            nodes
                .iter()
                .all(|node| node["reports"][0]["reporter"]["displayName"].is_string())
        );
        costs.push(statements);
    }
    assert_eq!(costs[0], costs[1], "statements for 10 and 100 cases");
}
