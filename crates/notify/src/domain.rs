//! Notify's side of the domain contract ([`alumni_core::domain`]).

use alumni_core::domain::{BoxFuture, Domain, Leaving};
use alumni_core::enums::StoredEnum;
use alumni_core::jobs::{Every, JobRegistry};
use alumni_core::{AppError, Viewer};
use alumni_membership::jobs::{
    APPLICATION_DECIDED, EMAIL_CHANGE_REQUESTED, EMAIL_CHANGED, PASSWORD_RESET_REQUESTED,
    VERIFICATION_REQUESTED,
};
use async_graphql::Data;
use diesel_async::AsyncPgConnection;

use crate::service::{
    COMPOSE_DIGEST, NotifyService, PLAN_DIGESTS, PURGE_DIGEST_RECORDS, PURGE_UNSUBSCRIBE_TOKENS,
    SEND_MAIL,
};

/// The notification crate as the gateway drives it.
pub struct NotifyDomain {
    service: NotifyService,
}

impl NotifyDomain {
    /// The domain over its services.
    pub fn new(service: NotifyService) -> Self {
        Self { service }
    }
}

impl Domain for NotifyDomain {
    fn name(&self) -> &'static str {
        "notify"
    }

    fn schemas(&self) -> &'static [&'static str] {
        &["notify"]
    }

    fn stored_enums(&self) -> &'static [StoredEnum] {
        crate::model::STORED_ENUMS
    }

    fn attach(&self, data: &mut Data, _viewer: &Viewer, _caching: bool) {
        data.insert(self.service.clone());
    }

    fn export_member<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        viewer: &'a Viewer,
    ) -> BoxFuture<'a, Result<Option<serde_json::Value>, AppError>> {
        Box::pin(async move {
            // A member's data is theirs to export whatever terms they
            // have yet to accept: the session is enough.
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

    fn jobs(&self, registry: &mut JobRegistry) {
        let service = self.service.clone();
        registry.handle(SEND_MAIL, move |run| {
            let service = service.clone();
            async move { service.send_queued(run).await }
        });
        let service = self.service.clone();
        registry.handle(APPLICATION_DECIDED, move |run| {
            let service = service.clone();
            async move { service.application_decided(run).await }
        });
        let service = self.service.clone();
        registry.handle(VERIFICATION_REQUESTED, move |run| {
            let service = service.clone();
            async move { service.verification_requested(run).await }
        });
        let service = self.service.clone();
        registry.handle(PASSWORD_RESET_REQUESTED, move |run| {
            let service = service.clone();
            async move { service.password_reset_requested(run).await }
        });
        let service = self.service.clone();
        registry.handle(EMAIL_CHANGE_REQUESTED, move |run| {
            let service = service.clone();
            async move { service.email_change_requested(run).await }
        });
        let service = self.service.clone();
        registry.handle(EMAIL_CHANGED, move |run| {
            let service = service.clone();
            async move { service.email_changed(run).await }
        });
        let service = self.service.clone();
        registry
            .handle(PURGE_UNSUBSCRIBE_TOKENS, move |_run| {
                let service = service.clone();
                async move { Ok(service.purge_unsubscribe_tokens().await?) }
            })
            .every(PURGE_UNSUBSCRIBE_TOKENS, Every::Day);
        let service = self.service.clone();
        registry
            .handle(PLAN_DIGESTS, move |run| {
                let service = service.clone();
                async move { service.plan_digests(run).await }
            })
            .every(PLAN_DIGESTS, Every::Hour);
        let service = self.service.clone();
        registry.handle(COMPOSE_DIGEST, move |run| {
            let service = service.clone();
            async move { service.compose_digest(run).await }
        });
        let service = self.service.clone();
        registry
            .handle(PURGE_DIGEST_RECORDS, move |run| {
                let service = service.clone();
                async move { service.purge_digest_records(run).await }
            })
            .every(PURGE_DIGEST_RECORDS, Every::Day);
    }
}
