//! The shared tag vocabulary: tags, their aliases and labels.
//!
//! A slug is either a tag's or an alias's, never both. Tags are created by
//! members writing skills (and other domains tagging their content) while
//! aliases are added, and slugs changed, by the secretariat's curation; the
//! two would race (each checking the other's table before the other
//! commits), so they take the vocabulary's advisory lock: curation
//! exclusively ([`lock_vocabulary`]), tag creation shared
//! ([`ensure_tags`]), which keeps creations concurrent with each other.

use alumni_core::MemberId;
use alumni_core::pagination::{ListSize, PageRequest, capped_count};
use alumni_core::search;
use chrono::{DateTime, Utc};
use diesel::dsl::{array, exists, sql};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{MemberStatus, TagAliasRecord, TagId, TagRecord, Visibility};
use crate::schema::membership::{member_skills, members, profiles, tag_aliases, tags};

/// Takes the vocabulary's lock for the rest of the transaction, exclusively:
/// no tag is created, and no other curation runs, until it ends.
pub async fn lock_vocabulary(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('membership.tags'))")
        .execute(conn)
        .await?;
    Ok(())
}

/// Makes sure a tag exists for every `(slug, name)` and returns the tags;
/// a slug of an alias gives the aliased tag and creates nothing. A tag
/// keeps the name it was first written with. Three statements however
/// many names: the shared lock, the insert, the read.
pub async fn ensure_tags(
    conn: &mut AsyncPgConnection,
    wanted: &[(String, String)],
    at: DateTime<Utc>,
) -> QueryResult<Vec<TagRecord>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    // Waits for curation under way, so an alias it adds is seen below, and
    // holds curation off until this transaction has committed its tags.
    diesel::sql_query("SELECT pg_advisory_xact_lock_shared(hashtext('membership.tags'))")
        .execute(conn)
        .await?;
    let ids: Vec<uuid::Uuid> = wanted.iter().map(|_| TagId::new().0).collect();
    let slugs: Vec<String> = wanted.iter().map(|(slug, _)| slug.clone()).collect();
    let names: Vec<String> = wanted.iter().map(|(_, name)| name.clone()).collect();
    diesel::sql_query(
        "INSERT INTO membership.tags (id, slug, name, created_at) \
         SELECT wanted.id, wanted.slug, wanted.name, $4 \
         FROM unnest($1::uuid[], $2::text[], $3::text[]) AS wanted (id, slug, name) \
         WHERE NOT EXISTS (SELECT 1 FROM membership.tag_aliases AS a WHERE a.slug = wanted.slug) \
         ON CONFLICT (slug) DO NOTHING",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Array<Text>, _>(&slugs)
    .bind::<Array<Text>, _>(names)
    .bind::<Timestamptz, _>(at)
    .execute(conn)
    .await?;
    tags_named(conn, slugs).await
}

/// The tags `slugs` name (each once, however many of its names are given),
/// by their own slugs or their aliases', through the database's
/// `membership.tags_named`, which every look-up by slug shares.
pub async fn tags_named(
    conn: &mut AsyncPgConnection,
    slugs: Vec<String>,
) -> QueryResult<Vec<TagRecord>> {
    tags::table
        .filter(
            sql::<Bool>("membership.tags.id IN (SELECT * FROM membership.tags_named(")
                .bind::<Array<Text>, _>(slugs)
                .sql("))"),
        )
        .select(TagRecord::as_select())
        .load(conn)
        .await
}

/// The tag `slug` names, by its own slug or an alias's.
pub async fn tag_named(conn: &mut AsyncPgConnection, slug: &str) -> QueryResult<Option<TagRecord>> {
    Ok(tags_named(conn, vec![slug.to_owned()]).await?.pop())
}

/// Tags by id.
pub async fn tags_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[TagId],
) -> QueryResult<Vec<TagRecord>> {
    tags::table
        .filter(tags::id.eq_any(ids))
        .select(TagRecord::as_select())
        .load(conn)
        .await
}

