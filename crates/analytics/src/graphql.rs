//! The dashboards in GraphQL, for analysts and the secretariat, under
//! `analytics`. Every count of people is an `AnalyticsCount`: `null` with
//! `suppressed: true` when withheld.

use alumni_core::graphql::{data, viewer};
use async_graphql::{Context, Object, Result};
use chrono::NaiveDate;

use crate::AnalyticsService;
use crate::service::{
    CohortDashboard, CohortDimension, ContentReadDashboard, EngagementDashboard,
    EventAttendanceDashboard, FunnelDashboard, Period, QuestionAnswerDashboard,
};
use crate::suppress::{Count, Figure, MIN_GROUP};

/// A count of people, withheld when the group is smaller than five or
/// when it could be worked out from the totals shown beside it.
#[Object(name = "AnalyticsCount")]
impl Count {
    /// The count; `null` when withheld.
    async fn value(&self) -> Option<i64> {
        self.shown()
    }
    /// Whether the count is withheld.
    async fn suppressed(&self) -> bool {
        self.suppressed
    }
}

/// A figure derived from counts of people (a rate from 0 to 1, hours),
/// withheld with them.
#[Object(name = "AnalyticsFigure")]
impl Figure {
    /// The figure; `null` when withheld, or undefined (a rate of nobody).
    async fn value(&self) -> Option<f64> {
        self.value
    }
    /// Whether the figure is withheld.
    async fn suppressed(&self) -> bool {
        self.suppressed
    }
}

/// The dashboards' root, reached only by analysts and the secretariat.
#[derive(Default)]
pub struct Analytics;

/// The analytics dashboards (analysts and the secretariat). Figures are as
/// of the last refresh (hourly); every table is also a CSV file at
/// `/analytics/<dashboard>.csv` with the same arguments (see docs/api.md).
#[Object]
impl Analytics {
    /// The smallest group shown: smaller ones are withheld.
    async fn min_group(&self) -> i64 {
        MIN_GROUP
    }

    /// Active members per week or month: anyone active, readers, writers,
    /// attendees; optionally per cohort group. At most two years.
    async fn engagement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The first day (Japan time); its week or month is the first counted.")]
        from: NaiveDate,
        #[graphql(desc = "The last day counted.")] to: NaiveDate,
        #[graphql(desc = "Weeks or months.", default_with = "Period::Month")] period: Period,
        #[graphql(desc = "A dimension to group members by (none: all members).")] by: Option<
            CohortDimension,
        >,
    ) -> Result<EngagementDashboard> {
        let service = data::<AnalyticsService>(ctx)?;
        Ok(service
            .engagement(viewer(ctx)?, from, to, period, by)
            .await?)
    }

    /// Members by one or two cohort dimensions, with how many took part
    /// recently and the rates, row, column and grand totals.
    async fn cohorts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The dimension of the rows.")] rows: CohortDimension,
        #[graphql(desc = "The dimension of the columns (none: one column).")] columns: Option<
            CohortDimension,
        >,
    ) -> Result<CohortDashboard> {
        let service = data::<AnalyticsService>(ctx)?;
        Ok(service.cohorts(viewer(ctx)?, rows, columns).await?)
    }

    /// The membership funnel: roster, applied, approved, active in the
    /// last 90 days; optionally per cohort group.
    async fn funnel(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A dimension to group people by (none: everyone).")] by: Option<
            CohortDimension,
        >,
    ) -> Result<FunnelDashboard> {
        let service = data::<AnalyticsService>(ctx)?;
        Ok(service.funnel(viewer(ctx)?, by).await?)
    }

    /// Attendance of the events that started in a range of days (at most
    /// two years and 200 events).
    async fn event_attendance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The first day (Japan time).")] from: NaiveDate,
        #[graphql(desc = "The last day.")] to: NaiveDate,
    ) -> Result<EventAttendanceDashboard> {
        let service = data::<AnalyticsService>(ctx)?;
        Ok(service.event_attendance(viewer(ctx)?, from, to).await?)
    }

    /// Questions per month asked: answer rates and hours to the first
    /// answer. At most two years.
    async fn question_answers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A day of the first month (Japan time).")] from: NaiveDate,
        #[graphql(desc = "A day of the last month.")] to: NaiveDate,
    ) -> Result<QuestionAnswerDashboard> {
        let service = data::<AnalyticsService>(ctx)?;
        Ok(service.question_answers(viewer(ctx)?, from, to).await?)
    }

    /// Read rates of the posts published in a range of days (at most two
    /// years and 200 posts).
    async fn content_reads(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The first day (Japan time).")] from: NaiveDate,
        #[graphql(desc = "The last day.")] to: NaiveDate,
    ) -> Result<ContentReadDashboard> {
        let service = data::<AnalyticsService>(ctx)?;
        Ok(service.content_reads(viewer(ctx)?, from, to).await?)
    }
}

/// Queries on analytics.
#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// The analytics dashboards: analysts and the secretariat
    /// (`FORBIDDEN` for everyone else).
    async fn analytics(&self, ctx: &Context<'_>) -> Result<Analytics> {
        let viewer = viewer(ctx)?;
        crate::service::reads_dashboards(viewer)?;
        Ok(Analytics)
    }
}
