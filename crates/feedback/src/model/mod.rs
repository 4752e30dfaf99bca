//! Rows, ids and stored enums of the feedback domain, one file per
//! concept.

mod item;
mod proposal;
mod survey;
mod theme;

use alumni_core::enums::StoredEnum;
use alumni_core::moderation::ModerationState;

pub use item::*;
pub use proposal::*;
pub use survey::*;
pub use theme::*;

/// Every enum this crate stores, for the gateway's check against the
/// database's allowed values.
pub const STORED_ENUMS: &[StoredEnum] = &[
    Triage::STORED,
    ProposalState::STORED,
    ProposalResponse::STORED,
    ModerationState::stored_in(&[
        "feedback.proposals.moderation",
        "feedback.proposal_updates.moderation",
    ]),
    SurveyAudience::STORED,
    SurveyQuestionKind::STORED,
];

/// Years in a leave-year band: cohorts are "left 2015–2019", never a
/// single year.
pub const BAND_YEARS: i32 = 5;

/// The first year of the band `year` falls in.
pub fn band_of(year: i32) -> i32 {
    year - year.rem_euclid(BAND_YEARS)
}

/// The fewest members a cohort attribute may describe: fewer, and the
/// attribute would point at the person.
pub const MIN_COHORT_MEMBERS: i64 = 5;

/// Coarse attributes that place a member among others who left alike:
/// the predecessor company and the leave-year band. Either may be absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Cohort {
    /// The predecessor company they left.
    pub company: Option<alumni_membership::model::CompanyId>,
    /// The first year of their leave-year band.
    pub left_year_band: Option<i32>,
}

impl Cohort {
    /// Whether it says nothing at all.
    pub fn is_empty(&self) -> bool {
        self.company.is_none() && self.left_year_band.is_none()
    }
}
