//! Proposals to management in GraphQL: the secretariat's writing,
//! submitting, timeline and publishing; management's answer; members'
//! "you said, we did" page and their follows.

use std::collections::HashMap;

use alumni_core::graphql::{
    data, feed_many, load_many, load_now, load_one, selects_in_items, viewer, with_misses,
};
use alumni_core::moderation::{ModerationState, moderates};
use alumni_core::pagination::{
    Connection, ListSize, PageRequest, TotalCount, connection_complexity,
};
use alumni_core::{AppError, NodeId};
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};

use super::themes::{FeedbackTheme, ThemeItemCountLoader, ThemeLoader};
use crate::FeedbackService;
use crate::model::{
    ProposalId, ProposalRecord, ProposalResponse, ProposalState, ProposalUpdateId,
    ProposalUpdateRecord, ThemeId,
};
use crate::service::{
    ProposalAnswer, ProposalFilter, ProposalInput as ServiceInput,
    ProposalUpdateInput as ServiceUpdateInput, ReceiptProposals, reads_themes, works_on_proposals,
};

viewer_loader!(
    /// Proposals the viewer reads; others are `None`.
    ProposalLoader: ProposalId => Option<ProposalRecord>,
    |service, viewer, ids| {
        let found = service.proposals_by_ids(viewer, ids).await?;
        Ok(with_misses(ids, found, |proposal| proposal.id))
    }
);

viewer_loader!(
    /// The themes each proposal was written from (for readers of themes).
    ProposalThemesLoader: ProposalId => Vec<ThemeId>,
    |service, viewer, ids| {
        let mut themes = service.proposal_themes(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, themes.remove(id).unwrap_or_default())).collect())
    }
);

viewer_loader!(
    /// The timeline entries the viewer reads of each proposal, oldest
    /// first.
    ProposalTimelineLoader: ProposalId => Vec<ProposalUpdateRecord>,
    |service, viewer, ids| {
        let mut timelines = service.proposal_timelines(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, timelines.remove(id).unwrap_or_default())).collect())
    }
);

viewer_loader!(
    /// Timeline entries the viewer reads; others are `None`.
    ProposalUpdateLoader: ProposalUpdateId => Option<ProposalUpdateRecord>,
    |service, viewer, ids| {
        let found = service.proposal_updates_by_ids(viewer, ids).await?;
        Ok(with_misses(ids, found, |entry| entry.id))
    }
);

viewer_loader!(
    /// How many members follow each proposal.
    FollowerCountLoader: ProposalId => i64,
    |service, viewer, ids| {
        let counts = service.proposal_follower_counts(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, counts.get(id).copied().unwrap_or(0))).collect())
    }
);

viewer_loader!(
    /// Whether the viewer follows each proposal.
    FollowedLoader: ProposalId => bool,
    |service, viewer, ids| {
        let followed = service.proposals_followed(viewer, ids).await?;
        Ok(ids.iter().map(|id| (*id, followed.contains(id))).collect())
    }
);

viewer_loader!(
    /// The proposals the viewer reads written from each theme, newest
    /// first.
    ThemeProposalsLoader: ThemeId => Vec<ProposalRecord>,
    |service, viewer, ids| {
        let mut by_theme: HashMap<ThemeId, Vec<ProposalRecord>> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for (theme, proposal) in service.proposals_of_themes(viewer, ids).await? {
            by_theme.entry(theme).or_default().push(proposal);
        }
        Ok(by_theme)
    }
);

pub(super) fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &FeedbackService,
    viewer: &alumni_core::Viewer,
    caching: bool,
) {
    attach_viewer_loaders!(data, service, viewer, caching; ProposalLoader, ProposalThemesLoader, ProposalTimelineLoader, ProposalUpdateLoader, FollowerCountLoader, FollowedLoader, ThemeProposalsLoader);
}

/// Loads one proposal the viewer reads; `NOT_FOUND` otherwise.
pub async fn load_proposal(ctx: &Context<'_>, id: ProposalId) -> Result<Proposal, AppError> {
    load_one::<ProposalLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(Proposal)
        .ok_or(AppError::NotFound { entity: "Proposal" })
}

/// Loads one timeline entry the viewer reads; `NOT_FOUND` otherwise.
pub async fn load_proposal_update(
    ctx: &Context<'_>,
    id: ProposalUpdateId,
) -> Result<ProposalUpdate, AppError> {
    load_one::<ProposalUpdateLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(ProposalUpdate)
        .ok_or(AppError::NotFound {
            entity: "ProposalUpdate",
        })
}

