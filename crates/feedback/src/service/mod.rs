//! The feedback domain's rules applied for a viewer, one file per concept.

mod cohort;
mod data;
mod followers;
mod items;
mod proposals;
mod responses;
mod results;
mod summary;
mod surveys;
mod triage;
mod unlink;

use alumni_core::{AppError, AppResult, Identity, Role, ServiceContext, Viewer};
use alumni_membership::MembershipService;
use alumni_notify::NotifyService;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub use cohort::CohortChoice;
pub use items::{
    ANONYMOUS_PER_DAY, FeedbackInput, ItemFilter, NAMED_PER_DAY, ReceiptStatus, Submitted,
};
pub use items::{sees_particulars, visible_cohort};
pub use proposals::{
    MAX_THEMES, ProposalAnswer, ProposalFilter, ProposalInput, ProposalUpdateInput,
    ReceiptProposals, reads_themes, works_on_proposals,
};
pub use responses::{AnswerInput, MAX_FREE_TEXT};
pub use results::{
    Breakdown, GroupResult, QuestionResult, SurveyDimension, SurveyResults, TEXTS_LOADED,
    TextSample,
};
pub use summary::{FeedbackDimension, FeedbackSummary, MAX_SUMMARY_DAYS, SummaryGroup};
pub use surveys::{MAX_OPTIONS, MAX_QUESTIONS, QuestionInput, SurveyInput};
pub use triage::ThemeInput;
pub use unlink::UNLINK_SUBMISSIONS;

/// The feedback domain's services. Cheap to clone.
#[derive(Clone)]
pub struct FeedbackService {
    ctx: ServiceContext,
    membership: MembershipService,
    notify: NotifyService,
}

impl FeedbackService {
    /// The services over `ctx`.
    pub fn new(ctx: ServiceContext, membership: MembershipService, notify: NotifyService) -> Self {
        Self {
            ctx,
            membership,
            notify,
        }
    }

    /// The service context.
    pub fn context(&self) -> &ServiceContext {
        &self.ctx
    }

    /// Membership's services (for demo data written as members would).
    pub fn membership(&self) -> &MembershipService {
        &self.membership
    }

    /// The same services reading time from `clock` (demo data is written
    /// through the real rules at past times).
    pub(crate) fn with_clock(&self, clock: alumni_core::SharedClock) -> Self {
        Self {
            ctx: ServiceContext {
                clock,
                ..self.ctx.clone()
            },
            ..self.clone()
        }
    }
}

/// The secretariat, which reads and triages feedback.
fn secretariat(viewer: &Viewer) -> AppResult<&Identity> {
    viewer.require_role(Role::Secretariat)
}

/// Whether the viewer may read aggregates (analysts and the secretariat).
fn reads_aggregates(viewer: &Viewer) -> AppResult<&Identity> {
    let identity = viewer.identity()?;
    if identity.roles.contains(Role::Analyst) || identity.roles.contains(Role::Secretariat) {
        Ok(identity)
    } else {
        Err(AppError::forbidden(
            "only analysts and the secretariat read feedback figures",
        ))
    }
}

/// Japan's offset: days (submission days, survey dates) are Japanese days.
const JAPAN_SECONDS: i32 = 9 * 3600;

/// The Japanese calendar day of `at`.
pub fn japan_day(at: DateTime<Utc>) -> NaiveDate {
    FixedOffset::east_opt(JAPAN_SECONDS).map_or_else(
        || at.date_naive(),
        |japan| at.with_timezone(&japan).date_naive(),
    )
}

/// Trims `value` and checks its length in characters.
fn bounded(value: &str, field: &str, min: usize, max: usize) -> AppResult<String> {
    let value = value.trim();
    let length = value.chars().count();
    if length < min {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    if length > max {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// A refusal with a stable reason (`CONFLICT`, `extensions.reason`).
fn refused(message: &str, reason: &'static str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
        reason: Some(reason),
    }
}

/// Registers the handlers of the domain's jobs and its recurring jobs.
pub fn register_jobs(service: &FeedbackService, registry: &mut alumni_core::jobs::JobRegistry) {
    unlink::register(service, registry);
}
