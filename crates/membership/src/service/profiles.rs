//! A member's own profile and skills.

use std::collections::HashMap;

use alumni_core::moderation::{ScreenRequest, Screening, TextAudience};
use alumni_core::{AppError, AppResult, MemberId, Viewer};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;

use super::directory::members_by_ids_in;
use super::tags::wanted_tags;
use super::{MembershipService, kana_field, list_field, text_field};
use crate::model::{
    Interest, NameIndex, NewProfile, Prefecture, ProfileChanges, ProfileLink, TagRecord,
    Visibility, strings,
};
use crate::store::profiles as store;
use crate::store::tags as tags_store;
use crate::visibility::MemberView;

/// Most skills on a profile.
const MAX_SKILLS: usize = 30;
/// Longest skill name, in characters. Skill filters and tag prefixes are
/// refused beyond it too: they could match nothing and only cost a lookup.
pub(super) const MAX_SKILL_CHARS: usize = 50;
/// Most links on a profile.
const MAX_LINKS: usize = 10;
/// Longest bio, in characters.
const MAX_BIO_CHARS: usize = 4000;

/// Skills of several members, keyed by member.
pub type SkillsByMember = HashMap<MemberId, Vec<TagRecord>>;

/// Changes a member makes to their own profile; `None` leaves a field as it
/// is. Lists replace the stored list.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    /// Name shown to other members.
    pub display_name: Option<String>,
    /// Its reading, in kana.
    pub display_name_kana: Option<String>,
    /// Surnames used before (旧姓).
    pub former_surnames: Option<Vec<String>>,
    /// Where the member works now.
    pub current_company: Option<String>,
    /// Their title there.
    pub current_title: Option<String>,
    /// Where they live; `Some(None)` clears it.
    pub prefecture: Option<Option<Prefecture>>,
    /// About themselves.
    pub bio: Option<String>,
    /// Skills, by name; new names join the shared vocabulary.
    pub skills: Option<Vec<String>>,
    /// What they would like to do with other members.
    pub interests: Option<Vec<Interest>>,
    /// Links.
    pub links: Option<Vec<ProfileLink>>,
    /// Privately open to returning (seen by the secretariat only).
    pub open_to_returning: Option<bool>,
    /// Whether to appear in the directory.
    pub listed_in_directory: Option<bool>,
    /// Who sees the former surnames.
    pub former_surnames_visibility: Option<Visibility>,
    /// Who sees company and title.
    pub current_work_visibility: Option<Visibility>,
    /// Who sees the prefecture.
    pub prefecture_visibility: Option<Visibility>,
    /// Who sees the bio.
    pub bio_visibility: Option<Visibility>,
    /// Who sees the skills.
    pub skills_visibility: Option<Visibility>,
    /// Who sees the interests.
    pub interests_visibility: Option<Visibility>,
    /// Who sees the links.
    pub links_visibility: Option<Visibility>,
    /// Who sees the career at the company.
    pub employment_visibility: Option<Visibility>,
    /// Whether the author confirmed the leak guard's warnings about the
    /// bio and links.
    pub confirm_warnings: bool,
}

