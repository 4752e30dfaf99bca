//! The member directory: search and filters over profiles, honouring each
//! field's visibility in SQL, so a member cannot be found by a field the
//! viewer may not read.
//!
//! The listing walks `profiles_directory_idx` in reading order and stops
//! after a page. A search cannot: its matches may sit anywhere in that
//! order (佐藤 under さとう, late), so a page of them is found in one of
//! two ways, each bounded whatever the query matches (figures and plans in
//! `docs/performance.md`):
//!
//! - a search matching few members is answered by collecting all of its
//!   matches through the GIN indexes of the grams (a `LIMIT` stops the
//!   collection early when it matches many), then paging them in memory;
//! - a search matching many members walks the postings of its rarest gram
//!   (`directory_grams`, one row per gram and listed member, in reading
//!   order) from the cursor on, checking each member against the whole
//!   filter, until a page is full. Matching many, its matches are dense
//!   enough among the postings that the walk stops soon.
//!
//! Either way the rule that decides a match is the same `listed` filter,
//! so both paths find exactly the members the filter allows.

use alumni_core::MemberId;
use alumni_core::pagination::{
    ListOrder, ListSize, PageRequest, capped_count, seek, seek_in_memory,
};
use alumni_core::search;
use chrono::NaiveDate;
use diesel::dsl::{InnerJoin, IntoBoxed, exists, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{
    CompanyId, Interest, MemberRecord, MemberStatus, ProfileRecord, TagId, Visibility,
};
use crate::schema::membership::{
    directory_gram_counts, directory_grams, member_skills, members, profiles,
};

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

/// Most matches a search collects to page in memory; a search matching
/// more walks postings instead. Collecting costs a heap fetch per match,
/// walking one per posting until a page is full, and a search matching
/// more than this is dense enough among its rarest gram's postings for a
/// page to come within a few thousand of them (measured in
/// `docs/performance.md`).
const MOST_MATCHES_COLLECTED: i64 = 1_000;

/// One page of listed, active members matching `filter`, in reading order,
/// for a viewer who may read fields set to `readable`. Two statements for
/// a search (collect, then the page's rows), one for a listing.
pub async fn directory_page(
    conn: &mut AsyncPgConnection,
    filter: &DirectoryFilter,
    readable: &[Visibility],
    page: &PageRequest<DirectoryKey>,
) -> QueryResult<Vec<(MemberRecord, ProfileRecord)>> {
    if filter.terms.is_empty() {
        return seek(
            listed(filter, readable)
                .select((MemberRecord::as_select(), ProfileRecord::as_select())),
            page,
            (profiles::sort_key, profiles::member_id),
            ListOrder::Ascending,
        )
        .load(conn)
        .await;
    }
    let matches: Vec<DirectoryKey> = listed(filter, readable)
        .select((profiles::sort_key, profiles::member_id))
        .limit(MOST_MATCHES_COLLECTED + 1)
        .load(conn)
        .await?;
    let rows = profiles::table.inner_join(members::table).into_boxed();
    let rows = if matches.len() as i64 <= MOST_MATCHES_COLLECTED {
        let ids: Vec<MemberId> = seek_in_memory(matches, page, ListOrder::Ascending)
            .into_iter()
            .map(|(_, id)| id)
            .collect();
        rows.filter(profiles::member_id.eq_any(ids))
    } else {
        rows.filter(profiles::member_id.eq_any(walk_postings(filter, readable, page)))
    };
    let rows = if page.reads_in_list_order() {
        rows.order((profiles::sort_key.asc(), profiles::member_id.asc()))
    } else {
        rows.order((profiles::sort_key.desc(), profiles::member_id.desc()))
    };
    rows.select((MemberRecord::as_select(), ProfileRecord::as_select()))
        .load(conn)
        .await
}

/// The ids of a page of members matching `filter` (which has terms), found
/// by walking the postings of the filter's rarest gram in reading order
/// from the cursor and checking each member against the whole filter.
///
/// The check is an `EXISTS` with `OFFSET 0`, which PostgreSQL never turns
/// into a join: it stays a test applied to each posting in turn, so the
/// walk keeps its order and stops after a page, whatever the planner
/// guesses about how many members the words match (it guesses far too few
/// for common words, and would otherwise fetch and sort them all).
fn walk_postings(
    filter: &DirectoryFilter,
    readable: &[Visibility],
    page: &PageRequest<DirectoryKey>,
) -> directory_grams::BoxedQuery<'static, Pg, diesel::sql_types::Uuid> {
    let grams: Vec<String> = filter
        .terms
        .iter()
        .flat_map(|term| search::term_grams(term))
        .collect();
    // Every gram of every term is in each match's postings, so any of them
    // finds every match; the rarest has the fewest postings to walk.
    let rarest = directory_gram_counts::table
        .select(directory_gram_counts::gram)
        .filter(directory_gram_counts::gram.eq_any(grams))
        .order((
            directory_gram_counts::postings.asc(),
            directory_gram_counts::gram.asc(),
        ))
        .limit(1)
        .single_value();
    // The posting being checked, from inside the check. A literal because
    // boxed diesel queries cannot name a column of an enclosing query.
    let posting_member = sql::<diesel::sql_types::Uuid>("membership.directory_grams.member_id");
    let member_matches = listed(filter, readable)
        .select(profiles::member_id)
        .filter(profiles::member_id.eq(posting_member))
        .offset(0);
    seek(
        directory_grams::table
            .select(directory_grams::member_id)
            .filter(directory_grams::gram.nullable().eq(rarest))
            .filter(exists(member_matches))
            .into_boxed(),
        page,
        (directory_grams::sort_key, directory_grams::member_id),
        ListOrder::Ascending,
    )
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

type Listed = IntoBoxed<'static, InnerJoin<profiles::table, members::table>, Pg>;

/// Listed, active members matching `filter`, in no order.
fn listed(filter: &DirectoryFilter, readable: &[Visibility]) -> Listed {
    let readable = readable.to_vec();
    let mut query = profiles::table
        .inner_join(members::table)
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
