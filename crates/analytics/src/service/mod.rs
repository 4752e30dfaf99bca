//! The analytics service: the refresh of the materialised views, and the
//! dashboards over them for analysts and the secretariat.

mod dashboards;
mod refresh;

use alumni_core::{AppError, AppResult, Identity, Role, ServiceContext, Viewer};
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Utc};

pub use dashboards::{
    CohortCell, CohortDashboard, CohortDimension, ContentReadDashboard, ContentReadRow,
    EngagementDashboard, EngagementRow, EventAttendanceDashboard, EventAttendanceRow,
    FunnelDashboard, FunnelRow, Group, MAX_DAYS, MAX_LISTED, MAX_ROWS, Period,
    QuestionAnswerDashboard, QuestionAnswerRow,
};
pub use refresh::{REFRESH, Refreshed};

/// The dashboards and the refresh.
#[derive(Clone)]
pub struct AnalyticsService {
    ctx: ServiceContext,
}

impl AnalyticsService {
    /// The service over `ctx`.
    pub fn new(ctx: ServiceContext) -> Self {
        Self { ctx }
    }
}

/// Analysts and the secretariat read the dashboards; nobody else.
pub(crate) fn reads_dashboards(viewer: &Viewer) -> AppResult<&Identity> {
    let identity = viewer.identity()?;
    if identity.roles.contains(Role::Analyst) || identity.roles.contains(Role::Secretariat) {
        Ok(identity)
    } else {
        Err(AppError::forbidden(
            "only analysts and the secretariat read the analytics dashboards",
        ))
    }
}

/// Japan time, in which days, weeks and months are counted.
fn japan() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("nine hours is a valid offset")
}

/// The instant `day` begins in Japan.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    japan()
        .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
        .single()
        .expect("a fixed offset maps every local time once")
        .with_timezone(&Utc)
}

/// The Monday of `day`'s week.
fn week_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The first of `day`'s month.
fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("every month has a first day")
}

/// Registers the refresh job.
pub fn register_jobs(service: &AnalyticsService, registry: &mut alumni_core::jobs::JobRegistry) {
    refresh::register(service, registry);
}