/// The proposals written from a theme, as the viewer reads them.
pub(super) async fn proposals_of_theme(
    ctx: &Context<'_>,
    theme: ThemeId,
) -> Result<Vec<Proposal>, AppError> {
    Ok(load_one::<ThemeProposalsLoader, _>(ctx, theme)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(Proposal)
        .collect())
}

/// The proposals a receipt shows, with what their fields read put in the
/// request's loaders: the holder of a receipt may not be signed in.
pub(super) async fn receipt_proposals(
    ctx: &Context<'_>,
    found: ReceiptProposals,
) -> Result<Vec<Proposal>, AppError> {
    let ReceiptProposals {
        proposals,
        mut timelines,
        follower_counts,
    } = found;
    let ids: Vec<ProposalId> = proposals.iter().map(|proposal| proposal.id).collect();
    feed_many::<ProposalLoader, _>(
        ctx,
        proposals
            .iter()
            .map(|proposal| (proposal.id, Some(proposal.clone()))),
    )
    .await?;
    feed_many::<ProposalTimelineLoader, _>(
        ctx,
        ids.iter()
            .map(|id| (*id, timelines.remove(id).unwrap_or_default())),
    )
    .await?;
    feed_many::<FollowerCountLoader, _>(
        ctx,
        ids.iter()
            .map(|id| (*id, follower_counts.get(id).copied().unwrap_or(0))),
    )
    .await?;
    Ok(proposals.into_iter().map(Proposal).collect())
}

/// A proposal to management.
pub struct Proposal(pub ProposalRecord);

