//! How many fields introspection will answer with, found before it runs.
//!
//! The schema is fixed, so the answer to an introspection selection is
//! known in advance: `__schema { types }` lists every type, a type's
//! `fields` are its fields, and so on. The walk below follows the
//! selection over the [`SchemaModel`] and counts each field it would
//! produce, for every item of every list, stopping as soon as the budget is
//! spent, so its own cost is bounded by the budget. Where it cannot know,
//! it counts high: `@skip`/`@include` are assumed to include, fields of the
//! same name are counted once per occurrence, and a fragment whose type
//! condition does not apply still costs one.

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, Field, OperationDefinition, OperationType, Selection,
    SelectionSet, Type,
};
use async_graphql::{Value as ConstValue, Variables};
use async_graphql_value::Value;

use super::model::{DirectiveModel, FieldModel, InputValueModel, SchemaModel};

/// The budget ran out.
#[derive(Debug, PartialEq, Eq)]
pub struct BudgetExceeded;

/// Whether the operation introspects the schema (`__schema` or `__type`).
pub fn uses_introspection(document: &ExecutableDocument, operation: &OperationDefinition) -> bool {
    operation.ty == OperationType::Query
        && root_fields(document, operation)
            .any(|field| matches!(field.name.node.as_str(), "__schema" | "__type"))
}

/// The fields of the root selection, through fragments. The document has
/// no fragment cycles: they were refused when it was measured.
fn root_fields<'d>(
    document: &'d ExecutableDocument,
    operation: &'d OperationDefinition,
) -> impl Iterator<Item = &'d Field> {
    let mut pending = vec![&operation.selection_set.node];
    let mut fields = Vec::new();
    while let Some(set) = pending.pop() {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => fields.push(&field.node),
                Selection::InlineFragment(fragment) => {
                    pending.push(&fragment.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node)
                    {
                        pending.push(&fragment.node.selection_set.node);
                    }
                }
            }
        }
    }
    fields.into_iter()
}

/// How many fields the operation's introspection (`__schema` and
/// `__type`) will answer with; `Err` as soon as they exceed `budget`.
pub fn introspection_cost(
    model: &SchemaModel,
    document: &ExecutableDocument,
    operation: &OperationDefinition,
    variables: &Variables,
    budget: usize,
) -> Result<usize, BudgetExceeded> {
    let mut walk = Walk {
        model,
        document,
        spent: 0,
        budget,
    };
    if operation.ty == OperationType::Query {
        for field in root_fields(document, operation) {
            // `Some(None)`: `__type` of an unknown type, answered `null`.
            let root = match field.name.node.as_str() {
                "__schema" => Some(Some(Item::Schema)),
                "__type" => Some(
                    field
                        .get_argument("name")
                        .and_then(|name| type_name(&name.node, operation, variables))
                        .filter(|name| model.ty(name).is_some())
                        .map(|name| Item::Type(TypeRef::Named(name))),
                ),
                _ => None,
            };
            if let Some(root) = root {
                walk.charge()?;
                if let Some(item) = root {
                    walk.selection_set(item, &field.selection_set.node)?;
                }
            }
        }
    }
    Ok(walk.spent)
}

