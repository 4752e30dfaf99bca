//! The schema as the checks before validation see it: types, fields with
//! their argument types, input fields, and what introspection lists for
//! each type.
//!
//! Built once at start-up from the schema's own SDL, plus the built-in
//! scalars and the introspection types, which the SDL leaves out but
//! introspection lists.

use std::collections::HashMap;

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use async_graphql::parser::{self, parse_schema};

/// The types and directives GraphQL defines itself: written out here
/// because the exported SDL omits them, yet introspection lists them.
/// Fields as async-graphql serves them.
const BUILT_IN_SDL: &str = r#"
scalar String
scalar Int
scalar Float
scalar Boolean
scalar ID
type __Schema {
  description: String!
  types: [__Type!]!
  queryType: __Type!
  mutationType: __Type
  subscriptionType: __Type
  directives: [__Directive!]!
}
type __Type {
  kind: __TypeKind!
  name: String
  description: String
  specifiedByURL: String
  fields(includeDeprecated: Boolean! = false): [__Field!]
  interfaces: [__Type!]
  possibleTypes: [__Type!]
  enumValues(includeDeprecated: Boolean! = false): [__EnumValue!]
  inputFields(includeDeprecated: Boolean! = false): [__InputValue!]
  ofType: __Type
  isOneOf: Boolean
}
type __Field {
  name: String!
  description: String
  args(includeDeprecated: Boolean! = false): [__InputValue!]!
  type: __Type!
  isDeprecated: Boolean!
  deprecationReason: String
}
type __InputValue {
  name: String!
  description: String
  type: __Type!
  defaultValue: String
  isDeprecated: Boolean!
  deprecationReason: String
}
type __EnumValue {
  name: String!
  description: String
  isDeprecated: Boolean!
  deprecationReason: String
}
type __Directive {
  name: String!
  description: String
  locations: [__DirectiveLocation!]!
  args(includeDeprecated: Boolean! = false): [__InputValue!]!
  isRepeatable: Boolean!
}
directive @deprecated(reason: String) on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
directive @oneOf on INPUT_OBJECT
enum __TypeKind { SCALAR OBJECT INTERFACE UNION ENUM INPUT_OBJECT LIST NON_NULL }
enum __DirectiveLocation {
  QUERY MUTATION SUBSCRIPTION FIELD FRAGMENT_DEFINITION FRAGMENT_SPREAD INLINE_FRAGMENT
  VARIABLE_DEFINITION SCHEMA SCALAR OBJECT FIELD_DEFINITION ARGUMENT_DEFINITION INTERFACE
  UNION ENUM ENUM_VALUE INPUT_OBJECT INPUT_FIELD_DEFINITION
}
"#;

/// The schema's types and directives.
#[derive(Debug)]
pub struct SchemaModel {
    types: HashMap<String, TypeModel>,
    directives: Vec<DirectiveModel>,
    query: String,
    mutation: Option<String>,
    subscription: Option<String>,
}

/// One named type.
#[derive(Debug, Default)]
pub struct TypeModel {
    /// Output fields (objects and interfaces).
    pub fields: Vec<FieldModel>,
    /// Input fields (input objects).
    pub input_fields: Vec<InputValueModel>,
    /// How many values an enum has.
    pub enum_values: usize,
    /// Interfaces an object implements.
    pub interfaces: Vec<String>,
    /// Objects of a union, or objects implementing an interface.
    pub possible_types: Vec<String>,
}

/// A field of an object or interface.
#[derive(Debug)]
pub struct FieldModel {
    /// Its name.
    pub name: String,
    /// Its arguments.
    pub args: Vec<InputValueModel>,
    /// What it returns.
    pub ty: Type,
}

/// An argument or an input field.
#[derive(Debug)]
pub struct InputValueModel {
    /// Its name.
    pub name: String,
    /// Its declared type.
    pub ty: Type,
}

/// A directive, as introspection lists it.
#[derive(Debug)]
pub struct DirectiveModel {
    /// Its arguments.
    pub args: Vec<InputValueModel>,
}

