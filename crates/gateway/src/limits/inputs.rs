//! Every argument value of an operation, checked once against what the
//! database can store (see [`alumni_core::input`]): no NUL in any string,
//! and dates and timestamps in range.
//!
//! Literals and the variables they reference are checked where they are
//! used, against the argument's declared type from the schema model, so a
//! date is recognised by its type (`NaiveDate`, `DateTime`) and parsed as
//! that scalar parses it, and an error names the argument path the client
//! wrote (`input.joinedOn`, `filter.query`), whether the value came as a
//! literal or in a variable.

use std::collections::HashSet;

use alumni_core::input;
use async_graphql::parser::types::{
    BaseType, ExecutableDocument, OperationDefinition, Selection, SelectionSet, Type,
};
use async_graphql::{InputType, Value as ConstValue, Variables};
use async_graphql_value::Value;
use chrono::{DateTime, NaiveDate, Utc};

use super::document::root_type;
use super::model::{SchemaModel, TypeModel, named_type};

/// An argument value the database could not store.
#[derive(Debug, PartialEq, Eq)]
pub struct BadInput {
    /// The argument path, e.g. `input.skills.2`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Checks every argument of `operation` and of the fragments it spreads.
pub fn check_arguments(
    model: &SchemaModel,
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
) -> Result<(), BadInput> {
    let mut checker = Checker {
        model,
        document,
        operation,
        variables,
        fragments: HashSet::new(),
        path: Vec::new(),
    };
    let root = root_type(model, operation).and_then(|name| model.ty(name));
    checker.selection_set(&operation.selection_set.node, root)
}

struct Checker<'a> {
    model: &'a SchemaModel,
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
    fragments: HashSet<&'a str>,
    path: Vec<String>,
}

