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

use alumni_core::Role;
use alumni_core::enums::StoredEnum;

/// Every enum membership stores, with its columns, for the test that
/// compares them with the database's lists of allowed values.
pub const STORED_ENUMS: &[StoredEnum] = &[
    alumni_core::moderation::ModerationState::stored_in(&["membership.profiles.moderation"]),
    MemberStatus::STORED,
    ROLES,
    Visibility::STORED,
    Interest::STORED,
    Prefecture::STORED,
    ApplicationStatus::STORED,
    ApprovalBasis::STORED,
    ConsentPurpose::STORED,
];

/// Roles are core's (every domain checks them), but membership stores them.
const ROLES: StoredEnum = StoredEnum {
    name: "Role",
    columns: &["membership.members.roles"],
    values: &Role::NAMES,
    derived: &[],
};

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
