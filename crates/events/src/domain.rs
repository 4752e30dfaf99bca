//! Events' side of the domain contract ([`alumni_core::domain`]).

use std::sync::Arc;

use alumni_core::domain::{BoxFuture, DemoWorld, Domain, File, FileRequest, FileRoute, Leaving};
use alumni_core::enums::StoredEnum;
use alumni_core::jobs::JobRegistry;
use alumni_core::{AppError, NodeId as _, Viewer};
use alumni_membership::demo::DemoMembers;
use async_graphql::Data;
use diesel_async::AsyncPgConnection;

use crate::graphql::attach_loaders;
use crate::model::EventId;
use crate::service::EventsService;

const CALENDAR: &str = "text/calendar; charset=utf-8";
const CSV: &str = "text/csv; charset=utf-8";

/// The events domain as the gateway drives it.
pub struct EventsDomain {
    service: EventsService,
}

impl EventsDomain {
    /// The domain over its services.
    pub fn new(service: EventsService) -> Self {
        Self { service }
    }
}

impl Domain for EventsDomain {
    fn name(&self) -> &'static str {
        "events"
    }

    fn schemas(&self) -> &'static [&'static str] {
        &["events"]
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
        _viewer: &'a Viewer,
        leaving: Leaving,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move { self.service.release_member_in(conn, leaving.member).await })
    }

    fn jobs(&self, registry: &mut JobRegistry) {
        crate::notices::register_jobs(&self.service, registry);
    }

    fn sign_out_everywhere<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        viewer: &'a Viewer,
    ) -> BoxFuture<'a, Result<usize, AppError>> {
        Box::pin(async move {
            let member = viewer.session()?.member_id;
            self.service
                .revoke_feed_in(conn, member, "revokeAllMySessions")
                .await?;
            Ok(0)
        })
    }

    fn seed_demo<'a>(&'a self, demo: &'a mut DemoWorld) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move {
            match demo.get::<DemoMembers>() {
                Some(members) => crate::demo::seed(&self.service, members).await,
                None => Ok(()),
            }
        })
    }

    fn files(&self) -> Vec<FileRoute> {
        let service = self.service.clone();
        let event_calendar = FileRoute {
            path: "/events/{file}",
            signed_in: true,
            serve: Arc::new(move |request: FileRequest| {
                let service = service.clone();
                Box::pin(async move {
                    let event = event_id(request.parameter.strip_suffix(".ics"))?;
                    let ics = service.event_calendar(&request.viewer, event).await?;
                    Ok(File {
                        content_type: CALENDAR,
                        name: format!("event-{event}.ics"),
                        body: ics.into_bytes(),
                    })
                })
            }),
        };
        let service = self.service.clone();
        let attendees = FileRoute {
            path: "/events/{id}/attendees.csv",
            signed_in: true,
            serve: Arc::new(move |request: FileRequest| {
                let service = service.clone();
                Box::pin(async move {
                    let event = event_id(Some(&request.parameter))?;
                    Ok(File {
                        content_type: CSV,
                        name: format!("attendees-{event}.csv"),
                        body: service.attendees_csv(&request.viewer, event).await?,
                    })
                })
            }),
        };
        let service = self.service.clone();
        let feed = FileRoute {
            path: "/calendar/{file}",
            signed_in: false,
            serve: Arc::new(move |request: FileRequest| {
                let service = service.clone();
                Box::pin(async move {
                    // The unguessable token is the credential: calendar apps
                    // send no headers.
                    let token = request
                        .parameter
                        .strip_suffix(".ics")
                        .ok_or(AppError::NotFound { entity: "Calendar" })?;
                    Ok(File {
                        content_type: CALENDAR,
                        name: "alumni-events.ics".to_owned(),
                        body: service.feed_calendar(token).await?.into_bytes(),
                    })
                })
            }),
        };
        vec![event_calendar, attendees, feed]
    }
}

/// The event a path names by global id; anything else is not found.
fn event_id(parameter: Option<&str>) -> Result<EventId, AppError> {
    parameter
        .and_then(|id| EventId::from_global(&id.to_owned().into(), "id").ok())
        .ok_or(AppError::NotFound { entity: "Event" })
}
