//! Feedback items: sending, reading back by receipt, the secretariat's
//! and analysts' lists, and triage of single items.

use std::collections::HashMap;

use alumni_core::graphql::{
    data, feed_many, load_now, load_one, selects_in_items, viewer, with_misses,
};
use alumni_core::pagination::{
    Connection, ListSize, PageRequest, TotalCount, connection_complexity,
};
use alumni_core::{AppError, MemberId, NodeId};
use alumni_membership::Member;
use alumni_membership::graphql::{
    Company, find_member, load_company, prefetch_companies, prefetch_members,
};
use alumni_membership::model::CompanyId;
use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::proposals::Proposal;
use super::themes::FeedbackTheme;
use crate::FeedbackService;
use crate::model::{
    CategoryRecord, FeedbackCategoryId, FeedbackItemId, ItemRecord, ReplyRecord, ThemeId, Triage,
};
use crate::service::{
    CohortChoice, FeedbackInput as ServiceInput, ItemFilter, ReceiptStatus, sees_particulars,
    visible_cohort,
};

viewer_loader!(
    /// Items the viewer may see; others are `None`.
    FeedbackItemLoader: FeedbackItemId => Option<ItemRecord>,
    |service, viewer, ids| {
        let found = service.items_by_ids(viewer, ids).await?;
        Ok(with_misses(ids, found, |item| item.id))
    }
);

viewer_loader!(
    /// Categories by id.
    CategoryLoader: FeedbackCategoryId => CategoryRecord,
    |service, viewer, ids| {
        Ok(service
            .categories_by_ids(viewer, ids)
            .await?
            .into_iter()
            .map(|category| (category.id, category))
            .collect())
    }
);

viewer_loader!(
    /// The replies to each item the viewer may see.
    RepliesLoader: FeedbackItemId => Vec<ReplyRecord>,
    |service, viewer, ids| {
        let mut by_item: HashMap<FeedbackItemId, Vec<ReplyRecord>> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for reply in service.replies_of(viewer, ids).await? {
            by_item.entry(reply.item_id).or_default().push(reply);
        }
        Ok(by_item)
    }
);

pub(super) fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &FeedbackService,
    viewer: &alumni_core::Viewer,
    caching: bool,
) {
    attach_viewer_loaders!(data, service, viewer, caching; FeedbackItemLoader, CategoryLoader, RepliesLoader);
}

/// Loads one item the viewer may see; `NOT_FOUND` otherwise.
pub async fn load_feedback_item(
    ctx: &Context<'_>,
    id: FeedbackItemId,
) -> Result<FeedbackItem, AppError> {
    load_one::<FeedbackItemLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(FeedbackItem)
        .ok_or(AppError::NotFound {
            entity: "FeedbackItem",
        })
}

/// One category by id, if it exists.
pub(super) async fn find_category(
    ctx: &Context<'_>,
    id: FeedbackCategoryId,
) -> Result<Option<FeedbackCategory>> {
    Ok(load_one::<CategoryLoader, _>(ctx, id)
        .await?
        .map(FeedbackCategory))
}

/// A category of feedback.
pub struct FeedbackCategory(pub CategoryRecord);

/// A category of feedback (the secretariat keeps the list): why I left,
/// what should change, what was good, other.
#[Object]
impl FeedbackCategory {
    /// Stable key, e.g. `why_i_left`; pass it when sending feedback.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Name in Japanese.
    async fn name_ja(&self) -> &str {
        &self.0.name_ja
    }
    /// Name in English.
    async fn name_en(&self) -> &str {
        &self.0.name_en
    }
    /// Retired categories keep their items but take no new ones.
    async fn retired(&self) -> bool {
        self.0.retired
    }
}

/// Coarse attributes attached to feedback for analysis; each describes at
/// least five members.
#[derive(SimpleObject)]
pub struct FeedbackCohort {
    /// The predecessor company the author left, when attached.
    company: Option<Company>,
    /// The first year of the author's five-year leave-year band (2015
    /// means 2015–2019), when attached.
    left_year_band: Option<i32>,
}

/// A feedback item.
pub struct FeedbackItem(pub ItemRecord);

