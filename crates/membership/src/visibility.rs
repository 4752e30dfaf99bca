//! What of a member each viewer may see.
//!
//! A [`MemberView`] is built only through [`MemberView::for_viewer`], which
//! drops every field the viewer may not read. GraphQL objects wrap views,
//! never records, so no resolver, loader or `node(id:)` path can read around
//! the rules.

use alumni_core::{AppResult, MemberId, Role, RoleSet, Viewer};
use chrono::{DateTime, Utc};

use crate::model::MemberRecord;

/// A member as one viewer may see them.
#[derive(Debug, Clone)]
pub struct MemberView {
    /// Member id.
    pub id: MemberId,
    /// E-mail address: only for the member themselves and the secretariat.
    pub email: Option<String>,
    /// Roles held.
    pub roles: RoleSet,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

impl MemberView {
    /// Applies the visibility rules of `viewer` to `record`.
    pub fn for_viewer(record: MemberRecord, viewer: &Viewer) -> AppResult<Self> {
        let sees_private = viewer.is_member(record.id) || viewer.has_role(Role::Secretariat);
        Ok(Self {
            id: record.id,
            roles: record.role_set()?,
            email: sees_private.then_some(record.email),
            created_at: record.created_at,
        })
    }
}
