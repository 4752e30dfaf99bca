//! Profiles and skills.

use alumni_core::MemberId;
use alumni_core::moderation::ModerationState;
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{
    CompleteProfile, MemberRecord, MemberStatus, NameIndex, NewProfile, ProfileChanges,
    ProfileRecord, TagId, TagRecord,
};
use crate::schema::membership::{member_skills, members, profiles, tags};

/// Accounts with their profiles (applicants and withdrawn members have
/// none), by id.
pub async fn members_with_profiles(
    conn: &mut AsyncPgConnection,
    ids: &[MemberId],
) -> QueryResult<Vec<(MemberRecord, Option<ProfileRecord>)>> {
    members::table
        .left_join(profiles::table)
        .filter(members::id.eq_any(ids))
        .select((
            MemberRecord::as_select(),
            Option::<ProfileRecord>::as_select(),
        ))
        .load(conn)
        .await
}

/// Creates profiles.
pub async fn insert_profiles(
    conn: &mut AsyncPgConnection,
    new_profiles: &[NewProfile],
) -> QueryResult<()> {
    diesel::insert_into(profiles::table)
        .values(new_profiles)
        .execute(conn)
        .await?;
    Ok(())
}

/// Creates profiles with every column given (bulk loads).
pub async fn insert_complete_profiles(
    conn: &mut AsyncPgConnection,
    rows: &[CompleteProfile],
) -> QueryResult<()> {
    diesel::insert_into(profiles::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds skills to members (skipping ones they have).
pub async fn add_skills(
    conn: &mut AsyncPgConnection,
    skills: &[(MemberId, TagId)],
) -> QueryResult<()> {
    if skills.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = skills
        .iter()
        .map(|(member_id, tag_id)| {
            (
                member_skills::member_id.eq(*member_id),
                member_skills::tag_id.eq(*tag_id),
            )
        })
        .collect();
    diesel::insert_into(member_skills::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// The predecessor company a member left and the year they left, from
/// their profile (for audiences by cohort).
pub async fn cohort_of(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
) -> QueryResult<Option<(Option<crate::model::CompanyId>, Option<chrono::NaiveDate>)>> {
    profiles::table
        .find(member_id)
        .select((profiles::company_id, profiles::left_on))
        .first(conn)
        .await
        .optional()
}

/// Active members with a profile naming `company` (when given) who left
/// in `[from, until)` (when given).
pub async fn cohort_size(
    conn: &mut AsyncPgConnection,
    company: Option<crate::model::CompanyId>,
    left: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
) -> QueryResult<i64> {
    let mut query = members::table
        .inner_join(profiles::table)
        .filter(members::status.eq(MemberStatus::Active))
        .into_boxed();
    if let Some(company) = company {
        query = query.filter(profiles::company_id.eq(company));
    }
    if let Some((from, until)) = left {
        query = query
            .filter(profiles::left_on.ge(from))
            .filter(profiles::left_on.lt(until));
    }
    query.count().get_result(conn).await
}

/// Every active member with the attributes audiences are drawn by: roles,
/// the predecessor company left and the day they left.
pub async fn audience_attributes(
    conn: &mut AsyncPgConnection,
) -> QueryResult<
    Vec<(
        MemberId,
        Vec<Option<String>>,
        Option<crate::model::CompanyId>,
        Option<chrono::NaiveDate>,
    )>,
> {
    members::table
        .left_join(profiles::table)
        .filter(members::status.eq(MemberStatus::Active))
        .select((
            members::id,
            members::roles,
            profiles::company_id.nullable(),
            profiles::left_on.nullable(),
        ))
        .load(conn)
        .await
}

/// Whether the member has a profile.
pub async fn has_profile(conn: &mut AsyncPgConnection, member_id: MemberId) -> QueryResult<bool> {
    diesel::select(exists(profiles::table.find(member_id)))
        .get_result(conn)
        .await
}

/// Sets whether the profile's bio and links are shown to others.
pub async fn set_moderation(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    state: ModerationState,
) -> QueryResult<()> {
    diesel::update(profiles::table.find(member_id))
        .set(profiles::moderation.eq(state))
        .execute(conn)
        .await?;
    Ok(())
}

/// One profile, locked for the rest of the transaction.
pub async fn lock_profile(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
) -> QueryResult<Option<ProfileRecord>> {
    profiles::table
        .find(member_id)
        .select(ProfileRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Applies a member's changes and the derived name columns.
pub async fn update_profile(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    changes: &ProfileChanges,
    names: &NameIndex,
) -> QueryResult<()> {
    diesel::update(profiles::table.find(member_id))
        .set((changes, names))
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes a profile (on withdrawal).
pub async fn delete_profile(conn: &mut AsyncPgConnection, member_id: MemberId) -> QueryResult<()> {
    diesel::delete(profiles::table.find(member_id))
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces a member's skills.
pub async fn set_skills(
    conn: &mut AsyncPgConnection,
    member_id: MemberId,
    tag_ids: &[TagId],
) -> QueryResult<()> {
    diesel::delete(member_skills::table.filter(member_skills::member_id.eq(member_id)))
        .execute(conn)
        .await?;
    let skills: Vec<(MemberId, TagId)> =
        tag_ids.iter().map(|tag_id| (member_id, *tag_id)).collect();
    add_skills(conn, &skills).await
}

/// Skills of several members, for DataLoaders, ordered by tag slug.
pub async fn skills_of(
    conn: &mut AsyncPgConnection,
    member_ids: &[MemberId],
) -> QueryResult<Vec<(MemberId, TagRecord)>> {
    member_skills::table
        .inner_join(tags::table)
        .filter(member_skills::member_id.eq_any(member_ids))
        .order(tags::slug.asc())
        .select((member_skills::member_id, TagRecord::as_select()))
        .load(conn)
        .await
}
