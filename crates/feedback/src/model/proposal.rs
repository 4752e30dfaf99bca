use alumni_core::moderation::ModerationState;
use alumni_core::{MemberId, typed_id};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::schema::feedback::{proposal_updates, proposals};

typed_id!(
    /// Identifies a proposal to management.
    ProposalId,
    "Proposal"
);

typed_id!(
    /// Identifies an entry of a proposal's timeline.
    ProposalUpdateId,
    "ProposalUpdate"
);

alumni_core::text_enum! {
    /// Where a proposal stands.
    pub enum ProposalState stored in "feedback.proposals.state" {
        /// Being written by the secretariat; no one else reads it.
        Draft = "DRAFT",
        /// Submitted to management, awaiting its answer.
        Submitted = "SUBMITTED",
        /// Management answered (a declined proposal stays here).
        Answered = "ANSWERED",
        /// Accepted, and the work has started.
        InProgress = "IN_PROGRESS",
        /// Accepted, and done.
        Done = "DONE",
    }
}

alumni_core::text_enum! {
    /// Management's answer to a proposal.
    pub enum ProposalResponse stored in "feedback.proposals.response" {
        /// Accepted as proposed.
        Accepted = "ACCEPTED",
        /// Accepted in part (the reasons say which part).
        PartlyAccepted = "PARTLY_ACCEPTED",
        /// Declined (the reasons say why).
        Declined = "DECLINED",
    }
}

impl ProposalResponse {
    /// Whether work follows the answer (and progress is kept).
    pub fn accepts(self) -> bool {
        self != ProposalResponse::Declined
    }
}

/// Progress that completes a proposal.
pub const PROGRESS_DONE: i32 = 100;

/// A proposal as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = proposals, check_for_backend(diesel::pg::Pg))]
pub struct ProposalRecord {
    /// Its id.
    pub id: ProposalId,
    /// A short title.
    pub title: String,
    /// The proposal.
    pub body: String,
    /// Where it stands.
    pub state: ProposalState,
    /// Whether the leak guard or a moderator withholds it from members.
    pub moderation: ModerationState,
    /// Who in the secretariat wrote it (`None` after they left).
    pub created_by: Option<MemberId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When it was submitted to management.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When it was published to members.
    pub published_at: Option<DateTime<Utc>>,
    /// Management's answer.
    pub response: Option<ProposalResponse>,
    /// Management's reasons for it.
    pub response_reasons: Option<String>,
    /// Who in management answered (`None` after they left).
    pub responded_by: Option<MemberId>,
    /// When.
    pub responded_at: Option<DateTime<Utc>>,
    /// Percent done (accepted and partly accepted proposals).
    pub progress: Option<i32>,
    /// When it was done.
    pub done_at: Option<DateTime<Utc>>,
    /// When followers were told of the answer.
    pub answer_announced_at: Option<DateTime<Utc>>,
}

impl ProposalRecord {
    /// Whether members may be shown it (published).
    pub fn is_published(&self) -> bool {
        self.published_at.is_some()
    }
}

/// An entry of a proposal's timeline as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = proposal_updates, check_for_backend(diesel::pg::Pg))]
pub struct ProposalUpdateRecord {
    /// Its id.
    pub id: ProposalUpdateId,
    /// The proposal.
    pub proposal_id: ProposalId,
    /// The day it happened.
    pub happened_on: NaiveDate,
    /// What happened.
    pub body: String,
    /// The proposal's progress after it.
    pub progress: i32,
    /// Whether the leak guard or a moderator withholds it from members.
    pub moderation: ModerationState,
    /// Who in the secretariat wrote it (`None` after they left).
    pub created_by: Option<MemberId>,
    /// Written.
    pub created_at: DateTime<Utc>,
    /// When followers were told of it.
    pub announced_at: Option<DateTime<Utc>>,
}
