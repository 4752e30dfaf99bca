//! The member directory: search and filters over profiles, honouring each
//! field's visibility in SQL, so a member cannot be found by a field the
//! viewer may not read.
//!
//! The listing walks `profiles_directory_idx` in reading order and stops
//! after a page. A search cannot: its matches may sit anywhere in that
//! order (佐藤 under さとう, late), and the GIN indexes of the grams find
//! them in no order, so a page of a common word meant fetching and sorting
//! all of its matches; a rare skill likewise meant reading the directory
//! until enough holders turned up. A search or a skill filter therefore
//! walks postings (`directory_grams`: one row per gram and listed member;
//! `directory_skills`: one per skill and listed member; both in reading
//! order): the lists of the search's rarest grams and of the skill, merged
//! in reading order from the cursor on, so that only members on every list
//! are checked against the whole filter, until a page is full. Reading a
//! posting costs a fraction of checking a member, so the walk stays cheap
//! whether the filter matches many members (it stops soon) or few (the
//! lists are short), and wherever the matches sit in the order (figures
//! and plans in `docs/performance.md`).
//!
//! The check is the same `listed` filter the listing uses, so a search
//! finds exactly the members the filter allows.

use alumni_core::MemberId;
use std::collections::HashMap;

use alumni_core::pagination::{ListOrder, ListSize, PageRequest, capped_count, seek};
use alumni_core::search;
use chrono::NaiveDate;
use diesel::dsl::{InnerJoin, IntoBoxed, LeftJoin, exists};
use diesel::expression::{AppearsOnTable, SelectableExpression, ValidGrouping, is_aggregate};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};

