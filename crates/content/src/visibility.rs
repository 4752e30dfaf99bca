//! Who may read what. Lists filter in SQL with `content.admits` (see the
//! migration); rows already loaded are checked here with the same rule.

use alumni_core::moderation;
use alumni_core::{MemberId, Role, RoleSet, Viewer};
use uuid::Uuid;

use crate::model::{AudienceFields, CohortRole, PostAudience, PostRecord, PostState};

/// The signed-in member as audiences see them.
#[derive(Debug, Clone)]
pub struct Reader {
    /// The member.
    pub member: MemberId,
    /// Their roles.
    pub roles: RoleSet,
    /// The predecessor company they left.
    pub company: Option<Uuid>,
    /// The year they left.
    pub left_year: Option<i32>,
}

impl Reader {
    /// Whether they write and manage the magazine.
    pub fn is_secretariat(&self) -> bool {
        self.roles.contains(Role::Secretariat)
    }

    /// Their roles' stored names, for the SQL filter.
    pub fn role_names(&self) -> Vec<String> {
        self.roles.to_names()
    }
}

/// Whether a member with these attributes belongs to `audience` (the
/// secretariat to every audience).
pub fn admits(
    roles: RoleSet,
    company: Option<Uuid>,
    left_year: Option<i32>,
    audience: &AudienceFields,
) -> bool {
    if roles.contains(Role::Secretariat) {
        return true;
    }
    match audience.audience {
        PostAudience::Everyone => true,
        PostAudience::Alumni => roles.contains(Role::Alumnus),
        PostAudience::Employees => roles.contains(Role::Employee),
        PostAudience::Cohort => {
            audience
                .cohort_company_id
                .is_none_or(|wanted| company == Some(wanted))
                && audience
                    .cohort_left_from
                    .is_none_or(|from| left_year.is_some_and(|year| year >= from))
                && audience
                    .cohort_left_to
                    .is_none_or(|to| left_year.is_some_and(|year| year <= to))
                && audience
                    .cohort_role
                    .is_none_or(|role| roles.contains(role_of(role)))
        }
    }
}

fn role_of(role: CohortRole) -> Role {
    match role {
        CohortRole::Alumnus => Role::Alumnus,
        CohortRole::Employee => Role::Employee,
        CohortRole::Secretariat => Role::Secretariat,
        CohortRole::Moderator => Role::Moderator,
        CohortRole::Analyst => Role::Analyst,
    }
}

/// Whether the reader may see the post: the secretariat sees every post;
/// others published posts of their audience, unless moderation withholds
/// them (moderators still see those).
pub fn sees_post(viewer: &Viewer, reader: &Reader, post: &PostRecord) -> bool {
    if reader.is_secretariat() {
        return true;
    }
    post.state == PostState::Published
        && admits(
            reader.roles,
            reader.company,
            reader.left_year,
            &post.audience,
        )
        && moderation::sees(viewer, post.moderation, post.author_id)
}

/// Whether lists show the viewer content withheld by moderation.
pub fn sees_withheld(viewer: &Viewer) -> bool {
    moderation::moderates(viewer)
}

/// Who reads a post's texts, for the leak guard: employees only when its
/// audience admits no one else.
pub fn text_audience(audience: &AudienceFields) -> moderation::TextAudience {
    let employees_only = audience.audience == PostAudience::Employees
        || (audience.audience == PostAudience::Cohort
            && audience.cohort_role == Some(CohortRole::Employee));
    if employees_only {
        moderation::TextAudience::EmployeesOnly
    } else {
        moderation::TextAudience::Alumni
    }
}