/// A proposal the secretariat made to management from themes of feedback,
/// management's answer and what came of it. The secretariat reads every
/// proposal, management every submitted one, every other member the
/// published ones: the "you said, we did" page.
#[Object]
impl Proposal {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// A short title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What was proposed (plain text).
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// Where it stands.
    async fn state(&self) -> ProposalState {
        self.0.state
    }
    /// The themes of feedback it was written from: for the secretariat and
    /// analysts, who read themes (`null` for anyone else: a theme's title
    /// is the secretariat's working label, not a published text).
    async fn themes(&self, ctx: &Context<'_>) -> Result<Option<Vec<FeedbackTheme>>> {
        if !reads_themes(viewer(ctx)?) {
            return Ok(None);
        }
        let ids = load_one::<ProposalThemesLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        let mut found = load_many::<ThemeLoader, _>(ctx, ids.iter().copied()).await?;
        Ok(Some(
            ids.iter()
                .filter_map(|id| found.remove(id).flatten())
                .map(FeedbackTheme)
                .collect(),
        ))
    }
    /// When it was submitted to management.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    /// Whether members read it.
    async fn published(&self) -> bool {
        self.0.is_published()
    }
    /// When it was published to members.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// Management's answer; `null` until it answers.
    async fn response(&self) -> Option<ProposalResponse> {
        self.0.response
    }
    /// Management's reasons for its answer (plain text).
    async fn response_reasons(&self) -> Option<&str> {
        self.0.response_reasons.as_deref()
    }
    /// When management answered.
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
    /// Percent done (0–100) of an accepted or partly accepted proposal;
    /// `null` otherwise.
    async fn progress(&self) -> Option<i32> {
        self.0.progress
    }
    /// When it was done.
    async fn done_at(&self) -> Option<DateTime<Utc>> {
        self.0.done_at
    }
    /// What happened since management's answer, oldest first, each entry
    /// with the progress after it.
    async fn timeline(&self, ctx: &Context<'_>) -> Result<Vec<ProposalUpdate>> {
        Ok(load_one::<ProposalTimelineLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(ProposalUpdate)
            .collect())
    }
    /// How many members follow it.
    async fn follower_count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(load_one::<FollowerCountLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or(0))
    }
    /// Whether the viewer follows it (`followProposal`): they are told of
    /// management's answer, of its progress and of its completion.
    async fn followed(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(load_one::<FollowedLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or(false))
    }
    /// Whether members may see its text (`HELD` by the leak guard,
    /// `HIDDEN` or `DELETED` by a moderator): for the secretariat,
    /// management and moderators (`null` for anyone else).
    async fn moderation(&self, ctx: &Context<'_>) -> Result<Option<ModerationState>> {
        let viewer = viewer(ctx)?;
        Ok((works_on_proposals(viewer) || moderates(viewer)).then_some(self.0.moderation))
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// An entry of a proposal's timeline.
pub struct ProposalUpdate(pub ProposalUpdateRecord);

/// A dated entry of an accepted proposal's timeline: what happened, and
/// the proposal's progress after it.
#[Object]
impl ProposalUpdate {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// The proposal.
    async fn proposal(&self, ctx: &Context<'_>) -> Result<Option<Proposal>> {
        Ok(load_one::<ProposalLoader, _>(ctx, self.0.proposal_id)
            .await?
            .flatten()
            .map(Proposal))
    }
    /// The day it happened.
    async fn happened_on(&self) -> NaiveDate {
        self.0.happened_on
    }
    /// What happened (plain text).
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// The proposal's progress after it (0–100).
    async fn progress(&self) -> i32 {
        self.0.progress
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Whether members may see it (`HELD` by the leak guard, `HIDDEN` or
    /// `DELETED` by a moderator): for the secretariat, management and
    /// moderators (`null` for anyone else).
    async fn moderation(&self, ctx: &Context<'_>) -> Result<Option<ModerationState>> {
        let viewer = viewer(ctx)?;
        Ok((works_on_proposals(viewer) || moderates(viewer)).then_some(self.0.moderation))
    }
}

/// A proposal's text and themes.
#[derive(InputObject)]
pub struct ProposalInput {
    /// A short title (1–200 characters).
    title: String,
    /// The proposal (1–20,000 characters, plain text). Written to be
    /// published: it passes the leak guard for alumni.
    body: String,
    /// The themes it is written from (1–20).
    theme_ids: Vec<ID>,
    /// Save despite the leak guard's warnings, having read them.
    #[graphql(default)]
    confirm_warnings: bool,
}

impl ProposalInput {
    fn into_service(self) -> Result<ServiceInput, AppError> {
        Ok(ServiceInput {
            themes: self
                .theme_ids
                .iter()
                .map(|id| ThemeId::from_global(id, "input.themeIds"))
                .collect::<Result<_, _>>()?,
            title: self.title,
            body: self.body,
            confirm_warnings: self.confirm_warnings,
        })
    }
}

/// Management's answer to a proposal.
#[derive(InputObject)]
pub struct ProposalAnswerInput {
    /// Accepted, partly accepted or declined.
    response: ProposalResponse,
    /// Why (1–5,000 characters, plain text); published with the proposal,
    /// so it passes the leak guard for alumni.
    reasons: String,
    /// Save despite the leak guard's warnings, having read them.
    #[graphql(default)]
    confirm_warnings: bool,
}

/// An entry of a proposal's timeline.
#[derive(InputObject)]
pub struct ProposalUpdateInput {
    /// The day it happened (not after today, Japan time).
    happened_on: NaiveDate,
    /// What happened (1–5,000 characters, plain text); passes the leak
    /// guard for alumni.
    body: String,
    /// The proposal's progress after it, 0–100; 100 completes it.
    progress: i32,
    /// Save despite the leak guard's warnings, having read them.
    #[graphql(default)]
    confirm_warnings: bool,
}

/// Queries on proposals.
#[derive(Default)]
pub struct ProposalsQuery;

#[Object]
impl ProposalsQuery {
    /// Proposals to management, newest first, as the viewer reads them:
    /// every one for the secretariat, the submitted ones for management,
    /// the published ones for every other member (`published: true` is
    /// the "you said, we did" page). Asking for unpublished ones without
    /// reading them is `FORBIDDEN`.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn proposals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only published (`true`) or unpublished (`false`) proposals.")]
        published: Option<bool>,
        #[graphql(desc = "Only proposals in these states.")] state: Option<Vec<ProposalState>>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Proposal>> {
        let viewer = viewer(ctx)?.clone();
        let service = data::<FeedbackService>(ctx)?.clone();
        let filter = ProposalFilter {
            published,
            states: state,
        };
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.proposals(&viewer, &filter, &page).await?;
        prefetch(ctx, &rows).await?;
        let total_count = TotalCount::lazy(async move {
            service
                .count_proposals(&viewer, &filter)
                .await
                .map(ListSize::from_capped_count)
        });
        Ok(page.into_connection(
            rows,
            |proposal| (proposal.created_at, proposal.id.0),
            Proposal,
            total_count,
        ))
    }
}

/// What a page of proposals asks of each, at once for the whole page.
async fn prefetch(ctx: &Context<'_>, rows: &[ProposalRecord]) -> Result<(), AppError> {
    let ids = || rows.iter().map(|proposal| proposal.id);
    if selects_in_items(ctx, &["timeline"]) {
        load_now::<ProposalTimelineLoader, _>(ctx, ids()).await?;
    }
    if selects_in_items(ctx, &["followerCount"]) {
        load_now::<FollowerCountLoader, _>(ctx, ids()).await?;
    }
    if selects_in_items(ctx, &["followed"]) {
        load_now::<FollowedLoader, _>(ctx, ids()).await?;
    }
    if selects_in_items(ctx, &["themes"]) && reads_themes(viewer(ctx)?) {
        let themes: Vec<ThemeId> = load_now::<ProposalThemesLoader, _>(ctx, ids())
            .await?
            .into_values()
            .flatten()
            .collect();
        load_now::<ThemeLoader, _>(ctx, themes.iter().copied()).await?;
        if selects_in_items(ctx, &["themes", "itemCount"]) {
            load_now::<ThemeItemCountLoader, _>(ctx, themes).await?;
        }
    }
    Ok(())
}

/// Mutations on proposals.
#[derive(Default)]
pub struct ProposalsMutation;

#[Object]
impl ProposalsMutation {
    /// Writes a draft proposal from one or more themes. The secretariat.
    async fn create_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its title, text and themes.")] input: ProposalInput,
    ) -> Result<Proposal> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(Proposal(
            service
                .create_proposal(viewer(ctx)?, input.into_service()?)
                .await?,
        ))
    }

    /// Rewrites a draft (`CONFLICT` reason `NOT_A_DRAFT` once submitted).
    /// The secretariat.
    async fn update_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal.")] id: ID,
        #[graphql(desc = "Its new title, text and themes.")] input: ProposalInput,
    ) -> Result<Proposal> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(Proposal(
            service
                .update_proposal(
                    viewer(ctx)?,
                    ProposalId::from_global(&id, "id")?,
                    input.into_service()?,
                )
                .await?,
        ))
    }

    /// Submits a draft to management (`CONFLICT` reason
    /// `ALREADY_SUBMITTED`). The secretariat.
    async fn submit_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal.")] id: ID,
    ) -> Result<Proposal> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(Proposal(
            service
                .submit_proposal(viewer(ctx)?, ProposalId::from_global(&id, "id")?)
                .await?,
        ))
    }

    /// Answers a submitted proposal with reasons, once (`CONFLICT` reason
    /// `ALREADY_ANSWERED`). Management only. Followers of a published
    /// proposal are told.
    async fn respond_to_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal.")] id: ID,
        #[graphql(desc = "The answer and its reasons.")] input: ProposalAnswerInput,
    ) -> Result<Proposal> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(Proposal(
            service
                .respond_to_proposal(
                    viewer(ctx)?,
                    ProposalId::from_global(&id, "id")?,
                    ProposalAnswer {
                        response: input.response,
                        reasons: input.reasons,
                        confirm_warnings: input.confirm_warnings,
                    },
                )
                .await?,
        ))
    }

    /// Adds a dated entry to an accepted or partly accepted proposal's
    /// timeline and sets its progress; progress 100 completes it
    /// (`CONFLICT` reasons `NOT_ANSWERED`, `DECLINED`, `ALREADY_DONE`).
    /// The secretariat. Followers of a published proposal are told.
    async fn add_proposal_update(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal.")] proposal_id: ID,
        #[graphql(desc = "The entry.")] input: ProposalUpdateInput,
    ) -> Result<ProposalUpdate> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(ProposalUpdate(
            service
                .add_proposal_update(
                    viewer(ctx)?,
                    ProposalId::from_global(&proposal_id, "proposalId")?,
                    ServiceUpdateInput {
                        happened_on: input.happened_on,
                        body: input.body,
                        progress: input.progress,
                        confirm_warnings: input.confirm_warnings,
                    },
                )
                .await?,
        ))
    }

    /// Publishes a submitted proposal to members, once (`CONFLICT` reasons
    /// `NOT_SUBMITTED`, `ALREADY_PUBLISHED`, `HELD_FOR_REVIEW`). The named
    /// authors of the feedback in its themes follow it from then on and
    /// are told. The secretariat.
    async fn publish_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal.")] id: ID,
    ) -> Result<Proposal> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(Proposal(
            service
                .publish_proposal(viewer(ctx)?, ProposalId::from_global(&id, "id")?)
                .await?,
        ))
    }

    /// Follows a published proposal: the viewer is told of management's
    /// answer, its progress and its completion. Alumni and employees.
    async fn follow_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal.")] id: ID,
    ) -> Result<Proposal> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(Proposal(
            service
                .follow_proposal(viewer(ctx)?, ProposalId::from_global(&id, "id")?)
                .await?,
        ))
    }

    /// Stops following a proposal: nothing more about it reaches the
    /// viewer, and it is not followed again automatically. Alumni and
    /// employees.
    async fn unfollow_proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal.")] id: ID,
    ) -> Result<Proposal> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(Proposal(
            service
                .unfollow_proposal(viewer(ctx)?, ProposalId::from_global(&id, "id")?)
                .await?,
        ))
    }
}