impl MembershipService {
    /// Applies the viewer's changes to their own profile and returns it.
    pub async fn update_my_profile(
        &self,
        viewer: &Viewer,
        update: ProfileUpdate,
    ) -> AppResult<MemberView> {
        let member_id = viewer.identity()?.member_id;
        let changes = validate_changes(&update)?;
        let skills = update
            .skills
            .as_deref()
            .map(|names| list_field(names, "input.skills", MAX_SKILLS, MAX_SKILL_CHARS))
            .transpose()?;
        let now = self.ctx.now();
        let screening = self.screen_profile(now, member_id, &update).await?;
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let current = match store::lock_profile(conn, member_id).await? {
                Some(current) => current,
                None => create_profile(conn, member_id, &changes, now).await?,
            };
            let moderation = screening
                .as_ref()
                .map(|screening| current.moderation.after_edit(screening.state))
                .filter(|state| *state != current.moderation);
            let former_surnames = changes
                .former_surnames
                .clone()
                .unwrap_or_else(|| strings(current.former_surnames.clone()));
            let names = NameIndex::new(
                changes
                    .display_name
                    .as_deref()
                    .unwrap_or(&current.display_name),
                changes
                    .display_name_kana
                    .as_deref()
                    .unwrap_or(&current.display_name_kana),
                &former_surnames,
            );
            let changes = ProfileChanges {
                updated_at: Some(now),
                moderation,
                ..changes
            };
            store::update_profile(conn, member_id, &changes, &names).await?;
            if let Some(screening) = &screening {
                self.ctx.screener.record_in(conn, now, screening).await?;
            }
            if let Some(skills) = &skills {
                let tags = tags_store::ensure_tags(conn, &wanted_tags(skills), now).await?;
                let ids: Vec<_> = tags.iter().map(|tag| tag.id).collect();
                store::set_skills(conn, member_id, &ids).await?;
            }
            Ok::<_, AppError>(())
        })
        .await?;
        members_by_ids_in(&mut conn, viewer, &[member_id])
            .await?
            .pop()
            .ok_or(AppError::NotFound { entity: "Member" })
    }

    /// Every active member with their roles, the predecessor company they
    /// left and the year they left, for counting an audience (a few
    /// thousand rows at most for a company's network).
    pub async fn audience_attributes_in(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
    ) -> AppResult<
        Vec<(
            MemberId,
            alumni_core::RoleSet,
            Option<crate::model::CompanyId>,
            Option<i32>,
        )>,
    > {
        use chrono::Datelike as _;
        store::audience_attributes(conn)
            .await?
            .into_iter()
            .map(|(member, roles, company, left_on)| {
                let names: Vec<String> = roles.into_iter().flatten().collect();
                let roles = alumni_core::RoleSet::from_names(&names).map_err(AppError::internal)?;
                Ok((member, roles, company, left_on.map(|day| day.year())))
            })
            .collect()
    }

    /// The cohort a member belongs to for audiences (the predecessor
    /// company they left and the year they left), inside the caller's
    /// transaction; both `None` for staff who never left.
    pub async fn cohort_in(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        member_id: MemberId,
    ) -> AppResult<(Option<crate::model::CompanyId>, Option<i32>)> {
        use chrono::Datelike as _;
        let cohort = store::cohort_of(conn, member_id).await?;
        Ok(cohort.map_or((None, None), |(company, left_on)| {
            (company, left_on.map(|left_on| left_on.year()))
        }))
    }

    /// How many active members left `company` (when given) in a year
    /// from `left_from` to `left_from + years - 1` (when given): the size
    /// of a cohort, for refusing attributes that would point at a person.
    pub async fn cohort_size_in(
        &self,
        conn: &mut diesel_async::AsyncPgConnection,
        company: Option<crate::model::CompanyId>,
        left_from: Option<i32>,
        years: i32,
    ) -> AppResult<i64> {
        let span = left_from.and_then(|from| {
            Some((
                chrono::NaiveDate::from_ymd_opt(from, 1, 1)?,
                chrono::NaiveDate::from_ymd_opt(from + years, 1, 1)?,
            ))
        });
        Ok(store::cohort_size(conn, company, span).await?)
    }

    /// Passes a changed bio and links through the leak guard (their
    /// audience is alumni: any member may be allowed to read them); `None`
    /// when neither changes.
    async fn screen_profile(
        &self,
        now: DateTime<Utc>,
        member_id: MemberId,
        update: &ProfileUpdate,
    ) -> AppResult<Option<Screening>> {
        if update.bio.is_none() && update.links.is_none() {
            return Ok(None);
        }
        let links = update.links.as_deref().map(|links| {
            links
                .iter()
                .map(|link| format!("{} {}", link.label, link.url))
                .collect::<Vec<_>>()
                .join("\n")
        });
        let fields = [
            ("input.bio", update.bio.as_deref()),
            ("input.links", links.as_deref()),
        ]
        .into_iter()
        .filter_map(|(field, text)| text.map(|text| (field, text)))
        .collect();
        let screening = self
            .ctx
            .screener
            .screen(
                now,
                ScreenRequest {
                    author: member_id,
                    subject_type: "Member",
                    subject_id: member_id.0,
                    audience: TextAudience::Alumni,
                    fields,
                    confirm_warnings: update.confirm_warnings,
                },
            )
            .await?;
        Ok(Some(screening))
    }

    /// Skills of several members, for the skills loader. Whether the viewer
    /// may see a member's skills is decided on the member's view.
    pub async fn skills_of(
        &self,
        viewer: &Viewer,
        member_ids: &[MemberId],
    ) -> AppResult<SkillsByMember> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        let mut skills = SkillsByMember::new();
        for (member_id, tag) in store::skills_of(&mut conn, member_ids).await? {
            skills.entry(member_id).or_default().push(tag);
        }
        Ok(skills)
    }
}

