//! Who is asking: the viewer of a request and the roles they hold.
//!
//! The gateway builds one [`Viewer`] per request from the bearer token;
//! services take it as an argument and decide from it, so a rule holds however
//! the data is reached.

use std::fmt;
use std::str::FromStr;

use async_graphql::Enum;
use chrono::{DateTime, Utc};

use crate::error::AppError;
use crate::id::{MemberId, SessionId};

/// A role a member holds. Members may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Enum)]
pub enum Role {
    /// A verified former employee.
    Alumnus,
    /// A current employee of the company.
    Employee,
    /// The HR secretariat (事務局) that runs the network.
    Secretariat,
    /// Handles reports and held posts.
    Moderator,
    /// HR analyst with access to aggregated engagement data.
    Analyst,
    /// Management (経営層): answers the secretariat's proposals.
    Management,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 6] = [
        Role::Alumnus,
        Role::Employee,
        Role::Secretariat,
        Role::Moderator,
        Role::Analyst,
        Role::Management,
    ];

    /// Every role's stable name, in declaration order (the database's list
    /// of allowed role names must be the same).
    pub const NAMES: [&'static str; 6] = {
        let mut names = [""; 6];
        let mut i = 0;
        while i < names.len() {
            names[i] = Role::ALL[i].as_str();
            i += 1;
        }
        names
    };

    /// The stable name used in the database and in GraphQL.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Alumnus => "ALUMNUS",
            Role::Employee => "EMPLOYEE",
            Role::Secretariat => "SECRETARIAT",
            Role::Moderator => "MODERATOR",
            Role::Analyst => "ANALYST",
            Role::Management => "MANAGEMENT",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A role name that is not one of [`Role::ALL`].
#[derive(Debug, thiserror::Error)]
#[error(
    "unknown role {0:?}; expected one of ALUMNUS, EMPLOYEE, SECRETARIAT, MODERATOR, ANALYST, MANAGEMENT"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str().eq_ignore_ascii_case(name))
            .ok_or_else(|| UnknownRole(name.to_owned()))
    }
}

/// A set of roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct RoleSet(u8);

impl RoleSet {
    /// The empty set.
    pub const EMPTY: RoleSet = RoleSet(0);

    /// Whether `role` is in the set.
    pub fn contains(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    /// The set with `role` added.
    pub fn with(self, role: Role) -> RoleSet {
        RoleSet(self.0 | role.bit())
    }

    /// The set with `role` removed.
    pub fn without(self, role: Role) -> RoleSet {
        RoleSet(self.0 & !role.bit())
    }

    /// The roles in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Role> {
        Role::ALL
            .into_iter()
            .filter(move |role| self.contains(*role))
    }

    /// Role names as stored in the database.
    pub fn to_names(self) -> Vec<String> {
        self.iter().map(|role| role.as_str().to_owned()).collect()
    }

    /// Parses role names as stored in the database.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<RoleSet, UnknownRole> {
        names
            .iter()
            .map(|name| name.as_ref().parse::<Role>())
            .try_fold(RoleSet::EMPTY, |set, role| Ok(set.with(role?)))
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<I: IntoIterator<Item = Role>>(roles: I) -> Self {
        roles.into_iter().fold(RoleSet::EMPTY, RoleSet::with)
    }
}

/// Where a signed-in account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// An approved member.
    Member,
    /// Someone whose membership application has not been approved: they may
    /// see their application and nothing else.
    Applicant,
}

/// The authenticated account behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The member.
    pub member_id: MemberId,
    /// The session the request was made with.
    pub session_id: SessionId,
    /// When that session expires.
    pub session_expires_at: DateTime<Utc>,
    /// The member's roles at the time of the request.
    pub roles: RoleSet,
    /// Approved member or applicant.
    pub standing: Standing,
    /// Whether the member has accepted the current terms of use.
    pub terms_accepted: bool,
}

/// Why a presented bearer token did not authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionRejection {
    /// No session has this token.
    Unknown,
    /// The session has passed its expiry time.
    Expired,
    /// The session was ended by logout, by the member, or by the secretariat.
    Revoked,
}

impl SessionRejection {
    /// A message fit for the client.
    pub fn message(self) -> &'static str {
        match self {
            SessionRejection::Unknown => "the session token is not valid; sign in again",
            SessionRejection::Expired => "the session has expired; sign in again",
            SessionRejection::Revoked => "the session has been ended; sign in again",
        }
    }
}

/// Who is making a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Viewer {
    /// No credentials were presented.
    Anonymous,
    /// A bearer token was presented but did not authenticate. Public
    /// operations (such as `login`) still work; anything that needs a member
    /// answers `UNAUTHENTICATED` with the reason, so the client knows to sign
    /// in again rather than seeing silently reduced data.
    RejectedSession(SessionRejection),
    /// A signed-in member.
    Member(Identity),
}

