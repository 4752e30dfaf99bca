//! Facts about a parsed document, found in time linear in its length:
//! its size once fragments are expanded, the operation a request runs,
//! and which of its root fields are non-null.

use std::collections::{HashMap, HashSet};

use async_graphql::Positioned;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection,
    SelectionSet,
};

use super::model::SchemaModel;

/// Deeper nesting of selections and fragment spreads than this is refused
/// before anything else walks the document. async-graphql refuses beyond 32
/// levels itself; this bound only keeps the walks here from recursing
/// without end on documents it would refuse anyway.
pub const MAX_NESTING: usize = 64;

/// Why a document cannot be measured.
#[derive(Debug, PartialEq, Eq)]
pub enum Unmeasurable {
    /// A fragment spreads itself, directly or through other fragments.
    Cycle(String),
    /// Selections and spreads nest deeper than [`MAX_NESTING`].
    TooDeep,
}

/// How many fields the document has once every fragment spread is replaced
/// by the fragment: the work validation does, since it walks expanded
/// operations. Fragments are measured once each, so a fragment spread
/// twice in each of 30 nested fragments costs 30 steps here and 2³⁰ there.
/// Counts every operation, and every fragment nothing spreads (validation
/// walks those too); every fragment is checked for cycles.
pub fn expanded_size(document: &ExecutableDocument) -> Result<usize, Unmeasurable> {
    let mut expander = Expander {
        document,
        fragments: HashMap::new(),
    };
    let mut total = 0usize;
    for (_, operation) in document.operations.iter() {
        let (size, _) = expander.selection_set(&operation.node.selection_set.node, 0)?;
        total = total.saturating_add(size);
    }
    let spread = spread_fragments(document);
    for (name, fragment) in &document.fragments {
        let (size, _) = expander.fragment(name.as_str(), fragment, 0)?;
        if !spread.contains(name.as_str()) {
            total = total.saturating_add(size);
        }
    }
    Ok(total)
}

/// The names of the fragments spread anywhere in the document.
fn spread_fragments(document: &ExecutableDocument) -> HashSet<&str> {
    let mut spread = HashSet::new();
    let mut pending: Vec<&SelectionSet> = document
        .operations
        .iter()
        .map(|(_, operation)| &operation.node.selection_set.node)
        .chain(
            document
                .fragments
                .values()
                .map(|fragment| &fragment.node.selection_set.node),
        )
        .collect();
    while let Some(set) = pending.pop() {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => pending.push(&field.node.selection_set.node),
                Selection::InlineFragment(fragment) => {
                    pending.push(&fragment.node.selection_set.node);
                }
                Selection::FragmentSpread(fragment_spread) => {
                    spread.insert(fragment_spread.node.fragment_name.node.as_str());
                }
            }
        }
    }
    spread
}

/// A fragment's expanded size and nesting height, or `None` while it is
/// being measured (meeting it again then means a cycle).
type Measured = Option<(usize, usize)>;

struct Expander<'d> {
    document: &'d ExecutableDocument,
    fragments: HashMap<&'d str, Measured>,
}

impl<'d> Expander<'d> {
    /// The size and nesting height of a selection set found `depth` levels
    /// down.
    fn selection_set(
        &mut self,
        set: &'d SelectionSet,
        depth: usize,
    ) -> Result<(usize, usize), Unmeasurable> {
        if depth > MAX_NESTING {
            return Err(Unmeasurable::TooDeep);
        }
        let mut size = 0usize;
        let mut height = 0usize;
        for selection in &set.items {
            let (inner_size, inner_height) = match &selection.node {
                Selection::Field(field) => {
                    let children = &field.node.selection_set.node;
                    if children.items.is_empty() {
                        (1, 0)
                    } else {
                        let (children_size, children_height) =
                            self.selection_set(children, depth + 1)?;
                        (children_size.saturating_add(1), children_height + 1)
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let (children_size, children_height) =
                        self.selection_set(&fragment.node.selection_set.node, depth + 1)?;
                    (children_size, children_height + 1)
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    // Unknown fragments are for validation to report.
                    let Some((name, fragment)) = self.document.fragments.get_key_value(name) else {
                        continue;
                    };
                    let (fragment_size, fragment_height) =
                        self.fragment(name.as_str(), fragment, depth + 1)?;
                    (fragment_size, fragment_height + 1)
                }
            };
            size = size.saturating_add(inner_size);
            height = height.max(inner_height);
        }
        Ok((size, height))
    }

    fn fragment(
        &mut self,
        name: &'d str,
        fragment: &'d Positioned<async_graphql::parser::types::FragmentDefinition>,
        depth: usize,
    ) -> Result<(usize, usize), Unmeasurable> {
        match self.fragments.get(name) {
            Some(None) => Err(Unmeasurable::Cycle(name.to_owned())),
            Some(Some((size, height))) => {
                if depth + height > MAX_NESTING {
                    Err(Unmeasurable::TooDeep)
                } else {
                    Ok((*size, *height))
                }
            }
            None => {
                self.fragments.insert(name, None);
                let measured = self.selection_set(&fragment.node.selection_set.node, depth)?;
                self.fragments.insert(name, Some(measured));
                Ok(measured)
            }
        }
    }
}

/// The operation a request with `operation_name` runs, chosen as
/// async-graphql chooses it; `None` when it cannot choose (async-graphql
/// then answers with the reason).
pub fn selected_operation<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'d Positioned<OperationDefinition>> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), None) => Some(operation),
        (DocumentOperations::Single(_), Some(_)) => None,
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// The name of the root type of `operation`.
pub fn root_type<'m>(model: &'m SchemaModel, operation: &OperationDefinition) -> Option<&'m str> {
    match operation.ty {
        OperationType::Query => Some(model.query()),
        OperationType::Mutation => model.mutation(),
        OperationType::Subscription => model.subscription(),
    }
}

