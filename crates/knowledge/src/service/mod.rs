//! The knowledge domain's rules applied for a viewer, one file per concept.

mod article_comments;
mod articles;
mod board;
mod consultations;
mod data;
mod experts;
mod expiry;
mod follows;
mod helpful;
mod questions;
mod routing;
mod search;

use alumni_core::{AppError, AppResult, Identity, Role, ServiceContext, SharedClock, Viewer};
use alumni_membership::MembershipService;
use alumni_membership::model::TagRecord;
use alumni_notify::NotifyService;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

pub use crate::store::questions::{ANSWERS_PER_QUESTION, QuestionKey, QuestionList};
pub use crate::store::search::Hit;
pub use article_comments::{ARTICLE_COMMENT_NODE, MAX_COMMENTS_PER_ARTICLE};
pub use articles::{ARTICLE_NODE, ArticleFilter, ArticleInput};
pub use board::{BoardFilter, BoardPostInput, is_open};
pub use consultations::{
    ANSWER_WITHIN_DAYS, CONSULTATION_NODE, ConsultationAnswer, ConsultationAvailability,
    ConsultationContact, ConsultationRequest, ConsultationRole, ExpertSettingsInput,
};
pub use data::merge_tag_in;
pub use experts::Expert;
pub use questions::{ANSWER_NODE, MAX_ANSWERS, QUESTION_NODE, QuestionInput, question_key};
pub use routing::{
    AvailabilityInput, ROUTE_QUESTION, RouteQuestion, RoutingSettings, RoutingSettingsInput,
};
pub use search::{MAX_SIMILAR, query_words};

/// Tags one article, question, consultation or board post may carry.
pub const MAX_TAGS: usize = 5;

/// The knowledge domain's services. Cheap to clone.
#[derive(Clone)]
pub struct KnowledgeService {
    ctx: ServiceContext,
    membership: MembershipService,
    notify: NotifyService,
}

impl KnowledgeService {
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
    pub(crate) fn with_clock(&self, clock: SharedClock) -> Self {
        Self {
            ctx: ServiceContext {
                clock,
                ..self.ctx.clone()
            },
            ..self.clone()
        }
    }

    /// The tags named in `names` (at most [`MAX_TAGS`]), created when new;
    /// an alias resolves to its tag.
    async fn tags_in(
        &self,
        conn: &mut AsyncPgConnection,
        names: &[String],
        field: &str,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<TagRecord>> {
        self.membership
            .ensure_tags_in(conn, names, field, MAX_TAGS, now)
            .await
    }
}

/// A member taking part: alumni, employees and the secretariat (an
/// applicant or anonymous visitor is refused).
fn participant(viewer: &Viewer) -> AppResult<&Identity> {
    viewer.identity()
}

/// Whether the viewer runs the network.
fn is_secretariat(identity: &Identity) -> bool {
    identity.roles.contains(Role::Secretariat)
}

/// Trims `value` and checks its length in characters.
fn bounded(value: &str, field: &str, min: usize, max: usize) -> AppResult<String> {
    let value = value.trim();
    let length = value.chars().count();
    if length < min {
        return Err(AppError::bad_input(
            field,
            if min <= 1 {
                "must not be empty".to_owned()
            } else {
                format!("must be at least {min} characters")
            },
        ));
    }
    if length > max {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}

/// Registers the handlers of the domain's jobs and its recurring jobs.
pub fn register_jobs(service: &KnowledgeService, registry: &mut alumni_core::jobs::JobRegistry) {
    let routing = service.clone();
    registry.handle(ROUTE_QUESTION, move |run| {
        let service = routing.clone();
        async move { service.route_question(run).await }
    });
    expiry::register(service, registry);
}

/// A refusal with a stable reason (`CONFLICT`, `extensions.reason`).
fn refused(message: &str, reason: &'static str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
        reason: Some(reason),
    }
}