impl Viewer {
    /// The signed-in member, allowed to use the network: `UNAUTHENTICATED`
    /// when signed out, `FORBIDDEN` for an applicant awaiting approval,
    /// `TERMS_NOT_ACCEPTED` until the current terms are accepted. Every
    /// service acting for a member starts here, so these gates hold on
    /// every path, nested fields and loaders included.
    pub fn identity(&self) -> Result<&Identity, AppError> {
        let identity = self.session()?;
        if identity.standing == Standing::Applicant {
            return Err(AppError::forbidden(
                "your membership application has not been approved; only its status is available",
            ));
        }
        if !identity.terms_accepted {
            return Err(AppError::TermsNotAccepted);
        }
        Ok(identity)
    }

    /// The signed-in account whatever its standing and terms. Only for what
    /// must stay possible regardless: signing out, reading and accepting the
    /// terms, an applicant's own application, and the data-subject rights
    /// (export and withdrawal).
    pub fn session(&self) -> Result<&Identity, AppError> {
        match self {
            Viewer::Member(identity) => Ok(identity),
            Viewer::Anonymous => Err(AppError::Unauthenticated(
                "sign in to use this operation".into(),
            )),
            Viewer::RejectedSession(rejection) => {
                Err(AppError::Unauthenticated(rejection.message().into()))
            }
        }
    }

    /// The signed-in member's id, or `UNAUTHENTICATED`.
    pub fn member_id(&self) -> Result<MemberId, AppError> {
        self.identity().map(|identity| identity.member_id)
    }

    /// The signed-in member if they hold `role`; `UNAUTHENTICATED` when
    /// signed out, `FORBIDDEN` when signed in without the role.
    pub fn require_role(&self, role: Role) -> Result<&Identity, AppError> {
        let identity = self.identity()?;
        if identity.roles.contains(role) {
            Ok(identity)
        } else {
            Err(AppError::forbidden(format!(
                "this operation requires the {role} role"
            )))
        }
    }

    /// Whether the viewer may use the network and holds `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.identity()
            .is_ok_and(|identity| identity.roles.contains(role))
    }

    /// Whether the viewer is the given member.
    pub fn is_member(&self, member_id: MemberId) -> bool {
        matches!(self, Viewer::Member(identity) if identity.member_id == member_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity_with(roles: &[Role]) -> Identity {
        Identity {
            member_id: MemberId::new(),
            session_id: SessionId::new(),
            session_expires_at: Utc::now(),
            roles: roles.iter().copied().collect(),
            standing: Standing::Member,
            terms_accepted: true,
        }
    }

    fn member_with(roles: &[Role]) -> Viewer {
        Viewer::Member(identity_with(roles))
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("ADMIN".parse::<Role>().is_err());
    }

    #[test]
    fn role_set_stores_names() {
        let set: RoleSet = [Role::Secretariat, Role::Alumnus].into_iter().collect();
        assert_eq!(set.to_names(), ["ALUMNUS", "SECRETARIAT"]);
        assert_eq!(RoleSet::from_names(&set.to_names()).unwrap(), set);
        assert!(!set.without(Role::Alumnus).contains(Role::Alumnus));
    }

    #[test]
    fn require_role_distinguishes_signed_out_from_forbidden() {
        let anonymous = Viewer::Anonymous.require_role(Role::Secretariat);
        assert_eq!(anonymous.unwrap_err().code(), "UNAUTHENTICATED");

        let alumnus = member_with(&[Role::Alumnus]);
        let err = alumnus.require_role(Role::Secretariat).unwrap_err();
        assert_eq!(err.code(), "FORBIDDEN");

        let secretariat = member_with(&[Role::Secretariat]);
        assert!(secretariat.require_role(Role::Secretariat).is_ok());
    }

    #[test]
    fn applicants_reach_only_their_session() {
        let viewer = Viewer::Member(Identity {
            standing: Standing::Applicant,
            ..identity_with(&[])
        });
        assert_eq!(viewer.identity().unwrap_err().code(), "FORBIDDEN");
        assert!(viewer.session().is_ok());
    }

    #[test]
    fn outstanding_terms_block_everything_but_the_session() {
        let viewer = Viewer::Member(Identity {
            terms_accepted: false,
            ..identity_with(&[Role::Secretariat])
        });
        assert_eq!(viewer.identity().unwrap_err().code(), "TERMS_NOT_ACCEPTED");
        assert_eq!(
            viewer.require_role(Role::Secretariat).unwrap_err().code(),
            "TERMS_NOT_ACCEPTED"
        );
        assert!(!viewer.has_role(Role::Secretariat));
        assert!(viewer.session().is_ok());
    }

    #[test]
    fn rejected_session_explains_why() {
        let viewer = Viewer::RejectedSession(SessionRejection::Expired);
        let err = viewer.identity().unwrap_err();
        assert_eq!(err.code(), "UNAUTHENTICATED");
        assert!(err.to_string().contains("expired"));
    }
}
