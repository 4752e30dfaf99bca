//! Questions and answers.

use diesel::QueryResult;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

/// Recounts the visible answers of the question `answer` belongs to,
/// after the answer's moderation changed.
pub async fn recount_answers_of_answer(
    conn: &mut AsyncPgConnection,
    answer: Uuid,
) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE knowledge.questions q SET answer_count = (SELECT count(*) FROM knowledge.answers a \
         WHERE a.question_id = q.id AND a.moderation = 'VISIBLE') \
         WHERE q.id = (SELECT question_id FROM knowledge.answers WHERE id = $1)",
    )
    .bind::<SqlUuid, _>(answer)
    .execute(conn)
    .await?;
    Ok(())
}
