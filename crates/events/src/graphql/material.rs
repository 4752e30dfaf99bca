//! Materials in GraphQL: the `Material` object and attaching one.

use alumni_core::graphql::{load_one, viewer};
use alumni_core::moderation::{ModerationState, moderates};
use alumni_core::{AppError, NodeId as _};
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use super::loaders::MaterialLoader;
use super::{event_id, service};
use crate::model::{Confidentiality, MaterialId, MaterialKind, MaterialRecord};
use crate::service::NewMaterial;

/// Slides, a recording or a document of an event.
pub struct Material(pub(super) MaterialRecord);

/// A material the viewer may see; `NOT_FOUND` otherwise.
pub async fn load_material(ctx: &Context<'_>, id: MaterialId) -> Result<Material, AppError> {
    load_one::<MaterialLoader, _>(ctx, id)
        .await?
        .map(Material)
        .ok_or(AppError::NotFound { entity: "Material" })
}

/// Slides, a recording or a document of an event, with who may see it.
#[Object]
impl Material {
    /// Opaque global id; resolves through `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// Slides, recording or document.
    async fn kind(&self) -> MaterialKind {
        self.0.kind
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Link to the material.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// Who may see it.
    async fn confidentiality(&self) -> Confidentiality {
        self.0.confidentiality
    }

    /// Whether members see it (see `Event.moderation`): for moderators
    /// and the secretariat; `null` for others.
    async fn moderation(&self, ctx: &Context<'_>) -> Result<Option<ModerationState>> {
        Ok(moderates(viewer(ctx)?).then_some(self.0.moderation))
    }

    /// When it was attached.
    async fn added_at(&self) -> DateTime<Utc> {
        self.0.added_at
    }
}

/// Material to attach to an event.
#[derive(InputObject)]
pub struct AddMaterialInput {
    /// Slides, recording or document.
    pub kind: MaterialKind,
    /// Title.
    pub title: String,
    /// Link (http or https).
    pub url: String,
    /// Who may see it.
    pub confidentiality: Confidentiality,
    /// Save although the leak guard warned about the title or link (the
    /// confirmation is recorded).
    #[graphql(default = false)]
    pub confirm_warnings: bool,
}

impl From<AddMaterialInput> for NewMaterial {
    fn from(input: AddMaterialInput) -> Self {
        Self {
            kind: input.kind,
            title: input.title,
            url: input.url,
            confidentiality: input.confidentiality,
            confirm_warnings: input.confirm_warnings,
        }
    }
}

/// Mutations on materials.
#[derive(Default)]
pub struct MaterialMutation;

/// Mutations on materials.
#[Object]
impl MaterialMutation {
    /// Attaches slides, a recording or a document once the event has begun.
    /// Secretariat only.
    async fn add_event_material(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the event.")] event_id: ID,
        #[graphql(desc = "The material.")] input: AddMaterialInput,
    ) -> Result<Material> {
        let id = self::event_id(&event_id, "eventId")?;
        Ok(Material(
            service(ctx)?
                .add_material(viewer(ctx)?, id, input.into())
                .await?,
        ))
    }
}
