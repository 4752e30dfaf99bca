//! Members, profiles and the directory in GraphQL.

use alumni_core::graphql::{
    data, feed_many, load_many, load_now, load_one, selects_in_items, viewer,
};
use alumni_core::moderation::ModerationState;
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, MemberId, NodeId, Role};
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Datelike as _, NaiveDate, Utc};

use super::company::Company;
use super::loaders::{CompanyLoader, MemberLoader, SkillsLoader};
use super::tags::Tag;
use crate::model::{
    Audience, CompanyId, Interest, MemberStatus, Prefecture, ProfileLink, Visibility,
};
use crate::service::{DirectoryPage, MemberSearch, MembershipService, ProfileUpdate};
use crate::visibility::{EmploymentView, MemberView, ProfileView, VisibilitySettings};

/// A member of the network, as the viewer may see them.
pub struct Member(MemberView);

impl Member {
    /// Wraps a view already filtered for the viewer.
    pub fn new(view: MemberView) -> Self {
        Self(view)
    }

    /// The member's id.
    pub fn member_id(&self) -> MemberId {
        self.0.id
    }

    fn profile(&self) -> Option<&ProfileView> {
        self.0.profile.as_ref()
    }
}

/// A member of the network: anyone with an account, whatever their roles.
/// Fields the viewer may not see are `null`: each member chooses who sees
/// each profile field (see `visibility`).
#[Object]
impl Member {
    /// Opaque global id; resolves through `node(id:)`.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The name shown to other members; `null` for accounts without a
    /// profile (applicants, withdrawn members).
    async fn display_name(&self) -> Option<&str> {
        self.profile().map(|profile| profile.display_name.as_str())
    }

    /// The name's reading in kana; the directory is sorted by it.
    async fn display_name_kana(&self) -> Option<&str> {
        self.profile()
            .map(|profile| profile.display_name_kana.as_str())
    }

    /// Surnames used before (旧姓).
    async fn former_surnames(&self) -> Option<&[String]> {
        self.profile()?.former_surnames.as_deref()
    }

    /// Where the member works now.
    async fn current_company(&self) -> Option<&str> {
        self.profile()?.current_company.as_deref()
    }

    /// The member's title there.
    async fn current_title(&self) -> Option<&str> {
        self.profile()?.current_title.as_deref()
    }

    /// Where the member lives.
    async fn prefecture(&self) -> Option<Prefecture> {
        self.profile()?.prefecture
    }

    /// A few words about themselves (plain text). Withheld from others
    /// while the leak guard holds it or a moderator hid it.
    async fn bio(&self) -> Option<&str> {
        self.profile()?.bio.as_deref()
    }

    /// Whether the bio and links are shown to others (`HELD` by the leak
    /// guard, `HIDDEN` or `DELETED` by a moderator): for the member
    /// themselves and moderators; `null` for others.
    async fn moderation(&self) -> Option<ModerationState> {
        self.profile()?.moderation
    }

    /// Skills, from the shared tag vocabulary.
    async fn skills(&self, ctx: &Context<'_>) -> Result<Option<Vec<Tag>>> {
        if !self.profile().is_some_and(|profile| profile.skills_visible) {
            return Ok(None);
        }
        let tags = load_one::<SkillsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default();
        Ok(Some(tags.into_iter().map(Tag).collect()))
    }

    /// What the member would like to do with other members.
    async fn interests(&self) -> Option<&[Interest]> {
        self.profile()?.interests.as_deref()
    }

    /// Links: a blog, a repository, a social account.
    async fn links(&self) -> Option<&[ProfileLink]> {
        self.profile()?.links.as_deref()
    }

    /// The member's career at the company or a predecessor.
    async fn employment(&self) -> Option<Employment> {
        let profile = self.profile()?;
        let employment = profile.employment.clone()?;
        Some(Employment {
            employment,
            exact_dates: matches!(self.0.audience, Audience::Owner | Audience::Secretariat),
        })
    }

    /// Privately open to returning to the company. Seen only by the member
    /// and the secretariat; never by other members or analysts.
    async fn open_to_returning(&self) -> Option<bool> {
        self.profile()?.open_to_returning
    }

    /// Whether the member appears in the directory. Member and secretariat
    /// only.
    async fn listed_in_directory(&self) -> Option<bool> {
        self.profile()?.listed_in_directory
    }

    /// Who sees each profile field. The member only.
    async fn visibility(&self) -> Option<ProfileVisibility> {
        self.profile()?.settings.map(ProfileVisibility)
    }

    /// E-mail address. Member and secretariat only.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Where the account stands. Member and secretariat only.
    async fn status(&self) -> Option<MemberStatus> {
        self.0.status
    }

