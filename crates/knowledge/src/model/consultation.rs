use alumni_core::moderation::ModerationState;
use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::knowledge::{consultations, expert_settings};

typed_id!(
    /// Identifies a consultation request.
    ConsultationId,
    "Consultation"
);

alumni_core::text_enum! {
    /// Where a consultation request stands.
    pub enum ConsultationState stored in "knowledge.consultations.state" {
        /// Waiting for the expert.
        Pending = "PENDING",
        /// The expert said yes; their contact details are shown to the
        /// requester as their settings allow.
        Accepted = "ACCEPTED",
        /// The expert said no.
        Declined = "DECLINED",
        /// Nobody answered in time (7 days).
        Expired = "EXPIRED",
        /// The requester took it back.
        Withdrawn = "WITHDRAWN",
    }
}

/// A consultation request as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = consultations, check_for_backend(diesel::pg::Pg))]
pub struct ConsultationRecord {
    /// Its id.
    pub id: ConsultationId,
    /// Who asks.
    pub requester_id: MemberId,
    /// Who is asked.
    pub expert_id: MemberId,
    /// What about, in one line.
    pub topic: String,
    /// The request.
    pub message: String,
    /// Pending, accepted, declined, expired or withdrawn.
    pub state: ConsultationState,
    /// The expert's note on accepting or declining.
    pub reply: Option<String>,
    /// Whether the expert shares their e-mail address with the requester.
    pub share_email: bool,
    /// Whether the expert sees it (the leak guard may hold it).
    pub moderation: ModerationState,
    /// Sent.
    pub created_at: DateTime<Utc>,
    /// When it expires unanswered.
    pub expires_at: DateTime<Utc>,
    /// When the expert answered.
    pub responded_at: Option<DateTime<Utc>>,
}

/// An expert's settings for consultations, as stored (members without a
/// row take [`ExpertSettingsRecord::defaults`]).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = expert_settings, check_for_backend(diesel::pg::Pg))]
pub struct ExpertSettingsRecord {
    /// The member.
    pub member_id: MemberId,
    /// Whether they take requests at all.
    pub accepts_consultations: bool,
    /// The most requests pending at once.
    pub max_pending: i32,
    /// When they were set.
    pub updated_at: DateTime<Utc>,
}

impl ExpertSettingsRecord {
    /// Pending requests an expert takes unless they say otherwise.
    pub const DEFAULT_MAX_PENDING: i32 = 3;

    /// The settings of a member who never set any: accepting, up to
    /// three pending requests.
    pub fn defaults(member_id: MemberId) -> Self {
        Self {
            member_id,
            accepts_consultations: true,
            max_pending: Self::DEFAULT_MAX_PENDING,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
        }
    }
}
