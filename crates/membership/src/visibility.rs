//! What of a member each viewer may see.
//!
//! A [`MemberView`] is built only through [`MemberView::for_viewer`], which
//! drops every field the viewer may not read. GraphQL objects wrap views,
//! never records, so no resolver, loader or `node(id:)` path can read around
//! the rules:
//!
//! - name and reading: every signed-in member;
//! - each other profile field: as the member set it (`PRIVATE`,
//!   `SECRETARIAT`, `MEMBERS`);
//! - e-mail, status, "open to returning", directory listing: the member and
//!   the secretariat only;
//! - the visibility settings themselves: the member only;
//! - members who are not active (applicants, suspended, withdrawn): the
//!   member and the secretariat only.

use alumni_core::moderation::{ModerationState, moderates};
use alumni_core::{AppError, Identity, MemberId, Role, RoleSet, Viewer};
use chrono::{DateTime, NaiveDate, Utc};

use crate::model::{
    Audience, CompanyId, Interest, MemberRecord, MemberStatus, Prefecture, ProfileLink,
    ProfileRecord, Visibility, strings,
};

/// A member as one viewer may see them. Other crates read views through
/// the accessors but cannot build one: the fields are this crate's, and
/// [`MemberView::for_viewer`] is the only constructor, so every view has
/// been through the rules.
///
/// ```
/// fn email_of(view: &alumni_membership::MemberView) -> Option<String> {
///     view.email().map(str::to_owned)
/// }
/// ```
///
/// ```compile_fail
/// fn email_of(view: &alumni_membership::MemberView) -> Option<String> {
///     view.email.clone()
/// }
/// ```
#[derive(Debug, Clone)]
pub struct MemberView {
    /// Member id.
    pub(crate) id: MemberId,
    /// How the viewer stands towards this member.
    pub(crate) audience: Audience,
    /// Account status: member and secretariat only.
    pub(crate) status: Option<MemberStatus>,
    /// E-mail address: member and secretariat only.
    pub(crate) email: Option<String>,
    /// Roles held.
    pub(crate) roles: RoleSet,
    /// When the account was created.
    pub(crate) created_at: DateTime<Utc>,
    /// The profile; `None` for accounts without one (applicants,
    /// withdrawn members).
    pub(crate) profile: Option<ProfileView>,
}

/// A profile as one viewer may see it: `None` marks a hidden field.
#[derive(Debug, Clone)]
pub struct ProfileView {
    /// Name shown to other members.
    pub display_name: String,
    /// Reading of the name.
    pub display_name_kana: String,
    /// Former surnames.
    pub former_surnames: Option<Vec<String>>,
    /// Where the member works now.
    pub current_company: Option<String>,
    /// Their title there.
    pub current_title: Option<String>,
    /// Where they live.
    pub prefecture: Option<Prefecture>,
    /// About themselves.
    pub bio: Option<String>,
    /// Whether the viewer may see the skills (loaded separately).
    pub skills_visible: bool,
    /// Interests.
    pub interests: Option<Vec<Interest>>,
    /// Links.
    pub links: Option<Vec<ProfileLink>>,
    /// Career at the company.
    pub employment: Option<EmploymentView>,
    /// Privately open to returning: member and secretariat only.
    pub open_to_returning: Option<bool>,
    /// Listed in the directory: member and secretariat only.
    pub listed_in_directory: Option<bool>,
    /// The visibility settings: the member only.
    pub settings: Option<VisibilitySettings>,
    /// Whether the bio and links are shown to others: the member and
    /// moderators only.
    pub moderation: Option<ModerationState>,
}

/// A member's career at the company (or a predecessor).
#[derive(Debug, Clone)]
pub struct EmploymentView {
    /// The company left.
    pub company_id: Option<CompanyId>,
    /// First day.
    pub joined_on: Option<NaiveDate>,
    /// Last day.
    pub left_on: Option<NaiveDate>,
    /// Last department.
    pub last_department: Option<String>,
}

/// Who may see each profile field, as the member chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisibilitySettings {
    /// Former surnames.
    pub former_surnames: Visibility,
    /// Current company and title.
    pub current_work: Visibility,
    /// Prefecture.
    pub prefecture: Visibility,
    /// Bio.
    pub bio: Visibility,
    /// Skills.
    pub skills: Visibility,
    /// Interests.
    pub interests: Visibility,
    /// Links.
    pub links: Visibility,
    /// Career at the company.
    pub employment: Visibility,
}

impl VisibilitySettings {
    fn of(profile: &ProfileRecord) -> Self {
        Self {
            former_surnames: profile.former_surnames_visibility,
            current_work: profile.current_work_visibility,
            prefecture: profile.prefecture_visibility,
            bio: profile.bio_visibility,
            skills: profile.skills_visibility,
            interests: profile.interests_visibility,
            links: profile.links_visibility,
            employment: profile.employment_visibility,
        }
    }
}