    /// Roles the member holds.
    async fn roles(&self) -> Vec<Role> {
        self.0.roles.iter().collect()
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A member's career at the company or a predecessor.
pub struct Employment {
    employment: EmploymentView,
    exact_dates: bool,
}

/// A member's career at the company or one of its predecessors, as verified
/// when they joined the network.
#[Object]
impl Employment {
    /// The company (or predecessor) the member left.
    async fn company(&self, ctx: &Context<'_>) -> Result<Option<Company>> {
        let Some(id) = self.employment.company_id else {
            return Ok(None);
        };
        Ok(load_one::<CompanyLoader, _>(ctx, id).await?.map(Company))
    }

    /// Year the member joined.
    async fn joined_year(&self) -> Option<i32> {
        self.employment.joined_on.map(|date| date.year())
    }

    /// Year the member left.
    async fn left_year(&self) -> Option<i32> {
        self.employment.left_on.map(|date| date.year())
    }

    /// Exact first day. Member and secretariat only.
    async fn joined_on(&self) -> Option<NaiveDate> {
        self.employment.joined_on.filter(|_| self.exact_dates)
    }

    /// Exact last day. Member and secretariat only.
    async fn left_on(&self) -> Option<NaiveDate> {
        self.employment.left_on.filter(|_| self.exact_dates)
    }

    /// The last department the member belonged to.
    async fn last_department(&self) -> Option<&str> {
        self.employment.last_department.as_deref()
    }
}

/// Who sees each profile field.
pub struct ProfileVisibility(VisibilitySettings);

/// Who sees each field of the member's profile. The name and its reading
/// are always seen by members.
#[Object]
impl ProfileVisibility {
    /// Former surnames.
    async fn former_surnames(&self) -> Visibility {
        self.0.former_surnames
    }

    /// Current company and title.
    async fn current_work(&self) -> Visibility {
        self.0.current_work
    }

    /// Prefecture.
    async fn prefecture(&self) -> Visibility {
        self.0.prefecture
    }

    /// Bio.
    async fn bio(&self) -> Visibility {
        self.0.bio
    }

    /// Skills.
    async fn skills(&self) -> Visibility {
        self.0.skills
    }

    /// Interests.
    async fn interests(&self) -> Visibility {
        self.0.interests
    }

    /// Links.
    async fn links(&self) -> Visibility {
        self.0.links
    }

    /// Career at the company.
    async fn employment(&self) -> Visibility {
        self.0.employment
    }
}

/// Puts what a directory page needs below its items into the request's
/// loaders before they resolve: the companies that came with the page, and
/// the skills if the query selects them (see [`selects_in_items`]), loaded
/// at once since the directory is a top-level list.
async fn prefetch_directory_fields(
    ctx: &Context<'_>,
    page: &DirectoryPage,
) -> Result<(), AppError> {
    feed_many::<CompanyLoader, _>(
        ctx,
        page.companies
            .iter()
            .map(|company| (company.id, company.clone())),
    )
    .await?;
    if selects_in_items(ctx, &["skills"]) {
        let ids = page.members.iter().filter_map(|(_, view)| {
            view.profile
                .as_ref()
                .filter(|profile| profile.skills_visible)
                .map(|_| view.id)
        });
        load_now::<SkillsLoader, _>(ctx, ids).await?;
    }
    Ok(())
}

/// Loads members in one batch through the request's member loader, for a
/// list whose items will ask for them; [`find_member`] and [`load_member`]
/// then read the request's cache.
pub async fn prefetch_members(
    ctx: &Context<'_>,
    ids: impl IntoIterator<Item = MemberId>,
) -> Result<(), AppError> {
    load_many::<MemberLoader, _>(ctx, ids).await?;
    Ok(())
}

/// One member as the viewer may see them; `None` if absent or not visible
/// (for references such as speakers and registrants).
pub async fn find_member(ctx: &Context<'_>, id: MemberId) -> Result<Option<Member>, AppError> {
    Ok(load_one::<MemberLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(Member))
}

/// Loads one member through the request's loader; `NOT_FOUND` if absent or
/// not visible to the viewer.
pub async fn load_member(ctx: &Context<'_>, id: MemberId) -> Result<Member, AppError> {
    load_one::<MemberLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(Member)
        .ok_or(AppError::NotFound { entity: "Member" })
}

/// Narrows the directory; every given field must match.
#[derive(InputObject, Default)]
pub struct MemberFilter {
    /// Words to find in the name (kanji, kana or romaji) or a former
    /// surname, e.g. "佐藤", "さとう", "sato" or "佐藤 花子". Every word must
    /// match. At most 100 characters and 5 different words of at most 32
    /// characters each (once normalised); repeated words and words inside
    /// another word ("さ さとう") count once.
    pub query: Option<String>,
    /// A skill, by name or slug, e.g. "Kubernetes"; at most 50 characters.
    pub skill: Option<String>,
    /// The company or predecessor the member left (its global id).
    pub predecessor_company: Option<ID>,
    /// Left in this year or later.
    pub left_year_from: Option<i32>,
    /// Left in this year or earlier.
    pub left_year_to: Option<i32>,
    /// Has this interest.
    pub interest: Option<Interest>,
}

/// Queries on members and the directory.
#[derive(Default)]
pub struct MemberQuery;

/// Queries on members and the directory.
#[Object]
impl MemberQuery {
    /// A member by global id, with the viewer's visibility applied.
    async fn member(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the member.")] id: ID,
    ) -> Result<Member> {
        Ok(load_member(ctx, MemberId::from_global(&id, "id")?).await?)
    }

    /// The member directory: active members who chose to be listed, sorted
    /// by the reading of their name. Search and filters consider only what
    /// the viewer may see of each member.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to look for.")] filter: Option<MemberFilter>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Member>> {
        let filter = filter.unwrap_or_default();
        let search_for = MemberSearch {
            query: filter.query,
            skill: filter.skill,
            company: filter
                .predecessor_company
                .map(|id| CompanyId::from_global(&id, "filter.predecessorCompany"))
                .transpose()?,
            left_year_from: filter.left_year_from,
            left_year_to: filter.left_year_to,
            interest: filter.interest,
        };
        let page = PageRequest::new(first, after, last, before)?;
        let service = data::<MembershipService>(ctx)?;
        let viewer = viewer(ctx)?;
        let listed = service.directory(viewer, &search_for, &page).await?;
        prefetch_directory_fields(ctx, &listed).await?;
        let rows = listed.members;
        let total_count = TotalCount::lazy({
            let (service, viewer) = (service.clone(), viewer.clone());
            async move { service.count_directory(&viewer, &search_for).await }
        });
        Ok(page.into_connection(
            rows,
            |(key, _)| key.clone(),
            |(_, view)| Member(view),
            total_count,
        ))
    }
}

/// Changes to one's own profile; omitted fields stay as they are, lists
/// replace the stored list.
#[derive(InputObject, Default)]
pub struct ProfileInput {
    /// The name shown to other members.
    pub display_name: Option<String>,
    /// Its reading, in kana.
    pub display_name_kana: Option<String>,
    /// Surnames used before (旧姓), at most 5.
    pub former_surnames: Option<Vec<String>>,
    /// Where you work now.
    pub current_company: Option<String>,
    /// Your title there.
    pub current_title: Option<String>,
    /// Where you live; `null` clears it.
    pub prefecture: MaybeUndefined<Prefecture>,
    /// About yourself (up to 4,000 characters).
    pub bio: Option<String>,
    /// Skills by name (at most 30); new names join the shared vocabulary.
    pub skills: Option<Vec<String>>,
    /// What you would like to do with other members.
    pub interests: Option<Vec<Interest>>,
    /// Links (at most 10).
    pub links: Option<Vec<ProfileLink>>,
    /// Tell the secretariat, privately, that you are open to returning.
    pub open_to_returning: Option<bool>,
    /// Appear in the directory.
    pub listed_in_directory: Option<bool>,
    /// Who sees your former surnames.
    pub former_surnames_visibility: Option<Visibility>,
    /// Who sees your current company and title.
    pub current_work_visibility: Option<Visibility>,
    /// Who sees your prefecture.
    pub prefecture_visibility: Option<Visibility>,
    /// Who sees your bio.
    pub bio_visibility: Option<Visibility>,
    /// Who sees your skills.
    pub skills_visibility: Option<Visibility>,
    /// Who sees your interests.
    pub interests_visibility: Option<Visibility>,
    /// Who sees your links.
    pub links_visibility: Option<Visibility>,
    /// Who sees your career at the company.
    pub employment_visibility: Option<Visibility>,
}

impl From<ProfileInput> for ProfileUpdate {
    fn from(input: ProfileInput) -> Self {
        ProfileUpdate {
            display_name: input.display_name,
            display_name_kana: input.display_name_kana,
            former_surnames: input.former_surnames,
            current_company: input.current_company,
            current_title: input.current_title,
            prefecture: match input.prefecture {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(prefecture) => Some(Some(prefecture)),
            },
            bio: input.bio,
            skills: input.skills,
            interests: input.interests,
            links: input.links,
            open_to_returning: input.open_to_returning,
            listed_in_directory: input.listed_in_directory,
            former_surnames_visibility: input.former_surnames_visibility,
            current_work_visibility: input.current_work_visibility,
            prefecture_visibility: input.prefecture_visibility,
            bio_visibility: input.bio_visibility,
            skills_visibility: input.skills_visibility,
            interests_visibility: input.interests_visibility,
            links_visibility: input.links_visibility,
            employment_visibility: input.employment_visibility,
            confirm_warnings: false,
        }
    }
}

/// Mutations on one's own profile.
#[derive(Default)]
pub struct ProfileMutation;

/// Mutations on one's own profile.
#[Object]
impl ProfileMutation {
    /// Changes the viewer's profile and returns it. A changed bio or links
    /// pass the leak guard: `CONTENT_BLOCKED` refuses the change (nothing
    /// is saved), a held text is saved but shown only to the member and
    /// moderators until released.
    async fn update_my_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: ProfileInput,
        #[graphql(
            desc = "Save although the leak guard warned about the bio or links (the confirmation is recorded); without it such a save answers `WARNINGS_NOT_CONFIRMED` with the findings.",
            default = false
        )]
        confirm_warnings: bool,
    ) -> Result<Member> {
        let update = ProfileUpdate {
            confirm_warnings,
            ..input.into()
        };
        let view = data::<MembershipService>(ctx)?
            .update_my_profile(viewer(ctx)?, update)
            .await?;
        Ok(Member(view))
    }
}
