//! Slides, recordings and documents attached to an event, with who may see
//! them.

use alumni_core::moderation::ModerationState;
use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::EventId;
use crate::schema::events::materials;

typed_id!(
    /// Identifies a material (slides, a recording) attached to an event.
    MaterialId,
    "Material"
);

alumni_core::text_enum! {
    /// What a material is.
    pub enum MaterialKind stored in "events.materials.kind" {
        /// Slides of a talk.
        Slides = "SLIDES",
        /// A video recording.
        Recording = "RECORDING",
        /// Any other document.
        Document = "DOCUMENT",
    }
}

alumni_core::text_enum! {
    /// Who may see a material.
    pub enum Confidentiality stored in "events.materials.confidentiality" {
        /// Every member who can see the event, alumni included.
        AlumniOk = "ALUMNI_OK",
        /// Employees and the secretariat only: never shown to alumni.
        InternalOnly = "INTERNAL_ONLY",
    }
}

/// A material as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = materials)]
pub struct MaterialRecord {
    /// Material id.
    pub id: MaterialId,
    /// The event.
    pub event_id: EventId,
    /// Slides, recording, document.
    pub kind: MaterialKind,
    /// Title.
    pub title: String,
    /// Link to it.
    pub url: String,
    /// Who may see it.
    pub confidentiality: Confidentiality,
    /// Who attached it.
    pub added_by: MemberId,
    /// When.
    pub added_at: DateTime<Utc>,
    /// Whether members see it (the leak guard may hold it, a moderator
    /// hide it).
    pub moderation: ModerationState,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidentiality_names_round_trip() {
        assert_eq!(
            Confidentiality::parse("INTERNAL_ONLY"),
            Some(Confidentiality::InternalOnly)
        );
        assert_eq!(Confidentiality::parse("SECRET"), None);
    }
}
