//! Global ids and `node(id:)`, with visibility applied on every path.

use alumni_core::secrets::ExposeSecret as _;
use alumni_core::{GlobalId, Role};
use alumni_test_support::TestApp;
use serde_json::json;

const NODE: &str = "query Node($id: ID!) { node(id: $id) { id ... on Member { email roles } } }";

#[tokio::test]
async fn a_member_round_trips_through_node() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);

    let me = client.query("{ me { member { id } } }").await;
    let id = me.data()["me"]["member"]["id"].as_str().unwrap().to_owned();
    let node = client.query_with(NODE, json!({ "id": id })).await;
    assert_eq!(node.data()["node"]["id"], id.as_str());
    assert_eq!(node.data()["node"]["email"], member.email.as_str());
    assert_eq!(node.data()["node"]["roles"], json!(["ALUMNUS"]));
}

#[tokio::test]
async fn private_fields_stay_hidden_through_node() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let other = app.create_member(&[Role::Alumnus]).await;
    let analyst = app.create_member(&[Role::Analyst]).await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let variables = json!({ "id": member.global_id() });

    for viewer in [&other, &analyst] {
        let seen = app
            .client_as(viewer)
            .query_with(NODE, variables.clone())
            .await;
        assert!(seen.data()["node"]["email"].is_null(), "{:#}", seen.body);
    }
    let seen = app
        .client_as(&secretariat)
        .query_with(NODE, variables.clone())
        .await;
    assert_eq!(seen.data()["node"]["email"], member.email.as_str());

    app.client()
        .query_with(NODE, variables)
        .await
        .expect_error("UNAUTHENTICATED");
}

#[tokio::test]
async fn unknown_ids_are_null_and_malformed_ones_bad_input() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let client = app.client_as(&member);

    let malformed = client.query_with(NODE, json!({ "id": "not-an-id" })).await;
    assert_eq!(
        malformed.expect_error("BAD_USER_INPUT")["extensions"]["field"],
        "id"
    );
    assert_eq!(malformed.body["data"], json!({ "node": null }));

    for node_type in ["Member", "Spaceship"] {
        let unknown = GlobalId {
            node_type: node_type.into(),
            uuid: uuid::Uuid::now_v7(),
        }
        .encode();
        let response = client.query_with(NODE, json!({ "id": unknown.0 })).await;
        assert_eq!(response.data()["node"], json!(null), "{node_type}");
    }
}

#[tokio::test]
async fn a_draft_event_is_null_through_node_for_members() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let created = app
        .client_as(&secretariat)
        .query(
            r#"mutation { createEvent(input: { title: "Draft", kind: MEETUP, format: ONLINE,
                 joinUrl: "https://meet.example/x", startsAt: "2026-05-01T10:00:00Z",
                 endsAt: "2026-05-01T11:00:00Z", audience: EVERYONE }) { id } }"#,
        )
        .await;
    let id = created.data()["createEvent"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let seen = app
        .client_as(&member)
        .query_with(NODE, json!({ "id": id }))
        .await;
    assert_eq!(seen.data()["node"], json!(null));
    let seen = app
        .client_as(&secretariat)
        .query_with(NODE, json!({ "id": id }))
        .await;
    assert_eq!(seen.data()["node"]["id"], id.as_str());
}

#[tokio::test]
async fn a_failed_non_null_root_field_nulls_data() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let unknown = GlobalId {
        node_type: "Member".into(),
        uuid: uuid::Uuid::now_v7(),
    }
    .encode()
    .0;
    let response = app
        .client_as(&member)
        .query_with(
            "query($id: ID!) { a: member(id: $id) { id } b: __typename }",
            json!({ "id": unknown }),
        )
        .await;
    let error = response.expect_error("NOT_FOUND");
    assert_eq!(error["path"], json!(["a"]));
    // `member` is non-null, so its failure nulls its parent: `data`.
    assert_eq!(response.body["data"], json!(null), "{:#}", response.body);
}

#[tokio::test]
async fn a_failed_nullable_root_field_is_null_beside_the_others() {
    let app = TestApp::spawn().await;
    let member = app.create_member(&[Role::Alumnus]).await;
    app.client_as(&member)
        .query("mutation { logout }")
        .await
        .data();
    let response = app
        .client_as(&member)
        .query("{ me { roles } b: __typename }")
        .await;
    response.expect_error("UNAUTHENTICATED");
    assert_eq!(
        response.body["data"],
        json!({ "me": null, "b": "Query" }),
        "{:#}",
        response.body
    );

    let alone = app.client_as(&member).query("{ me { roles } }").await;
    alone.expect_error("UNAUTHENTICATED");
    assert_eq!(alone.body["data"], json!({ "me": null }));
}

