//! The checked-in SDL and the descriptions clients see in GraphiQL and
//! codegen.

use std::path::Path;

use alumni_test_support::TestApp;
use serde_json::Value;

use crate::limits::INTROSPECTION;

#[test]
fn checked_in_schema_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema.graphql");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    let current = alumni_gateway::sdl();
    if checked_in != current {
        let diff = similar::TextDiff::from_lines(&checked_in, &current)
            .unified_diff()
            .context_radius(3)
            .header("schema.graphql (checked in)", "schema (from the code)")
            .to_string();
        panic!(
            "schema.graphql is stale: regenerate it with `just schema` (or `cargo run -- export-schema`) and commit it\n{diff}"
        );
    }
}

/// Built-in types whose descriptions come from GraphQL itself.
fn is_builtin(name: &str) -> bool {
    name.starts_with("__") || matches!(name, "String" | "Int" | "Float" | "Boolean" | "ID")
}

fn described(value: &Value) -> bool {
    value["description"]
        .as_str()
        .is_some_and(|text| !text.trim().is_empty())
}

#[tokio::test]
async fn every_type_field_argument_and_value_is_described() {
    let app = TestApp::spawn().await;
    let response = app.client().query(INTROSPECTION).await;
    let types = response.data()["__schema"]["types"]
        .as_array()
        .unwrap()
        .clone();
    let mut missing = Vec::new();
    for ty in types
        .iter()
        .filter(|ty| !is_builtin(ty["name"].as_str().unwrap()))
    {
        let type_name = ty["name"].as_str().unwrap();
        if !described(ty) {
            missing.push(type_name.to_owned());
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            let field_name = field["name"].as_str().unwrap();
            if !described(field) {
                missing.push(format!("{type_name}.{field_name}"));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if !described(arg) {
                    missing.push(format!("{type_name}.{field_name}({})", arg["name"]));
                }
            }
        }
        for input in ty["inputFields"].as_array().into_iter().flatten() {
            if !described(input) {
                missing.push(format!("{type_name}.{}", input["name"]));
            }
        }
        for value in ty["enumValues"].as_array().into_iter().flatten() {
            if !described(value) {
                missing.push(format!("{type_name}.{}", value["name"]));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "undocumented in the schema: {missing:#?}"
    );
}
