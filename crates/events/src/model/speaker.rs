//! The programme of an event: members and guests who speak.

use alumni_core::{MemberId, typed_id};
use diesel::prelude::*;

use super::EventId;
use crate::schema::events::speakers;

typed_id!(
    /// Identifies one speaker slot of an event.
    SpeakerId,
    "Speaker"
);

/// A speaker on the programme, as the secretariat names them.
#[derive(Debug, Clone)]
pub enum SpeakerSlot {
    /// A member of the network.
    Member {
        /// The member.
        member_id: MemberId,
        /// Affiliation or a one-line introduction.
        affiliation: Option<String>,
    },
    /// Someone without an account.
    Guest {
        /// Their name.
        name: String,
        /// Affiliation or a one-line introduction.
        affiliation: Option<String>,
    },
}

/// A speaker slot as stored: a member or a named guest.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = speakers)]
pub struct SpeakerRecord {
    /// Slot id.
    pub id: SpeakerId,
    /// The event.
    pub event_id: EventId,
    /// 1-based order on the programme.
    pub position: i32,
    /// The speaker, if a member.
    pub member_id: Option<MemberId>,
    /// The speaker's name, if a guest.
    pub guest_name: Option<String>,
    /// Affiliation or a one-line introduction.
    pub affiliation: Option<String>,
}
