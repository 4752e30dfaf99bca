//! Whether the viewer marked an article, a question or an answer helpful:
//! one loader for all three, keyed by the subject's id (ids are unique
//! across them).

use std::collections::HashMap;

use alumni_core::{AppError, Viewer};
use async_graphql::dataloader::Loader;
use uuid::Uuid;

use crate::KnowledgeService;

/// Whether the viewer marked each subject helpful.
pub struct MarkedHelpfulLoader {
    pub(super) service: KnowledgeService,
    pub(super) viewer: Viewer,
}

impl Loader<Uuid> for MarkedHelpfulLoader {
    type Value = bool;
    type Error = AppError;

    async fn load(&self, subjects: &[Uuid]) -> Result<HashMap<Uuid, bool>, AppError> {
        let marked = self.service.marked_helpful(&self.viewer, subjects).await?;
        Ok(subjects
            .iter()
            .map(|subject| (*subject, marked.contains(subject)))
            .collect())
    }
}