/// How `viewer` stands towards `member`; signed-out viewers, applicants and
/// members with outstanding terms are refused (see [`Viewer::identity`]).
pub fn audience_of(viewer: &Viewer, member: MemberId) -> Result<Audience, AppError> {
    let identity = viewer.identity()?;
    Ok(if identity.member_id == member {
        Audience::Owner
    } else {
        audience_of_others(identity)
    })
}

/// How `identity` stands towards members other than themselves: the
/// secretariat or any member. For lists over many members (the directory,
/// the tag vocabulary), filtered in SQL by [`Audience::readable`] and
/// [`visible_statuses`].
pub fn audience_of_others(identity: &Identity) -> Audience {
    if identity.roles.contains(Role::Secretariat) {
        Audience::Secretariat
    } else {
        Audience::Member
    }
}

/// The account statuses of members whom `audience` may see at all: other
/// members see active members only (not applicants, suspended or withdrawn
/// ones).
pub fn visible_statuses(audience: Audience) -> &'static [MemberStatus] {
    match audience {
        Audience::Owner | Audience::Secretariat => MemberStatus::ALL,
        Audience::Member => &[MemberStatus::Active],
    }
}

impl MemberView {
    /// Applies the visibility rules of `viewer` to an account and its
    /// profile. `Ok(None)`: the viewer may not see this member at all.
    pub fn for_viewer(
        record: MemberRecord,
        profile: Option<ProfileRecord>,
        viewer: &Viewer,
    ) -> Result<Option<Self>, AppError> {
        let audience = audience_of(viewer, record.id)?;
        if !visible_statuses(audience).contains(&record.status) {
            return Ok(None);
        }
        let private = matches!(audience, Audience::Owner | Audience::Secretariat);
        Ok(Some(Self {
            id: record.id,
            audience,
            status: private.then_some(record.status),
            roles: record.role_set()?,
            email: if private { record.email.clone() } else { None },
            created_at: record.created_at,
            profile: profile.map(|profile| ProfileView::new(profile, audience, moderates(viewer))),
        }))
    }

    /// Member id.
    pub fn id(&self) -> MemberId {
        self.id
    }

    /// E-mail address: member and secretariat only.
    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    /// The profile; `None` for accounts without one (applicants, withdrawn
    /// members).
    pub fn profile(&self) -> Option<&ProfileView> {
        self.profile.as_ref()
    }
}

impl ProfileView {
    fn new(profile: ProfileRecord, audience: Audience, moderator: bool) -> Self {
        let shown = |visibility: Visibility| audience.can_read(visibility);
        // What the leak guard held or a moderator hid is for its author
        // and the review queue only.
        let reviewer = audience == Audience::Owner || moderator;
        let written_shown = profile.moderation.is_public() || reviewer;
        let non_empty = |text: String| (!text.is_empty()).then_some(text);
        let private = matches!(audience, Audience::Owner | Audience::Secretariat);
        let settings = VisibilitySettings::of(&profile);
        let links = (shown(profile.links_visibility) && written_shown).then(|| profile.links());
        Self {
            display_name: profile.display_name,
            display_name_kana: profile.display_name_kana,
            former_surnames: shown(profile.former_surnames_visibility)
                .then(|| strings(profile.former_surnames)),
            current_company: shown(profile.current_work_visibility)
                .then_some(profile.current_company)
                .and_then(non_empty),
            current_title: shown(profile.current_work_visibility)
                .then_some(profile.current_title)
                .and_then(non_empty),
            prefecture: shown(profile.prefecture_visibility)
                .then_some(profile.prefecture)
                .flatten(),
            bio: (shown(profile.bio_visibility) && written_shown)
                .then_some(profile.bio)
                .and_then(non_empty),
            skills_visible: shown(profile.skills_visibility),
            interests: shown(profile.interests_visibility)
                .then(|| profile.interests.into_iter().flatten().collect()),
            links,
            // Staff who never left have no career to show.
            employment: (shown(profile.employment_visibility) && profile.company_id.is_some())
                .then(|| EmploymentView {
                    company_id: profile.company_id,
                    joined_on: profile.joined_on,
                    left_on: profile.left_on,
                    last_department: non_empty(profile.last_department),
                }),
            open_to_returning: private.then_some(profile.open_to_returning),
            listed_in_directory: private.then_some(profile.listed_in_directory),
            settings: (audience == Audience::Owner).then_some(settings),
            moderation: reviewer.then_some(profile.moderation),
        }
    }
}
