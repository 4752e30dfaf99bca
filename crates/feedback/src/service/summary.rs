//! Feedback in figures for the secretariat and analysts: items counted by
//! up to two of category, triage, company and leave-year band, over a
//! bounded range of days. Counts of fewer than five items are withheld,
//! with as many others as it takes that none can be worked out from the
//! totals (`alumni_core::suppression`); below five items in all, nothing
//! is shown.

use alumni_core::suppression::{DEFAULT_MIN_GROUP, total_shown, withheld, withheld_cells};
use alumni_core::{AppError, AppResult, Viewer};
use chrono::NaiveDate;

use super::FeedbackService;
use crate::store::summary::{self as store, CountedBy, ItemCount};

/// The longest range of days one summary covers (three years).
pub const MAX_SUMMARY_DAYS: i64 = 3 * 366;

/// What feedback items may be counted by.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackDimension {
    /// Their category.
    Category,
    /// Where the secretariat's triage left them.
    Triage,
    /// The predecessor company their authors attached.
    Company,
    /// The leave-year band their authors attached.
    LeftYearBand,
}

/// Items counted by the dimensions asked for.
#[derive(Debug, Clone)]
pub struct FeedbackSummary {
    /// The first day counted.
    pub from: NaiveDate,
    /// The last day counted.
    pub to: NaiveDate,
    /// How many items in all; `None` when fewer than the smallest group.
    pub total: Option<i64>,
    /// The groups (none when the total is withheld or nothing is broken
    /// down), each withheld or not.
    pub groups: Vec<SummaryGroup>,
}

/// One combination of the dimensions counted by.
#[derive(Debug, Clone)]
pub struct SummaryGroup {
    /// Its values (`None` for dimensions not counted by, and for items
    /// without the attribute).
    pub key: ItemCount,
    /// Whether its count is withheld.
    pub suppressed: bool,
}

impl SummaryGroup {
    /// Its count, unless withheld.
    pub fn count(&self) -> Option<i64> {
        (!self.suppressed).then_some(self.key.count)
    }
}

impl FeedbackService {
    /// Items that arrived from `from` to `to` (both included) counted by
    /// at most two dimensions. The secretariat and analysts.
    pub async fn feedback_summary(
        &self,
        viewer: &Viewer,
        from: NaiveDate,
        to: NaiveDate,
        by: &[FeedbackDimension],
    ) -> AppResult<FeedbackSummary> {
        super::reads_aggregates(viewer)?;
        if to < from {
            return Err(AppError::bad_input("to", "must not be before `from`"));
        }
        if (to - from).num_days() >= MAX_SUMMARY_DAYS {
            return Err(AppError::bad_input(
                "from",
                "a summary covers at most three years",
            ));
        }
        if by.len() > 2 {
            return Err(AppError::bad_input("by", "count by at most two dimensions"));
        }
        if by.len() == 2 && by[0] == by[1] {
            return Err(AppError::bad_input("by", "each dimension once"));
        }
        let counted_by = CountedBy {
            category: by.contains(&FeedbackDimension::Category),
            triage: by.contains(&FeedbackDimension::Triage),
            company: by.contains(&FeedbackDimension::Company),
            left_year_band: by.contains(&FeedbackDimension::LeftYearBand),
        };
        let mut conn = self.ctx.conn().await?;
        let mut counts = store::item_counts(&mut conn, from, to, counted_by).await?;
        counts.sort_by_key(sort_key);
        let total: i64 = counts.iter().map(|count| count.count).sum();
        let k = DEFAULT_MIN_GROUP;
        if !total_shown(total, k) {
            return Ok(FeedbackSummary {
                from,
                to,
                total: None,
                groups: Vec::new(),
            });
        }
        let hidden = match by {
            [] => vec![false; counts.len()],
            [_] => withheld(
                &counts.iter().map(|count| count.count).collect::<Vec<_>>(),
                k,
            ),
            [first, second, ..] => withheld_cells(
                &counts
                    .iter()
                    .map(|count| (only(count, *first), only(count, *second), count.count))
                    .collect::<Vec<_>>(),
                k,
            ),
        };
        Ok(FeedbackSummary {
            from,
            to,
            total: Some(total),
            groups: if by.is_empty() {
                Vec::new()
            } else {
                counts
                    .into_iter()
                    .zip(hidden)
                    .map(|(key, suppressed)| SummaryGroup { key, suppressed })
                    .collect()
            },
        })
    }
}

type SortKey = (
    Option<crate::model::FeedbackCategoryId>,
    Option<crate::model::Triage>,
    Option<alumni_membership::model::CompanyId>,
    Option<i32>,
);

fn sort_key(count: &ItemCount) -> SortKey {
    (
        count.category,
        count.triage,
        count.company,
        count.left_year_band,
    )
}

/// The value of one dimension of a count, as a comparable key.
fn only(count: &ItemCount, dimension: FeedbackDimension) -> SortKey {
    let key = sort_key(count);
    match dimension {
        FeedbackDimension::Category => (key.0, None, None, None),
        FeedbackDimension::Triage => (None, key.1, None, None),
        FeedbackDimension::Company => (None, None, key.2, None),
        FeedbackDimension::LeftYearBand => (None, None, None, key.3),
    }
}
