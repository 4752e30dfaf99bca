//! Slides, recordings and documents of events.

use alumni_core::audit::{self, AuditEntry};
use alumni_core::moderation::{ScreenRequest, TextAudience};
use alumni_core::{AppResult, Role, Viewer};
use diesel_async::AsyncConnection as _;
use serde_json::json;

use super::{EventsService, lock_visible};
use crate::model::{Confidentiality, EventId, MaterialId, MaterialKind, MaterialRecord};
use crate::rules;
use crate::store::{events, materials as store};
use crate::visibility::{sees_event, sees_material, visible_confidentiality};

/// A material to attach.
#[derive(Debug, Clone)]
pub struct NewMaterial {
    /// Slides, recording, document.
    pub kind: MaterialKind,
    /// Title.
    pub title: String,
    /// Link (http or https).
    pub url: String,
    /// Who may see it.
    pub confidentiality: Confidentiality,
    /// Whether the author confirmed the leak guard's warnings.
    pub confirm_warnings: bool,
}

/// The node type of materials, as the review queue names them.
pub const MATERIAL_NODE: &str = "Material";

impl EventsService {
    /// Attaches slides, a recording or a document, once the event has
    /// begun. Secretariat only. Its title and link pass the leak guard,
    /// for alumni unless it is internal-only.
    pub async fn add_material(
        &self,
        viewer: &Viewer,
        event_id: EventId,
        new: NewMaterial,
    ) -> AppResult<MaterialRecord> {
        let identity = viewer.require_role(Role::Secretariat)?;
        let title = rules::validate_title(&new.title, "input.title")?;
        let url = rules::validate_url(&new.url, "input.url")?;
        let now = self.ctx.now();
        let id = MaterialId::new();
        let audience = match new.confidentiality {
            Confidentiality::InternalOnly => TextAudience::EmployeesOnly,
            Confidentiality::AlumniOk => TextAudience::Alumni,
        };
        let screening = self
            .ctx
            .screener
            .screen(
                now,
                ScreenRequest {
                    author: identity.member_id,
                    subject_type: MATERIAL_NODE,
                    subject_id: id.0,
                    audience,
                    fields: vec![("input.title", &title), ("input.url", &url)],
                    confirm_warnings: new.confirm_warnings,
                },
            )
            .await?;
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let event = lock_visible(conn, viewer, event_id).await?;
            rules::may_add_material(&event, now)?;
            let material = MaterialRecord {
                id,
                event_id,
                kind: new.kind,
                title,
                url,
                confidentiality: new.confidentiality,
                added_by: identity.member_id,
                added_at: now,
                moderation: screening.state,
            };
            store::insert_material(conn, &material).await?;
            self.ctx.screener.record_in(conn, now, &screening).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("events.material_added")
                    .by(identity.member_id)
                    .on(event_id)
                    .details(json!({ "confidentiality": material.confidentiality.as_str() })),
            )
            .await?;
            Ok(material)
        })
        .await
    }

    /// Materials by id that the viewer may see (on events they may see);
    /// others are absent.
    pub async fn materials_by_ids(
        &self,
        viewer: &Viewer,
        ids: &[MaterialId],
    ) -> AppResult<Vec<MaterialRecord>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        let found =
            store::materials_by_ids(&mut conn, ids, visible_confidentiality(viewer)).await?;
        let event_ids: Vec<EventId> = found.iter().map(|material| material.event_id).collect();
        let visible: Vec<EventId> = events::events_by_ids(&mut conn, &event_ids)
            .await?
            .into_iter()
            .filter(|event| sees_event(viewer, event))
            .map(|event| event.id)
            .collect();
        Ok(found
            .into_iter()
            .filter(|material| {
                visible.contains(&material.event_id) && sees_material(viewer, material)
            })
            .collect())
    }

    /// The materials of several events that the viewer may see.
    pub async fn materials_of(
        &self,
        viewer: &Viewer,
        event_ids: &[EventId],
    ) -> AppResult<Vec<MaterialRecord>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        let found =
            store::materials_of(&mut conn, event_ids, visible_confidentiality(viewer)).await?;
        Ok(found
            .into_iter()
            .filter(|material| sees_material(viewer, material))
            .collect())
    }
}