/// The response keys of the operation's root fields, each with whether
/// its field is non-null. Fragments at the root are followed once each.
pub fn root_fields(
    model: &SchemaModel,
    document: &ExecutableDocument,
    operation: &OperationDefinition,
) -> HashMap<String, bool> {
    let root = root_type(model, operation).and_then(|name| model.ty(name));
    let mut keys = HashMap::new();
    let mut seen = HashSet::new();
    let mut pending = vec![&operation.selection_set.node];
    while let Some(set) = pending.pop() {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let non_null = root
                        .and_then(|root| root.field(field.node.name.node.as_str()))
                        .is_some_and(|definition| !definition.ty.nullable);
                    let key = field.node.response_key().node.to_string();
                    *keys.entry(key).or_insert(false) |= non_null;
                }
                Selection::InlineFragment(fragment) => {
                    pending.push(&fragment.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if seen.insert(name.as_str())
                        && let Some(fragment) = document.fragments.get(name)
                    {
                        pending.push(&fragment.node.selection_set.node);
                    }
                }
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn size(query: &str) -> Result<usize, Unmeasurable> {
        expanded_size(&parse_query(query).unwrap())
    }

    /// A document whose fragments each spread the next twice, `levels` deep.
    fn fragment_bomb(levels: usize) -> String {
        let mut query = String::from("query { ...F0 }\n");
        for level in 0..levels {
            let next = level + 1;
            query.push_str(&format!(
                "fragment F{level} on Query {{ ...F{next} ...F{next} }}\n"
            ));
        }
        query.push_str(&format!("fragment F{levels} on Query {{ __typename }}\n"));
        query
    }

    #[test]
    fn counts_fields_with_fragments_expanded() {
        assert_eq!(size("{ me { roles } }"), Ok(2));
        assert_eq!(
            size("{ a: me { ...R } b: me { ...R } } fragment R on Viewer { roles member { id } }"),
            Ok(8)
        );
        assert_eq!(size("{ ... on Query { me { roles } } }"), Ok(2));
    }

    #[test]
    fn measures_an_exponential_document_in_linear_time() {
        assert_eq!(size(&fragment_bomb(23)), Ok(1 << 23));
        // Far beyond what could ever be expanded, measured at once.
        assert_eq!(size(&fragment_bomb(60)), Ok(1 << 60));
    }

    #[test]
    fn counts_fragments_nothing_spreads() {
        let query =
            "{ __typename } fragment A on Query { ...B ...B } fragment B on Query { me { roles } }";
        assert_eq!(size(query), Ok(1 + 4));
        assert!(matches!(
            size("{ __typename } fragment A on Query { ...B } fragment B on Query { ...A }"),
            Err(Unmeasurable::Cycle(_))
        ));
    }

    #[test]
    fn refuses_cycles_and_endless_nesting() {
        assert_eq!(
            size("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
            Err(Unmeasurable::Cycle("A".to_owned()))
        );
        let mut chain = String::from("{ ...F0 }\n");
        for level in 0..100 {
            chain.push_str(&format!(
                "fragment F{level} on Query {{ ...F{} }}\n",
                level + 1
            ));
        }
        chain.push_str("fragment F100 on Query { __typename }");
        assert_eq!(size(&chain), Err(Unmeasurable::TooDeep));
    }

    #[test]
    fn chooses_the_operation_as_async_graphql_does() {
        let anonymous = parse_query("{ __typename }").unwrap();
        assert!(selected_operation(&anonymous, None).is_some());
        assert!(selected_operation(&anonymous, Some("A")).is_none());
        let two = parse_query("query A { __typename } query B { __typename }").unwrap();
        assert!(selected_operation(&two, Some("B")).is_some());
        assert!(selected_operation(&two, None).is_none());
    }

    #[test]
    fn knows_which_root_fields_are_non_null() {
        let model = SchemaModel::from_sdl(&crate::api::sdl()).unwrap();
        let document = parse_query(
            "{ a: member(id: \"x\") { id } ...F } fragment F on Query { me { roles } }",
        )
        .unwrap();
        let operation = selected_operation(&document, None).unwrap();
        let fields = root_fields(&model, &document, &operation.node);
        assert_eq!(fields.get("a"), Some(&true));
        assert_eq!(fields.get("me"), Some(&false));
    }
}