#[tokio::test]
async fn nodes_resolves_many_in_order_with_one_query_per_type() {
    let app = TestApp::spawn().await;
    let viewer = app.create_member(&[Role::Secretariat]).await;
    let mut members = Vec::new();
    for _ in 0..5 {
        members.push(app.create_member(&[Role::Alumnus]).await);
    }
    let missing = GlobalId {
        node_type: "Member".into(),
        uuid: uuid::Uuid::now_v7(),
    }
    .encode()
    .0;
    let mut ids: Vec<String> = members.iter().map(|member| member.global_id()).collect();
    ids.insert(2, missing);

    let client = app.client_as(&viewer);
    let (response, statements) = app
        .count_statements(client.query_with(
            "query Nodes($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        ))
        .await;
    let nodes = response.data()["nodes"].as_array().unwrap().clone();
    assert_eq!(nodes.len(), 6);
    assert!(nodes[2].is_null());
    assert_eq!(nodes[0]["id"], members[0].global_id().as_str());
    assert_eq!(nodes[5]["id"], members[4].global_id().as_str());
    // Authentication, then one batched load of all members.
    assert_eq!(statements, 2);
}

#[tokio::test]
async fn a_hundred_nodes_cost_as_much_as_a_few() {
    let app = TestApp::spawn().await;
    let demo = alumni_membership::demo::seed(&app.services.membership)
        .await
        .unwrap();
    let token = app
        .services
        .membership
        .issue_session(demo.alumni[0])
        .await
        .unwrap()
        .token
        .expose_secret()
        .to_owned();
    let client = app.client().with_token(token);
    let ids: Vec<String> = demo
        .alumni
        .iter()
        .map(|id| alumni_core::NodeId::to_global(id).0)
        .collect();
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Member { displayName } } }";
    let (few, few_cost) = app
        .count_statements(client.query_with(query, json!({ "ids": ids[..5] })))
        .await;
    let (many, many_cost) = app
        .count_statements(client.query_with(query, json!({ "ids": ids[..100] })))
        .await;
    assert_eq!(few.data()["nodes"].as_array().unwrap().len(), 5);
    assert_eq!(many.data()["nodes"].as_array().unwrap().len(), 100);
    assert_eq!(few_cost, many_cost);
}

async fn node_type(client: &alumni_test_support::TestClient, id: &str) -> serde_json::Value {
    let response = client
        .query_with(
            "query($id: ID!) { node(id: $id) { __typename } }",
            json!({ "id": id }),
        )
        .await;
    response.data()["node"]["__typename"].clone()
}

#[tokio::test]
async fn registrations_materials_invitations_and_audit_entries_are_nodes_for_whom_may_see_them() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let attendee = app.create_member(&[Role::Alumnus]).await;
    let other = app.create_member(&[Role::Alumnus]).await;
    let employee = app.create_member(&[Role::Employee]).await;
    let event = crate::socket::event(&app, &secretariat, true).await;
    let office = app.client_as(&secretariat);

    let registered = app
        .client_as(&attendee)
        .query_with(
            "mutation($id: ID!) { registerForEvent(eventId: $id) { id } }",
            json!({ "id": event }),
        )
        .await;
    let registration = registered.data()["registerForEvent"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        node_type(&app.client_as(&attendee), &registration).await,
        "Registration"
    );
    assert_eq!(node_type(&office, &registration).await, "Registration");
    assert!(
        node_type(&app.client_as(&other), &registration)
            .await
            .is_null()
    );

    app.clock.advance(chrono::Duration::days(8));
    let added = office
        .query_with(
            "mutation($id: ID!) { addEventMaterial(eventId: $id, input: {
                kind: SLIDES, title: \"社内向け資料\", url: \"https://intra.example/slides\",
                confidentiality: INTERNAL_ONLY }) { id } }",
            json!({ "id": event }),
        )
        .await;
    let material = added.data()["addEventMaterial"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        node_type(&app.client_as(&employee), &material).await,
        "Material"
    );
    assert!(
        node_type(&app.client_as(&attendee), &material)
            .await
            .is_null()
    );

    let invited = office
        .query("mutation { createInvitation(input: { note: \"test\" }) { invitation { id } } }")
        .await;
    let invitation = invited.data()["createInvitation"]["invitation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(node_type(&office, &invitation).await, "Invitation");
    assert!(
        node_type(&app.client_as(&attendee), &invitation)
            .await
            .is_null()
    );

    let log = office
        .query("{ auditEvents(first: 1) { nodes { id } } }")
        .await;
    let entry = log.data()["auditEvents"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(node_type(&office, &entry).await, "AuditEvent");
    assert!(node_type(&app.client_as(&attendee), &entry).await.is_null());
}
