//! The shared tag vocabulary in GraphQL: tags with their labels and
//! aliases, look-up and autocompletion, and the secretariat's curation
//! (`mergeTags` spans every domain, so the gateway serves it).

use std::collections::HashMap;

use alumni_core::graphql::{data, load_now, load_one, selects_in_items, viewer, with_misses};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, NodeId as _, Viewer};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, Enum, ID, Object, Result};

use crate::model::{TagId, TagRecord};
use crate::service::MembershipService;

/// A tag of the shared vocabulary (a skill, a topic).
pub struct Tag(pub TagRecord);

/// A tag of the shared vocabulary, such as a skill ("Kubernetes", "設計").
/// Its aliases (synonyms in any script, former names) resolve to it
/// wherever a tag is looked up by name.
#[Object]
impl Tag {
    /// Opaque global id of the tag.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }

    /// The tag as first written, or as the secretariat renamed it.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Its normalised form: use it to filter (`members(filter: {skill})`).
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The Japanese label the secretariat gave it, if any.
    async fn label_ja(&self) -> Option<&str> {
        self.0.label_ja.as_deref()
    }

    /// The English label the secretariat gave it, if any.
    async fn label_en(&self) -> Option<&str> {
        self.0.label_en.as_deref()
    }

    /// The label to show in `language`: the secretariat's label, else the
    /// name.
    async fn label(
        &self,
        #[graphql(desc = "Language of the label.")] language: LabelLanguage,
    ) -> &str {
        let label = match language {
            LabelLanguage::Ja => &self.0.label_ja,
            LabelLanguage::En => &self.0.label_en,
        };
        label.as_deref().unwrap_or(&self.0.name)
    }

    /// Other names that resolve to the tag, as written (e.g. "k8s",
    /// "クバネティス"), in slug order.
    async fn aliases(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        Ok(load_one::<TagAliasesLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default())
    }
}

/// A language a tag is labelled in.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum LabelLanguage {
    /// Japanese.
    Ja,
    /// English.
    En,
}

/// Loads a tag by id for `node(id:)`: any signed-in member may.
pub async fn load_tag(ctx: &Context<'_>, id: TagId) -> Result<Tag, AppError> {
    load_one::<TagLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(Tag)
        .ok_or(AppError::NotFound { entity: "Tag" })
}

/// Tags by id (any signed-in member).
pub struct TagLoader {
    pub(super) service: MembershipService,
    pub(super) viewer: Viewer,
}

impl Loader<TagId> for TagLoader {
    /// `None`: no such tag (merged away, say); cached too.
    type Value = Option<TagRecord>;
    type Error = AppError;

    async fn load(&self, ids: &[TagId]) -> Result<HashMap<TagId, Option<TagRecord>>, AppError> {
        let tags = self.service.tags_by_ids(&self.viewer, ids).await?;
        Ok(with_misses(ids, tags, |tag| tag.id))
    }
}

/// The alias names of tags.
pub struct TagAliasesLoader {
    pub(super) service: MembershipService,
    pub(super) viewer: Viewer,
}

impl Loader<TagId> for TagAliasesLoader {
    type Value = Vec<String>;
    type Error = AppError;

    async fn load(&self, ids: &[TagId]) -> Result<HashMap<TagId, Vec<String>>, AppError> {
        let mut aliases = self.service.tag_aliases(&self.viewer, ids).await?;
        // Tags without aliases are answered too, so they are not asked for
        // again.
        for id in ids {
            aliases.entry(*id).or_default();
        }
        Ok(aliases)
    }
}

/// Looking tags up.
#[derive(Default)]
pub struct TagQuery;

