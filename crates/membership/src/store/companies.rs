//! The company and its predecessors.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{CompanyChanges, CompanyId, CompanyRecord};
use crate::schema::membership::companies;

/// Every company: today's first, then predecessors by merger date. The
/// list is short by nature (a company and the few that merged into it).
pub async fn all_companies(conn: &mut AsyncPgConnection) -> QueryResult<Vec<CompanyRecord>> {
    companies::table
        .order((
            companies::is_current.desc(),
            companies::merged_on.asc(),
            companies::id.asc(),
        ))
        .select(CompanyRecord::as_select())
        .load(conn)
        .await
}

/// Companies by id, for DataLoaders.
pub async fn companies_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[CompanyId],
) -> QueryResult<Vec<CompanyRecord>> {
    companies::table
        .filter(companies::id.eq_any(ids))
        .select(CompanyRecord::as_select())
        .load(conn)
        .await
}

/// One company.
pub async fn company_by_id(
    conn: &mut AsyncPgConnection,
    id: CompanyId,
) -> QueryResult<Option<CompanyRecord>> {
    companies::table
        .find(id)
        .select(CompanyRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// Adds a company.
pub async fn insert_company(
    conn: &mut AsyncPgConnection,
    company: &CompanyRecord,
) -> QueryResult<()> {
    diesel::insert_into(companies::table)
        .values(company)
        .execute(conn)
        .await?;
    Ok(())
}

/// Changes a company; returns the updated row.
pub async fn update_company(
    conn: &mut AsyncPgConnection,
    id: CompanyId,
    changes: &CompanyChanges,
) -> QueryResult<Option<CompanyRecord>> {
    diesel::update(companies::table.find(id))
        .set(changes)
        .returning(CompanyRecord::as_returning())
        .get_result(conn)
        .await
        .optional()
}
