//! The feedback domain's side of the domain contract
//! ([`alumni_core::domain`]).

use alumni_core::domain::{BoxFuture, DemoWorld, Domain, Leaving};
use alumni_core::enums::StoredEnum;
use alumni_core::jobs::JobRegistry;
use alumni_core::{AppError, Viewer};
use alumni_membership::demo::DemoMembers;
use async_graphql::Data;
use diesel_async::AsyncPgConnection;

use crate::service::FeedbackService;

/// The feedback domain as the gateway drives it.
pub struct FeedbackDomain {
    service: FeedbackService,
}

impl FeedbackDomain {
    /// The domain over its services.
    pub fn new(service: FeedbackService) -> Self {
        Self { service }
    }
}

impl Domain for FeedbackDomain {
    fn name(&self) -> &'static str {
        "feedback"
    }

    fn schemas(&self) -> &'static [&'static str] {
        &["feedback"]
    }

    fn stored_enums(&self) -> &'static [StoredEnum] {
        crate::model::STORED_ENUMS
    }

    fn attach(&self, data: &mut Data, viewer: &Viewer, caching: bool) {
        crate::graphql::attach_loaders(data, &self.service, viewer, caching);
        data.insert(self.service.clone());
    }

    fn export_member<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        viewer: &'a Viewer,
    ) -> BoxFuture<'a, Result<Option<serde_json::Value>, AppError>> {
        Box::pin(async move {
            let member = viewer.session()?.member_id;
            Ok(Some(self.service.export_member_in(conn, member).await?))
        })
    }

    fn withdraw_member<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        _viewer: &'a Viewer,
        leaving: Leaving,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(self.service.forget_member_in(conn, leaving))
    }

    fn seed_demo<'a>(&'a self, demo: &'a mut DemoWorld) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            match demo.get::<DemoMembers>() {
                Some(members) => crate::demo::seed(&self.service, members).await,
                None => Ok(()),
            }
        })
    }

    fn jobs(&self, registry: &mut JobRegistry) {
        crate::service::register_jobs(&self.service, registry);
    }
}
