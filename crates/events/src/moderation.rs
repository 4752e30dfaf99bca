//! Events and materials as content of the review queue: what the leak
//! guard held or a moderator hid is seen only by whoever wrote it and
//! moderators (see [`crate::visibility`]).

use alumni_core::domain::BoxFuture;
use alumni_core::moderation::{ModerationState, ModerationTarget};
use alumni_core::{AppError, MemberId};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::model::{EventId, MaterialId};
use crate::service::{EVENT_NODE, MATERIAL_NODE};
use crate::store::{events, materials};

/// Events (node type `Event`).
pub struct EventModeration;

impl ModerationTarget for EventModeration {
    fn node_type(&self) -> &'static str {
        EVENT_NODE
    }

    fn author_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
    ) -> BoxFuture<'a, Result<Option<Option<MemberId>>, AppError>> {
        Box::pin(async move {
            let event = events::event(conn, EventId(id)).await?;
            Ok(event.map(|event| Some(event.created_by)))
        })
    }

    fn set_state_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
        state: ModerationState,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move { Ok(events::set_moderation(conn, EventId(id), state).await?) })
    }
}

/// Materials of events (node type `Material`).
pub struct MaterialModeration;

impl ModerationTarget for MaterialModeration {
    fn node_type(&self) -> &'static str {
        MATERIAL_NODE
    }

    fn author_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
    ) -> BoxFuture<'a, Result<Option<Option<MemberId>>, AppError>> {
        Box::pin(async move {
            let material = materials::material(conn, MaterialId(id)).await?;
            Ok(material.map(|material| Some(material.added_by)))
        })
    }

    fn set_state_in<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        id: Uuid,
        state: ModerationState,
    ) -> BoxFuture<'a, Result<(), AppError>> {
        Box::pin(async move { Ok(materials::set_moderation(conn, MaterialId(id), state).await?) })
    }
}
