//! The company and its predecessors.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::schema::membership::companies;

alumni_core::typed_id!(
    /// Identifies the company or one of its predecessors.
    CompanyId,
    "Company"
);

/// A company as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = companies)]
pub struct CompanyRecord {
    /// Company id.
    pub id: CompanyId,
    /// Full name, e.g. 北辰情報システム株式会社.
    pub name: String,
    /// Reading of the name.
    pub name_kana: String,
    /// Short name the roster file uses.
    pub short_name: String,
    /// Whether this is today's company.
    pub is_current: bool,
    /// When a predecessor merged in.
    pub merged_on: Option<NaiveDate>,
    /// A few words on its history.
    pub description: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// Changes to a company.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = companies)]
pub struct CompanyChanges {
    /// New full name.
    pub name: Option<String>,
    /// New reading.
    pub name_kana: Option<String>,
    /// New short name.
    pub short_name: Option<String>,
    /// New merger date (predecessors only).
    pub merged_on: Option<NaiveDate>,
    /// New description.
    pub description: Option<String>,
    /// Time of the change.
    pub updated_at: Option<DateTime<Utc>>,
}
