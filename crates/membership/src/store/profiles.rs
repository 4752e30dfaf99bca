//! Profiles, skills and the tag vocabulary.

use alumni_core::moderation::ModerationState;
use alumni_core::pagination::{ListSize, PageRequest, capped_count};
use alumni_core::{MemberId, search};
use chrono::{DateTime, Utc};
use diesel::dsl::exists;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{
    CompleteProfile, MemberRecord, MemberStatus, NameIndex, NewProfile, ProfileChanges,
    ProfileRecord, TagId, TagRecord, Visibility,
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

/// Tags by id.
pub async fn tags_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[TagId],
) -> QueryResult<Vec<TagRecord>> {
    tags::table
        .filter(tags::id.eq_any(ids))
        .select(TagRecord::as_select())
        .load(conn)
        .await
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

/// Makes sure a tag exists for every `(slug, name)` and returns the tags.
/// A tag keeps the name it was first written with.
pub async fn ensure_tags(
    conn: &mut AsyncPgConnection,
    wanted: &[(String, String)],
    at: DateTime<Utc>,
) -> QueryResult<Vec<TagRecord>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let new_rows: Vec<TagRecord> = wanted
        .iter()
        .map(|(slug, name)| TagRecord {
            id: TagId::new(),
            slug: slug.clone(),
            name: name.clone(),
            created_at: at,
        })
        .collect();
    diesel::insert_into(tags::table)
        .values(&new_rows)
        .on_conflict(tags::slug)
        .do_nothing()
        .execute(conn)
        .await?;
    let slugs: Vec<&String> = wanted.iter().map(|(slug, _)| slug).collect();
    tags::table
        .filter(tags::slug.eq_any(slugs))
        .select(TagRecord::as_select())
        .load(conn)
        .await
}

/// The tag with this slug.
pub async fn tag_by_slug(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<TagRecord>> {
    tags::table
        .filter(tags::slug.eq(slug))
        .select(TagRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// Whose skills a viewer may see: their own, and those of members whose
/// skills are set to one of `readable` and whose account is in one of
/// `statuses` (see `crate::visibility`).
#[derive(Debug, Clone, Copy)]
pub struct SkillReader<'a> {
    /// The viewer.
    pub viewer: MemberId,
    /// Skill visibilities the viewer may read on others' profiles.
    pub readable: &'a [Visibility],
    /// Account statuses of members the viewer may see.
    pub statuses: &'a [MemberStatus],
}

/// A page of tags in slug order, optionally only those whose slug starts
/// with `prefix`, and only tags held by at least one member whose skills
/// `reader` may see. Each tag is checked with an `EXISTS` that walks its
/// holders through `member_skills_tag_idx` and stops at the first visible
/// one.
pub async fn tags_page(
    conn: &mut AsyncPgConnection,
    prefix: Option<&str>,
    reader: &SkillReader<'_>,
    page: &PageRequest<String>,
) -> QueryResult<Vec<TagRecord>> {
    let mut query = visible_tags(prefix, reader).select(TagRecord::as_select());
    if let Some(after) = &page.after {
        query = query.filter(tags::slug.gt(after.clone()));
    }
    if let Some(before) = &page.before {
        query = query.filter(tags::slug.lt(before.clone()));
    }
    query = if page.reads_in_list_order() {
        query.order(tags::slug.asc())
    } else {
        query.order(tags::slug.desc())
    };
    query.limit(page.fetch_limit()).load(conn).await
}

/// How many tags [`tags_page`] lists for this prefix and reader.
pub async fn tags_count(
    conn: &mut AsyncPgConnection,
    prefix: Option<&str>,
    reader: &SkillReader<'_>,
) -> QueryResult<ListSize> {
    let counted = capped_count(visible_tags(prefix, reader).select(tags::id))
        .get_result(conn)
        .await?;
    Ok(ListSize::from_capped_count(counted))
}

/// Tags starting with `prefix` held by at least one member whose skills
/// `reader` may see, in no order.
fn visible_tags(prefix: Option<&str>, reader: &SkillReader<'_>) -> tags::BoxedQuery<'static, Pg> {
    let held_visibly = member_skills::table
        .inner_join(profiles::table.on(profiles::member_id.eq(member_skills::member_id)))
        .inner_join(members::table.on(members::id.eq(member_skills::member_id)))
        .filter(member_skills::tag_id.eq(tags::id))
        .filter(
            member_skills::member_id
                .eq(reader.viewer)
                .or(profiles::skills_visibility
                    .eq_any(reader.readable.to_vec())
                    .and(members::status.eq_any(reader.statuses.to_vec()))),
        );
    let mut query = tags::table.filter(exists(held_visibly)).into_boxed();
    if let Some(prefix) = prefix {
        query = query.filter(tags::slug.like(search::prefix_pattern(prefix)));
    }
    query
}
