//! Proposals, their themes, timelines and followers.
//!
//! Who reads which proposals is one rule kept twice here, side by side:
//! [`Readership::filter`] for lists and batch loads in SQL, and
//! [`Readership::admits`] for rows already loaded.

use std::collections::HashMap;

use alumni_core::MemberId;
use alumni_core::moderation::ModerationState;
use alumni_core::pagination::{ListOrder, PageRequest, capped_count, seek};
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::model::{
    FeedbackItemId, PROGRESS_DONE, ProposalId, ProposalRecord, ProposalResponse, ProposalState,
    ProposalUpdateId, ProposalUpdateRecord, ThemeId,
};
use crate::schema::feedback::{proposal_follows, proposal_themes, proposal_updates, proposals};

/// Which proposals, and which of their timeline entries, a reader sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readership {
    /// Drafts are left out (management, members).
    pub submitted_only: bool,
    /// Unpublished proposals are left out (members).
    pub published_only: bool,
    /// Texts the leak guard holds or a moderator hid are left out
    /// (members who do not moderate).
    pub visible_only: bool,
}

impl Readership {
    /// The secretariat's: every proposal, drafts and withheld texts too.
    pub const EVERYTHING: Readership = Readership {
        submitted_only: false,
        published_only: false,
        visible_only: false,
    };

    /// Management's: every submitted proposal, withheld texts too.
    pub const SUBMITTED: Readership = Readership {
        submitted_only: true,
        ..Readership::EVERYTHING
    };

    /// Members': published proposals and the texts of them members see.
    pub const PUBLISHED: Readership = Readership {
        submitted_only: true,
        published_only: true,
        visible_only: true,
    };

    /// Whether the reader sees `proposal`.
    pub fn admits(self, proposal: &ProposalRecord) -> bool {
        (!self.submitted_only || proposal.state != ProposalState::Draft)
            && (!self.published_only || proposal.is_published())
            && (!self.visible_only || proposal.moderation.is_public())
    }

    /// Whether the reader sees `update` of a proposal they see.
    pub fn admits_update(self, update: &ProposalUpdateRecord) -> bool {
        !self.visible_only || update.moderation.is_public()
    }

    /// The proposals the reader sees, as a query to narrow further.
    fn filter(self) -> proposals::BoxedQuery<'static, Pg> {
        let mut query = proposals::table.into_boxed();
        if self.submitted_only {
            query = query.filter(proposals::state.ne(ProposalState::Draft));
        }
        if self.published_only {
            query = query.filter(proposals::published_at.is_not_null());
        }
        if self.visible_only {
            query = query.filter(proposals::moderation.eq(ModerationState::Visible));
        }
        query
    }

    /// The ids among `ids` of proposals the reader sees, as a subquery.
    fn seen_among(
        self,
        ids: &[ProposalId],
    ) -> proposals::BoxedQuery<'static, Pg, diesel::sql_types::Uuid> {
        self.filter()
            .filter(proposals::id.eq_any(ids.to_vec()))
            .select(proposals::id)
    }
}

/// What a list of proposals is narrowed to.
#[derive(Debug, Clone)]
pub struct ProposalQuery {
    /// Whom the list is for.
    pub readership: Readership,
    /// Only published (`true`) or unpublished (`false`) ones.
    pub published: Option<bool>,
    /// Only these states.
    pub states: Option<Vec<ProposalState>>,
}

/// The sort key of proposal lists: newest first.
pub type ProposalKey = (DateTime<Utc>, Uuid);

fn filtered(query: &ProposalQuery) -> proposals::BoxedQuery<'static, Pg> {
    let mut filtered = query.readership.filter();
    match query.published {
        Some(true) => filtered = filtered.filter(proposals::published_at.is_not_null()),
        Some(false) => filtered = filtered.filter(proposals::published_at.is_null()),
        None => {}
    }
    if let Some(states) = &query.states {
        filtered = filtered.filter(proposals::state.eq_any(states.clone()));
    }
    filtered
}

/// A page of proposals, newest first.
pub async fn page(
    conn: &mut AsyncPgConnection,
    query: &ProposalQuery,
    page: &PageRequest<ProposalKey>,
) -> QueryResult<Vec<ProposalRecord>> {
    seek(
        filtered(query).select(ProposalRecord::as_select()),
        page,
        (proposals::created_at, proposals::id),
        ListOrder::Descending,
    )
    .load(conn)
    .await
}

