//! The magazine's rules applied for a viewer.

mod comments;
mod data;
mod issues;
mod posts;
mod reading;

use alumni_core::{AppError, AppResult, ServiceContext, SharedClock, Viewer};
use alumni_membership::MembershipService;
use alumni_notify::NotifyService;
use diesel_async::AsyncPgConnection;

use crate::visibility::Reader;

pub use crate::store::posts::FeedFilter;
pub use comments::COMMENT_NODE;
pub use issues::{ISSUE_NODE, IssueInput};
pub use posts::{POST_NODE, PUBLISH_POST, PostInput, PublishScheduled};
pub use reading::{CohortRow, PostStats};

/// The magazine's services. Cheap to clone.
#[derive(Clone)]
pub struct ContentService {
    ctx: ServiceContext,
    membership: MembershipService,
    notify: NotifyService,
}

impl ContentService {
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

    /// The viewer as audiences see them: one statement for their cohort.
    /// `UNAUTHENTICATED`/`FORBIDDEN` for anyone not allowed in (anonymous
    /// visitors and applicants see nothing).
    pub async fn reader_in(
        &self,
        conn: &mut AsyncPgConnection,
        viewer: &Viewer,
    ) -> AppResult<Reader> {
        let identity = viewer.identity()?;
        let (company, left_year) = self.membership.cohort_in(conn, identity.member_id).await?;
        Ok(Reader {
            member: identity.member_id,
            roles: identity.roles,
            company: company.map(|company| company.0),
            left_year,
        })
    }
}

/// The viewer must manage the magazine.
fn require_secretariat(viewer: &Viewer) -> AppResult<alumni_core::MemberId> {
    Ok(viewer
        .require_role(alumni_core::Role::Secretariat)?
        .member_id)
}

fn bounded(value: &str, field: &str, max: usize, required: bool) -> AppResult<String> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(AppError::bad_input(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(value.to_owned())
}
