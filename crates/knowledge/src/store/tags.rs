//! Tags as this domain looks them up: by name or alias, to one tag.

use alumni_core::search;
use alumni_membership::model::TagId;
use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
}

/// The tag a name or alias stands for (k8s, Kubernetes and クバネティス
/// alike), if any.
pub async fn resolve(conn: &mut AsyncPgConnection, name: &str) -> QueryResult<Option<TagId>> {
    let slug = search::normalize(name);
    if slug.is_empty() {
        return Ok(None);
    }
    let found: Vec<Found> =
        diesel::sql_query("SELECT id FROM membership.tags_named(ARRAY[$1]) AS id LIMIT 1")
            .bind::<Text, _>(slug)
            .load(conn)
            .await?;
    Ok(found.into_iter().next().map(|row| TagId(row.id)))
}

#[derive(QueryableByName)]
struct Slug {
    #[diesel(sql_type = SqlUuid)]
    tag_id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    slug: String,
}

/// For each of `terms` that names a tag or an alias: the tag and every
/// slug it is known by (its own and its aliases'), for searching.
pub async fn spellings(
    conn: &mut AsyncPgConnection,
    terms: &[String],
) -> QueryResult<Vec<(String, TagId, Vec<String>)>> {
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<Slug> = diesel::sql_query(
        "WITH named AS (SELECT DISTINCT id AS tag_id FROM membership.tags_named($1) AS id) \
         SELECT t.id AS tag_id, t.slug FROM membership.tags t JOIN named n ON n.tag_id = t.id \
         UNION ALL SELECT a.tag_id, a.slug FROM membership.tag_aliases a \
         JOIN named n ON n.tag_id = a.tag_id",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(terms)
    .load(conn)
    .await?;
    Ok(terms
        .iter()
        .filter_map(|term| {
            let tag = found.iter().find(|row| &row.slug == term)?.tag_id;
            let slugs = found
                .iter()
                .filter(|row| row.tag_id == tag)
                .map(|row| row.slug.clone())
                .collect();
            Some((term.clone(), TagId(tag), slugs))
        })
        .collect())
}
