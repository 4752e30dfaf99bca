//! Reading: what a member read, reactions, and what the secretariat learns
//! from it (never about one person).

use std::collections::{BTreeMap, HashMap, HashSet};

use alumni_core::{AppError, AppResult, MemberId, Viewer};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use uuid::Uuid;

use super::{ContentService, require_secretariat};
use crate::model::{AudienceFields, IssueId, PostId, PostRecord, ReactionKind};
use crate::store::posts as posts_store;
use crate::store::{comments as comments_store, issues as issues_store, reading as store};
use crate::visibility::{admits, sees_post, sees_withheld};

/// Smallest group whose numbers are shown: fewer members could be told
/// apart.
pub const MIN_GROUP: i64 = 5;

/// Most unread posts counted: beyond it a badge says "99+" anyway, and
/// the count stays as cheap with 100,000 posts as with 100.
pub const UNREAD_CAP: i64 = 100;

/// Years a leave-year band spans.
const BAND_YEARS: i32 = 5;

/// How a post is read, for the secretariat.
#[derive(Debug, Clone)]
pub struct PostStats {
    /// Members who read it (including those who have since left).
    pub readers: i64,
    /// Members its audience admits today.
    pub audience_size: i64,
    /// Members who reacted.
    pub reactors: i64,
    /// Visible comments.
    pub comments: i64,
    /// The same by cohort; small groups suppressed.
    pub by_cohort: Vec<CohortRow>,
}

/// Reading in one cohort: predecessor company and leave-year band.
#[derive(Debug, Clone)]
pub struct CohortRow {
    /// The predecessor company left (`None`: never left, or not known).
    pub company: Option<Uuid>,
    /// The first year of the five-year band they left in.
    pub left_from: Option<i32>,
    /// Members of the audience in the cohort; `None` when suppressed.
    pub audience_size: Option<i64>,
    /// Of them, who read it; `None` when suppressed.
    pub readers: Option<i64>,
    /// Whether the cohort has fewer than five members, so its numbers are
    /// withheld.
    pub suppressed: bool,
}

impl ContentService {
    /// Records that the viewer read a post they can see (first and last
    /// read; reading again changes only the last). Returns the post.
    pub async fn mark_read(&self, viewer: &Viewer, id: PostId) -> AppResult<PostRecord> {
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let reader = self.reader_in(&mut conn, viewer).await?;
        let post = posts_store::by_ids(&mut conn, &[id])
            .await?
            .pop()
            .filter(|post| sees_post(viewer, &reader, post))
            .ok_or(AppError::NotFound { entity: "Post" })?;
        store::mark_read(&mut conn, id, reader.member, now).await?;
        Ok(post)
    }

    /// Adds (`on`) or takes back a reaction to a post the viewer can see.
    pub async fn react(
        &self,
        viewer: &Viewer,
        id: PostId,
        kind: ReactionKind,
        on: bool,
    ) -> AppResult<PostRecord> {
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let reader = self.reader_in(&mut conn, viewer).await?;
        let post = posts_store::by_ids(&mut conn, &[id])
            .await?
            .pop()
            .filter(|post| sees_post(viewer, &reader, post))
            .ok_or(AppError::NotFound { entity: "Post" })?;
        store::set_reaction(&mut conn, id, reader.member, kind, on, now).await?;
        Ok(post)
    }

    /// When the viewer first read each of `posts` (absent: unread).
    pub async fn read_at(
        &self,
        viewer: &Viewer,
        posts: &[PostId],
    ) -> AppResult<HashMap<PostId, DateTime<Utc>>> {
        let member = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(store::read_at(&mut conn, member, posts)
            .await?
            .into_iter()
            .collect())
    }

