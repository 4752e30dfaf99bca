//! Feedback in figures: items counted by category, triage and cohort,
//! with small counts withheld.

use alumni_core::graphql::{data, viewer};
use alumni_membership::graphql::{Company, load_company};
use async_graphql::{Context, Object, Result};
use chrono::NaiveDate;

use super::items::FeedbackCategory;
use crate::FeedbackService;
use crate::model::Triage;
use crate::service::{FeedbackDimension, FeedbackSummary, SummaryGroup};

/// Feedback counted over a range of days.
pub struct FeedbackSummaryObject(FeedbackSummary);

/// Feedback items counted over a range of days by up to two dimensions.
/// A count of fewer than five items is withheld, with enough others that
/// none can be worked out from the totals; below five items in all,
/// nothing is shown.
#[Object(name = "FeedbackSummary")]
impl FeedbackSummaryObject {
    /// The first day counted (Japan time).
    async fn from(&self) -> NaiveDate {
        self.0.from
    }
    /// The last day counted.
    async fn to(&self) -> NaiveDate {
        self.0.to
    }
    /// Whether there are too few items to show anything.
    async fn suppressed(&self) -> bool {
        self.0.total.is_none()
    }
    /// How many items arrived; `null` when suppressed.
    async fn total(&self) -> Option<i64> {
        self.0.total
    }
    /// The counts per combination of the dimensions asked for (only
    /// combinations with items), withheld ones with `suppressed: true`.
    async fn groups(&self) -> Vec<FeedbackSummaryGroup> {
        self.0
            .groups
            .iter()
            .cloned()
            .map(FeedbackSummaryGroup)
            .collect()
    }
}

/// One combination of the dimensions counted by.
pub struct FeedbackSummaryGroup(SummaryGroup);

/// The items of one combination of categories, triage states and cohort
/// attributes; a dimension not counted by is `null`, as is a cohort
/// attribute the items do not carry.
#[Object]
impl FeedbackSummaryGroup {
    /// The category (when counted by category).
    async fn category(&self, ctx: &Context<'_>) -> Result<Option<FeedbackCategory>> {
        match self.0.key.category {
            Some(category) => super::items::find_category(ctx, category).await,
            None => Ok(None),
        }
    }
    /// The triage state (when counted by triage).
    async fn triage(&self) -> Option<Triage> {
        self.0.key.triage
    }
    /// The predecessor company attached (when counted by company).
    async fn company(&self, ctx: &Context<'_>) -> Result<Option<Company>> {
        match self.0.key.company {
            Some(company) => Ok(Some(load_company(ctx, company).await?)),
            None => Ok(None),
        }
    }
    /// The leave-year band attached (when counted by band).
    async fn left_year_band(&self) -> Option<i32> {
        self.0.key.left_year_band
    }
    /// Whether the count is withheld.
    async fn suppressed(&self) -> bool {
        self.0.suppressed
    }
    /// How many items; `null` when withheld.
    async fn count(&self) -> Option<i64> {
        self.0.count()
    }
}

/// Queries on feedback figures.
#[derive(Default)]
pub struct SummaryQuery;

#[Object]
impl SummaryQuery {
    /// Feedback items that arrived from `from` to `to` (both included, at
    /// most three years), counted by up to two dimensions. The
    /// secretariat and analysts.
    async fn feedback_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The first day (Japan time).")] from: NaiveDate,
        #[graphql(desc = "The last day.")] to: NaiveDate,
        #[graphql(
            desc = "What to count by: at most two dimensions (none: the total).",
            default
        )]
        by: Vec<FeedbackDimension>,
    ) -> Result<FeedbackSummaryObject> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(FeedbackSummaryObject(
            service
                .feedback_summary(viewer(ctx)?, from, to, &by)
                .await?,
        ))
    }
}
