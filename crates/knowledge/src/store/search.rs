//! One search over articles, questions, answers and board posts.

use alumni_core::pagination::PageRequest;
use alumni_core::search;
use alumni_membership::model::TagId;
use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::sql::{Bind, Binds};
use crate::model::{DocumentKind, KnowledgeAudience};

/// What a search looks for, and for whom.
#[derive(Debug, Clone)]
pub struct SearchFilter {
    /// Normalised words, all of which must occur (or name a tag the text
    /// carries, see `tag_words`).
    pub words: Vec<SearchWord>,
    /// Only these kinds (all when empty).
    pub kinds: Vec<DocumentKind>,
    /// The audiences the reader belongs to.
    pub audiences: Vec<KnowledgeAudience>,
    /// Now, for board posts' expiry.
    pub now: DateTime<Utc>,
}

/// A word of a query, and the tag it names if it is a tag's name or alias.
#[derive(Debug, Clone)]
pub struct SearchWord {
    /// The normalised word.
    pub word: String,
    /// The tag it names, and every spelling of that tag (its slug and its
    /// aliases'), each of which counts as the word in a text.
    pub tag: Option<(TagId, Vec<String>)>,
}

/// A hit: what was found and its rank.
#[derive(Debug, Clone, QueryableByName)]
pub struct Hit {
    /// The article, question, answer or board post.
    #[diesel(sql_type = SqlUuid)]
    pub subject_id: Uuid,
    /// Which of the four.
    #[diesel(sql_type = Text)]
    pub kind: DocumentKind,
    /// Words found in its title, twice, plus words naming its tags.
    #[diesel(sql_type = Integer)]
    pub rank: i32,
}

/// The condition under which a document holds `word`: its text contains
/// it or one of its tag's spellings, or it carries the tag.
fn holds(word: &SearchWord, binds: &mut Binds, in_title: bool) -> String {
    let mut spellings = vec![word.word.clone()];
    if let Some((_, slugs)) = &word.tag {
        for slug in slugs {
            if !spellings.contains(slug) {
                spellings.push(slug.clone());
            }
        }
    }
    let mut alternatives: Vec<String> = spellings
        .iter()
        .map(|spelling| {
            let pattern = binds.add(Bind::Text(search::contains_pattern(spelling)));
            if in_title {
                format!("split_part(d.search_text, chr(31), 1) LIKE {pattern}")
            } else {
                let grams = binds.add(Bind::Texts(search::term_grams(spelling)));
                format!("(d.search_grams @> {grams} AND d.search_text LIKE {pattern})")
            }
        })
        .collect();
    if let (Some((tag, _)), false) = (&word.tag, in_title) {
        let tag = binds.add(Bind::Uuids(vec![tag.0]));
        alternatives.push(format!("d.tag_ids @> {tag}"));
    }
    format!("({})", alternatives.join(" OR "))
}

/// The conditions every hit meets, and its rank.
fn matching(filter: &SearchFilter, binds: &mut Binds) -> (Vec<String>, String) {
    let mut conditions = vec!["d.listed".to_owned()];
    let now = binds.add(Bind::Time(filter.now));
    conditions.push(format!("(d.expires_at IS NULL OR d.expires_at > {now})"));
    let audiences = binds.add(Bind::Texts(
        filter
            .audiences
            .iter()
            .map(|audience| audience.as_str().to_owned())
            .collect(),
    ));
    conditions.push(format!("d.audience = ANY({audiences})"));
    if !filter.kinds.is_empty() {
        let kinds = binds.add(Bind::Texts(
            filter
                .kinds
                .iter()
                .map(|kind| kind.as_str().to_owned())
                .collect(),
        ));
        conditions.push(format!("d.kind = ANY({kinds})"));
    }
    let mut rank = Vec::new();
    for word in &filter.words {
        conditions.push(holds(word, binds, false));
        rank.push(format!("({})::int * 2", holds(word, binds, true)));
        if let Some((tag, _)) = &word.tag {
            let tag = binds.add(Bind::Uuids(vec![tag.0]));
            rank.push(format!("(d.tag_ids @> {tag})::int"));
        }
    }
    let rank = if rank.is_empty() {
        "0".to_owned()
    } else {
        rank.join(" + ")
    };
    (conditions, rank)
}

/// How many hits a search has, counted up to
/// [`alumni_core::pagination::COUNT_CAP`] (and one more).
pub async fn count(conn: &mut AsyncPgConnection, filter: &SearchFilter) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Counted {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    let mut binds = Binds::default();
    let (conditions, _) = matching(filter, &mut binds);
    let sql = format!(
        "SELECT count(*) AS count FROM (SELECT 1 FROM knowledge.documents d WHERE {} LIMIT {}) c",
        conditions.join(" AND "),
        alumni_core::pagination::COUNT_CAP + 1
    );
    let counted: Counted = binds.bind_to(sql).get_result(conn).await?;
    Ok(counted.count)
}

/// One page of hits, best first: more words in the title first, then
/// newest first (ids are UUID v7), keyed by `(rank, id)`.
pub async fn page(
    conn: &mut AsyncPgConnection,
    filter: &SearchFilter,
    page: &PageRequest<(i32, Uuid)>,
) -> QueryResult<Vec<Hit>> {
    let mut binds = Binds::default();
    let (conditions, rank) = matching(filter, &mut binds);
    let mut sql = format!(
        "SELECT subject_id, kind, rank FROM (SELECT d.subject_id, d.kind, ({rank}) AS rank \
         FROM knowledge.documents d WHERE {}) found",
        conditions.join(" AND ")
    );
    let mut cursors = Vec::new();
    for (key, smaller) in [(&page.after, true), (&page.before, false)] {
        if let Some((rank, id)) = key {
            let rank = binds.add(Bind::Int(*rank));
            let id = binds.add(Bind::Uuid(*id));
            let operator = if smaller { "<" } else { ">" };
            cursors.push(format!("(rank, subject_id) {operator} ({rank}, {id})"));
        }
    }
    if !cursors.is_empty() {
        sql.push_str(&format!(" WHERE {}", cursors.join(" AND ")));
    }
    let direction = if page.reads_in_list_order() {
        "DESC"
    } else {
        "ASC"
    };
    sql.push_str(&format!(
        " ORDER BY rank {direction}, subject_id {direction} LIMIT {}",
        page.fetch_limit()
    ));
    binds.bind_to(sql).load(conn).await
}

#[derive(QueryableByName)]
struct Similar {
    #[diesel(sql_type = SqlUuid)]
    subject_id: Uuid,
}

/// Questions whose searchable text shares most pairs of characters with
/// `grams` (a new question's title), best first. Only the newest 2,000
/// questions sharing any of them are scored, so the cost stays bounded
/// however many questions there are.
pub async fn similar_questions(
    conn: &mut AsyncPgConnection,
    grams: &[String],
    limit: i64,
) -> QueryResult<Vec<Uuid>> {
    let found: Vec<Similar> = diesel::sql_query(
        "WITH candidates AS (\
             SELECT d.subject_id, d.search_grams FROM knowledge.documents d \
             WHERE d.listed AND d.kind = 'QUESTION' AND d.search_grams && $1 \
             ORDER BY d.subject_id DESC LIMIT 2000) \
         SELECT subject_id FROM candidates \
         ORDER BY (SELECT count(*) FROM unnest(search_grams) g WHERE g = ANY($1)) DESC, \
             subject_id DESC \
         LIMIT $2",
    )
    .bind::<diesel::sql_types::Array<Text>, _>(grams)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(conn)
    .await?;
    Ok(found.into_iter().map(|row| row.subject_id).collect())
}
