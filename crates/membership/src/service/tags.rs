//! The shared tag vocabulary: look-ups for members and other domains, and
//! the secretariat's curation (aliases, renames, labels, merges).
//!
//! Every look-up by name resolves aliases: a name is normalised to a slug
//! (`search::normalize`), and a slug names the tag that has it or whose
//! alias has it (`membership.tags_named` in the database). Curation runs
//! under the vocabulary's lock (see `store::tags`), so a slug it checks
//! cannot be taken by a tag created meanwhile.

use std::collections::HashMap;

use alumni_core::audit::{self, AuditEntry};
use alumni_core::pagination::{ListSize, PageRequest};
use alumni_core::{AppError, AppResult, MemberId, Role, Viewer, search};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;

use super::profiles::MAX_SKILL_CHARS;
use super::{MembershipService, list_field, text_field};
use crate::model::{TagAliasRecord, TagId, TagRecord};
use crate::store::tags::{self as store, SkillReader};
use crate::visibility::{audience_of_others, visible_statuses};

/// Longest label, in characters.
const MAX_LABEL_CHARS: usize = 50;

/// The reason of a `CONFLICT` when a name's slug already names a tag (as
/// its own slug or an alias's).
pub const SLUG_TAKEN: &str = "SLUG_TAKEN";

/// A merge of one tag into another the secretariat asked for, checked
/// before any work: the first step of [`MembershipService::plan_tag_merge`],
/// [`begin_tag_merge_in`](MembershipService::begin_tag_merge_in), every
/// domain's `merge_tag`, and
/// [`finish_tag_merge_in`](MembershipService::finish_tag_merge_in).
#[derive(Debug, Clone, Copy)]
pub struct TagMerge {
    actor: MemberId,
    source: TagId,
    target: TagId,
}

impl TagMerge {
    /// The tag merged away.
    pub fn source(&self) -> TagId {
        self.source
    }

    /// The tag that remains.
    pub fn target(&self) -> TagId {
        self.target
    }
}

/// A merge whose tags exist and whose vocabulary is locked, between the
/// domains' moves and the folding of the source into the target.
#[derive(Debug, Clone)]
pub struct MergingTags {
    actor: MemberId,
    source: TagRecord,
    target: TagRecord,
}

impl MembershipService {
    /// The tags named `names` (any script; a new name joins the shared
    /// vocabulary, an alias gives its tag), inside the caller's
    /// transaction, for other domains' tagging. `BAD_USER_INPUT` for more
    /// than `max` names or a name over 50 characters.
    pub async fn ensure_tags_in(
        &self,
        conn: &mut AsyncPgConnection,
        names: &[String],
        field: &str,
        max: usize,
        now: DateTime<Utc>,
    ) -> AppResult<Vec<TagRecord>> {
        let names = list_field(names, field, max, MAX_SKILL_CHARS)?;
        Ok(store::ensure_tags(conn, &wanted_tags(&names), now).await?)
    }

    /// The tag that `name` (a tag's name or slug, or an alias, in any
    /// script) names, inside the caller's connection, for other domains'
    /// filters; `None` when nothing has the name.
    pub async fn tag_named_in(
        &self,
        conn: &mut AsyncPgConnection,
        name: &str,
    ) -> AppResult<Option<TagRecord>> {
        let slug = search::normalize(name);
        if slug.is_empty() {
            return Ok(None);
        }
        Ok(store::tag_named(conn, &slug).await?)
    }

    /// Tags by id, inside the caller's connection.
    pub async fn tags_by_ids_in(
        &self,
        conn: &mut AsyncPgConnection,
        ids: &[TagId],
    ) -> AppResult<Vec<TagRecord>> {
        Ok(store::tags_by_ids(conn, ids).await?)
    }

    /// The tag `name` names (its name or slug, or an alias), for any
    /// signed-in member. Unlike [`tags`](Self::tags), an exact look-up
    /// answers whether or not anyone visibly holds the tag: it reveals only
    /// that a word the viewer already knows is in the vocabulary, never who
    /// holds it, and content and knowledge use tags no profile holds.
    pub async fn tag_named(&self, viewer: &Viewer, name: &str) -> AppResult<Option<TagRecord>> {
        viewer.identity()?;
        if name.trim().chars().count() > MAX_SKILL_CHARS {
            return Err(AppError::bad_input(
                "name",
                format!("must be at most {MAX_SKILL_CHARS} characters"),
            ));
        }
        let mut conn = self.ctx.conn().await?;
        self.tag_named_in(&mut conn, name).await
    }

