//! Who mail can reach: address, name and newsletter consent of members.

use alumni_core::MemberId;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{ConsentPurpose, MemberStatus};
use crate::schema::membership::{companies, consents, members, profiles};

/// Address, name and whether the newsletter consent was given, of the
/// members among `ids` that have an address and are active or applying
/// (applicants hear about their application).
pub async fn mail_recipients(
    conn: &mut AsyncPgConnection,
    ids: &[MemberId],
) -> QueryResult<Vec<(MemberId, String, Option<String>, bool)>> {
    let addressed: Vec<(MemberId, Option<String>, Option<String>)> = members::table
        .left_join(profiles::table)
        .filter(members::id.eq_any(ids))
        .filter(members::status.eq_any([MemberStatus::Active, MemberStatus::Applicant]))
        .filter(members::email.is_not_null())
        .select((
            members::id,
            members::email,
            profiles::display_name.nullable(),
        ))
        .load(conn)
        .await?;
    // The newest consent of each member is the one in force.
    let latest: Vec<(MemberId, Vec<Option<ConsentPurpose>>)> = consents::table
        .filter(consents::member_id.eq_any(ids))
        .distinct_on(consents::member_id)
        .order((consents::member_id, consents::accepted_at.desc()))
        .select((consents::member_id, consents::purposes))
        .load(conn)
        .await?;
    Ok(addressed
        .into_iter()
        .filter_map(|(id, email, name)| {
            let newsletter = latest
                .iter()
                .find(|(member, _)| *member == id)
                .is_some_and(|(_, purposes)| purposes.contains(&Some(ConsentPurpose::Newsletter)));
            Some((id, email?, name, newsletter))
        })
        .collect())
}

/// The name of the company (not a predecessor), for the sender of mail.
pub async fn current_company_name(conn: &mut AsyncPgConnection) -> QueryResult<Option<String>> {
    companies::table
        .filter(companies::is_current.eq(true))
        .select(companies::name)
        .first(conn)
        .await
        .optional()
}

/// Active members with an address whose consent in force includes the
/// newsletter, in id order after `after`, at most `limit`.
pub async fn newsletter_readers(
    conn: &mut AsyncPgConnection,
    after: Option<MemberId>,
    limit: i64,
) -> QueryResult<Vec<MemberId>> {
    #[derive(QueryableByName)]
    struct Reader {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: uuid::Uuid,
    }
    let rows: Vec<Reader> = diesel::sql_query(
        "SELECT m.id FROM membership.members m \
         WHERE m.status = 'ACTIVE' AND m.email IS NOT NULL AND m.id > $1 \
           AND (SELECT c.purposes FROM membership.consents c \
                WHERE c.member_id = m.id \
                ORDER BY c.accepted_at DESC LIMIT 1) @> ARRAY['NEWSLETTER'] \
         ORDER BY m.id LIMIT $2",
    )
    .bind::<diesel::sql_types::Uuid, _>(after.map_or(uuid::Uuid::nil(), |member| member.0))
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|row| MemberId(row.id)).collect())
}

/// The roles and last visit of an active member.
pub async fn roles_and_last_seen(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<Option<(Vec<Option<String>>, Option<chrono::DateTime<chrono::Utc>>)>> {
    members::table
        .find(member)
        .filter(members::status.eq(MemberStatus::Active))
        .select((members::roles, members::last_seen_at))
        .first(conn)
        .await
        .optional()
}
