//! Membership's side of the domain contract ([`alumni_core::domain`]).

use alumni_core::domain::{BoxFuture, DemoWorld, Domain, Leaving};
use alumni_core::enums::StoredEnum;
use alumni_core::jobs::{Every, JobRegistry};
use alumni_core::{AppError, NodeId as _, Viewer};
use async_graphql::Data;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::graphql::attach_loaders;
use crate::jobs::PURGE_EXPIRED_CODES;
use crate::model::TagId;
use crate::service::MembershipService;

/// The membership domain as the gateway drives it.
pub struct MembershipDomain {
    service: MembershipService,
}

impl MembershipDomain {
    /// The domain over its services.
    pub fn new(service: MembershipService) -> Self {
        Self { service }
    }
}

impl Domain for MembershipDomain {
    fn name(&self) -> &'static str {
        "membership"
    }

    fn schemas(&self) -> &'static [&'static str] {
        &["membership"]
    }

    fn stored_enums(&self) -> &'static [StoredEnum] {
        crate::model::STORED_ENUMS
    }

    fn attach(&self, data: &mut Data, viewer: &Viewer, caching: bool) {
        data.insert(self.service.clone());
        attach_loaders(data, &self.service, viewer, caching);
    }

    fn export_member<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        viewer: &'a Viewer,
    ) -> BoxFuture<'a, Result<Option<serde_json::Value>, AppError>> {
        Box::pin(async move { Ok(Some(self.service.export_member_in(conn, viewer).await?)) })
    }

    fn withdraw_member<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        viewer: &'a Viewer,
        _leaving: Leaving,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            self.service.withdraw_in(conn, viewer).await?;
            Ok(())
        })
    }

    fn merge_tag<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        from: Uuid,
        into: Uuid,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(
            self.service
                .merge_skills_in(conn, TagId::from_uuid(from), TagId::from_uuid(into)),
        )
    }

    fn sign_out_everywhere<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        viewer: &'a Viewer,
    ) -> BoxFuture<'a, Result<usize, AppError>> {
        Box::pin(self.service.revoke_all_sessions_in(conn, viewer))
    }

    fn jobs(&self, registry: &mut JobRegistry) {
        let service = self.service.clone();
        registry
            .handle(PURGE_EXPIRED_CODES, move |_run| {
                let service = service.clone();
                async move {
                    let purged = service.purge_expired_codes().await?;
                    tracing::info!(purged, "purged expired codes and reset tokens");
                    Ok(())
                }
            })
            .every(PURGE_EXPIRED_CODES, Every::Day);
    }

    fn seed_demo<'a>(&'a self, demo: &'a mut DemoWorld) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            demo.insert(crate::demo::seed(&self.service).await?);
            Ok(())
        })
    }
}