impl SchemaModel {
    /// The model of the schema whose SDL is `sdl`.
    pub fn from_sdl(sdl: &str) -> Result<Self, parser::Error> {
        let mut model = SchemaModel {
            types: HashMap::new(),
            directives: Vec::new(),
            query: "Query".to_owned(),
            mutation: None,
            subscription: None,
        };
        let mut implementers: Vec<(String, String)> = Vec::new();
        for source in [sdl, BUILT_IN_SDL] {
            for definition in parse_schema(source)?.definitions {
                match definition {
                    TypeSystemDefinition::Schema(schema) => {
                        let schema = schema.node;
                        if let Some(query) = schema.query {
                            model.query = query.node.to_string();
                        }
                        model.mutation = schema.mutation.map(|name| name.node.to_string());
                        model.subscription = schema.subscription.map(|name| name.node.to_string());
                    }
                    TypeSystemDefinition::Directive(directive) => {
                        model.directives.push(DirectiveModel {
                            args: input_values(&directive.node.arguments),
                        });
                    }
                    TypeSystemDefinition::Type(definition) => {
                        let definition = definition.node;
                        let name = definition.name.node.to_string();
                        let mut ty = TypeModel::default();
                        match definition.kind {
                            TypeKind::Scalar => {}
                            TypeKind::Object(object) => {
                                ty.fields = fields(&object.fields);
                                ty.interfaces = names(&object.implements);
                                implementers.extend(
                                    ty.interfaces
                                        .iter()
                                        .map(|interface| (interface.clone(), name.clone())),
                                );
                            }
                            TypeKind::Interface(interface) => {
                                ty.fields = fields(&interface.fields);
                            }
                            TypeKind::Union(union) => ty.possible_types = names(&union.members),
                            TypeKind::Enum(enumeration) => {
                                ty.enum_values = enumeration.values.len();
                            }
                            TypeKind::InputObject(input) => {
                                ty.input_fields = input_values(&input.fields);
                            }
                        }
                        model.types.insert(name, ty);
                    }
                }
            }
        }
        for (interface, object) in implementers {
            if let Some(interface) = model.types.get_mut(&interface) {
                interface.possible_types.push(object);
            }
        }
        Ok(model)
    }

    /// The type named `name`.
    pub fn ty(&self, name: &str) -> Option<&TypeModel> {
        self.types.get(name)
    }

    /// Every type's name, as `__schema { types }` lists them.
    pub fn type_names(&self) -> impl Iterator<Item = &str> {
        self.types.keys().map(String::as_str)
    }

    /// Every directive.
    pub fn directives(&self) -> &[DirectiveModel] {
        &self.directives
    }

    /// The root type of queries.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The root type of mutations, if any.
    pub fn mutation(&self) -> Option<&str> {
        self.mutation.as_deref()
    }

    /// The root type of subscriptions, if any.
    pub fn subscription(&self) -> Option<&str> {
        self.subscription.as_deref()
    }
}

impl TypeModel {
    /// The output field named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldModel> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// The input field named `name`.
    pub fn input_field(&self, name: &str) -> Option<&InputValueModel> {
        self.input_fields.iter().find(|field| field.name == name)
    }
}

/// The named type at the bottom of `ty`'s lists and non-nulls.
pub fn named_type(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named_type(inner),
    }
}

fn fields(
    definitions: &[async_graphql::Positioned<parser::types::FieldDefinition>],
) -> Vec<FieldModel> {
    definitions
        .iter()
        .map(|field| FieldModel {
            name: field.node.name.node.to_string(),
            args: input_values(&field.node.arguments),
            ty: field.node.ty.node.clone(),
        })
        .collect()
}

fn input_values(
    definitions: &[async_graphql::Positioned<parser::types::InputValueDefinition>],
) -> Vec<InputValueModel> {
    definitions
        .iter()
        .map(|value| InputValueModel {
            name: value.node.name.node.to_string(),
            ty: value.node.ty.node.clone(),
        })
        .collect()
}

fn names(names: &[async_graphql::Positioned<async_graphql::Name>]) -> Vec<String> {
    names.iter().map(|name| name.node.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_the_schema_with_the_built_in_types() {
        let model = SchemaModel::from_sdl(&crate::api::sdl()).unwrap();
        assert_eq!(model.query(), "Query");
        assert_eq!(model.mutation(), Some("Mutation"));
        assert_eq!(model.subscription(), Some("Subscription"));
        let login = model.ty("Mutation").unwrap().field("login").unwrap();
        assert_eq!(login.args[0].name, "email");
        assert_eq!(named_type(&login.args[0].ty), "String");
        let node = model.ty("Node").unwrap();
        assert!(node.possible_types.iter().any(|name| name == "Member"));
        assert!(model.ty("__Type").unwrap().field("ofType").is_some());
        assert!(model.ty("String").is_some());
        assert!(!model.directives().is_empty());
    }
}
