//! The member directory: search and filters over profiles, honouring each
//! field's visibility in SQL, so a member cannot be found by a field the
//! viewer may not read.

use alumni_core::MemberId;
use alumni_core::pagination::{ListOrder, ListSize, PageRequest, capped_count, seek};
use alumni_core::search;
use chrono::NaiveDate;
use diesel::dsl::{InnerJoin, IntoBoxed, LeftJoin, exists};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{
    CompanyId, CompanyRecord, Interest, MemberRecord, MemberStatus, ProfileRecord, TagId,
    Visibility,
};
use crate::schema::membership::{companies, member_skills, members, profiles};

/// Sort key of the directory: the normalised reading, then the id.
pub type DirectoryKey = (String, MemberId);

/// What to look for; every given part narrows the list.
#[derive(Debug, Clone, Default)]
pub struct DirectoryFilter {
    /// Normalised query terms; each must match the name, its reading or
    /// romaji, or a (visible) former surname.
    pub terms: Vec<String>,
    /// Has this skill (if skills are visible).
    pub skill: Option<TagId>,
    /// Left this company (if the career is visible).
    pub company: Option<CompanyId>,
    /// Left on or after this day (if the career is visible).
    pub left_from: Option<NaiveDate>,
    /// Left before this day (if the career is visible).
    pub left_before: Option<NaiveDate>,
    /// Has this interest (if interests are visible).
    pub interest: Option<Interest>,
}

/// One page of listed, active members matching `filter`, in reading order,
/// for a viewer who may read fields set to `readable`, each with the
/// company of their career (a short reference table, so joining it costs
/// less than a second statement).
pub async fn directory_page(
    conn: &mut AsyncPgConnection,
    filter: &DirectoryFilter,
    readable: &[Visibility],
    page: &PageRequest<DirectoryKey>,
) -> QueryResult<Vec<(MemberRecord, ProfileRecord, Option<CompanyRecord>)>> {
    seek(
        listed(filter, readable).select((
            MemberRecord::as_select(),
            ProfileRecord::as_select(),
            Option::<CompanyRecord>::as_select(),
        )),
        page,
        (profiles::sort_key, profiles::member_id),
        ListOrder::Ascending,
    )
    .load(conn)
    .await
}

/// How many listed, active members match `filter` for a viewer who may
/// read fields set to `readable`.
pub async fn directory_count(
    conn: &mut AsyncPgConnection,
    filter: &DirectoryFilter,
    readable: &[Visibility],
) -> QueryResult<ListSize> {
    let counted = capped_count(listed(filter, readable).select(profiles::member_id))
        .get_result(conn)
        .await?;
    Ok(ListSize::from_capped_count(counted))
}

type Listed =
    IntoBoxed<'static, LeftJoin<InnerJoin<profiles::table, members::table>, companies::table>, Pg>;

/// Listed, active members matching `filter`, in no order.
fn listed(filter: &DirectoryFilter, readable: &[Visibility]) -> Listed {
    let readable = readable.to_vec();
    let mut query = profiles::table
        .inner_join(members::table)
        .left_join(companies::table)
        .filter(members::status.eq(MemberStatus::Active))
        .filter(profiles::listed_in_directory.eq(true))
        .into_boxed();
    for term in &filter.terms {
        let grams: Vec<Option<String>> = search::term_grams(term).into_iter().map(Some).collect();
        let pattern = search::contains_pattern(term);
        query = query.filter(
            profiles::name_grams
                .contains(grams.clone())
                .and(profiles::name_text.like(pattern.clone()))
                .or(profiles::former_surnames_visibility
                    .eq_any(readable.clone())
                    .and(profiles::former_grams.contains(grams))
                    .and(profiles::former_text.like(pattern))),
        );
    }
    if let Some(tag_id) = filter.skill {
        query = query
            .filter(profiles::skills_visibility.eq_any(readable.clone()))
            .filter(exists(
                member_skills::table
                    .filter(member_skills::member_id.eq(profiles::member_id))
                    .filter(member_skills::tag_id.eq(tag_id)),
            ));
    }
    if filter.company.is_some() || filter.left_from.is_some() || filter.left_before.is_some() {
        query = query.filter(profiles::employment_visibility.eq_any(readable.clone()));
    }
    if let Some(company_id) = filter.company {
        query = query.filter(profiles::company_id.eq(company_id));
    }
    if let Some(from) = filter.left_from {
        query = query.filter(profiles::left_on.ge(from));
    }
    if let Some(before) = filter.left_before {
        query = query.filter(profiles::left_on.lt(before));
    }
    if let Some(interest) = filter.interest {
        query = query
            .filter(profiles::interests_visibility.eq_any(readable.clone()))
            .filter(profiles::interests.contains(vec![Some(interest)]));
    }
    query
}
