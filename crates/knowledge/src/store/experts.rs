//! Who knows a subject: members ranked by the evidence a reader may see.

use alumni_core::MemberId;
use alumni_membership::model::TagId;
use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::sql::{Bind, Binds};

/// Weights of the evidence, in points: a declared skill, an accepted
/// answer, another answer marked helpful, an article.
pub const DECLARED_SKILL: i32 = 3;
/// Points per accepted answer.
pub const ACCEPTED_ANSWER: i32 = 4;
/// Points per answer others marked helpful (not accepted).
pub const HELPFUL_ANSWER: i32 = 2;
/// Points per published article.
pub const ARTICLE: i32 = 2;

/// Who reads the list.
#[derive(Debug, Clone)]
pub struct ExpertReader {
    /// The reader.
    pub member: MemberId,
    /// Skill visibilities the reader may see on others' profiles.
    pub readable: Vec<String>,
    /// The audiences the reader belongs to, for articles.
    pub audiences: Vec<crate::model::KnowledgeAudience>,
}

/// A member's evidence for a tag.
#[derive(Debug, Clone, QueryableByName)]
pub struct Evidence {
    /// The member.
    #[diesel(sql_type = SqlUuid)]
    pub member_id: uuid::Uuid,
    /// Whether the reader may see the tag among their skills.
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub declared: bool,
    /// Their accepted answers to questions with the tag.
    #[diesel(sql_type = BigInt)]
    pub accepted_answers: i64,
    /// Their other answers marked helpful, to questions with the tag.
    #[diesel(sql_type = BigInt)]
    pub helpful_answers: i64,
    /// Their published articles with the tag the reader may read.
    #[diesel(sql_type = BigInt)]
    pub articles: i64,
    /// The weighted sum.
    #[diesel(sql_type = Integer)]
    pub score: i32,
}

/// One page of the members with evidence for `tag`, best first, keyed by
/// `(score, member)`. Only active members listed in the directory (or the
/// reader), and only evidence the reader may see: skills by their
/// visibility, answers on visible questions, articles of the reader's
/// audience.
pub async fn page(
    conn: &mut AsyncPgConnection,
    tag: TagId,
    reader: &ExpertReader,
    after: Option<(i32, uuid::Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Evidence>> {
    let mut binds = Binds::default();
    let mut sql = ranked(tag, reader, &mut binds);
    if let Some((score, member)) = after {
        let score = binds.add(Bind::Int(score));
        let member = binds.add(Bind::Uuid(member));
        sql.push_str(&format!(" WHERE (score, member_id) < ({score}, {member})"));
    }
    sql.push_str(&format!(
        " ORDER BY score DESC, member_id DESC LIMIT {}",
        limit.max(0)
    ));
    binds.bind_to(sql).load(conn).await
}

/// How many members [`page`] ranks for `tag`.
pub async fn count(
    conn: &mut AsyncPgConnection,
    tag: TagId,
    reader: &ExpertReader,
) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Counted {
        #[diesel(sql_type = BigInt)]
        count: i64,
    }
    let mut binds = Binds::default();
    let sql = ranked(tag, reader, &mut binds).replacen(
        "SELECT * FROM ranked",
        "SELECT count(*) AS count FROM ranked",
        1,
    );
    let counted: Counted = binds.bind_to(sql).get_result(conn).await?;
    Ok(counted.count)
}

/// The statement ranking every member with evidence (`SELECT * FROM
/// ranked` at its end).
fn ranked(tag: TagId, reader: &ExpertReader, binds: &mut Binds) -> String {
    let tag = binds.add(Bind::Uuid(tag.0));
    let me = binds.add(Bind::Uuid(reader.member.0));
    let readable = binds.add(Bind::Texts(reader.readable.clone()));
    let audiences = binds.add(Bind::Texts(
        reader
            .audiences
            .iter()
            .map(|audience| audience.as_str().to_owned())
            .collect(),
    ));
    format!(
        "WITH evidence AS (\
             SELECT s.member_id, 1 AS declared, 0 AS accepted, 0 AS helpful, 0 AS articles \
             FROM membership.member_skills s JOIN membership.profiles p ON p.member_id = s.member_id \
             WHERE s.tag_id = {tag} AND (s.member_id = {me} OR p.skills_visibility = ANY({readable})) \
           UNION ALL \
             SELECT a.author_id, 0, (q.accepted_answer_id = a.id)::int, \
                 (q.accepted_answer_id IS DISTINCT FROM a.id)::int, 0 \
             FROM knowledge.question_tags t JOIN knowledge.questions q ON q.id = t.question_id \
             JOIN knowledge.answers a ON a.question_id = q.id \
             WHERE t.tag_id = {tag} AND q.moderation = 'VISIBLE' AND a.moderation = 'VISIBLE' \
             AND a.author_id IS NOT NULL AND (q.accepted_answer_id = a.id OR a.helpful_count > 0) \
           UNION ALL \
             SELECT ar.author_id, 0, 0, 0, 1 \
             FROM knowledge.article_tags t JOIN knowledge.articles ar ON ar.id = t.article_id \
             WHERE t.tag_id = {tag} AND ar.state = 'PUBLISHED' AND ar.moderation = 'VISIBLE' \
             AND ar.audience = ANY({audiences})), \
         ranked AS (\
             SELECT e.member_id, max(e.declared) = 1 AS declared, \
                 sum(e.accepted)::bigint AS accepted_answers, sum(e.helpful)::bigint AS helpful_answers, \
                 sum(e.articles)::bigint AS articles, \
                 ({DECLARED_SKILL} * max(e.declared) + {ACCEPTED_ANSWER} * sum(e.accepted) \
                  + {HELPFUL_ANSWER} * sum(e.helpful) + {ARTICLE} * sum(e.articles))::int AS score \
             FROM evidence e \
             JOIN membership.profiles p ON p.member_id = e.member_id \
             JOIN membership.members m ON m.id = e.member_id \
             WHERE m.status = 'ACTIVE' AND (p.listed_in_directory OR e.member_id = {me}) \
             GROUP BY e.member_id) \
         SELECT * FROM ranked"
    )
}
