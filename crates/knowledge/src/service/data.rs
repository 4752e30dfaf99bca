//! A member's data rights here: their export, what leaving erases, and
//! merging tags.

use alumni_core::domain::Leaving;
use alumni_core::{AppResult, MemberId};
use diesel::QueryableByName;
use diesel::sql_types::{Jsonb, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KnowledgeService;

/// Each part of the export: its key and the rows, as JSON, of what the
/// member wrote or chose here (`$1` is the member).
const EXPORT: &[(&str, &str)] = &[
    (
        "articles",
        "SELECT a.id, a.title, a.body, a.audience, a.state, a.created_at, a.updated_at, \
         a.published_at, ARRAY(SELECT t.name FROM knowledge.article_tags x \
         JOIN membership.tags t ON t.id = x.tag_id WHERE x.article_id = a.id) AS tags \
         FROM knowledge.articles a WHERE a.author_id = $1 ORDER BY a.id",
    ),
    (
        "articleComments",
        "SELECT id, article_id, body, created_at FROM knowledge.article_comments \
         WHERE author_id = $1 AND deleted_at IS NULL ORDER BY id",
    ),
    (
        "questions",
        "SELECT q.id, q.title, q.body, q.created_at, q.updated_at, ARRAY(SELECT t.name \
         FROM knowledge.question_tags x JOIN membership.tags t ON t.id = x.tag_id \
         WHERE x.question_id = q.id) AS tags FROM knowledge.questions q \
         WHERE q.author_id = $1 ORDER BY q.id",
    ),
    (
        "answers",
        "SELECT id, question_id, body, created_at, updated_at FROM knowledge.answers \
         WHERE author_id = $1 ORDER BY id",
    ),
    (
        "helpfulMarks",
        "SELECT subject_id, created_at FROM knowledge.helpful_marks WHERE member_id = $1 \
         ORDER BY created_at",
    ),
    (
        "followedTags",
        "SELECT t.name, f.created_at FROM knowledge.tag_follows f \
         JOIN membership.tags t ON t.id = f.tag_id WHERE f.member_id = $1 ORDER BY t.slug",
    ),
    (
        "availability",
        "SELECT t.name AS tag, a.availability, a.max_open_requests, a.updated_at \
         FROM knowledge.skill_availability a JOIN membership.tags t ON t.id = a.tag_id \
         WHERE a.member_id = $1 ORDER BY t.slug",
    ),
    (
        "expertSettings",
        "SELECT accepts_consultations, max_pending, updated_at FROM knowledge.expert_settings \
         WHERE member_id = $1",
    ),
    (
        "questionsRoutedToMe",
        "SELECT question_id, round, routed_at FROM knowledge.question_routes \
         WHERE member_id = $1 ORDER BY routed_at",
    ),
    (
        "consultationsRequested",
        "SELECT c.id, c.expert_id, c.topic, c.message, c.state, c.reply, c.created_at, \
         c.responded_at, ARRAY(SELECT t.name FROM knowledge.consultation_tags x \
         JOIN membership.tags t ON t.id = x.tag_id WHERE x.consultation_id = c.id) AS tags \
         FROM knowledge.consultations c WHERE c.requester_id = $1 ORDER BY c.id",
    ),
    (
        "consultationsReceived",
        "SELECT id, requester_id, topic, message, state, reply, share_email, created_at, \
         responded_at FROM knowledge.consultations WHERE expert_id = $1 ORDER BY id",
    ),
    (
        "boardPosts",
        "SELECT b.id, b.kind, b.direction, b.title, b.body, b.created_at, b.updated_at, \
         b.expires_at, b.closed_at, ARRAY(SELECT t.name FROM knowledge.board_post_tags x \
         JOIN membership.tags t ON t.id = x.tag_id WHERE x.post_id = b.id) AS tags \
         FROM knowledge.board_posts b WHERE b.author_id = $1 ORDER BY b.id",
    ),
    (
        "boardInterests",
        "SELECT post_id, message, created_at FROM knowledge.board_interests \
         WHERE member_id = $1 ORDER BY created_at",
    ),
];

/// What leaving erases, in order (`$1` is the member). Counts kept on
/// other members' content are recomputed before the marks behind them
/// go.
const ERASE: &[&str] = &[
    "UPDATE knowledge.articles a SET helpful_count = helpful_count - 1 \
     FROM knowledge.helpful_marks m WHERE m.subject_id = a.id AND m.member_id = $1",
    "UPDATE knowledge.questions q SET helpful_count = helpful_count - 1 \
     FROM knowledge.helpful_marks m WHERE m.subject_id = q.id AND m.member_id = $1",
    "UPDATE knowledge.answers a SET helpful_count = helpful_count - 1 \
     FROM knowledge.helpful_marks m WHERE m.subject_id = a.id AND m.member_id = $1",
    "DELETE FROM knowledge.helpful_marks WHERE member_id = $1",
    "DELETE FROM knowledge.documents WHERE kind IN ('ARTICLE', 'BOARD_POST') AND author_id = $1",
    // Others' marks on the member's articles go with the articles.
    "DELETE FROM knowledge.helpful_marks m USING knowledge.articles a \
     WHERE m.subject_id = a.id AND a.author_id = $1",
    "DELETE FROM knowledge.articles WHERE author_id = $1",
    "UPDATE knowledge.article_comments SET body = '', author_id = NULL, \
     deleted_at = coalesce(deleted_at, now()) WHERE author_id = $1",
    "DELETE FROM knowledge.tag_follows WHERE member_id = $1",
    "DELETE FROM knowledge.skill_availability WHERE member_id = $1",
    "DELETE FROM knowledge.expert_settings WHERE member_id = $1",
    "DELETE FROM knowledge.question_routes WHERE member_id = $1",
    "DELETE FROM knowledge.consultations WHERE requester_id = $1 OR expert_id = $1",
    "DELETE FROM knowledge.board_interests WHERE member_id = $1",
    "DELETE FROM knowledge.board_posts WHERE author_id = $1",
];

/// Erasing the member's questions and answers too, when they ask for it:
/// their answers go (the questions' counts follow), then their questions
/// with everything under them.
const ERASE_CONTRIBUTIONS: &[&str] = &[
    "DELETE FROM knowledge.documents WHERE kind = 'ANSWER' AND author_id = $1",
    // Counted before the answers go: a statement sees the rows as they
    // were when it began.
    "UPDATE knowledge.questions q SET \
     answer_count = (SELECT count(*) FROM knowledge.answers a WHERE a.question_id = q.id \
         AND a.moderation = 'VISIBLE' AND a.author_id IS DISTINCT FROM $1), \
     last_answer_at = (SELECT max(a.created_at) FROM knowledge.answers a WHERE a.question_id = q.id \
         AND a.moderation = 'VISIBLE' AND a.author_id IS DISTINCT FROM $1) \
     WHERE q.id IN (SELECT question_id FROM knowledge.answers WHERE author_id = $1)",
    "DELETE FROM knowledge.answers WHERE author_id = $1",
    "DELETE FROM knowledge.documents WHERE kind = 'QUESTION' AND author_id = $1",
    "DELETE FROM knowledge.questions WHERE author_id = $1",
];

/// Keeping them under "withdrawn member": only the link to the member goes.
const RELEASE_CONTRIBUTIONS: &[&str] = &[
    "UPDATE knowledge.documents SET author_id = NULL WHERE author_id = $1",
    "UPDATE knowledge.answers SET author_id = NULL WHERE author_id = $1",
    "UPDATE knowledge.questions SET author_id = NULL WHERE author_id = $1",
];

/// Moving references from one tag to another (`$1` from, `$2` into):
/// rows that would repeat a reference to `into` are dropped first.
const MERGE_TAG: &[&str] = &[
    "DELETE FROM knowledge.article_tags x WHERE tag_id = $1 AND EXISTS (SELECT 1 FROM \
     knowledge.article_tags y WHERE y.article_id = x.article_id AND y.tag_id = $2)",
    "UPDATE knowledge.article_tags SET tag_id = $2 WHERE tag_id = $1",
    "DELETE FROM knowledge.question_tags x WHERE tag_id = $1 AND EXISTS (SELECT 1 FROM \
     knowledge.question_tags y WHERE y.question_id = x.question_id AND y.tag_id = $2)",
    "UPDATE knowledge.question_tags SET tag_id = $2 WHERE tag_id = $1",
    "DELETE FROM knowledge.consultation_tags x WHERE tag_id = $1 AND EXISTS (SELECT 1 FROM \
     knowledge.consultation_tags y WHERE y.consultation_id = x.consultation_id AND y.tag_id = $2)",
    "UPDATE knowledge.consultation_tags SET tag_id = $2 WHERE tag_id = $1",
    "DELETE FROM knowledge.board_post_tags x WHERE tag_id = $1 AND EXISTS (SELECT 1 FROM \
     knowledge.board_post_tags y WHERE y.post_id = x.post_id AND y.tag_id = $2)",
    "UPDATE knowledge.board_post_tags SET tag_id = $2 WHERE tag_id = $1",
    "DELETE FROM knowledge.tag_follows x WHERE tag_id = $1 AND EXISTS (SELECT 1 FROM \
     knowledge.tag_follows y WHERE y.member_id = x.member_id AND y.tag_id = $2)",
    "UPDATE knowledge.tag_follows SET tag_id = $2 WHERE tag_id = $1",
    // A member open on one tag and closed on the other keeps the more
    // reserved choice.
    "DELETE FROM knowledge.skill_availability x WHERE tag_id = $2 AND availability <> 'CLOSED' \
     AND EXISTS (SELECT 1 FROM knowledge.skill_availability y WHERE y.member_id = x.member_id \
     AND y.tag_id = $1 AND y.availability = 'CLOSED')",
    "DELETE FROM knowledge.skill_availability x WHERE tag_id = $1 AND EXISTS (SELECT 1 FROM \
     knowledge.skill_availability y WHERE y.member_id = x.member_id AND y.tag_id = $2)",
    "UPDATE knowledge.skill_availability SET tag_id = $2 WHERE tag_id = $1",
    "UPDATE knowledge.documents SET tag_ids = ARRAY(SELECT DISTINCT unnest(array_replace(tag_ids, $1, $2))) \
     WHERE $1 = ANY(tag_ids)",
];

#[derive(QueryableByName)]
struct Rows {
    #[diesel(sql_type = Jsonb)]
    rows: serde_json::Value,
}

impl KnowledgeService {
    /// Everything the member wrote or chose here, for their data export.
    pub async fn export_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        member: MemberId,
    ) -> AppResult<serde_json::Value> {
        let mut export = serde_json::Map::new();
        for (key, query) in EXPORT {
            let found: Rows = diesel::sql_query(format!(
                "SELECT coalesce(jsonb_agg(to_jsonb(part)), '[]'::jsonb) AS rows FROM ({query}) part"
            ))
            .bind::<SqlUuid, _>(member.0)
            .get_result(conn)
            .await?;
            export.insert((*key).to_owned(), found.rows);
        }
        Ok(serde_json::Value::Object(export))
    }

    /// Erases what a leaving member holds here. Their questions and
    /// answers stay without their name (they help others) unless they
    /// chose to erase them too.
    pub async fn forget_member_in(
        &self,
        conn: &mut AsyncPgConnection,
        leaving: Leaving,
    ) -> AppResult<()> {
        let contributions = if leaving.erase_contributions {
            ERASE_CONTRIBUTIONS
        } else {
            RELEASE_CONTRIBUTIONS
        };
        for statement in ERASE.iter().chain(contributions) {
            diesel::sql_query(*statement)
                .bind::<SqlUuid, _>(leaving.member.0)
                .execute(conn)
                .await?;
        }
        Ok(())
    }
}

/// Moves every reference to the tag `from` onto `into`.
pub async fn merge_tag_in(conn: &mut AsyncPgConnection, from: Uuid, into: Uuid) -> AppResult<()> {
    for statement in MERGE_TAG {
        diesel::sql_query(*statement)
            .bind::<SqlUuid, _>(from)
            .bind::<SqlUuid, _>(into)
            .execute(conn)
            .await?;
    }
    Ok(())
}
