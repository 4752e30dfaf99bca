//! Company history as data.

use alumni_core::Role;
use serde_json::json;

use crate::support::world;

const CREATE: &str = "mutation($input: CompanyInput!) { createCompany(input: $input) { id name shortName isCurrent mergedOn } }";

#[tokio::test]
async fn the_secretariat_records_company_history_and_anyone_can_read_it() {
    let world = world().await;
    let app = &world.app;
    let secretariat = app.client_as(&world.secretariat);
    let current = secretariat
        .query_with(
            CREATE,
            json!({ "input": { "name": "北辰情報システム株式会社", "shortName": "hokushin" } }),
        )
        .await;
    assert_eq!(current.data()["createCompany"]["isCurrent"], true);

    let listed = app
        .client()
        .query("{ companies { name isCurrent mergedOn } }")
        .await;
    let companies = listed.data()["companies"].as_array().unwrap().clone();
    assert_eq!(companies[0]["name"], "北辰情報システム株式会社");
    assert_eq!(companies[1]["mergedOn"], "2008-04-01");

    let renamed = secretariat
        .query_with(
            "mutation($id: ID!) { updateCompany(id: $id, input: { description: \"大阪拠点\" }) { description } }",
            json!({ "id": world.company_id }),
        )
        .await;
    assert_eq!(renamed.data()["updateCompany"]["description"], "大阪拠点");

    let node = app
        .client_as(&app.create_member(&[Role::Alumnus]).await)
        .query_with(
            "query($id: ID!) { node(id: $id) { ... on Company { shortName } } }",
            json!({ "id": world.company_id }),
        )
        .await;
    assert_eq!(node.data()["node"]["shortName"], "kansai");
}

#[tokio::test]
async fn company_history_stays_consistent() {
    let world = world().await;
    let app = &world.app;
    let secretariat = app.client_as(&world.secretariat);
    let duplicate = secretariat
        .query_with(CREATE, json!({ "input": { "name": "別会社", "shortName": "KANSAI", "mergedOn": "2010-01-01" } }))
        .await;
    duplicate.expect_error("CONFLICT");
    secretariat
        .query_with(
            CREATE,
            json!({ "input": { "name": "今日の会社", "shortName": "today" } }),
        )
        .await
        .data();
    let second_current = secretariat
        .query_with(
            CREATE,
            json!({ "input": { "name": "もう一つの会社", "shortName": "another" } }),
        )
        .await;
    second_current.expect_error("CONFLICT");
    let blank = secretariat
        .query_with(
            CREATE,
            json!({ "input": { "name": " ", "shortName": "blank", "mergedOn": "2010-01-01" } }),
        )
        .await;
    assert_eq!(
        blank.expect_error("BAD_USER_INPUT")["extensions"]["field"],
        "input.name"
    );

    for role in [Role::Alumnus, Role::Analyst] {
        let member = app.create_member(&[role]).await;
        app.client_as(&member)
            .query_with(
                CREATE,
                json!({ "input": { "name": "x", "shortName": "x", "mergedOn": "2010-01-01" } }),
            )
            .await
            .expect_error("FORBIDDEN");
    }
}
