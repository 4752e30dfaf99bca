//! Rows of the membership schema, the enums stored in them, and the
//! invariants on their values.

mod account;
mod application;
mod company;
mod profile;
mod roster;
mod terms;

pub use account::*;
pub use application::*;
pub use company::*;
pub use profile::*;
pub use roster::*;
pub use terms::*;

/// Text arrays come from PostgreSQL with nullable elements; ours never hold
/// NULL, so they are flattened here, at the edge.
pub fn strings(values: Vec<Option<String>>) -> Vec<String> {
    values.into_iter().flatten().collect()
}

/// Trims every value and drops empty ones and repeats, keeping the order.
pub fn clean_list(values: &[String]) -> Vec<String> {
    let mut cleaned: Vec<String> = Vec::with_capacity(values.len());
    for value in values.iter().map(|value| value.trim()) {
        if !value.is_empty() && !cleaned.iter().any(|kept| kept == value) {
            cleaned.push(value.to_owned());
        }
    }
    cleaned
}
