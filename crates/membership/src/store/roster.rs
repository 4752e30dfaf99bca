//! The former-employee roster.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{RosterEntryId, RosterEntryRecord, RosterEntryValues};
use crate::schema::membership::roster_entries;

/// Rows per INSERT: well under PostgreSQL's limit of 65,535 bind parameters.
const INSERT_CHUNK: usize = 1_000;

/// Serialises roster imports for the rest of the transaction, so two imports
/// of overlapping files cannot interleave their compare-and-write.
pub async fn lock_for_import(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('membership.roster_import'))")
        .execute(conn)
        .await?;
    Ok(())
}

/// Entries with these employee numbers.
pub async fn entries_by_employee_numbers(
    conn: &mut AsyncPgConnection,
    numbers: &[String],
) -> QueryResult<Vec<RosterEntryRecord>> {
    roster_entries::table
        .filter(roster_entries::employee_number.eq_any(numbers))
        .select(RosterEntryRecord::as_select())
        .load(conn)
        .await
}

/// Entries by id.
pub async fn entries_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[RosterEntryId],
) -> QueryResult<Vec<RosterEntryRecord>> {
    roster_entries::table
        .filter(roster_entries::id.eq_any(ids))
        .select(RosterEntryRecord::as_select())
        .load(conn)
        .await
}

/// Inserts new entries.
pub async fn insert_entries(
    conn: &mut AsyncPgConnection,
    entries: &[(RosterEntryId, RosterEntryValues)],
    at: chrono::DateTime<chrono::Utc>,
) -> QueryResult<()> {
    for chunk in entries.chunks(INSERT_CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(id, values)| {
                (
                    roster_entries::id.eq(*id),
                    values,
                    roster_entries::created_at.eq(at),
                    roster_entries::updated_at.eq(at),
                )
            })
            .collect();
        diesel::insert_into(roster_entries::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Overwrites one entry with newer values.
pub async fn update_entry(
    conn: &mut AsyncPgConnection,
    id: RosterEntryId,
    values: &RosterEntryValues,
    at: chrono::DateTime<chrono::Utc>,
) -> QueryResult<()> {
    diesel::update(roster_entries::table.find(id))
        .set((values, roster_entries::updated_at.eq(at)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Entries sharing a strong signal with any of several applications: an
/// employee number, a normalised name, a normalised reading, or an e-mail
/// address. One statement for a whole page of applications; each signal is
/// answered from its own index.
pub async fn candidate_entries(
    conn: &mut AsyncPgConnection,
    employee_numbers: &[String],
    name_keys: &[String],
    kana_keys: &[String],
    emails: &[String],
) -> QueryResult<Vec<RosterEntryRecord>> {
    let emails: Vec<Option<String>> = emails.iter().cloned().map(Some).collect();
    roster_entries::table
        .filter(
            roster_entries::employee_number
                .eq_any(employee_numbers)
                .or(roster_entries::name_key.eq_any(name_keys))
                .or(roster_entries::kana_key.eq_any(kana_keys))
                .or(roster_entries::emails.overlaps_with(emails)),
        )
        .select(RosterEntryRecord::as_select())
        .load(conn)
        .await
}