/// How many proposals the query matches (see [`capped_count`]).
pub async fn count(conn: &mut AsyncPgConnection, query: &ProposalQuery) -> QueryResult<i64> {
    capped_count(filtered(query).select(proposals::id))
        .get_result(conn)
        .await
}

/// Saves a new proposal.
pub async fn insert(conn: &mut AsyncPgConnection, proposal: &ProposalRecord) -> QueryResult<()> {
    diesel::insert_into(proposals::table)
        .values(proposal)
        .execute(conn)
        .await
        .map(drop)
}

/// Proposals by id.
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[ProposalId],
) -> QueryResult<Vec<ProposalRecord>> {
    proposals::table
        .filter(proposals::id.eq_any(ids))
        .select(ProposalRecord::as_select())
        .load(conn)
        .await
}

/// A proposal, locked for the rest of the transaction.
pub async fn lock(
    conn: &mut AsyncPgConnection,
    id: ProposalId,
) -> QueryResult<Option<ProposalRecord>> {
    proposals::table
        .find(id)
        .select(ProposalRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Replaces a draft's title and body.
pub async fn set_text(
    conn: &mut AsyncPgConnection,
    id: ProposalId,
    title: &str,
    body: &str,
    moderation: ModerationState,
    now: DateTime<Utc>,
) -> QueryResult<ProposalRecord> {
    diesel::update(proposals::table.find(id))
        .set((
            proposals::title.eq(title),
            proposals::body.eq(body),
            proposals::moderation.eq(moderation),
            proposals::updated_at.eq(now),
        ))
        .returning(ProposalRecord::as_returning())
        .get_result(conn)
        .await
}

/// Submits a draft to management.
pub async fn set_submitted(
    conn: &mut AsyncPgConnection,
    id: ProposalId,
    now: DateTime<Utc>,
) -> QueryResult<ProposalRecord> {
    diesel::update(proposals::table.find(id))
        .set((
            proposals::state.eq(ProposalState::Submitted),
            proposals::submitted_at.eq(Some(now)),
            proposals::updated_at.eq(now),
        ))
        .returning(ProposalRecord::as_returning())
        .get_result(conn)
        .await
}

/// Records management's answer.
pub async fn set_response(
    conn: &mut AsyncPgConnection,
    id: ProposalId,
    response: ProposalResponse,
    reasons: &str,
    by: MemberId,
    moderation: ModerationState,
    now: DateTime<Utc>,
) -> QueryResult<ProposalRecord> {
    diesel::update(proposals::table.find(id))
        .set((
            proposals::state.eq(ProposalState::Answered),
            proposals::response.eq(Some(response)),
            proposals::response_reasons.eq(Some(reasons)),
            proposals::responded_by.eq(Some(by)),
            proposals::responded_at.eq(Some(now)),
            proposals::progress.eq(response.accepts().then_some(0)),
            proposals::moderation.eq(moderation),
            proposals::updated_at.eq(now),
        ))
        .returning(ProposalRecord::as_returning())
        .get_result(conn)
        .await
}

/// Leaves an accepted proposal at `progress` after a timeline entry: in
/// progress, or done at [`PROGRESS_DONE`].
pub async fn set_progress(
    conn: &mut AsyncPgConnection,
    id: ProposalId,
    progress: i32,
    now: DateTime<Utc>,
) -> QueryResult<ProposalRecord> {
    let done = progress == PROGRESS_DONE;
    diesel::update(proposals::table.find(id))
        .set((
            proposals::progress.eq(Some(progress)),
            proposals::state.eq(if done {
                ProposalState::Done
            } else {
                ProposalState::InProgress
            }),
            proposals::done_at.eq(done.then_some(now)),
            proposals::updated_at.eq(now),
        ))
        .returning(ProposalRecord::as_returning())
        .get_result(conn)
        .await
}

/// Publishes a proposal.
pub async fn set_published(
    conn: &mut AsyncPgConnection,
    id: ProposalId,
    now: DateTime<Utc>,
) -> QueryResult<ProposalRecord> {
    diesel::update(proposals::table.find(id))
        .set((
            proposals::published_at.eq(Some(now)),
            proposals::updated_at.eq(now),
        ))
        .returning(ProposalRecord::as_returning())
        .get_result(conn)
        .await
}

/// Sets whether members see a proposal (the review queue).
pub async fn set_moderation(
    conn: &mut AsyncPgConnection,
    id: ProposalId,
    state: ModerationState,
) -> QueryResult<bool> {
    diesel::update(proposals::table.find(id))
        .set(proposals::moderation.eq(state))
        .execute(conn)
        .await
        .map(|updated| updated > 0)
}

/// Replaces the themes a proposal was written from.
pub async fn set_themes(
    conn: &mut AsyncPgConnection,
    id: ProposalId,
    themes: &[ThemeId],
) -> QueryResult<()> {
    diesel::delete(proposal_themes::table.filter(proposal_themes::proposal_id.eq(id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = themes
        .iter()
        .map(|theme| {
            (
                proposal_themes::proposal_id.eq(id),
                proposal_themes::theme_id.eq(*theme),
            )
        })
        .collect();
    diesel::insert_into(proposal_themes::table)
        .values(rows)
        .execute(conn)
        .await
        .map(drop)
}

/// The themes of each proposal among `ids` the reader sees.
pub async fn themes_of(
    conn: &mut AsyncPgConnection,
    readership: Readership,
    ids: &[ProposalId],
) -> QueryResult<Vec<(ProposalId, ThemeId)>> {
    proposal_themes::table
        .filter(proposal_themes::proposal_id.eq_any(readership.seen_among(ids)))
        .order((proposal_themes::proposal_id, proposal_themes::theme_id))
        .select((proposal_themes::proposal_id, proposal_themes::theme_id))
        .load(conn)
        .await
}

/// The proposals the reader sees written from each of `themes`, newest
/// first.
pub async fn of_themes(
    conn: &mut AsyncPgConnection,
    readership: Readership,
    themes: &[ThemeId],
) -> QueryResult<Vec<(ThemeId, ProposalRecord)>> {
    let seen = readership.filter().select(proposals::id);
    proposal_themes::table
        .inner_join(proposals::table)
        .filter(proposal_themes::theme_id.eq_any(themes))
        .filter(proposals::id.eq_any(seen))
        .order((proposals::created_at.desc(), proposals::id.desc()))
        .select((proposal_themes::theme_id, ProposalRecord::as_select()))
        .load(conn)
        .await
}

/// Saves a timeline entry.
pub async fn insert_update(
    conn: &mut AsyncPgConnection,
    update: &ProposalUpdateRecord,
) -> QueryResult<()> {
    diesel::insert_into(proposal_updates::table)
        .values(update)
        .execute(conn)
        .await
        .map(drop)
}

/// Timeline entries by id.
pub async fn updates_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[ProposalUpdateId],
) -> QueryResult<Vec<ProposalUpdateRecord>> {
    proposal_updates::table
        .filter(proposal_updates::id.eq_any(ids))
        .select(ProposalUpdateRecord::as_select())
        .load(conn)
        .await
}

/// The timeline entries the reader sees of the proposals among `ids` they
/// see, oldest first.
pub async fn timelines(
    conn: &mut AsyncPgConnection,
    readership: Readership,
    ids: &[ProposalId],
) -> QueryResult<Vec<ProposalUpdateRecord>> {
    let mut query = proposal_updates::table
        .filter(proposal_updates::proposal_id.eq_any(readership.seen_among(ids)))
        .into_boxed();
    if readership.visible_only {
        query = query.filter(proposal_updates::moderation.eq(ModerationState::Visible));
    }
    query
        .order((
            proposal_updates::proposal_id,
            proposal_updates::happened_on,
            proposal_updates::created_at,
            proposal_updates::id,
        ))
        .select(ProposalUpdateRecord::as_select())
        .load(conn)
        .await
}

/// A proposal's visible entries that followers have not been told of,
/// oldest first.
pub async fn unannounced_updates(
    conn: &mut AsyncPgConnection,
    id: ProposalId,
) -> QueryResult<Vec<ProposalUpdateRecord>> {
    proposal_updates::table
        .filter(proposal_updates::proposal_id.eq(id))
        .filter(proposal_updates::announced_at.is_null())
        .filter(proposal_updates::moderation.eq(ModerationState::Visible))
        .order((
            proposal_updates::happened_on,
            proposal_updates::created_at,
            proposal_updates::id,
        ))
        .select(ProposalUpdateRecord::as_select())
        .load(conn)
        .await
}

/// Marks entries as told to followers.
pub async fn mark_updates_announced(
    conn: &mut AsyncPgConnection,
    ids: &[ProposalUpdateId],
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(proposal_updates::table.filter(proposal_updates::id.eq_any(ids)))
        .set(proposal_updates::announced_at.eq(Some(now)))
        .execute(conn)
        .await
        .map(drop)
}

/// Marks a proposal's answer as told to followers.
pub async fn mark_answer_announced(
    conn: &mut AsyncPgConnection,
    id: ProposalId,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(proposals::table.find(id))
        .set(proposals::answer_announced_at.eq(Some(now)))
        .execute(conn)
        .await
        .map(drop)
}

/// Sets whether members see a timeline entry (the review queue); its
/// proposal, when there is such an entry.
pub async fn set_update_moderation(
    conn: &mut AsyncPgConnection,
    id: ProposalUpdateId,
    state: ModerationState,
) -> QueryResult<Option<ProposalId>> {
    diesel::update(proposal_updates::table.find(id))
        .set(proposal_updates::moderation.eq(state))
        .returning(proposal_updates::proposal_id)
        .get_result(conn)
        .await
        .optional()
}

/// Active followers of each proposal among `ids` the reader sees.
pub async fn follower_counts(
    conn: &mut AsyncPgConnection,
    readership: Readership,
    ids: &[ProposalId],
) -> QueryResult<HashMap<ProposalId, i64>> {
    let counts: Vec<(ProposalId, i64)> = proposal_follows::table
        .filter(proposal_follows::proposal_id.eq_any(readership.seen_among(ids)))
        .filter(proposal_follows::unfollowed_at.is_null())
        .group_by(proposal_follows::proposal_id)
        .select((proposal_follows::proposal_id, diesel::dsl::count_star()))
        .load(conn)
        .await?;
    Ok(counts.into_iter().collect())
}

/// Which of `ids` `member` follows.
pub async fn followed_by(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    ids: &[ProposalId],
) -> QueryResult<Vec<ProposalId>> {
    proposal_follows::table
        .filter(proposal_follows::member_id.eq(member))
        .filter(proposal_follows::proposal_id.eq_any(ids))
        .filter(proposal_follows::unfollowed_at.is_null())
        .select(proposal_follows::proposal_id)
        .load(conn)
        .await
}

/// The members following a proposal.
pub async fn followers(conn: &mut AsyncPgConnection, id: ProposalId) -> QueryResult<Vec<MemberId>> {
    proposal_follows::table
        .filter(proposal_follows::proposal_id.eq(id))
        .filter(proposal_follows::unfollowed_at.is_null())
        .order(proposal_follows::member_id)
        .select(proposal_follows::member_id)
        .load(conn)
        .await
}

/// `member` follows the proposal by choice (again, after unfollowing;
/// nothing changes when they follow it already).
pub async fn follow(
    conn: &mut AsyncPgConnection,
    id: ProposalId,
    member: MemberId,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let followed_again = diesel::update(
        proposal_follows::table
            .find((id, member))
            .filter(proposal_follows::unfollowed_at.is_not_null()),
    )
    .set((
        proposal_follows::automatic.eq(false),
        proposal_follows::created_at.eq(now),
        proposal_follows::unfollowed_at.eq(None::<DateTime<Utc>>),
    ))
    .execute(conn)
    .await?;
    if followed_again > 0 {
        return Ok(());
    }
    diesel::insert_into(proposal_follows::table)
        .values((
            proposal_follows::proposal_id.eq(id),
            proposal_follows::member_id.eq(member),
            proposal_follows::automatic.eq(false),
            proposal_follows::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(drop)
}

/// `member` stops following the proposal; the row stays, marked, so no
/// automatic follow brings them back.
pub async fn unfollow(
    conn: &mut AsyncPgConnection,
    id: ProposalId,
    member: MemberId,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(
        proposal_follows::table
            .find((id, member))
            .filter(proposal_follows::unfollowed_at.is_null()),
    )
    .set(proposal_follows::unfollowed_at.eq(Some(now)))
    .execute(conn)
    .await
    .map(drop)
}

/// Whose feedback makes them follow automatically.
#[derive(Debug, Clone, Copy)]
pub enum AutoFollow<'a> {
    /// The named authors of every item in the themes of this (just
    /// published) proposal.
    Proposal(ProposalId),
    /// The named authors of these (just grouped) items, for the published
    /// proposals of their themes.
    Items(&'a [FeedbackItemId]),
}

/// A follow [`auto_follow`] added.
#[derive(Debug, Clone, QueryableByName)]
pub struct AddedFollow {
    /// The proposal.
    #[diesel(sql_type = SqlUuid)]
    pub proposal_id: Uuid,
    /// The member now following it.
    #[diesel(sql_type = SqlUuid)]
    pub member_id: Uuid,
    /// The proposal's title.
    #[diesel(sql_type = Text)]
    pub title: String,
    /// Whether members see the proposal now.
    #[diesel(sql_type = Bool)]
    pub visible: bool,
}

/// Named authors of items in published proposals' themes follow those
/// proposals, unless they follow them already or unfollowed them. Only
/// named items lead to a follow: an anonymous item has no author to
/// follow with.
const AUTO_FOLLOW: &str = "
    WITH added AS (
        INSERT INTO feedback.proposal_follows (proposal_id, member_id, automatic, created_at)
        SELECT DISTINCT p.id, i.author_id, true, $1
          FROM feedback.proposals p
          JOIN feedback.proposal_themes pt ON pt.proposal_id = p.id
          JOIN feedback.items i ON i.theme_id = pt.theme_id
         WHERE p.published_at IS NOT NULL
           AND NOT i.anonymous
           AND i.author_id IS NOT NULL
           AND (p.id = ANY($2) OR i.id = ANY($3))
        ON CONFLICT (proposal_id, member_id) DO NOTHING
        RETURNING proposal_id, member_id
    )
    SELECT a.proposal_id, a.member_id, p.title, p.moderation = 'VISIBLE' AS visible
      FROM added a
      JOIN feedback.proposals p ON p.id = a.proposal_id
     ORDER BY a.proposal_id, a.member_id";

/// Adds the automatic follows of `scope`; the follows added.
pub async fn auto_follow(
    conn: &mut AsyncPgConnection,
    scope: AutoFollow<'_>,
    now: DateTime<Utc>,
) -> QueryResult<Vec<AddedFollow>> {
    let (proposals, items): (Vec<Uuid>, Vec<Uuid>) = match scope {
        AutoFollow::Proposal(id) => (vec![id.0], Vec::new()),
        AutoFollow::Items(items) => (Vec::new(), items.iter().map(|item| item.0).collect()),
    };
    diesel::sql_query(AUTO_FOLLOW)
        .bind::<Timestamptz, _>(now)
        .bind::<Array<SqlUuid>, _>(proposals)
        .bind::<Array<SqlUuid>, _>(items)
        .load(conn)
        .await
}

/// A follow as the member's data export shows it.
#[derive(Debug, Clone, Queryable)]
pub struct FollowOfMember {
    /// The proposal.
    pub proposal_id: ProposalId,
    /// Its title.
    pub title: String,
    /// Whether it began automatically.
    pub automatic: bool,
    /// When they began following.
    pub created_at: DateTime<Utc>,
    /// When they stopped.
    pub unfollowed_at: Option<DateTime<Utc>>,
}

/// Every follow of `member`, oldest first.
pub async fn follows_of_member(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<Vec<FollowOfMember>> {
    proposal_follows::table
        .inner_join(proposals::table)
        .filter(proposal_follows::member_id.eq(member))
        .order((proposal_follows::created_at, proposal_follows::proposal_id))
        .select((
            proposal_follows::proposal_id,
            proposals::title,
            proposal_follows::automatic,
            proposal_follows::created_at,
            proposal_follows::unfollowed_at,
        ))
        .load(conn)
        .await
}

/// A leaving member's follows go; proposals and entries they wrote or
/// answered stay without their name.
pub async fn forget_member(conn: &mut AsyncPgConnection, member: MemberId) -> QueryResult<()> {
    diesel::delete(proposal_follows::table.filter(proposal_follows::member_id.eq(member)))
        .execute(conn)
        .await?;
    diesel::update(proposals::table.filter(proposals::created_by.eq(member)))
        .set(proposals::created_by.eq(None::<MemberId>))
        .execute(conn)
        .await?;
    diesel::update(proposals::table.filter(proposals::responded_by.eq(member)))
        .set(proposals::responded_by.eq(None::<MemberId>))
        .execute(conn)
        .await?;
    diesel::update(proposal_updates::table.filter(proposal_updates::created_by.eq(member)))
        .set(proposal_updates::created_by.eq(None::<MemberId>))
        .execute(conn)
        .await
        .map(drop)
}