    /// Tags by id, for any signed-in member (the tag loader).
    pub async fn tags_by_ids(&self, viewer: &Viewer, ids: &[TagId]) -> AppResult<Vec<TagRecord>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::tags_by_ids(&mut conn, ids).await?)
    }

    /// The aliases of several tags, as written, in slug order, for any
    /// signed-in member: curated synonyms are part of the vocabulary.
    pub async fn tag_aliases(
        &self,
        viewer: &Viewer,
        ids: &[TagId],
    ) -> AppResult<HashMap<TagId, Vec<String>>> {
        viewer.identity()?;
        let mut conn = self.ctx.conn().await?;
        let mut aliases: HashMap<TagId, Vec<String>> = HashMap::new();
        for alias in store::aliases_of(&mut conn, ids).await? {
            aliases.entry(alias.tag_id).or_default().push(alias.name);
        }
        Ok(aliases)
    }

    /// A page of the tag vocabulary in slug order, optionally only tags
    /// whose slug or one of whose aliases starts with `prefix` (for
    /// autocompletion). Only tags the viewer could see on some profile are
    /// listed: a skill that only members with hidden skills hold would
    /// otherwise tell that someone has it.
    pub async fn tags(
        &self,
        viewer: &Viewer,
        prefix: Option<&str>,
        page: &PageRequest<String>,
    ) -> AppResult<Vec<TagRecord>> {
        let (reader, prefix) = tag_listing(viewer, prefix)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::tags_page(&mut conn, prefix.as_deref(), &reader, page).await?)
    }

    /// How many tags [`tags`](Self::tags) lists for this prefix.
    pub async fn count_tags(&self, viewer: &Viewer, prefix: Option<&str>) -> AppResult<ListSize> {
        let (reader, prefix) = tag_listing(viewer, prefix)?;
        let mut conn = self.ctx.conn().await?;
        Ok(store::tags_count(&mut conn, prefix.as_deref(), &reader).await?)
    }

    /// Gives a tag another name (a synonym in any script): its slug then
    /// resolves to the tag everywhere. Secretariat only. `CONFLICT`
    /// (`SLUG_TAKEN`) when the slug already names a tag, this one
    /// included: two tags that mean one thing are merged, not aliased.
    pub async fn add_tag_alias(
        &self,
        viewer: &Viewer,
        tag: TagId,
        name: &str,
    ) -> AppResult<TagRecord> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let (name, slug) = tag_name(name, "name")?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::lock_vocabulary(conn).await?;
            let tag = existing(conn, tag).await?;
            if let Some(holder) = store::tag_named(conn, &slug).await? {
                return Err(slug_taken(&name, &holder));
            }
            store::insert_alias(
                conn,
                &TagAliasRecord {
                    slug: slug.clone(),
                    tag_id: tag.id,
                    name,
                    created_at: now,
                },
            )
            .await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.tag_alias_added")
                    .by(actor)
                    .on(tag.id)
                    .details(json!({ "alias": slug })),
            )
            .await?;
            Ok(tag)
        })
        .await
    }

    /// Removes an alias (by its name or slug); the name then no longer
    /// resolves, and using it creates a tag of its own. Secretariat only.
    /// Returns the tag it named.
    pub async fn remove_tag_alias(&self, viewer: &Viewer, name: &str) -> AppResult<TagRecord> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let (_, slug) = tag_name(name, "name")?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::lock_vocabulary(conn).await?;
            let tag = store::delete_alias(conn, &slug)
                .await?
                .ok_or(AppError::NotFound { entity: "TagAlias" })?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.tag_alias_removed")
                    .by(actor)
                    .on(tag)
                    .details(json!({ "alias": slug })),
            )
            .await?;
            existing(conn, tag).await
        })
        .await
    }

    /// Renames a tag; every reference stays, since references hold its
    /// id. The new name's slug must be free or one of the tag's own
    /// aliases (which the name then replaces); otherwise `CONFLICT`
    /// (`SLUG_TAKEN`). With `keep_old_name_as_alias`, the old name goes on
    /// resolving to the tag. Secretariat only.
    pub async fn rename_tag(
        &self,
        viewer: &Viewer,
        tag: TagId,
        name: &str,
        keep_old_name_as_alias: bool,
    ) -> AppResult<TagRecord> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let (name, slug) = tag_name(name, "name")?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::lock_vocabulary(conn).await?;
            let current = existing(conn, tag).await?;
            let slug_changes = slug != current.slug;
            if slug_changes {
                if let Some(holder) = store::tag_with_slug(conn, &slug).await? {
                    return Err(slug_taken(&name, &holder));
                }
                match store::alias_with_slug(conn, &slug).await? {
                    Some(alias) if alias.tag_id == current.id => {
                        store::delete_alias(conn, &slug).await?;
                    }
                    Some(alias) => {
                        let holder = existing(conn, alias.tag_id).await?;
                        return Err(slug_taken(&name, &holder));
                    }
                    None => {}
                }
            }
            store::rename(conn, current.id, &slug, &name).await?;
            let old_name_kept = slug_changes && keep_old_name_as_alias;
            if old_name_kept {
                store::insert_alias(
                    conn,
                    &TagAliasRecord {
                        slug: current.slug.clone(),
                        tag_id: current.id,
                        name: current.name.clone(),
                        created_at: now,
                    },
                )
                .await?;
            }
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.tag_renamed")
                    .by(actor)
                    .on(current.id)
                    .details(json!({
                        "from": current.slug,
                        "to": slug,
                        "oldNameKeptAsAlias": old_name_kept,
                    })),
            )
            .await?;
            Ok(TagRecord {
                slug,
                name,
                ..current
            })
        })
        .await
    }

    /// Sets a tag's Japanese and English labels; `None` (or a blank label)
    /// clears one. Secretariat only.
    pub async fn set_tag_labels(
        &self,
        viewer: &Viewer,
        tag: TagId,
        label_ja: Option<&str>,
        label_en: Option<&str>,
    ) -> AppResult<TagRecord> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        let label_ja = label(label_ja, "labelJa")?;
        let label_en = label(label_en, "labelEn")?;
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            store::lock_vocabulary(conn).await?;
            let current = existing(conn, tag).await?;
            store::set_labels(conn, current.id, label_ja.as_deref(), label_en.as_deref()).await?;
            audit::record(
                conn,
                now,
                AuditEntry::new("membership.tag_labels_set")
                    .by(actor)
                    .on(current.id),
            )
            .await?;
            Ok(TagRecord {
                label_ja,
                label_en,
                ..current
            })
        })
        .await
    }

    /// Checks a merge of `source` into `target` before anything is done:
    /// secretariat only, and not a tag into itself (`BAD_USER_INPUT`).
    pub fn plan_tag_merge(
        &self,
        viewer: &Viewer,
        source: TagId,
        target: TagId,
    ) -> AppResult<TagMerge> {
        let actor = viewer.require_role(Role::Secretariat)?.member_id;
        if source == target {
            return Err(AppError::bad_input(
                "into",
                "a tag cannot be merged into itself",
            ));
        }
        Ok(TagMerge {
            actor,
            source,
            target,
        })
    }

    /// Starts a merge inside the caller's transaction, before every
    /// domain moves its references (`Domain::merge_tag`): locks the
    /// vocabulary, so no tag is created or curated meanwhile, and finds
    /// both tags (`NOT_FOUND` otherwise).
    pub async fn begin_tag_merge_in(
        &self,
        conn: &mut AsyncPgConnection,
        merge: TagMerge,
    ) -> AppResult<MergingTags> {
        store::lock_vocabulary(conn).await?;
        let found = store::tags_by_ids(conn, &[merge.source, merge.target]).await?;
        let find = |id: TagId| {
            found
                .iter()
                .find(|tag| tag.id == id)
                .cloned()
                .ok_or(AppError::NotFound { entity: "Tag" })
        };
        Ok(MergingTags {
            actor: merge.actor,
            source: find(merge.source)?,
            target: find(merge.target)?,
        })
    }

    /// Ends a merge inside the caller's transaction, once every domain has
    /// moved its references: the source's slug and aliases become the
    /// target's aliases, the target takes over labels it lacks, and the
    /// source is deleted. Returns the target.
    pub async fn finish_tag_merge_in(
        &self,
        conn: &mut AsyncPgConnection,
        merging: MergingTags,
    ) -> AppResult<TagRecord> {
        let now = self.ctx.now();
        let MergingTags {
            actor,
            source,
            target,
        } = merging;
        store::fold_into(conn, &source, &target, now).await?;
        audit::record(
            conn,
            now,
            AuditEntry::new("membership.tags_merged")
                .by(actor)
                .on(target.id)
                .details(json!({ "from": source.id, "fromSlug": source.slug })),
        )
        .await?;
        existing(conn, target.id).await
    }

    /// Moves members' skills from one tag to another, membership's part of
    /// a merge (`Domain::merge_tag`).
    pub(crate) async fn merge_skills_in(
        &self,
        conn: &mut AsyncPgConnection,
        source: TagId,
        target: TagId,
    ) -> AppResult<()> {
        Ok(store::move_skills(conn, source, target).await?)
    }
}

