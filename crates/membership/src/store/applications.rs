//! Applications and invitations.

use alumni_core::MemberId;
use alumni_core::pagination::{ListOrder, ListSize, PageRequest, capped_count, seek};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{
    ApplicationId, ApplicationRecord, ApplicationStatus, Decision, InvitationId, InvitationRecord,
};
use crate::schema::membership::{applications, invitations, members};

/// Sort key of the review queue (oldest first) and the invitation list
/// (newest first).
pub type TimeKey = (DateTime<Utc>, uuid::Uuid);

/// Records applications.
pub async fn insert_applications(
    conn: &mut AsyncPgConnection,
    records: &[ApplicationRecord],
) -> QueryResult<()> {
    diesel::insert_into(applications::table)
        .values(records)
        .execute(conn)
        .await?;
    Ok(())
}

/// The application of an applicant.
pub async fn application_of(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
) -> QueryResult<Option<ApplicationRecord>> {
    applications::table
        .filter(applications::member_id.eq(member_id))
        .select(ApplicationRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// Applications by id, for DataLoaders and `node(id:)`.
pub async fn applications_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[ApplicationId],
) -> QueryResult<Vec<ApplicationRecord>> {
    applications::table
        .filter(applications::id.eq_any(ids))
        .select(ApplicationRecord::as_select())
        .load(conn)
        .await
}

/// Applications by id with their applicants' e-mail addresses.
pub async fn applications_with_emails(
    conn: &mut AsyncPgConnection,
    ids: &[ApplicationId],
) -> QueryResult<Vec<(ApplicationRecord, Option<String>)>> {
    applications::table
        .inner_join(members::table.on(members::id.eq(applications::member_id)))
        .filter(applications::id.eq_any(ids))
        .select((ApplicationRecord::as_select(), members::email))
        .load(conn)
        .await
}

/// One application, locked for the rest of the transaction so that two
/// secretariat members cannot decide it at once.
pub async fn lock_application(
    conn: &mut AsyncPgConnection,
    id: ApplicationId,
) -> QueryResult<Option<ApplicationRecord>> {
    applications::table
        .find(id)
        .select(ApplicationRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// The live (not rejected), unflagged application that `application`
/// collides with: the same roster entry, employee number, or normalised name
/// and leave date (the keys of the unique indexes on live applications).
pub async fn colliding_application(
    conn: &mut AsyncPgConnection,
    application: &ApplicationRecord,
) -> QueryResult<Option<ApplicationId>> {
    // `= NULL` matches nothing, so an absent roster entry or employee number
    // simply does not take part.
    applications::table
        .filter(applications::status.ne(ApplicationStatus::Rejected))
        .filter(applications::possible_duplicate.eq(false))
        .filter(
            applications::roster_entry_id
                .eq(application.roster_entry_id)
                .or(applications::employee_number.eq(application.employee_number.clone()))
                .or(applications::name_key
                    .eq(&application.name_key)
                    .and(applications::left_on.eq(application.left_on))),
        )
        .order((applications::submitted_at.asc(), applications::id.asc()))
        .select(applications::id)
        .first(conn)
        .await
        .optional()
}

/// The review queue: pending applications, oldest first.
pub async fn pending_page(
    conn: &mut AsyncPgConnection,
    page: &PageRequest<TimeKey>,
) -> QueryResult<Vec<ApplicationRecord>> {
    let query = applications::table
        .filter(applications::status.eq(ApplicationStatus::PendingReview))
        .select(ApplicationRecord::as_select())
        .into_boxed();
    seek(
        query,
        page,
        (applications::submitted_at, applications::id),
        ListOrder::Ascending,
    )
    .load(conn)
    .await
}

/// How many applications await review.
pub async fn pending_count(conn: &mut AsyncPgConnection) -> QueryResult<ListSize> {
    let pending = applications::table
        .filter(applications::status.eq(ApplicationStatus::PendingReview))
        .select(applications::id);
    let counted = capped_count(pending).get_result(conn).await?;
    Ok(ListSize::from_capped_count(counted))
}

/// Records a decision.
pub async fn decide(
    conn: &mut AsyncPgConnection,
    id: ApplicationId,
    decision: &Decision<'_>,
) -> QueryResult<()> {
    diesel::update(applications::table.find(id))
        .set(decision)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes an applicant's application (on withdrawal: it holds personal
/// data).
pub async fn delete_application_of(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
) -> QueryResult<()> {
    diesel::delete(applications::table.filter(applications::member_id.eq(member_id)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records an invitation.
pub async fn insert_invitation(
    conn: &mut AsyncPgConnection,
    invitation: &InvitationRecord,
) -> QueryResult<()> {
    diesel::insert_into(invitations::table)
        .values(invitation)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks the invitation with this code hash used, if it is unused and
/// unexpired, in one statement (two applications racing for one code
/// cannot both win). Returns the invitation if it was redeemed.
pub async fn redeem_invitation(
    conn: &mut AsyncPgConnection,
    code_hash: &[u8],
    at: DateTime<Utc>,
) -> QueryResult<Option<InvitationId>> {
    diesel::update(invitations::table)
        .filter(invitations::code_hash.eq(code_hash))
        .filter(invitations::used_at.is_null())
        .filter(invitations::expires_at.gt(at))
        .set(invitations::used_at.eq(at))
        .returning(invitations::id)
        .get_result(conn)
        .await
        .optional()
}

/// The invitation with this code hash.
pub async fn invitation_by_code_hash(
    conn: &mut AsyncPgConnection,
    code_hash: &[u8],
) -> QueryResult<Option<InvitationRecord>> {
    invitations::table
        .filter(invitations::code_hash.eq(code_hash))
        .select(InvitationRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// Invitations by id.
pub async fn invitations_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[InvitationId],
) -> QueryResult<Vec<InvitationRecord>> {
    invitations::table
        .filter(invitations::id.eq_any(ids))
        .select(InvitationRecord::as_select())
        .load(conn)
        .await
}

/// How many invitations exist.
pub async fn invitations_count(conn: &mut AsyncPgConnection) -> QueryResult<ListSize> {
    let counted = capped_count(invitations::table.select(invitations::id))
        .get_result(conn)
        .await?;
    Ok(ListSize::from_capped_count(counted))
}

/// Invitations, newest first.
pub async fn invitations_page(
    conn: &mut AsyncPgConnection,
    page: &PageRequest<TimeKey>,
) -> QueryResult<Vec<InvitationRecord>> {
    let query = invitations::table
        .select(InvitationRecord::as_select())
        .into_boxed();
    seek(
        query,
        page,
        (invitations::created_at, invitations::id),
        ListOrder::Descending,
    )
    .load(conn)
    .await
}