impl<'a> Checker<'a> {
    fn selection_set(
        &mut self,
        set: &'a SelectionSet,
        parent: Option<&'a TypeModel>,
    ) -> Result<(), BadInput> {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    // Unknown fields are for validation to report.
                    let Some(definition) =
                        parent.and_then(|parent| parent.field(field.name.node.as_str()))
                    else {
                        continue;
                    };
                    for (name, value) in &field.arguments {
                        if let Some(argument) = definition
                            .args
                            .iter()
                            .find(|argument| argument.name == name.node.as_str())
                        {
                            self.path.push(argument.name.clone());
                            self.literal(&value.node, &argument.ty)?;
                            self.path.pop();
                        }
                    }
                    let child = self.model.ty(named_type(&definition.ty));
                    self.selection_set(&field.selection_set.node, child)?;
                }
                Selection::InlineFragment(fragment) => {
                    let ty = match &fragment.node.type_condition {
                        Some(condition) => self.model.ty(condition.node.on.node.as_str()),
                        None => parent,
                    };
                    self.selection_set(&fragment.node.selection_set.node, ty)?;
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if let Some((name, fragment)) = self.document.fragments.get_key_value(name)
                        && self.fragments.insert(name.as_str())
                    {
                        let ty = self
                            .model
                            .ty(fragment.node.type_condition.node.on.node.as_str());
                        self.selection_set(&fragment.node.selection_set.node, ty)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// A value written in the document, where `ty` is expected.
    fn literal(&mut self, value: &'a Value, ty: &Type) -> Result<(), BadInput> {
        match value {
            Value::Variable(name) => match self.variable(name.as_str()) {
                Some(value) => self.constant(value, ty),
                None => Ok(()),
            },
            Value::String(text) => self.string(text, ty),
            Value::List(items) => match &ty.base {
                BaseType::List(inner) => {
                    for (index, item) in items.iter().enumerate() {
                        self.path.push(index.to_string());
                        self.literal(item, inner)?;
                        self.path.pop();
                    }
                    Ok(())
                }
                BaseType::Named(_) => Ok(()),
            },
            Value::Object(fields) => {
                let Some(input) = self.input_object(ty) else {
                    return Ok(());
                };
                for (name, value) in fields {
                    if let Some(field) = input.input_field(name.as_str()) {
                        self.path.push(field.name.clone());
                        self.literal(value, &field.ty)?;
                        self.path.pop();
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// A value from the request's variables, where `ty` is expected.
    fn constant(&mut self, value: &ConstValue, ty: &Type) -> Result<(), BadInput> {
        match value {
            ConstValue::String(text) => self.string(text, ty),
            ConstValue::List(items) => match &ty.base {
                BaseType::List(inner) => {
                    for (index, item) in items.iter().enumerate() {
                        self.path.push(index.to_string());
                        self.constant(item, inner)?;
                        self.path.pop();
                    }
                    Ok(())
                }
                BaseType::Named(_) => Ok(()),
            },
            ConstValue::Object(fields) => {
                let Some(input) = self.input_object(ty) else {
                    return Ok(());
                };
                for (name, value) in fields {
                    if let Some(field) = input.input_field(name.as_str()) {
                        self.path.push(field.name.clone());
                        self.constant(value, &field.ty)?;
                        self.path.pop();
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The value of `$name`: the request's, else the operation's default.
    fn variable(&self, name: &str) -> Option<&'a ConstValue> {
        self.variables.get(name).or_else(|| {
            self.operation
                .variable_definitions
                .iter()
                .find(|definition| definition.node.name.node.as_str() == name)
                .and_then(|definition| definition.node.default_value())
        })
    }

    /// The input object `ty` names (a single value may stand for a list of
    /// one, so lists are looked through).
    fn input_object(&self, ty: &Type) -> Option<&'a TypeModel> {
        self.model
            .ty(named_type(ty))
            .filter(|model| !model.input_fields.is_empty())
    }

    fn string(&self, text: &str, ty: &Type) -> Result<(), BadInput> {
        input::check_text(text).map_err(|message| self.bad(message))?;
        let scalar = named_type(ty);
        if scalar == NaiveDate::type_name() {
            if let Ok(date) = NaiveDate::parse(Some(ConstValue::String(text.to_owned()))) {
                input::check_date(date).map_err(|message| self.bad(message))?;
            }
        } else if scalar == DateTime::<Utc>::type_name()
            && let Ok(at) = DateTime::<Utc>::parse(Some(ConstValue::String(text.to_owned())))
        {
            input::check_timestamp(&at).map_err(|message| self.bad(message))?;
        }
        Ok(())
    }

    fn bad(&self, message: String) -> BadInput {
        BadInput {
            field: self.path.join("."),
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use serde_json::json;

    use super::*;
    use crate::limits::document::selected_operation;

    fn check(query: &str, variables: serde_json::Value) -> Result<(), BadInput> {
        let model = SchemaModel::from_sdl(&crate::api::sdl()).unwrap();
        let document = parse_query(query).unwrap();
        let operation = selected_operation(&document, None).unwrap();
        let variables = Variables::from_json(variables);
        check_arguments(&model, &document, &operation.node, &variables)
    }

    fn field_of(result: Result<(), BadInput>) -> String {
        result.unwrap_err().field
    }

    #[test]
    fn finds_nul_in_literals_and_variables_by_argument_path() {
        assert_eq!(
            field_of(check(
                r#"mutation { login(email: "a\u0000b", password: "x") { token } }"#,
                json!({})
            )),
            "email"
        );
        assert_eq!(
            field_of(check(
                "query($q: String) { members(filter: { query: $q }) { nodes { id } } }",
                json!({ "q": "a\u{0}" })
            )),
            "filter.query"
        );
        assert_eq!(
            field_of(check(
                "query($f: MemberFilter) { ...F } fragment F on Query { members(filter: $f) { nodes { id } } }",
                json!({ "f": { "skill": "rust\u{0}" } })
            )),
            "filter.skill"
        );
        assert_eq!(
            field_of(check(
                "mutation($s: [String!]) { updateMyProfile(input: { skills: $s }) { id } }",
                json!({ "s": ["ok", "bad\u{0}"] })
            )),
            "input.skills.1"
        );
    }

    #[test]
    fn finds_dates_out_of_range_by_declared_type() {
        assert_eq!(
            field_of(check(
                r#"{ events(filter: { from: "-200000-01-01T00:00:00Z" }) { nodes { id } } }"#,
                json!({})
            )),
            "filter.from"
        );
        assert_eq!(
            field_of(check(
                "mutation($i: ApplyForMembershipInput!) { applyForMembership(input: $i) { token } }",
                json!({ "i": { "joinedOn": "0000-12-31" } })
            )),
            "input.joinedOn"
        );
        assert_eq!(
            field_of(check(
                "query($d: DateTime = \"+10000-01-01T00:00:00Z\") { events(filter: { to: $d }) { nodes { id } } }",
                json!({})
            )),
            "filter.to"
        );
    }

    #[test]
    fn lets_ordinary_input_through() {
        assert!(
            check(
                r#"{ events(filter: { from: "2026-04-01T00:00:00Z" }) { nodes { title } } members(filter: { query: "佐藤" }) { nodes { id } } }"#,
                json!({})
            )
            .is_ok()
        );
        // A string that merely looks like a date is just a string.
        assert!(
            check(
                r#"{ tags(prefix: "-200000-01-01") { nodes { name } } }"#,
                json!({})
            )
            .is_ok()
        );
    }
}