/// What a member told the company. The secretariat reads every item with
/// its author (when named) and cohort; analysts read the text without
/// either; a named author reads their own. An anonymous item has no
/// author at all, only the day it arrived.
#[Object]
impl FeedbackItem {
    /// Opaque global id (random: it says nothing about when the item was
    /// sent).
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// Its category.
    async fn category(&self, ctx: &Context<'_>) -> Result<Option<FeedbackCategory>> {
        find_category(ctx, self.0.category_id).await
    }
    /// What they wrote (plain text).
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// Whether it was sent anonymously.
    async fn anonymous(&self) -> bool {
        self.0.anonymous
    }
    /// Who sent it: the secretariat and the author see it; `null` when
    /// anonymous, when the author has left, and for analysts.
    async fn author(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        let viewer = viewer(ctx)?;
        match self.0.author_id {
            Some(author) if crate::service::sees_particulars(viewer, &self.0) => {
                Ok(find_member(ctx, author).await?)
            }
            _ => Ok(None),
        }
    }
    /// The day it arrived (Japan time); never the time of day.
    async fn submitted_on(&self) -> NaiveDate {
        self.0.submitted_on
    }
    /// The cohort attributes its author chose to attach (`null` when none,
    /// and for analysts).
    async fn cohort(&self, ctx: &Context<'_>) -> Result<Option<FeedbackCohort>> {
        let cohort = visible_cohort(viewer(ctx)?, &self.0);
        if cohort.is_empty() {
            return Ok(None);
        }
        let company = match cohort.company {
            Some(company) => Some(load_company(ctx, company).await?),
            None => None,
        };
        Ok(Some(FeedbackCohort {
            company,
            left_year_band: cohort.left_year_band,
        }))
    }
    /// Where the secretariat's triage left it.
    async fn triage(&self) -> Triage {
        self.0.triage
    }
    /// The theme it was grouped into.
    async fn theme(&self, ctx: &Context<'_>) -> Result<Option<FeedbackTheme>> {
        match self.0.theme_id {
            Some(theme) => super::themes::find_theme(ctx, theme).await,
            None => Ok(None),
        }
    }
    /// The item it says the same as.
    async fn duplicate_of(&self, ctx: &Context<'_>) -> Result<Option<FeedbackItem>> {
        match self.0.duplicate_of_id {
            Some(original) => Ok(load_one::<FeedbackItemLoader, _>(ctx, original)
                .await?
                .flatten()
                .map(FeedbackItem)),
            None => Ok(None),
        }
    }
    /// The secretariat's replies, oldest first.
    async fn replies(&self, ctx: &Context<'_>) -> Result<Vec<FeedbackReply>> {
        Ok(load_one::<RepliesLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(FeedbackReply)
            .collect())
    }
}

/// The secretariat's reply to a feedback item.
pub struct FeedbackReply(pub ReplyRecord);

/// A reply from the secretariat to a feedback item.
#[Object]
impl FeedbackReply {
    /// The reply (plain text).
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// What the holder of a receipt code may read about their anonymous item.
pub struct FeedbackStatus(pub ReceiptStatus);

/// An anonymous item as its author follows it with the receipt code:
/// what they wrote, where it stands and what the secretariat replied.
#[Object]
impl FeedbackStatus {
    /// Its category.
    async fn category(&self, ctx: &Context<'_>) -> Result<Option<FeedbackCategory>> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(service
            .category_for_receipt(self.0.item.category_id)
            .await?
            .map(FeedbackCategory))
    }
    /// What they wrote.
    async fn body(&self) -> &str {
        &self.0.item.body
    }
    /// The day it arrived.
    async fn submitted_on(&self) -> NaiveDate {
        self.0.item.submitted_on
    }
    /// Where the secretariat's triage left it.
    async fn triage(&self) -> Triage {
        self.0.item.triage
    }
    /// The title of the theme it was grouped into.
    async fn theme_title(&self) -> Option<&str> {
        self.0.theme.as_ref().map(|theme| theme.title.as_str())
    }
    /// The secretariat's replies, oldest first.
    async fn replies(&self) -> Vec<FeedbackReply> {
        self.0.replies.iter().cloned().map(FeedbackReply).collect()
    }
    /// The published proposals to management written from the theme it
    /// was grouped into, newest first: what was proposed, management's
    /// answer and what came of it (readable without signing in, like the
    /// rest of the receipt).
    async fn proposals(&self, ctx: &Context<'_>) -> Result<Vec<Proposal>> {
        let Some(theme) = self.0.item.theme_id else {
            return Ok(Vec::new());
        };
        let found = data::<FeedbackService>(ctx)?
            .proposals_for_receipt(theme)
            .await?;
        Ok(super::proposals::receipt_proposals(ctx, found).await?)
    }
}

/// Which of their own cohort attributes a member attaches.
#[derive(InputObject, Default)]
pub struct FeedbackCohortChoice {
    /// Attach the predecessor company they left.
    #[graphql(default)]
    company: bool,
    /// Attach their five-year leave-year band.
    #[graphql(default)]
    left_year_band: bool,
}