use crate::model::{
    CompanyId, CompanyRecord, Interest, MemberRecord, MemberStatus, ProfileRecord, TagId,
    Visibility,
};
use crate::schema::membership::{
    companies, directory_gram_counts, member_skills, members, profiles,
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

/// Most posting lists a search merges. Each list is read as far as the
/// page needs; past four, the rarest lists have left few members to check.
const MOST_MERGED_LISTS: usize = 4;
/// A list this many times longer than the rarest one is not merged: it
/// would be read far past what the rarest one rules out.
const LONGEST_MERGED_LIST_RATIO: i64 = 16;

/// One page of listed, active members matching `filter`, in reading order,
/// for a viewer who may read fields set to `readable`, each with the
/// company of their career (a short reference table, so joining it costs
/// less than a second statement). One statement for a listing or a skill
/// filter; two for a search (how common its grams are, then the page), or
/// one when a gram of the search is held by nobody.
pub async fn directory_page(
    conn: &mut AsyncPgConnection,
    filter: &DirectoryFilter,
    readable: &[Visibility],
    page: &PageRequest<DirectoryKey>,
) -> QueryResult<Vec<(MemberRecord, ProfileRecord, Option<CompanyRecord>)>> {
    if filter.terms.is_empty() && filter.skill.is_none() {
        return seek(
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
        .await;
    }
    let mut lists = Vec::new();
    if !filter.terms.is_empty() {
        let grams: Vec<String> = filter
            .terms
            .iter()
            .flat_map(|term| search::term_grams(term))
            .collect();
        let counts: HashMap<String, i32> = directory_gram_counts::table
            .filter(directory_gram_counts::gram.eq_any(&grams))
            .filter(directory_gram_counts::postings.gt(0))
            .select((directory_gram_counts::gram, directory_gram_counts::postings))
            .load(conn)
            .await?
            .into_iter()
            .collect();
        let Some(grams) = rarest_grams(&filter.terms, &counts) else {
            return Ok(Vec::new());
        };
        lists.extend(grams.into_iter().map(PostingList::Gram));
    }
    // Merged whatever its length: holders of a rare skill are few, and a
    // common skill's list is read only as far as the page needs.
    lists.extend(filter.skill.map(PostingList::Skill));
    let walk = PostingWalk {
        lists,
        after: page.after.clone(),
        before: page.before.clone(),
        forward: page.reads_in_list_order(),
        limit: page.fetch_limit(),
        member_matches: Box::new(
            listed(filter, readable)
                .select(profiles::member_id)
                .filter(profiles::member_id.eq(WalkedMember))
                .offset(0),
        ),
    };
    let rows = profiles::table
        .inner_join(members::table)
        .left_join(companies::table)
        .filter(walk)
        .into_boxed();
    let rows = if page.reads_in_list_order() {
        rows.order((profiles::sort_key.asc(), profiles::member_id.asc()))
    } else {
        rows.order((profiles::sort_key.desc(), profiles::member_id.desc()))
    };
    rows.select((
        MemberRecord::as_select(),
        ProfileRecord::as_select(),
        Option::<CompanyRecord>::as_select(),
    ))
    .load(conn)
    .await
}

/// The grams whose posting lists a search merges, rarest first: the rarest
/// gram of every word, then the next rarest of any word, leaving out lists
/// far longer than the rarest. Every gram of every word is in the
/// postings of each match, so merging more lists only rules out more
/// members before they are checked: 藤健 alone leaves every 伊藤 健太 to
/// check for "佐藤健太", with 佐藤 and 健太 only the right people. `None`
/// when a gram has no postings, so nothing can match.
fn rarest_grams(terms: &[String], counts: &HashMap<String, i32>) -> Option<Vec<String>> {
    let mut rarest_of_each = Vec::new();
    let mut others = Vec::new();
    for term in terms {
        let mut grams = Vec::new();
        for gram in search::term_grams(term) {
            grams.push((*counts.get(&gram)?, gram));
        }
        grams.sort();
        let mut grams = grams.into_iter();
        rarest_of_each.extend(grams.next());
        others.extend(grams);
    }
    rarest_of_each.sort();
    rarest_of_each.dedup();
    others.sort();
    let rarest = i64::from(rarest_of_each.as_slice().first()?.0);
    let mut lists: Vec<(i32, String)> = rarest_of_each;
    for gram in others {
        if !lists.contains(&gram) {
            lists.push(gram);
        }
    }
    lists.truncate(MOST_MERGED_LISTS);
    Some(
        lists
            .into_iter()
            .filter(|(postings, _)| i64::from(*postings) <= rarest * LONGEST_MERGED_LIST_RATIO)
            .map(|(_, gram)| gram)
            .collect(),
    )
}

/// `profiles.member_id IN (…)`: the members on a page of a search, found by
/// merging posting lists in reading order from the cursor and checking
/// each member holding every listed gram against the whole filter, until
/// `limit` pass.
///
/// The merge is written as joins of the lists on the sort key inside a
/// subquery that `OFFSET 0` keeps whole, ordered like the page; the check
/// is an `EXISTS` applied to each row the subquery yields, also kept whole
/// by `OFFSET 0`, so PostgreSQL cannot turn it into a join. The plan is
/// then the same whatever it guesses about the words (it guesses far too
/// few matches for common ones, and would otherwise collect and sort them
/// all, or check members before the merge has ruled them out): merge joins
/// of index-only scans of `directory_grams_pkey`, read only as far as the
/// page needs. `docs/performance.md` shows the plans.
struct PostingWalk {
    /// The lists merged; never empty.
    lists: Vec<PostingList>,
    after: Option<DirectoryKey>,
    before: Option<DirectoryKey>,
    forward: bool,
    limit: i64,
    /// The filter on one member, `walked.member_id`.
    member_matches: Box<dyn QueryFragment<Pg> + Send>,
}

/// Members who may match one part of a directory filter, in reading
/// order: the postings of a gram, or the holders of a skill.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PostingList {
    Gram(String),
    Skill(TagId),
}

impl PostingList {
    fn table(&self) -> &'static str {
        match self {
            PostingList::Gram(_) => "membership.directory_grams",
            PostingList::Skill(_) => "membership.directory_skills",
        }
    }

    /// `<key column> = <value>`, after the list's alias and a dot.
    fn push_key<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        match self {
            PostingList::Gram(gram) => {
                out.push_sql("gram = ");
                out.push_bind_param::<Text, _>(gram)
            }
            PostingList::Skill(tag_id) => {
                out.push_sql("tag_id = ");
                out.push_bind_param::<diesel::sql_types::Uuid, _>(tag_id)
            }
        }
    }
}