    /// Reaction counts of several posts, by kind.
    pub async fn reaction_counts(
        &self,
        viewer: &Viewer,
        posts: &[PostId],
    ) -> AppResult<HashMap<PostId, Vec<(ReactionKind, i64)>>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        let rows = store::reaction_counts(&mut conn, posts).await?;
        Ok(store::by_post(
            rows.into_iter()
                .map(|(post, kind, count)| (post, (kind, count)))
                .collect(),
        ))
    }

    /// The viewer's own reactions to several posts.
    pub async fn my_reactions(
        &self,
        viewer: &Viewer,
        posts: &[PostId],
    ) -> AppResult<HashMap<PostId, Vec<ReactionKind>>> {
        let member = viewer.identity()?.member_id;
        let mut conn = self.ctx.conn().await?;
        Ok(store::by_post(
            store::reactions_by(&mut conn, member, posts).await?,
        ))
    }

    /// Visible comments of several posts, counted.
    pub async fn comment_counts(
        &self,
        viewer: &Viewer,
        posts: &[PostId],
    ) -> AppResult<HashMap<PostId, i64>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(comments_store::counts(&mut conn, posts)
            .await?
            .into_iter()
            .collect())
    }

    /// How many posts in the viewer's feed they have not read, counted up
    /// to [`UNREAD_CAP`] (a badge shows "99+").
    pub async fn unread_count(&self, viewer: &Viewer) -> AppResult<i64> {
        let mut conn = self.ctx.conn().await?;
        let reader = self.reader_in(&mut conn, viewer).await?;
        Ok(
            posts_store::unread_count(&mut conn, &reader, sees_withheld(viewer), UNREAD_CAP)
                .await?,
        )
    }

    /// How a post is read: readers against the audience's size, reactions
    /// and comments, and the same by cohort with groups of fewer than five
    /// members suppressed. Secretariat only.
    pub async fn post_stats(&self, viewer: &Viewer, id: PostId) -> AppResult<PostStats> {
        require_secretariat(viewer)?;
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let post = posts_store::by_ids(conn, &[id])
                .await?
                .pop()
                .ok_or(AppError::NotFound { entity: "Post" })?;
            let anonymous = store::anonymous_reads_of(conn, id).await?;
            self.stats_in(conn, &[id], &post.audience, anonymous).await
        })
        .await
    }

    /// How an issue is read: members of its audience who read at least one
    /// of its posts (members who have since left are not counted), with
    /// the same breakdown as a post's. Secretariat only.
    pub async fn issue_stats(&self, viewer: &Viewer, id: IssueId) -> AppResult<PostStats> {
        require_secretariat(viewer)?;
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let issue =
                issues_store::by_ids(conn, &[id])
                    .await?
                    .pop()
                    .ok_or(AppError::NotFound {
                        entity: "NewsletterIssue",
                    })?;
            let posts: Vec<PostId> = issues_store::posts_of(conn, &[id])
                .await?
                .into_iter()
                .map(|(_, post)| post)
                .collect();
            self.stats_in(conn, &posts, &AudienceFields::from(&issue.audience), 0)
                .await
        })
        .await
    }

    /// Reading of `posts` among the members `audience` admits today.
    async fn stats_in(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        posts: &[PostId],
        audience: &AudienceFields,
        anonymous: i64,
    ) -> AppResult<PostStats> {
        let members = self.membership.audience_attributes_in(conn).await?;
        let readers: HashSet<MemberId> =
            store::readers_of(conn, posts).await?.into_iter().collect();
        let reactors = store::reactors_of(conn, posts).await?.len();
        let comments: i64 = comments_store::counts(conn, posts)
            .await?
            .into_iter()
            .map(|(_, count)| count)
            .sum();
        let mut cohorts: BTreeMap<(Option<Uuid>, Option<i32>), (i64, i64)> = BTreeMap::new();
        let mut audience_size = 0;
        for (member, roles, company, left_year) in &members {
            let company = company.map(|company| company.0);
            if !admits(*roles, company, *left_year, audience) {
                continue;
            }
            audience_size += 1;
            let band = left_year.map(|year| year - year.rem_euclid(BAND_YEARS));
            let cohort = cohorts.entry((company, band)).or_default();
            cohort.0 += 1;
            if readers.contains(member) {
                cohort.1 += 1;
            }
        }
        Ok(PostStats {
            readers: i64::try_from(readers.len()).unwrap_or(i64::MAX) + anonymous,
            audience_size,
            reactors: i64::try_from(reactors).unwrap_or(i64::MAX),
            comments,
            by_cohort: suppressed(cohorts),
        })
    }
}

