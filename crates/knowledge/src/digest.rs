//! The knowledge community's section of the activity digest: answers to
//! the member's questions, unanswered questions on their skills, and new
//! articles in tags they follow, each since their last visit.

use alumni_core::AppResult;
use alumni_core::domain::BoxFuture;
use alumni_notify::digest::{DigestItem, DigestReader, DigestSection, DigestSource};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::KnowledgeAudience;

/// Three statements: answers to the member's questions, unanswered
/// questions tagged with their skills, articles in the tags they follow.
pub struct KnowledgeDigest;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = BigInt)]
    count: i64,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

const ANSWERS_TO_MINE: &str = "SELECT q.id, q.title, count(*) AS count, count(*) OVER () AS total \
     FROM knowledge.answers a JOIN knowledge.questions q ON q.id = a.question_id \
     WHERE q.author_id = $1 AND a.created_at > $2 AND a.moderation = 'VISIBLE' \
     AND q.moderation = 'VISIBLE' AND a.author_id IS DISTINCT FROM $1 \
     GROUP BY q.id, q.title ORDER BY max(a.created_at) DESC LIMIT $3";

const UNANSWERED_ON_MY_SKILLS: &str = "SELECT q.id, q.title, 0::bigint AS count, count(*) OVER () AS total \
     FROM knowledge.questions q \
     WHERE q.created_at > $2 AND q.answer_count = 0 AND q.duplicate_of_id IS NULL \
     AND q.moderation = 'VISIBLE' AND q.author_id IS DISTINCT FROM $1 \
     AND EXISTS (SELECT 1 FROM knowledge.question_tags t JOIN membership.member_skills s \
         ON s.tag_id = t.tag_id WHERE t.question_id = q.id AND s.member_id = $1) \
     ORDER BY q.id DESC LIMIT $3";

const ARTICLES_IN_FOLLOWED_TAGS: &str = "SELECT ar.id, ar.title, 0::bigint AS count, count(*) OVER () AS total \
     FROM knowledge.articles ar \
     WHERE ar.state = 'PUBLISHED' AND ar.moderation = 'VISIBLE' AND ar.published_at > $2 \
     AND ar.author_id <> $1 \
     AND ar.audience = ANY($4) \
     AND EXISTS (SELECT 1 FROM knowledge.article_tags t JOIN knowledge.tag_follows f \
         ON f.tag_id = t.tag_id WHERE t.article_id = ar.id AND f.member_id = $1) \
     ORDER BY ar.published_at DESC LIMIT $3";

async fn rows(
    conn: &mut AsyncPgConnection,
    sql: &'static str,
    reader: &DigestReader,
    limit: i64,
) -> AppResult<Vec<Row>> {
    let audiences: Vec<&str> = KnowledgeAudience::admitted(reader.roles)
        .into_iter()
        .map(KnowledgeAudience::as_str)
        .collect();
    let query = diesel::sql_query(sql)
        .bind::<SqlUuid, _>(reader.member_id.0)
        .bind::<Timestamptz, _>(reader.since)
        .bind::<BigInt, _>(limit);
    let found = if sql.contains("$4") {
        query.bind::<Array<Text>, _>(audiences).load(conn).await?
    } else {
        query.load(conn).await?
    };
    Ok(found)
}

impl DigestSource for KnowledgeDigest {
    fn section<'a>(
        &'a self,
        conn: &'a mut AsyncPgConnection,
        reader: &'a DigestReader,
    ) -> BoxFuture<'a, AppResult<Option<DigestSection>>> {
        Box::pin(async move {
            let limit = reader.limit.max(0);
            let answered = rows(conn, ANSWERS_TO_MINE, reader, limit).await?;
            let unanswered = rows(conn, UNANSWERED_ON_MY_SKILLS, reader, limit).await?;
            let articles = rows(conn, ARTICLES_IN_FOLLOWED_TAGS, reader, limit).await?;
            let total: i64 = [&answered, &unanswered, &articles]
                .iter()
                .map(|rows| rows.iter().map(|row| row.total).max().unwrap_or(0))
                .sum();
            if total == 0 {
                return Ok(None);
            }
            let items: Vec<DigestItem> = answered
                .into_iter()
                .map(|row| DigestItem {
                    details: vec![format!("あなたの質問に {} 件の回答がありました", row.count)],
                    title: row.title,
                    path: Some(format!("/knowledge/questions/{}", row.id)),
                })
                .chain(unanswered.into_iter().map(|row| DigestItem {
                    details: vec!["あなたのスキルに関わる、まだ回答のない質問です".to_owned()],
                    title: row.title,
                    path: Some(format!("/knowledge/questions/{}", row.id)),
                }))
                .chain(articles.into_iter().map(|row| DigestItem {
                    details: vec!["フォロー中のタグの新しい記事です".to_owned()],
                    title: row.title,
                    path: Some(format!("/knowledge/articles/{}", row.id)),
                }))
                .take(usize::try_from(limit).unwrap_or(0))
                .collect();
            let shown = i64::try_from(items.len()).unwrap_or(0);
            Ok(Some(DigestSection {
                title: "技術コミュニティ".to_owned(),
                more: (total - shown).max(0),
                items,
            }))
        })
    }
}
