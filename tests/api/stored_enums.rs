//! Every enum stored as text has exactly the values the database allows
//! in its columns, and every column with a list of allowed values belongs
//! to a stored enum. A value added to an enum but not to its migration (or
//! the other way round) fails here, not when the first row is written.

use std::collections::{BTreeMap, BTreeSet};

use alumni_core::enums::{self, StoredEnum};
use alumni_test_support::TestApp;
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl as _;

#[derive(QueryableByName)]
struct Check {
    /// `schema.table.column`.
    #[diesel(sql_type = Text)]
    column: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

/// CHECK constraints on one column each, as PostgreSQL prints them.
const SINGLE_COLUMN_CHECKS: &str = "
    SELECT n.nspname || '.' || t.relname || '.' || a.attname AS column,
           pg_get_constraintdef(c.oid) AS definition
      FROM pg_constraint c
      JOIN pg_class t ON t.oid = c.conrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.conkey[1]
     WHERE c.contype = 'c' AND cardinality(c.conkey) = 1
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')";

/// The values a CHECK lists, if it lists any. PostgreSQL prints both
/// `x IN ('A', 'B')` and `x <@ ARRAY['A', 'B']` with an array of text
/// literals: `(x = ANY (ARRAY['A'::text, 'B'::text]))`.
fn listed_values(definition: &str) -> Option<BTreeSet<String>> {
    let (_, list) = definition.split_once("ARRAY[")?;
    let (list, _) = list.split_once(']')?;
    let values = list
        .split(", ")
        .map(|item| {
            item.strip_prefix('\'')
                .and_then(|item| item.strip_suffix("'::text"))
                .unwrap_or_else(|| panic!("not a list of text values: {definition}"))
                .to_owned()
        })
        .collect();
    Some(values)
}

#[tokio::test]
async fn every_stored_enum_has_the_values_its_columns_allow() {
    let app = TestApp::spawn().await;
    let mut conn = app.database().connect().await;
    let checks: Vec<Check> = diesel::sql_query(SINGLE_COLUMN_CHECKS)
        .load(&mut conn)
        .await
        .unwrap();
    let mut allowed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for check in checks {
        if let Some(values) = listed_values(&check.definition) {
            let earlier = allowed.insert(check.column.clone(), values);
            assert!(earlier.is_none(), "{} has two lists", check.column);
        }
    }

    let domains = app.services.domains();
    let stored: Vec<&StoredEnum> = enums::STORED_ENUMS
        .iter()
        .chain(domains.iter().flat_map(|domain| domain.stored_enums()))
        .collect();
    let mut problems = Vec::new();
    let mut claimed = BTreeSet::new();
    for stored in stored {
        for derived in stored.derived {
            if !stored.values.contains(derived) {
                problems.push(format!("{} has no value {derived}", stored.name));
            }
        }
        let values: BTreeSet<String> = stored.stored_values().map(str::to_owned).collect();
        for column in stored.columns {
            if !claimed.insert(*column) {
                problems.push(format!("{column} is named by two enums"));
            }
            let Some(listed) = allowed.get(*column) else {
                problems.push(format!(
                    "{column} holds {} but has no CHECK listing its values",
                    stored.name
                ));
                continue;
            };
            for value in values.difference(listed) {
                problems.push(format!(
                    "{}::{value} is not allowed by the CHECK of {column}",
                    stored.name
                ));
            }
            for value in listed.difference(&values) {
                problems.push(format!(
                    "{column} allows {value}, which {} does not store",
                    stored.name
                ));
            }
        }
    }
    for column in allowed.keys() {
        if !claimed.contains(column.as_str()) {
            problems.push(format!(
                "{column} lists allowed values but no stored enum names it: \
                 declare it with `stored in` on its text_enum! and list the \
                 enum in its crate's STORED_ENUMS"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "stored enums and the database disagree:\n{}",
        problems.join("\n")
    );
}
