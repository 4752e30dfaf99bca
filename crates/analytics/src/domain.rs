//! The analytics crate's side of the domain contract
//! ([`alumni_core::domain`]). It owns no member's data of its own: what
//! its views hold is rebuilt from the domains' published views at every
//! refresh, so a member who leaves, or withdraws consent, is gone from
//! them at the next one (within the hour).

use alumni_core::domain::{BoxFuture, DemoWorld, Domain, FileRoute, Leaving};
use alumni_core::enums::StoredEnum;
use alumni_core::jobs::JobRegistry;
use alumni_core::{AppError, Viewer};
use async_graphql::Data;
use diesel_async::AsyncPgConnection;

use crate::service::AnalyticsService;

/// Analytics as the gateway drives it.
pub struct AnalyticsDomain {
    service: AnalyticsService,
}

impl AnalyticsDomain {
    /// The domain over its service.
    pub fn new(service: AnalyticsService) -> Self {
        Self { service }
    }
}

impl Domain for AnalyticsDomain {
    fn name(&self) -> &'static str {
        "analytics"
    }

    fn schemas(&self) -> &'static [&'static str] {
        &["analytics", "analytics_private"]
    }

    fn stored_enums(&self) -> &'static [StoredEnum] {
        &[]
    }

    fn attach(&self, data: &mut Data, _viewer: &Viewer, _caching: bool) {
        data.insert(self.service.clone());
    }

    fn export_member<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        viewer: &'a Viewer,
    ) -> BoxFuture<'a, Result<Option<serde_json::Value>, AppError>> {
        // Derived from what the other domains export, but held apart: the
        // member sees whether they were in the member-level facts and the
        // counts kept about them (never their pseudonymous key).
        Box::pin(async move {
            let member = viewer.session()?.member_id;
            let export = crate::store::member_export(conn, member.0).await?;
            Ok(Some(
                serde_json::from_str(&export).map_err(AppError::internal)?,
            ))
        })
    }

    fn withdraw_member<'a>(
        &'a self,
        _conn: &'a mut AsyncPgConnection,
        _viewer: &'a Viewer,
        _leaving: Leaving,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        // Materialised views cannot be edited row by row; the next refresh
        // (hourly) leaves the member out.
        Box::pin(async { Ok(()) })
    }

    fn seed_demo<'a>(&'a self, _demo: &'a mut DemoWorld) -> BoxFuture<'a, Result<(), AppError>> {
        // Seeded last: the dashboards show the demo at once.
        Box::pin(async move {
            self.service.refresh().await?;
            Ok(())
        })
    }

    fn jobs(&self, registry: &mut JobRegistry) {
        crate::service::register_jobs(&self.service, registry);
    }

    fn files(&self) -> Vec<FileRoute> {
        vec![crate::files::route(&self.service)]
    }
}
