//! Themes: the secretariat's grouping of what many items say.

use alumni_core::graphql::{data, load_now, load_one, selects_in_items, viewer, with_misses};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, NodeId};
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use super::items::FeedbackItem;
use super::proposals::Proposal;
use crate::FeedbackService;
use crate::model::{FeedbackItemId, ThemeId, ThemeRecord};
use crate::service::ThemeInput;

viewer_loader!(
    /// Themes the viewer may see; others are `None`.
    ThemeLoader: ThemeId => Option<ThemeRecord>,
    |service, viewer, ids| {
        let found = service.themes_by_ids(viewer, ids).await?;
        Ok(with_misses(ids, found, |theme| theme.id))
    }
);

viewer_loader!(
    /// How many items each theme holds.
    ThemeItemCountLoader: ThemeId => i64,
    |service, viewer, ids| {
        let mut counts: std::collections::HashMap<ThemeId, i64> =
            ids.iter().map(|id| (*id, 0)).collect();
        counts.extend(service.theme_item_counts(viewer, ids).await?);
        Ok(counts)
    }
);

pub(super) fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &FeedbackService,
    viewer: &alumni_core::Viewer,
    caching: bool,
) {
    attach_viewer_loaders!(data, service, viewer, caching; ThemeLoader, ThemeItemCountLoader);
}

/// Themes with their item counts, at once for a list whose items name
/// them.
pub(super) async fn prefetch_themes(
    ctx: &Context<'_>,
    ids: impl IntoIterator<Item = ThemeId>,
) -> Result<(), AppError> {
    let ids: Vec<ThemeId> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(());
    }
    load_now::<ThemeLoader, _>(ctx, ids.clone()).await?;
    if selects_in_items(ctx, &["theme", "itemCount"]) {
        load_now::<ThemeItemCountLoader, _>(ctx, ids).await?;
    }
    Ok(())
}

/// One theme the viewer may see, if any.
pub(super) async fn find_theme(ctx: &Context<'_>, id: ThemeId) -> Result<Option<FeedbackTheme>> {
    Ok(load_one::<ThemeLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(FeedbackTheme))
}

/// Loads one theme the viewer may see; `NOT_FOUND` otherwise.
pub async fn load_feedback_theme(
    ctx: &Context<'_>,
    id: ThemeId,
) -> Result<FeedbackTheme, AppError> {
    load_one::<ThemeLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(FeedbackTheme)
        .ok_or(AppError::NotFound {
            entity: "FeedbackTheme",
        })
}

/// A theme of feedback.
pub struct FeedbackTheme(pub ThemeRecord);

/// What several feedback items say, in the secretariat's words; proposals
/// to management are written from themes. The secretariat and analysts.
#[Object]
impl FeedbackTheme {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// A short title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What the items in it say.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    /// How many items it holds.
    async fn item_count(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(load_one::<ThemeItemCountLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default())
    }
    /// The proposals to management written from it, newest first, as the
    /// viewer reads them (analysts: the published ones).
    async fn proposals(&self, ctx: &Context<'_>) -> Result<Vec<Proposal>> {
        Ok(super::proposals::proposals_of_theme(ctx, self.0.id).await?)
    }
    /// Created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last edited.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A theme's text.
#[derive(InputObject)]
pub struct FeedbackThemeInput {
    /// A short title (1–200 characters).
    title: String,
    /// What the items in it say (up to 5,000 characters).
    #[graphql(default)]
    summary: String,
}

impl From<FeedbackThemeInput> for ThemeInput {
    fn from(input: FeedbackThemeInput) -> Self {
        Self {
            title: input.title,
            summary: input.summary,
        }
    }
}

/// Queries on themes.
#[derive(Default)]
pub struct ThemesQuery;

#[Object]
impl ThemesQuery {
    /// The themes, newest first: the secretariat and analysts.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn feedback_themes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<FeedbackTheme>> {
        let viewer = viewer(ctx)?.clone();
        let service = data::<FeedbackService>(ctx)?.clone();
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.themes(&viewer, &page).await?;
        let total_count = TotalCount::lazy(async move {
            service
                .count_themes(&viewer)
                .await
                .map(alumni_core::pagination::ListSize::from_capped_count)
        });
        load_now::<ThemeItemCountLoader, _>(ctx, rows.iter().map(|theme| theme.id)).await?;
        Ok(page.into_connection(
            rows,
            |theme| (theme.created_at, theme.id.0),
            FeedbackTheme,
            total_count,
        ))
    }
}

/// Mutations on themes.
#[derive(Default)]
pub struct ThemesMutation;

#[Object]
impl ThemesMutation {
    /// Creates a theme. The secretariat.
    async fn create_feedback_theme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its title and summary.")] input: FeedbackThemeInput,
    ) -> Result<FeedbackTheme> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(FeedbackTheme(
            service.create_theme(viewer(ctx)?, input.into()).await?,
        ))
    }

    /// Changes a theme's title and summary. The secretariat.
    async fn update_feedback_theme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The theme.")] id: ID,
        #[graphql(desc = "Its new title and summary.")] input: FeedbackThemeInput,
    ) -> Result<FeedbackTheme> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(FeedbackTheme(
            service
                .update_theme(viewer(ctx)?, ThemeId::from_global(&id, "id")?, input.into())
                .await?,
        ))
    }

    /// Groups items into a theme (taking them out of any other). The
    /// secretariat; at most 100 items at once.
    async fn group_feedback(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The items.")] item_ids: Vec<ID>,
        #[graphql(desc = "The theme.")] theme_id: ID,
    ) -> Result<Vec<FeedbackItem>> {
        let service = data::<FeedbackService>(ctx)?;
        let items = item_ids
            .iter()
            .map(|id| FeedbackItemId::from_global(id, "itemIds"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(service
            .group_items(
                viewer(ctx)?,
                &items,
                ThemeId::from_global(&theme_id, "themeId")?,
            )
            .await?
            .into_iter()
            .map(FeedbackItem)
            .collect())
    }
}