/// `(slug, name)` of each name that has a slug, for `store::ensure_tags`.
pub(super) fn wanted_tags(names: &[String]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|name| (search::normalize(name), name.clone()))
        .filter(|(slug, _)| !slug.is_empty())
        .collect()
}

/// A name the secretariat gives a tag, trimmed, with its slug.
fn tag_name(name: &str, field: &str) -> AppResult<(String, String)> {
    let name = text_field(name, field, true, MAX_SKILL_CHARS)?;
    let slug = search::normalize(&name);
    if slug.is_empty() {
        return Err(AppError::bad_input(
            field,
            "must contain a letter or a digit",
        ));
    }
    Ok((name, slug))
}

/// A label as stored: trimmed, blank as none.
fn label(value: Option<&str>, field: &str) -> AppResult<Option<String>> {
    Ok(value
        .map(|value| text_field(value, field, false, MAX_LABEL_CHARS))
        .transpose()?
        .filter(|value| !value.is_empty()))
}

/// The tag with this id, or `NOT_FOUND`.
async fn existing(conn: &mut AsyncPgConnection, id: TagId) -> AppResult<TagRecord> {
    store::tags_by_ids(conn, &[id])
        .await?
        .pop()
        .ok_or(AppError::NotFound { entity: "Tag" })
}

