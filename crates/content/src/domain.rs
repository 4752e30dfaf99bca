//! The magazine's side of the domain contract ([`alumni_core::domain`]).

use alumni_core::domain::{BoxFuture, DemoWorld, Domain, Leaving};
use alumni_core::enums::StoredEnum;
use alumni_core::jobs::JobRegistry;
use alumni_core::{AppError, Viewer};
use alumni_membership::demo::DemoMembers;
use async_graphql::Data;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::service::{ContentService, PUBLISH_POST};

/// The magazine as the gateway drives it.
pub struct ContentDomain {
    service: ContentService,
}

impl ContentDomain {
    /// The domain over its services.
    pub fn new(service: ContentService) -> Self {
        Self { service }
    }
}

impl Domain for ContentDomain {
    fn name(&self) -> &'static str {
        "content"
    }

    fn schemas(&self) -> &'static [&'static str] {
        &["content"]
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
        Box::pin(self.service.forget_member_in(conn, leaving.member))
    }

    fn merge_tag<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        from: Uuid,
        into: Uuid,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(self.service.merge_tag_in(conn, from, into))
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
        let service = self.service.clone();
        registry.handle(PUBLISH_POST, move |run| {
            let service = service.clone();
            async move { service.publish_scheduled(run).await }
        });
    }
}