/// Feedback to send.
#[derive(InputObject)]
pub struct FeedbackInput {
    /// The category's slug (`feedbackCategories`).
    category: String,
    /// What they want to say (1–10,000 characters, plain text).
    body: String,
    /// Send it without their name: nothing will link it to them, and they
    /// get a receipt code to follow it instead.
    #[graphql(default)]
    anonymous: bool,
    /// Cohort attributes of their own to attach, for analysis; refused
    /// (`COHORT_TOO_SMALL`) when fewer than five members share them.
    #[graphql(default)]
    cohort: FeedbackCohortChoice,
}

/// What sending feedback returned.
pub struct FeedbackSubmission {
    item: Option<ItemRecord>,
    receipt: Option<String>,
    submitted_on: NaiveDate,
}

/// Sent feedback: the item when named, the receipt code when anonymous.
#[Object]
impl FeedbackSubmission {
    /// The item (named feedback only).
    async fn item(&self) -> Option<FeedbackItem> {
        self.item.clone().map(FeedbackItem)
    }
    /// The receipt code of anonymous feedback, shown this once: keep it to
    /// follow the item (`feedbackByReceipt`). It cannot be recovered.
    async fn receipt(&self) -> Option<&str> {
        self.receipt.as_deref()
    }
    /// The day it arrived.
    async fn submitted_on(&self) -> NaiveDate {
        self.submitted_on
    }
}

/// The triage states one may set directly (themes and duplicates have
/// their own mutations).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum DirectTriage {
    /// Back to untriaged.
    New,
    /// Read; needs no action.
    NoAction,
}

/// How to narrow the list of feedback items.
#[derive(InputObject, Default)]
pub struct FeedbackItemFilter {
    /// Only these triage states.
    triage: Option<Vec<Triage>>,
    /// Only this category (slug).
    category: Option<String>,
    /// Only items in this theme.
    theme_id: Option<ID>,
    /// Only anonymous (`true`) or named (`false`) items.
    anonymous: Option<bool>,
}

/// Queries on feedback items.
#[derive(Default)]
pub struct ItemsQuery;

#[Object]
impl ItemsQuery {
    /// The categories of feedback, in order. Any member.
    async fn feedback_categories(&self, ctx: &Context<'_>) -> Result<Vec<FeedbackCategory>> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(service
            .categories(viewer(ctx)?)
            .await?
            .into_iter()
            .map(FeedbackCategory)
            .collect())
    }

    /// Every feedback item, newest day first (within a day in no
    /// meaningful order): the secretariat, and analysts (without authors
    /// or cohorts).
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn feedback_items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to narrow the list to.", default)] filter: FeedbackItemFilter,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<FeedbackItem>> {
        let viewer = viewer(ctx)?.clone();
        let service = data::<FeedbackService>(ctx)?.clone();
        let filter = ItemFilter {
            triage: filter.triage,
            category: filter.category,
            theme: filter
                .theme_id
                .map(|id| ThemeId::from_global(&id, "filter.themeId"))
                .transpose()?,
            anonymous: filter.anonymous,
        };
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.items(&viewer, &filter, &page).await?;
        prefetch(ctx, &rows).await?;
        let total_count = TotalCount::lazy(async move {
            service
                .count_items(&viewer, &filter)
                .await
                .map(ListSize::from_capped_count)
        });
        Ok(page.into_connection(
            rows,
            |item| (item.submitted_on, item.id.0),
            FeedbackItem,
            total_count,
        ))
    }

    /// The viewer's own named feedback, newest first.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn my_feedback(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<FeedbackItem>> {
        let viewer = viewer(ctx)?.clone();
        let service = data::<FeedbackService>(ctx)?.clone();
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.my_items(&viewer, &page).await?;
        prefetch(ctx, &rows).await?;
        let total_count = TotalCount::lazy(async move {
            service
                .count_my_items(&viewer)
                .await
                .map(ListSize::from_capped_count)
        });
        Ok(page.into_connection(
            rows,
            |item| (item.submitted_on, item.id.0),
            FeedbackItem,
            total_count,
        ))
    }

    /// An anonymous item as its author follows it, by the receipt code
    /// they were given (dashes and case do not matter). Needs no sign-in;
    /// `NOT_FOUND` for any code that is not one.
    async fn feedback_by_receipt(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The receipt code, e.g. `ABCD-EFGH-JKMN-PQRS`.")] receipt: String,
    ) -> Result<FeedbackStatus> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(FeedbackStatus(service.by_receipt(&receipt).await?))
    }
}

