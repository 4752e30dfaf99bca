//! Rows of the events schema, the enums stored in them, and the invariants
//! on their values; one module per concept.

mod calendar_feed;
mod event;
mod material;
mod registration;
mod speaker;

pub use calendar_feed::*;
pub use event::*;
pub use material::*;
pub use registration::*;
pub use speaker::*;

use alumni_core::enums::StoredEnum;

/// Every enum events stores, with its columns, for the test that compares
/// them with the database's lists of allowed values.
pub const STORED_ENUMS: &[StoredEnum] = &[
    alumni_core::moderation::ModerationState::stored_in(&[
        "events.events.moderation",
        "events.materials.moderation",
    ]),
    EventKind::STORED,
    EventFormat::STORED,
    Audience::STORED,
    EventStatus::STORED,
    RegistrationStatus::STORED,
    MaterialKind::STORED,
    Confidentiality::STORED,
];