/// Creates the profile of a member who has none yet (accounts made by the
/// command line): the update must give a name and its reading.
async fn create_profile(
    conn: &mut diesel_async::AsyncPgConnection,
    member_id: MemberId,
    changes: &ProfileChanges,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<crate::model::ProfileRecord> {
    let (Some(display_name), Some(kana)) = (&changes.display_name, &changes.display_name_kana)
    else {
        return Err(AppError::bad_input(
            "input.displayName",
            "give your name and its reading (displayNameKana) to create your profile",
        ));
    };
    store::insert_profiles(
        conn,
        &[NewProfile::new(
            member_id,
            display_name,
            kana,
            Vec::new(),
            now,
        )],
    )
    .await?;
    store::lock_profile(conn, member_id)
        .await?
        .ok_or_else(|| AppError::internal("profile vanished after insert"))
}

/// Checks an update and turns it into stored changes (skills are handled
/// apart, as rows of their own).
fn validate_changes(update: &ProfileUpdate) -> Result<ProfileChanges, AppError> {
    let links = update
        .links
        .as_deref()
        .map(validate_links)
        .transpose()?
        .map(|links| serde_json::to_value(links).map_err(AppError::internal))
        .transpose()?;
    Ok(ProfileChanges {
        display_name: update
            .display_name
            .as_deref()
            .map(|name| text_field(name, "input.displayName", true, 100))
            .transpose()?,
        display_name_kana: update
            .display_name_kana
            .as_deref()
            .map(|kana| kana_field(kana, "input.displayNameKana"))
            .transpose()?,
        former_surnames: update
            .former_surnames
            .as_deref()
            .map(|names| list_field(names, "input.formerSurnames", 5, 50))
            .transpose()?,
        current_company: update
            .current_company
            .as_deref()
            .map(|company| text_field(company, "input.currentCompany", false, 100))
            .transpose()?,
        current_title: update
            .current_title
            .as_deref()
            .map(|title| text_field(title, "input.currentTitle", false, 100))
            .transpose()?,
        prefecture: update.prefecture,
        bio: update
            .bio
            .as_deref()
            .map(|bio| text_field(bio, "input.bio", false, MAX_BIO_CHARS))
            .transpose()?,
        interests: update.interests.clone().map(|mut interests| {
            interests.sort();
            interests.dedup();
            interests
        }),
        links,
        open_to_returning: update.open_to_returning,
        listed_in_directory: update.listed_in_directory,
        former_surnames_visibility: update.former_surnames_visibility,
        current_work_visibility: update.current_work_visibility,
        prefecture_visibility: update.prefecture_visibility,
        bio_visibility: update.bio_visibility,
        skills_visibility: update.skills_visibility,
        interests_visibility: update.interests_visibility,
        links_visibility: update.links_visibility,
        employment_visibility: update.employment_visibility,
        updated_at: None,
        moderation: None,
    })
}

fn validate_links(links: &[ProfileLink]) -> Result<Vec<ProfileLink>, AppError> {
    if links.len() > MAX_LINKS {
        return Err(AppError::bad_input(
            "input.links",
            format!("at most {MAX_LINKS} links"),
        ));
    }
    links
        .iter()
        .map(|link| {
            let label = text_field(&link.label, "input.links.label", true, 100)?;
            let url = link.url.trim();
            let parsed = url::Url::parse(url)
                .map_err(|_| AppError::bad_input("input.links.url", "not a valid URL"))?;
            if !matches!(parsed.scheme(), "http" | "https") || url.len() > 2048 {
                return Err(AppError::bad_input(
                    "input.links.url",
                    "must be an http or https URL of at most 2048 characters",
                ));
            }
            Ok(ProfileLink {
                label,
                url: parsed.into(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str) -> ProfileLink {
        ProfileLink {
            label: "GitHub".into(),
            url: url.into(),
        }
    }

    #[test]
    fn links_must_be_web_addresses() {
        assert!(validate_links(&[link("https://github.com/hanako")]).is_ok());
        for bad in ["javascript:alert(1)", "not a url", "ftp://example.com/file"] {
            let err = validate_links(&[link(bad)]).unwrap_err();
            assert_eq!(err.field(), Some("input.links.url"), "{bad}");
        }
        let too_many: Vec<_> = (0..=MAX_LINKS)
            .map(|n| link(&format!("https://example.com/{n}")))
            .collect();
        assert_eq!(
            validate_links(&too_many).unwrap_err().field(),
            Some("input.links")
        );
    }

    #[test]
    fn updates_are_checked_field_by_field() {
        let update = ProfileUpdate {
            display_name_kana: Some("Sato".into()),
            ..Default::default()
        };
        assert_eq!(
            validate_changes(&update).unwrap_err().field(),
            Some("input.displayNameKana")
        );
        let update = ProfileUpdate {
            bio: Some("あ".repeat(MAX_BIO_CHARS + 1)),
            ..Default::default()
        };
        assert_eq!(
            validate_changes(&update).unwrap_err().field(),
            Some("input.bio")
        );
    }
}
