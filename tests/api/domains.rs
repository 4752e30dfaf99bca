//! The domain contract holds: every node type round-trips through
//! `node(id:)`, and every schema that holds data about members belongs to a
//! registered domain, so export, withdrawal and "sign out everywhere" reach
//! it. These fail when a domain is only half registered.

use std::collections::BTreeSet;

use alumni_core::GlobalId;
use alumni_core::secrets::ExposeSecret as _;
use alumni_gateway::domains::NODE_TYPES;
use alumni_membership::demo::DemoMembers;
use alumni_test_support::TestApp;
use diesel::QueryableByName;
use diesel::sql_types::{Text, Uuid};
use diesel_async::RunQueryDsl as _;
use serde_json::json;

/// Core's own schemas that hold member ids, and why no domain exports or
/// erases them: the audit log keeps only ids by design and survives
/// withdrawal; membership's erasure deletes the member's idempotency keys.
const CORE_SCHEMAS: [&str; 2] = ["audit", "api"];

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = diesel::sql_types::Nullable<Uuid>)]
    owner: Option<uuid::Uuid>,
}

#[derive(QueryableByName)]
struct SchemaName {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The object types the schema says implement `Node`.
fn node_types_in_schema() -> BTreeSet<String> {
    alumni_gateway::sdl()
        .lines()
        .filter_map(|line| line.strip_prefix("type "))
        .filter(|line| line.contains("implements") && line.contains("Node"))
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_node_type_of_the_schema_is_registered_and_no_other() {
    let registered: BTreeSet<String> = NODE_TYPES
        .iter()
        .map(|node_type| node_type.name.to_owned())
        .collect();
    assert_eq!(
        node_types_in_schema(),
        registered,
        "add each object with an id to `Node` and `NODE_TYPES` in gateway/src/domains.rs"
    );
}

/// The object types of the schema with an `id: ID!` field.
fn types_with_ids() -> BTreeSet<String> {
    let sdl = alumni_gateway::sdl();
    let mut found = BTreeSet::new();
    let mut current: Option<String> = None;
    for line in sdl.lines() {
        if let Some(rest) = line.strip_prefix("type ") {
            current = rest.split_whitespace().next().map(str::to_owned);
        } else if line.starts_with('}') {
            current = None;
        } else if line == "\tid: ID!"
            && let Some(name) = &current
        {
            found.insert(name.clone());
        }
    }
    found
}

#[test]
fn every_object_with_an_id_is_a_node() {
    assert_eq!(
        types_with_ids(),
        node_types_in_schema(),
        "an object a client caches by `id` must implement `Node` (and resolve through `node(id:)`)"
    );
}

#[tokio::test]
async fn every_node_type_round_trips_through_node() {
    let app = TestApp::spawn().await;
    let world = app.seed_demo().await;
    let secretariat = world
        .get::<DemoMembers>()
        .and_then(|members| members.secretariat)
        .expect("the demo has a secretariat");
    let signed_in = async |member| {
        let token = app
            .services
            .membership
            .issue_session(member)
            .await
            .unwrap()
            .token
            .expose_secret()
            .to_owned();
        app.client().with_token(token)
    };
    let secretariat = signed_in(secretariat).await;
    let mut conn = app.database().connect().await;
    for node_type in NODE_TYPES {
        let owner = node_type.owner.unwrap_or("NULL::uuid");
        let rows: Vec<Row> = diesel::sql_query(format!(
            "SELECT id, {owner} AS owner FROM {} LIMIT 1",
            node_type.table
        ))
        .load(&mut conn)
        .await
        .unwrap_or_else(|error| panic!("{}: {error}", node_type.table));
        let row = <[Row]>::first(&rows)
            .unwrap_or_else(|| panic!("the demo data has no {}", node_type.name));
        // Objects only their member may see are asked for by that member.
        let client = match row.owner {
            Some(owner) => &signed_in(alumni_core::MemberId(owner)).await,
            None => &secretariat,
        };
        let id = GlobalId {
            node_type: node_type.name.to_owned(),
            uuid: row.id,
        }
        .encode();
        let found = client
            .query_with(
                "query($id: ID!) { node(id: $id) { __typename id } }",
                json!({ "id": id.as_str() }),
            )
            .await;
        assert_eq!(
            found.data()["node"],
            json!({ "__typename": node_type.name, "id": id.as_str() }),
            "{} did not round-trip",
            node_type.name
        );
    }
}

#[tokio::test]
async fn every_schema_holding_member_data_belongs_to_a_domain() {
    let app = TestApp::spawn().await;
    let mut conn = app.database().connect().await;
    let holders: Vec<SchemaName> = diesel::sql_query(
        "SELECT DISTINCT n.nspname AS name
           FROM pg_constraint c
           JOIN pg_class t ON t.oid = c.conrelid
           JOIN pg_namespace n ON n.oid = t.relnamespace
          WHERE c.contype = 'f' AND c.confrelid = 'membership.members'::regclass
         UNION
         SELECT DISTINCT table_schema FROM information_schema.columns
          WHERE column_name = 'member_id' AND data_type = 'uuid'
            AND table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let domains = app.services.domains();
    let owned: BTreeSet<&str> = domains
        .iter()
        .flat_map(|domain| domain.schemas().iter().copied())
        .chain(CORE_SCHEMAS)
        .collect();
    for holder in &holders {
        assert!(
            owned.contains(holder.name.as_str()),
            "schema {} holds member data but belongs to no registered domain: \
             register its domain in gateway/src/domains.rs",
            holder.name
        );
    }

    // And each domain that holds member data has a part in their export.
    let member = app.create_member(&[alumni_core::Role::Alumnus]).await;
    let export = app
        .client_as(&member)
        .query("mutation { exportMyData }")
        .await;
    let export = &export.data()["exportMyData"];
    for domain in domains.iter() {
        let holds_members = domain
            .schemas()
            .iter()
            .any(|schema| holders.iter().any(|holder| holder.name == *schema));
        if holds_members {
            assert!(
                export[domain.name()].is_object(),
                "{} holds member data but is missing from the export: {export:#}",
                domain.name()
            );
        }
    }
}