/// The cohorts' rows with small groups withheld. One withheld group could
/// be worked out from the total and the others, so then the next smallest
/// is withheld too.
fn suppressed(cohorts: BTreeMap<(Option<Uuid>, Option<i32>), (i64, i64)>) -> Vec<CohortRow> {
    let mut hidden: HashSet<(Option<Uuid>, Option<i32>)> = cohorts
        .iter()
        .filter(|(_, (size, _))| *size < MIN_GROUP)
        .map(|(key, _)| *key)
        .collect();
    if hidden.len() == 1
        && let Some((key, _)) = cohorts
            .iter()
            .filter(|(key, _)| !hidden.contains(*key))
            .min_by_key(|(_, (size, _))| *size)
    {
        hidden.insert(*key);
    }
    cohorts
        .into_iter()
        .map(|(key, (size, read))| {
            let suppressed = hidden.contains(&key);
            CohortRow {
                company: key.0,
                left_from: key.1,
                audience_size: (!suppressed).then_some(size),
                readers: (!suppressed).then_some(read),
                suppressed,
            }
        })
        .collect()
}

impl ContentService {
    /// The tags of several posts, as the shared vocabulary's records.
    pub async fn tags_of(
        &self,
        viewer: &Viewer,
        posts: &[PostId],
    ) -> AppResult<HashMap<PostId, Vec<alumni_membership::model::TagRecord>>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        let pairs = posts_store::tags_of(&mut conn, posts).await?;
        let ids: Vec<alumni_membership::model::TagId> = pairs
            .iter()
            .map(|(_, tag)| alumni_membership::model::TagId(*tag))
            .collect();
        let tags: HashMap<Uuid, alumni_membership::model::TagRecord> = self
            .membership
            .tags_by_ids_in(&mut conn, &ids)
            .await?
            .into_iter()
            .map(|tag| (tag.id.0, tag))
            .collect();
        let mut by_post: HashMap<PostId, Vec<alumni_membership::model::TagRecord>> = HashMap::new();
        for (post, tag) in pairs {
            if let Some(tag) = tags.get(&tag) {
                by_post.entry(post).or_default().push(tag.clone());
            }
        }
        for tags in by_post.values_mut() {
            tags.sort_by(|a, b| a.slug.cmp(&b.slug));
        }
        Ok(by_post)
    }

    /// The co-authors of several posts, in order.
    pub async fn coauthors_of(
        &self,
        viewer: &Viewer,
        posts: &[PostId],
    ) -> AppResult<HashMap<PostId, Vec<MemberId>>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::by_post(
            posts_store::coauthors_of(&mut conn, posts).await?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cohorts_and_one_complement_are_withheld() {
        let company = Some(Uuid::nil());
        let cohorts = BTreeMap::from([
            ((company, Some(2010)), (12, 3)),
            ((company, Some(2015)), (3, 1)),
            ((company, Some(2020)), (7, 7)),
        ]);
        let rows = suppressed(cohorts);
        let shown: Vec<_> = rows
            .iter()
            .map(|row| (row.left_from, row.readers))
            .collect();
        assert_eq!(
            shown,
            [
                (Some(2010), Some(3)),
                (Some(2015), None),
                (Some(2020), None)
            ]
        );
        assert!(
            rows.iter()
                .filter(|row| row.suppressed)
                .all(|row| row.audience_size.is_none())
        );
    }

    #[test]
    fn nothing_is_withheld_when_every_cohort_is_large() {
        let cohorts = BTreeMap::from([((None, None), (5, 0)), ((None, Some(2000)), (9, 4))]);
        assert!(suppressed(cohorts).iter().all(|row| !row.suppressed));
    }
}
