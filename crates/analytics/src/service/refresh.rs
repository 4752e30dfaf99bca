//! The hourly refresh of every materialised view, as of one moment.

use std::time::Instant;

use alumni_core::AppResult;
use alumni_core::jobs::{Every, JobRegistry};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;

use super::AnalyticsService;
use crate::store;

/// The recurring job (every hour).
pub const REFRESH: &str = "analytics.refresh";

/// What a refresh did.
#[derive(Debug, Clone, Copy)]
pub struct Refreshed {
    /// The moment the views now describe.
    pub as_of: DateTime<Utc>,
    /// How long it took, in milliseconds.
    pub took_ms: i32,
}

pub(crate) fn register(service: &AnalyticsService, registry: &mut JobRegistry) {
    let service = service.clone();
    registry
        .handle(REFRESH, move |_run| {
            let service = service.clone();
            async move {
                service.refresh().await?;
                Ok(())
            }
        })
        .every(REFRESH, Every::Hour);
}

impl AnalyticsService {
    /// Rebuilds every view as of now, in one transaction: dashboards read
    /// the previous refresh until this one commits.
    pub async fn refresh(&self) -> AppResult<Refreshed> {
        let as_of = self.ctx.now();
        let started = Instant::now();
        let mut conn = self.ctx.conn().await?;
        let took_ms = conn
            .transaction(async |conn| {
                store::refresh(conn, as_of).await?;
                let took_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
                store::finish_refresh(conn, self.ctx.now(), took_ms).await?;
                AppResult::Ok(took_ms)
            })
            .await?;
        tracing::info!(took_ms, "analytics views refreshed");
        Ok(Refreshed { as_of, took_ms })
    }
}
