//! The former-employee roster HR imports.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::model::CompanyId;
use crate::schema::membership::roster_entries;

alumni_core::typed_id!(
    /// Identifies an entry of the former-employee roster.
    RosterEntryId,
    "RosterEntry"
);

/// A former employee as HR knows them.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = roster_entries)]
pub struct RosterEntryRecord {
    /// Entry id.
    pub id: RosterEntryId,
    /// HR's employee number; unique.
    pub employee_number: String,
    /// Full name as HR wrote it.
    pub full_name: String,
    /// Reading of the full name.
    pub full_name_kana: String,
    /// Surnames used before (旧姓).
    pub former_surnames: Vec<Option<String>>,
    /// Known e-mail addresses, lower-cased.
    pub emails: Vec<Option<String>>,
    /// The company (or predecessor) they left.
    pub company_id: CompanyId,
    /// First day.
    pub joined_on: NaiveDate,
    /// Last day.
    pub left_on: NaiveDate,
    /// Last department.
    pub last_department: String,
    /// Normalised full name.
    pub name_key: String,
    /// Normalised reading.
    pub kana_key: String,
    /// First import.
    pub created_at: DateTime<Utc>,
    /// Last import that changed it.
    pub updated_at: DateTime<Utc>,
}

/// An entry as read from a roster file, ready to upsert.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = roster_entries)]
pub struct RosterEntryValues {
    /// HR's employee number.
    pub employee_number: String,
    /// Full name.
    pub full_name: String,
    /// Reading.
    pub full_name_kana: String,
    /// Former surnames.
    pub former_surnames: Vec<String>,
    /// E-mail addresses, lower-cased.
    pub emails: Vec<String>,
    /// The company left.
    pub company_id: CompanyId,
    /// First day.
    pub joined_on: NaiveDate,
    /// Last day.
    pub left_on: NaiveDate,
    /// Last department.
    pub last_department: String,
    /// Normalised full name.
    pub name_key: String,
    /// Normalised reading.
    pub kana_key: String,
}
