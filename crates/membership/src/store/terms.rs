//! Terms of use and consent.

use alumni_core::MemberId;
use alumni_core::pagination::{ListOrder, ListSize, PageRequest, capped_count, seek};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{ConsentPurpose, ConsentRecord, TermsRecord, TermsVersionId};
use crate::schema::membership::{consents, terms_versions};

/// Sort key of the version list (newest first).
pub type TermsKey = (DateTime<Utc>, uuid::Uuid);

/// The newest published version: the one in force.
pub async fn current_terms(conn: &mut AsyncPgConnection) -> QueryResult<Option<TermsRecord>> {
    terms_versions::table
        .order((
            terms_versions::published_at.desc(),
            terms_versions::id.desc(),
        ))
        .select(TermsRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// One published version.
pub async fn terms_by_id(
    conn: &mut AsyncPgConnection,
    id: TermsVersionId,
) -> QueryResult<Option<TermsRecord>> {
    terms_versions::table
        .find(id)
        .select(TermsRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// Published versions, newest first.
pub async fn terms_page(
    conn: &mut AsyncPgConnection,
    page: &PageRequest<TermsKey>,
) -> QueryResult<Vec<TermsRecord>> {
    let query = terms_versions::table
        .select(TermsRecord::as_select())
        .into_boxed();
    seek(
        query,
        page,
        (terms_versions::published_at, terms_versions::id),
        ListOrder::Descending,
    )
    .load(conn)
    .await
}

/// How many versions were published.
pub async fn terms_count(conn: &mut AsyncPgConnection) -> QueryResult<ListSize> {
    let counted = capped_count(terms_versions::table.select(terms_versions::id))
        .get_result(conn)
        .await?;
    Ok(ListSize::from_capped_count(counted))
}

/// Publishes a version.
pub async fn insert_terms(conn: &mut AsyncPgConnection, terms: &TermsRecord) -> QueryResult<()> {
    diesel::insert_into(terms_versions::table)
        .values(terms)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records (or, for a repeated acceptance, updates) a member's consent to
/// a version.
pub async fn upsert_consent(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    terms_version_id: TermsVersionId,
    purposes: &[ConsentPurpose],
    at: DateTime<Utc>,
) -> QueryResult<()> {
    let purposes: Vec<Option<ConsentPurpose>> = purposes.iter().copied().map(Some).collect();
    diesel::insert_into(consents::table)
        .values((
            consents::member_id.eq(member_id),
            consents::terms_version_id.eq(terms_version_id),
            consents::accepted_at.eq(at),
            consents::purposes.eq(&purposes),
            consents::updated_at.eq(at),
        ))
        .on_conflict((consents::member_id, consents::terms_version_id))
        .do_update()
        .set((
            consents::purposes.eq(&purposes),
            consents::updated_at.eq(at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records consents given elsewhere (demo data).
pub async fn insert_consents(
    conn: &mut AsyncPgConnection,
    records: &[ConsentRecord],
) -> QueryResult<()> {
    diesel::insert_into(consents::table)
        .values(records)
        .execute(conn)
        .await?;
    Ok(())
}

/// A member's consent to a version.
pub async fn consent_of(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    terms_version_id: TermsVersionId,
) -> QueryResult<Option<ConsentRecord>> {
    consents::table
        .find((member_id, terms_version_id))
        .select(ConsentRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// Every consent a member gave, newest first (for their data export).
pub async fn consents_of(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
) -> QueryResult<Vec<ConsentRecord>> {
    consents::table
        .filter(consents::member_id.eq(member_id))
        .order(consents::accepted_at.desc())
        .select(ConsentRecord::as_select())
        .load(conn)
        .await
}