/// Looking tags up.
#[Object]
impl TagQuery {
    /// The shared tag vocabulary in alphabetical (code point) order; pass a
    /// prefix to autocomplete, matched against tags' slugs and their
    /// aliases' (so "k8" finds Kubernetes through its alias k8s, each tag
    /// once). Lists only tags the viewer could see on at least one profile
    /// (their own, or one whose skills they may read), so a skill held only
    /// privately is not revealed.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn tags(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only tags starting with this (normalised like slugs), by slug or alias; at most 50 characters."
        )]
        prefix: Option<String>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Tag>> {
        let page = PageRequest::new(first, after, last, before)?;
        let service = data::<MembershipService>(ctx)?;
        let viewer = viewer(ctx)?;
        let rows = service.tags(viewer, prefix.as_deref(), &page).await?;
        if selects_in_items(ctx, &["aliases"]) {
            load_now::<TagAliasesLoader, _>(ctx, rows.iter().map(|tag| tag.id)).await?;
        }
        let total_count = TotalCount::lazy({
            let (service, viewer) = (service.clone(), viewer.clone());
            async move { service.count_tags(&viewer, prefix.as_deref()).await }
        });
        Ok(page.into_connection(rows, |tag| tag.slug.clone(), Tag, total_count))
    }

    /// The tag a name stands for: its name or slug, or one of its aliases,
    /// in any script (k8s, Kubernetes and クバネティス may all give one
    /// tag); `null` when no tag has the name. Any signed-in member may look
    /// a name up: an exact name reveals only that the word is in the
    /// vocabulary, never who holds it as a skill.
    async fn tag(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A tag's name, slug or alias; at most 50 characters.")] name: String,
    ) -> Result<Option<Tag>> {
        let service = data::<MembershipService>(ctx)?;
        Ok(service.tag_named(viewer(ctx)?, &name).await?.map(Tag))
    }
}

/// The secretariat's curation of the tag vocabulary.
#[derive(Default)]
pub struct TagMutation;

/// The secretariat's curation of the tag vocabulary (merging two tags is
/// `mergeTags`). Each change is recorded in the audit log.
#[Object]
impl TagMutation {
    /// Gives a tag another name, a synonym in any script ("k8s",
    /// "クバネティス" for Kubernetes): looking the name up, filtering by it
    /// or tagging with it then gives the tag. Secretariat only. `CONFLICT`
    /// with reason `SLUG_TAKEN` when the name (normalised) already names a
    /// tag, even an unused one: merge the two tags instead.
    async fn add_tag_alias(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the tag.")] tag: ID,
        #[graphql(desc = "The other name, as written; at most 50 characters.")] name: String,
    ) -> Result<Tag> {
        let tag = TagId::from_global(&tag, "tag")?;
        let service = data::<MembershipService>(ctx)?;
        Ok(Tag(service.add_tag_alias(viewer(ctx)?, tag, &name).await?))
    }

    /// Removes an alias (given by its name or slug): the name then resolves
    /// to nothing, and using it creates a tag of its own. Secretariat only.
    /// Returns the tag the alias named; `NOT_FOUND` when no alias has the
    /// name.
    async fn remove_tag_alias(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The alias, as written or as its slug.")] name: String,
    ) -> Result<Tag> {
        let service = data::<MembershipService>(ctx)?;
        Ok(Tag(service.remove_tag_alias(viewer(ctx)?, &name).await?))
    }

    /// Renames a tag; everything tagged with it keeps the tag. The new
    /// name's slug must be free or one of the tag's own aliases (which the
    /// new name then replaces), otherwise `CONFLICT` with reason
    /// `SLUG_TAKEN`. Secretariat only.
    async fn rename_tag(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the tag.")] tag: ID,
        #[graphql(desc = "The new name; at most 50 characters.")] name: String,
        #[graphql(
            desc = "Keep the old name as an alias, so it still resolves to the tag.",
            default = true
        )]
        keep_old_name_as_alias: bool,
    ) -> Result<Tag> {
        let tag = TagId::from_global(&tag, "tag")?;
        let service = data::<MembershipService>(ctx)?;
        Ok(Tag(service
            .rename_tag(viewer(ctx)?, tag, &name, keep_old_name_as_alias)
            .await?))
    }

    /// Sets both labels of a tag; an omitted, null or blank label is
    /// cleared (`label(language:)` then falls back to the name).
    /// Secretariat only.
    async fn set_tag_labels(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Id of the tag.")] tag: ID,
        #[graphql(desc = "Japanese label; at most 50 characters.")] label_ja: Option<String>,
        #[graphql(desc = "English label; at most 50 characters.")] label_en: Option<String>,
    ) -> Result<Tag> {
        let tag = TagId::from_global(&tag, "tag")?;
        let service = data::<MembershipService>(ctx)?;
        Ok(Tag(service
            .set_tag_labels(viewer(ctx)?, tag, label_ja.as_deref(), label_en.as_deref())
            .await?))
    }
}
