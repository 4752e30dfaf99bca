//! Members as viewers see them, and the directory.

use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::{AppError, AppResult, MemberId, Viewer, search};
use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;

use super::MembershipService;
use super::profiles::MAX_SKILL_CHARS;
use crate::model::{CompanyId, CompanyRecord, Interest};
use crate::store::directory::{DirectoryFilter, DirectoryKey, directory_count, directory_page};
use crate::store::profiles as store;
use crate::store::tags;
use crate::visibility::{MemberView, audience_of_others};

/// Longest directory query accepted, in characters as sent; its words are
/// bounded further by `search::query_terms`.
const MAX_QUERY_CHARS: usize = 100;
/// Earliest and latest leave year accepted in filters.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// What a directory search asks for; every given part narrows the list.
#[derive(Debug, Clone, Default)]
pub struct MemberSearch {
    /// Words to find in the name (kanji, kana or romaji) or a former
    /// surname.
    pub query: Option<String>,
    /// A skill, by name or slug.
    pub skill: Option<String>,
    /// The company (or predecessor) left.
    pub company: Option<CompanyId>,
    /// Left in this year or later.
    pub left_year_from: Option<i32>,
    /// Left in this year or earlier.
    pub left_year_to: Option<i32>,
    /// An interest.
    pub interest: Option<Interest>,
}

/// A page of the directory: the members with their sort keys, and the
/// companies their visible careers name.
#[derive(Debug, Default)]
pub struct DirectoryPage {
    /// The members, in reading order.
    pub members: Vec<(DirectoryKey, MemberView)>,
    /// The companies named by the members' visible careers.
    pub companies: Vec<CompanyRecord>,
}

/// Members by id as the viewer may see them, on the caller's connection.
pub(super) async fn members_by_ids_in(
    conn: &mut AsyncPgConnection,
    viewer: &Viewer,
    ids: &[MemberId],
) -> AppResult<Vec<MemberView>> {
    viewer.identity()?;
    let rows = store::members_with_profiles(conn, ids).await?;
    let mut views = Vec::with_capacity(rows.len());
    for (record, profile) in rows {
        if let Some(view) = MemberView::for_viewer(record, profile, viewer)? {
            views.push(view);
        }
    }
    Ok(views)
}

impl MembershipService {
    /// Members by id as the viewer may see them; ids that do not exist or
    /// that the viewer may not see are absent from the result.
    pub async fn members_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[MemberId],
    ) -> AppResult<Vec<MemberView>> {
        let mut conn = self.ctx.conn().await?;
        members_by_ids_in(&mut conn, viewer, ids).await
    }

    /// One member as the viewer may see them.
    pub async fn member(&self, viewer: &Viewer, id: MemberId) -> AppResult<MemberView> {
        self.members_by_ids(viewer, &[id])
            .await?
            .pop()
            .ok_or(AppError::NotFound { entity: "Member" })
    }

    /// A page of the directory: active members who chose to be listed, in
    /// order of their name's reading. Filters and search only consider
    /// fields the viewer may read.
    pub async fn directory(
        &self,
        viewer: &Viewer,
        search_for: &MemberSearch,
        page: &PageRequest<DirectoryKey>,
    ) -> AppResult<DirectoryPage> {
        let identity = viewer.identity()?;
        let audience = audience_of_others(identity);
        let mut conn = self.ctx.conn().await?;
        let Some(filter) = self.directory_filter(&mut conn, search_for).await? else {
            return Ok(DirectoryPage::default());
        };
        let rows = directory_page(&mut conn, &filter, audience.readable(), page).await?;
        let mut listed = DirectoryPage::default();
        for (record, profile, company) in rows {
            let key = (profile.sort_key.clone(), record.id);
            if let Some(view) = MemberView::for_viewer(record, Some(profile), viewer)? {
                let shown_company = view
                    .profile
                    .as_ref()
                    .and_then(|profile| profile.employment.as_ref())
                    .is_some_and(|employment| employment.company_id.is_some());
                if let Some(company) = company.filter(|_| shown_company) {
                    listed.companies.push(company);
                }
                listed.members.push((key, view));
            }
        }
        Ok(listed)
    }

    /// How many members the directory lists for this search, as the viewer
    /// may find them.
    pub async fn count_directory(
        &self,
        viewer: &Viewer,
        search_for: &MemberSearch,
    ) -> AppResult<ListSize> {
        let audience = audience_of_others(viewer.identity()?);
        let mut conn = self.ctx.conn().await?;
        let Some(filter) = self.directory_filter(&mut conn, search_for).await? else {
            return Ok(ListSize::from_capped_count(0));
        };
        Ok(directory_count(&mut conn, &filter, audience.readable()).await?)
    }

    /// The store filter for a search; `None` when nothing can match (an
    /// unknown skill).
    async fn directory_filter(
        &self,
        conn: &mut AsyncPgConnection,
        search_for: &MemberSearch,
    ) -> AppResult<Option<DirectoryFilter>> {
        let query = search_for.query.as_deref().unwrap_or_default();
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::bad_input(
                "filter.query",
                format!("must be at most {MAX_QUERY_CHARS} characters"),
            ));
        }
        for (field, year) in [
            ("filter.leftYearFrom", search_for.left_year_from),
            ("filter.leftYearTo", search_for.left_year_to),
        ] {
            if year.is_some_and(|year| !YEARS.contains(&year)) {
                return Err(AppError::bad_input(field, "not a plausible year"));
            }
        }
        if let (Some(from), Some(to)) = (search_for.left_year_from, search_for.left_year_to)
            && from > to
        {
            return Err(AppError::bad_input(
                "filter.leftYearTo",
                "must not be before leftYearFrom",
            ));
        }
        let terms = search::query_terms(query)
            .map_err(|refusal| AppError::bad_input("filter.query", refusal.to_string()))?;
        if search_for
            .skill
            .as_deref()
            .is_some_and(|skill| skill.trim().chars().count() > MAX_SKILL_CHARS)
        {
            return Err(AppError::bad_input(
                "filter.skill",
                format!("must be at most {MAX_SKILL_CHARS} characters"),
            ));
        }
        let skill = match search_for.skill.as_deref().map(search::normalize) {
            Some(slug) if !slug.is_empty() => match tags::tag_named(conn, &slug).await? {
                Some(tag) => Some(tag.id),
                None => return Ok(None),
            },
            _ => None,
        };
        Ok(Some(DirectoryFilter {
            terms,
            skill,
            company: search_for.company,
            left_from: search_for
                .left_year_from
                .and_then(|year| NaiveDate::from_ymd_opt(year, 1, 1)),
            left_before: search_for
                .left_year_to
                .and_then(|year| NaiveDate::from_ymd_opt(year + 1, 1, 1)),
            interest: search_for.interest,
        }))
    }
}