/// The tag whose own slug is `slug` (not an alias's).
pub async fn tag_with_slug(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<TagRecord>> {
    tags::table
        .filter(tags::slug.eq(slug))
        .select(TagRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// The alias with this slug.
pub async fn alias_with_slug(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<TagAliasRecord>> {
    tag_aliases::table
        .find(slug)
        .select(TagAliasRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// The aliases of several tags, in slug order.
pub async fn aliases_of(
    conn: &mut AsyncPgConnection,
    ids: &[TagId],
) -> QueryResult<Vec<TagAliasRecord>> {
    tag_aliases::table
        .filter(tag_aliases::tag_id.eq_any(ids))
        .order(tag_aliases::slug.asc())
        .select(TagAliasRecord::as_select())
        .load(conn)
        .await
}

/// Adds an alias.
pub async fn insert_alias(conn: &mut AsyncPgConnection, alias: &TagAliasRecord) -> QueryResult<()> {
    diesel::insert_into(tag_aliases::table)
        .values(alias)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes the alias with this slug; the tag it named, if there was one.
pub async fn delete_alias(conn: &mut AsyncPgConnection, slug: &str) -> QueryResult<Option<TagId>> {
    diesel::delete(tag_aliases::table.find(slug))
        .returning(tag_aliases::tag_id)
        .get_result(conn)
        .await
        .optional()
}

/// Gives a tag another slug and name.
pub async fn rename(
    conn: &mut AsyncPgConnection,
    id: TagId,
    slug: &str,
    name: &str,
) -> QueryResult<()> {
    diesel::update(tags::table.find(id))
        .set((tags::slug.eq(slug), tags::name.eq(name)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets a tag's labels.
pub async fn set_labels(
    conn: &mut AsyncPgConnection,
    id: TagId,
    label_ja: Option<&str>,
    label_en: Option<&str>,
) -> QueryResult<()> {
    diesel::update(tags::table.find(id))
        .set((tags::label_ja.eq(label_ja), tags::label_en.eq(label_en)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves members' skills from one tag to another; a member who has both
/// keeps one. Inserted and deleted rather than updated, so the triggers
/// that keep the directory's skill postings see the change.
pub async fn move_skills(
    conn: &mut AsyncPgConnection,
    from: TagId,
    into: TagId,
) -> QueryResult<()> {
    let holders = member_skills::table
        .filter(member_skills::tag_id.eq(from))
        .select((member_skills::member_id, into.into_sql::<SqlUuid>()));
    diesel::insert_into(member_skills::table)
        .values(holders)
        .into_columns((member_skills::member_id, member_skills::tag_id))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    diesel::delete(member_skills::table.filter(member_skills::tag_id.eq(from)))
        .execute(conn)
        .await?;
    Ok(())
}

/// Folds the tag `from` into `into` once every reference has moved: its
/// aliases and its own slug become aliases of `into`, which takes over the
/// labels it lacks, and `from` is deleted (which fails while anything still
/// refers to it, other than skills, which cascade and were moved before).
pub async fn fold_into(
    conn: &mut AsyncPgConnection,
    from: &TagRecord,
    into: &TagRecord,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(tag_aliases::table.filter(tag_aliases::tag_id.eq(from.id)))
        .set(tag_aliases::tag_id.eq(into.id))
        .execute(conn)
        .await?;
    set_labels(
        conn,
        into.id,
        into.label_ja.as_deref().or(from.label_ja.as_deref()),
        into.label_en.as_deref().or(from.label_en.as_deref()),
    )
    .await?;
    diesel::delete(tags::table.find(from.id))
        .execute(conn)
        .await?;
    insert_alias(
        conn,
        &TagAliasRecord {
            slug: from.slug.clone(),
            tag_id: into.id,
            name: from.name.clone(),
            created_at: at,
        },
    )
    .await
}

/// Whose skills a viewer may see: their own, and those of members whose
/// skills are set to one of `readable` and whose account is in one of
/// `statuses` (see `crate::visibility`).
#[derive(Debug, Clone, Copy)]
pub struct SkillReader<'a> {
    /// The viewer.
    pub viewer: MemberId,
    /// Skill visibilities the viewer may read on others' profiles.
    pub readable: &'a [Visibility],
    /// Account statuses of members the viewer may see.
    pub statuses: &'a [MemberStatus],
}

/// A page of tags in slug order, optionally only those whose slug or one
/// of whose aliases starts with `prefix`, and only tags held by at least
/// one member whose skills `reader` may see. Each tag is checked with an
/// `EXISTS` that walks its holders through `member_skills_tag_idx` and
/// stops at the first visible one.
pub async fn tags_page(
    conn: &mut AsyncPgConnection,
    prefix: Option<&str>,
    reader: &SkillReader<'_>,
    page: &PageRequest<String>,
) -> QueryResult<Vec<TagRecord>> {
    let mut query = visible_tags(prefix, reader).select(TagRecord::as_select());
    if let Some(after) = &page.after {
        query = query.filter(tags::slug.gt(after.clone()));
    }
    if let Some(before) = &page.before {
        query = query.filter(tags::slug.lt(before.clone()));
    }
    query = if page.reads_in_list_order() {
        query.order(tags::slug.asc())
    } else {
        query.order(tags::slug.desc())
    };
    query.limit(page.fetch_limit()).load(conn).await
}

/// How many tags [`tags_page`] lists for this prefix and reader.
pub async fn tags_count(
    conn: &mut AsyncPgConnection,
    prefix: Option<&str>,
    reader: &SkillReader<'_>,
) -> QueryResult<ListSize> {
    let counted = capped_count(visible_tags(prefix, reader).select(tags::id))
        .get_result(conn)
        .await?;
    Ok(ListSize::from_capped_count(counted))
}

/// Tags starting with `prefix`, by slug or by an alias's, held by at least
/// one member whose skills `reader` may see, in no order.
fn visible_tags(prefix: Option<&str>, reader: &SkillReader<'_>) -> tags::BoxedQuery<'static, Pg> {
    let held_visibly = member_skills::table
        .inner_join(profiles::table.on(profiles::member_id.eq(member_skills::member_id)))
        .inner_join(members::table.on(members::id.eq(member_skills::member_id)))
        .filter(member_skills::tag_id.eq(tags::id))
        .filter(
            member_skills::member_id
                .eq(reader.viewer)
                .or(profiles::skills_visibility
                    .eq_any(reader.readable.to_vec())
                    .and(members::status.eq_any(reader.statuses.to_vec()))),
        );
    let mut query = tags::table.filter(exists(held_visibly)).into_boxed();
    if let Some(prefix) = prefix {
        let pattern = search::prefix_pattern(prefix);
        // `= ANY(ARRAY(…))` rather than `IN (…)`: both sides of the OR are
        // then index conditions, so the planner may OR two index scans for
        // a narrow prefix, or walk the slugs in order for a broad one.
        let aliased = array(
            tag_aliases::table
                .filter(tag_aliases::slug.like(pattern.clone()))
                .select(tag_aliases::tag_id),
        );
        query = query.filter(tags::slug.like(pattern).or(tags::id.eq_any(aliased)));
    }
    query
}