impl QueryFragment<Pg> for PostingWalk {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let Some((first, others)) = self.lists.split_first() else {
            return Err(diesel::result::Error::QueryBuilderError(
                "a posting walk needs a list".into(),
            ));
        };
        out.push_sql(
            "\"membership\".\"profiles\".\"member_id\" IN (SELECT walked.member_id FROM \
             (SELECT posting.sort_key, posting.member_id FROM ",
        );
        out.push_sql(first.table());
        out.push_sql(" AS posting");
        for (index, list) in others.iter().enumerate() {
            let alias = format!("also_{index}");
            out.push_sql(&format!(" JOIN {} AS {alias} ON {alias}.", list.table()));
            list.push_key(&mut out)?;
            out.push_sql(&format!(
                " AND {alias}.sort_key = posting.sort_key AND {alias}.member_id = posting.member_id"
            ));
        }
        out.push_sql(" WHERE posting.");
        first.push_key(&mut out)?;
        // Past `after` and before `before` in reading order, whichever way
        // the page is read.
        for (cursor, comparison) in [(&self.after, " > "), (&self.before, " < ")] {
            if let Some((sort_key, member_id)) = cursor {
                out.push_sql(" AND (posting.sort_key, posting.member_id)");
                out.push_sql(comparison);
                out.push_sql("(");
                out.push_bind_param::<Text, _>(sort_key)?;
                out.push_sql(", ");
                out.push_bind_param::<diesel::sql_types::Uuid, _>(member_id)?;
                out.push_sql(")");
            }
        }
        out.push_sql(if self.forward {
            " ORDER BY posting.sort_key ASC, posting.member_id ASC"
        } else {
            " ORDER BY posting.sort_key DESC, posting.member_id DESC"
        });
        out.push_sql(" OFFSET 0) AS walked WHERE EXISTS (");
        self.member_matches.walk_ast(out.reborrow())?;
        out.push_sql(") LIMIT ");
        out.push_bind_param::<BigInt, _>(&self.limit)?;
        out.push_sql(")");
        Ok(())
    }
}

/// `walked.member_id`: the member a [`PostingWalk`] is checking, named
/// from inside the check, which boxed diesel queries cannot do for a
/// column of an enclosing query. Not `diesel::dsl::sql`, whose literals
/// keep a statement from being prepared once per connection.
#[derive(Debug, Clone, Copy)]
struct WalkedMember;

impl QueryFragment<Pg> for WalkedMember {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("walked.member_id");
        Ok(())
    }
}

impl QueryId for WalkedMember {
    type QueryId = WalkedMember;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Expression for WalkedMember {
    type SqlType = diesel::sql_types::Uuid;
}

impl<QS> AppearsOnTable<QS> for WalkedMember {}

impl<QS> SelectableExpression<QS> for WalkedMember {}

impl ValidGrouping<()> for WalkedMember {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for PostingWalk {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Expression for PostingWalk {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for PostingWalk {}

impl<QS> SelectableExpression<QS> for PostingWalk {}

impl ValidGrouping<()> for PostingWalk {
    type IsAggregate = is_aggregate::Never;
}

/// After a bulk load: rewrites the postings in key order and refreshes the
/// planner's statistics of the directory's tables. A search reads each
/// posting through an index-only scan, which checks the visibility map
/// page of the posting's heap page; postings written member by member lie
/// all over the heap, so every posting pins another map page, and reading
/// a list takes two to three times as long as when it lies in key order
/// (measured in `docs/performance.md`). Without a statement timeout: at a
/// million members this takes minutes.
pub async fn reorganise_after_bulk_load(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    conn.transaction(async |conn| {
        diesel::sql_query("SET LOCAL statement_timeout = 0")
            .execute(conn)
            .await?;
        for statement in [
            "CLUSTER membership.directory_grams USING directory_grams_pkey",
            "CLUSTER membership.directory_skills USING directory_skills_pkey",
            "ANALYZE membership.members, membership.profiles, membership.member_skills, \
             membership.tags, membership.directory_grams, membership.directory_gram_counts, \
             membership.directory_skills",
        ] {
            diesel::sql_query(statement).execute(conn).await?;
        }
        Ok(())
    })
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