/// The type `__type(name:)` asks for, from a literal or a variable.
fn type_name<'a>(
    value: &'a Value,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
) -> Option<&'a str> {
    match value {
        Value::String(name) => Some(name),
        Value::Variable(variable) => {
            let value = variables.get(variable).or_else(|| {
                operation
                    .variable_definitions
                    .iter()
                    .find(|definition| definition.node.name.node == *variable)
                    .and_then(|definition| definition.node.default_value())
            });
            match value {
                Some(ConstValue::String(name)) => Some(name),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A value introspection produces.
#[derive(Clone, Copy)]
enum Item<'m> {
    /// `__schema`.
    Schema,
    /// A `__Type`.
    Type(TypeRef<'m>),
    /// A `__Field`.
    Field(&'m FieldModel),
    /// A `__InputValue`.
    InputValue(&'m InputValueModel),
    /// A `__EnumValue`.
    EnumValue,
    /// A `__Directive`.
    Directive(&'m DirectiveModel),
}

/// A `__Type`: a named type, or a wrapper around one.
#[derive(Clone, Copy)]
enum TypeRef<'m> {
    Named(&'m str),
    /// `NON_NULL` of the type, read as nullable.
    NonNull(&'m Type),
    /// `LIST` of the inner type.
    List(&'m Type),
}

impl<'m> TypeRef<'m> {
    /// The `__Type` of a field's or argument's declared type.
    fn of(ty: &'m Type) -> Self {
        if ty.nullable {
            Self::nullable(ty)
        } else {
            TypeRef::NonNull(ty)
        }
    }

    fn nullable(ty: &'m Type) -> Self {
        match &ty.base {
            BaseType::Named(name) => TypeRef::Named(name.as_str()),
            BaseType::List(inner) => TypeRef::List(inner),
        }
    }

    /// `ofType`.
    fn of_type(self) -> Option<Self> {
        match self {
            TypeRef::Named(_) => None,
            TypeRef::NonNull(ty) => Some(Self::nullable(ty)),
            TypeRef::List(inner) => Some(Self::of(inner)),
        }
    }
}

impl Item<'_> {
    /// The introspection type's name, for type conditions.
    fn type_name(self) -> &'static str {
        match self {
            Item::Schema => "__Schema",
            Item::Type(_) => "__Type",
            Item::Field(_) => "__Field",
            Item::InputValue(_) => "__InputValue",
            Item::EnumValue => "__EnumValue",
            Item::Directive(_) => "__Directive",
        }
    }
}

struct Walk<'m, 'd> {
    model: &'m SchemaModel,
    document: &'d ExecutableDocument,
    spent: usize,
    budget: usize,
}

impl<'m, 'd> Walk<'m, 'd> {
    fn charge(&mut self) -> Result<(), BudgetExceeded> {
        self.spent += 1;
        if self.spent > self.budget {
            Err(BudgetExceeded)
        } else {
            Ok(())
        }
    }

    /// Counts the fields `set` selects on `item`.
    fn selection_set(
        &mut self,
        item: Item<'m>,
        set: &'d SelectionSet,
    ) -> Result<(), BudgetExceeded> {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    self.charge()?;
                    let field = &field.node;
                    if !field.selection_set.node.items.is_empty() {
                        self.children(item, field.name.node.as_str(), &field.selection_set.node)?;
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let applies = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .is_none_or(|condition| condition.node.on.node == item.type_name());
                    if applies {
                        self.selection_set(item, &fragment.node.selection_set.node)?;
                    } else {
                        self.charge()?;
                    }
                }
                Selection::FragmentSpread(spread) => {
                    match self.document.fragments.get(&spread.node.fragment_name.node) {
                        Some(fragment)
                            if fragment.node.type_condition.node.on.node == item.type_name() =>
                        {
                            self.selection_set(item, &fragment.node.selection_set.node)?;
                        }
                        _ => self.charge()?,
                    }
                }
            }
        }
        Ok(())
    }

    /// Counts `set` on every value field `name` of `item` produces.
    fn children(
        &mut self,
        item: Item<'m>,
        name: &str,
        set: &'d SelectionSet,
    ) -> Result<(), BudgetExceeded> {
        let model = self.model;
        match (item, name) {
            (Item::Schema, "types") => {
                for name in model.type_names() {
                    self.selection_set(Item::Type(TypeRef::Named(name)), set)?;
                }
            }
            (Item::Schema, "queryType") => {
                self.selection_set(Item::Type(TypeRef::Named(model.query())), set)?;
            }
            (Item::Schema, "mutationType") => {
                if let Some(name) = model.mutation() {
                    self.selection_set(Item::Type(TypeRef::Named(name)), set)?;
                }
            }
            (Item::Schema, "subscriptionType") => {
                if let Some(name) = model.subscription() {
                    self.selection_set(Item::Type(TypeRef::Named(name)), set)?;
                }
            }
            (Item::Schema, "directives") => {
                for directive in model.directives() {
                    self.selection_set(Item::Directive(directive), set)?;
                }
            }
            (Item::Type(TypeRef::Named(type_name)), _) => {
                let Some(ty) = model.ty(type_name) else {
                    return Ok(());
                };
                match name {
                    "fields" => {
                        for field in &ty.fields {
                            self.selection_set(Item::Field(field), set)?;
                        }
                    }
                    "inputFields" => {
                        for field in &ty.input_fields {
                            self.selection_set(Item::InputValue(field), set)?;
                        }
                    }
                    "enumValues" => {
                        for _ in 0..ty.enum_values {
                            self.selection_set(Item::EnumValue, set)?;
                        }
                    }
                    "interfaces" => {
                        for interface in &ty.interfaces {
                            self.selection_set(Item::Type(TypeRef::Named(interface)), set)?;
                        }
                    }
                    "possibleTypes" => {
                        for possible in &ty.possible_types {
                            self.selection_set(Item::Type(TypeRef::Named(possible)), set)?;
                        }
                    }
                    _ => {}
                }
            }
            (Item::Type(wrapper), "ofType") => {
                if let Some(inner) = wrapper.of_type() {
                    self.selection_set(Item::Type(inner), set)?;
                }
            }
            (Item::Field(field), "args") => {
                for arg in &field.args {
                    self.selection_set(Item::InputValue(arg), set)?;
                }
            }
            (Item::Field(field), "type") => {
                self.selection_set(Item::Type(TypeRef::of(&field.ty)), set)?;
            }
            (Item::InputValue(value), "type") => {
                self.selection_set(Item::Type(TypeRef::of(&value.ty)), set)?;
            }
            (Item::Directive(directive), "args") => {
                for arg in &directive.args {
                    self.selection_set(Item::InputValue(arg), set)?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;
    use serde_json::Value as Json;

    use super::*;
    use crate::limits::document::selected_operation;

    /// The full introspection query of GraphiQL and code generators.
    const FULL: &str = r#"
        query IntrospectionQuery {
          __schema {
            queryType { name } mutationType { name } subscriptionType { name }
            types { ...FullType }
            directives { name description locations args { ...InputValue } }
          }
        }
        fragment FullType on __Type {
          kind name description
          fields(includeDeprecated: true) {
            name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
          }
          inputFields { ...InputValue }
          interfaces { ...TypeRef }
          enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
          possibleTypes { ...TypeRef }
        }
        fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
        fragment TypeRef on __Type {
          kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }
        }"#;

    fn estimate(query: &str, variables: Json, budget: usize) -> Result<usize, BudgetExceeded> {
        let model = SchemaModel::from_sdl(&crate::api::sdl()).unwrap();
        let document = parse_query(query).unwrap();
        let operation = selected_operation(&document, None).unwrap();
        introspection_cost(
            &model,
            &document,
            &operation.node,
            &Variables::from_json(variables),
            budget,
        )
    }

    /// The fields in an answer: one per key, at any depth.
    fn fields(value: &Json) -> usize {
        match value {
            Json::Object(map) => map.values().map(|value| 1 + fields(value)).sum(),
            Json::Array(items) => items.iter().map(fields).sum(),
            _ => 0,
        }
    }

    async fn answered(query: &str, variables: Json) -> usize {
        let schema = crate::api::schema_builder().finish();
        let request = async_graphql::Request::new(query).variables(Variables::from_json(variables));
        let response = schema.execute(request).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        fields(&response.data.into_json().unwrap())
    }

    #[tokio::test]
    async fn counts_exactly_what_introspection_answers() {
        for (query, variables) in [
            (FULL, serde_json::json!({})),
            (
                r#"{ a: __type(name: "Member") { name fields { name type { kind ofType { name } } } }
                     b: __type(name: "Node") { possibleTypes { name interfaces { name } } } }"#,
                serde_json::json!({}),
            ),
            (
                "query($t: String!) { __type(name: $t) { inputFields { name type { name } } } }",
                serde_json::json!({ "t": "ProfileInput" }),
            ),
            (
                r#"{ __type(name: "Nope") { name } }"#,
                serde_json::json!({}),
            ),
        ] {
            let expected = answered(query, variables.clone()).await;
            assert_eq!(
                estimate(query, variables, usize::MAX),
                Ok(expected),
                "{query}"
            );
        }
    }

    #[test]
    fn stops_as_soon_as_the_budget_is_spent() {
        assert_eq!(
            estimate(FULL, serde_json::json!({}), 100),
            Err(BudgetExceeded)
        );
        assert_eq!(
            estimate("{ me { roles } }", serde_json::json!({}), 0),
            Ok(0)
        );
    }

    #[test]
    fn counts_what_it_cannot_rule_out() {
        let plain = estimate(
            "{ __schema { types { name } } }",
            serde_json::json!({}),
            usize::MAX,
        );
        let skipped = estimate(
            "{ __schema { types { name @skip(if: true) ... on __Field { name } } } }",
            serde_json::json!({}),
            usize::MAX,
        );
        // The skipped field is counted, and so is the fragment that cannot apply.
        assert!(skipped.unwrap() > plain.unwrap());
    }
}