fn slug_taken(name: &str, holder: &TagRecord) -> AppError {
    AppError::Conflict {
        message: format!(
            "\"{name}\" already names the tag \"{}\"; merge the tags instead",
            holder.name
        ),
        reason: Some(SLUG_TAKEN),
    }
}

/// Whose skills the viewer may see, and the normalised prefix to list tags
/// by.
fn tag_listing(
    viewer: &Viewer,
    prefix: Option<&str>,
) -> AppResult<(SkillReader<'static>, Option<String>)> {
    let identity = viewer.identity()?;
    let audience = audience_of_others(identity);
    let reader = SkillReader {
        viewer: identity.member_id,
        readable: audience.readable(),
        statuses: visible_statuses(audience),
    };
    if prefix.is_some_and(|prefix| prefix.trim().chars().count() > MAX_SKILL_CHARS) {
        return Err(AppError::bad_input(
            "prefix",
            format!("must be at most {MAX_SKILL_CHARS} characters"),
        ));
    }
    let prefix = prefix
        .map(search::normalize)
        .filter(|prefix| !prefix.is_empty());
    Ok((reader, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_any_script_give_one_slug_each() {
        assert_eq!(
            tag_name(" k8s ", "name").unwrap(),
            ("k8s".into(), "k8s".into())
        );
        assert_eq!(tag_name("クバネティス", "name").unwrap().1, "くばねてぃす");
        assert_eq!(
            tag_name("Ｋｕｂｅｒｎｅｔｅｓ", "name").unwrap().1,
            "kubernetes"
        );
        assert_eq!(tag_name("・・", "name").unwrap_err().field(), Some("name"));
        assert!(tag_name(&"長".repeat(MAX_SKILL_CHARS + 1), "name").is_err());
    }

    #[test]
    fn blank_labels_clear() {
        assert_eq!(label(Some("  "), "labelJa").unwrap(), None);
        assert_eq!(label(None, "labelJa").unwrap(), None);
        assert_eq!(
            label(Some(" コンテナ基盤 "), "labelJa").unwrap().as_deref(),
            Some("コンテナ基盤")
        );
        assert!(label(Some(&"x".repeat(MAX_LABEL_CHARS + 1)), "labelEn").is_err());
    }
}