/// What the items of a list show, loaded at once for the whole list: a
/// field resolved item by item would otherwise batch only as far as the
/// loaders' timer allows.
async fn prefetch(ctx: &Context<'_>, rows: &[ItemRecord]) -> Result<(), AppError> {
    let selected = |field: &str| selects_in_items(ctx, &[field]);
    let viewer = viewer(ctx)?;
    if selected("category") {
        load_now::<CategoryLoader, _>(ctx, rows.iter().map(|item| item.category_id)).await?;
    }
    feed_many::<FeedbackItemLoader, _>(ctx, rows.iter().map(|item| (item.id, Some(item.clone()))))
        .await?;
    if selected("replies") {
        load_now::<RepliesLoader, _>(ctx, rows.iter().map(|item| item.id)).await?;
    }
    if selected("duplicateOf") {
        load_now::<FeedbackItemLoader, _>(ctx, rows.iter().filter_map(|item| item.duplicate_of_id))
            .await?;
    }
    if selected("theme") {
        super::themes::prefetch_themes(ctx, rows.iter().filter_map(|item| item.theme_id)).await?;
    }
    if selected("author") {
        let authors: Vec<MemberId> = rows
            .iter()
            .filter(|item| sees_particulars(viewer, item))
            .filter_map(|item| item.author_id)
            .collect();
        if !authors.is_empty() {
            prefetch_members(ctx, authors).await?;
        }
    }
    if selected("cohort") {
        let companies: Vec<CompanyId> = rows
            .iter()
            .filter_map(|item| visible_cohort(viewer, item).company)
            .collect();
        if !companies.is_empty() {
            prefetch_companies(ctx, companies).await?;
        }
    }
    Ok(())
}

/// Mutations on feedback items.
#[derive(Default)]
pub struct ItemsMutation;

#[Object]
impl ItemsMutation {
    /// Sends feedback, named or anonymous. Alumni and employees. At most
    /// three anonymous items a day (`DAILY_LIMIT`); a named author is told
    /// of replies, an anonymous one keeps the returned receipt code.
    async fn submit_feedback(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The feedback.")] input: FeedbackInput,
    ) -> Result<FeedbackSubmission> {
        let service = data::<FeedbackService>(ctx)?;
        let submitted = service
            .submit(
                viewer(ctx)?,
                ServiceInput {
                    category: input.category,
                    body: input.body,
                    anonymous: input.anonymous,
                    cohort: CohortChoice {
                        company: input.cohort.company,
                        left_year_band: input.cohort.left_year_band,
                    },
                },
            )
            .await?;
        Ok(FeedbackSubmission {
            submitted_on: submitted.item.submitted_on,
            item: (!submitted.item.anonymous).then_some(submitted.item),
            receipt: submitted.receipt,
        })
    }

    /// Marks an item as needing no action, or puts it back to untriaged.
    /// The secretariat.
    async fn set_feedback_triage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item.")] item_id: ID,
        #[graphql(desc = "`NO_ACTION`, or `NEW` to put it back.")] triage: DirectTriage,
    ) -> Result<FeedbackItem> {
        let service = data::<FeedbackService>(ctx)?;
        let triage = match triage {
            DirectTriage::New => Triage::New,
            DirectTriage::NoAction => Triage::NoAction,
        };
        Ok(FeedbackItem(
            service
                .set_item_triage(
                    viewer(ctx)?,
                    FeedbackItemId::from_global(&item_id, "itemId")?,
                    triage,
                )
                .await?,
        ))
    }

    /// Marks an item as saying what another already says (a duplicate of a
    /// duplicate points at the original). The secretariat.
    async fn mark_feedback_duplicate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The duplicate.")] item_id: ID,
        #[graphql(desc = "The item it repeats.")] original_id: ID,
    ) -> Result<FeedbackItem> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(FeedbackItem(
            service
                .mark_duplicate(
                    viewer(ctx)?,
                    FeedbackItemId::from_global(&item_id, "itemId")?,
                    FeedbackItemId::from_global(&original_id, "originalId")?,
                )
                .await?,
        ))
    }

    /// Replies to an item: a named author is notified, an anonymous one
    /// reads it with the receipt code. The secretariat; at most 20 replies
    /// per item.
    async fn reply_to_feedback(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item.")] item_id: ID,
        #[graphql(desc = "The reply (1–5,000 characters, plain text).")] body: String,
    ) -> Result<FeedbackReply> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(FeedbackReply(
            service
                .reply(
                    viewer(ctx)?,
                    FeedbackItemId::from_global(&item_id, "itemId")?,
                    &body,
                )
                .await?,
        ))
    }
}
