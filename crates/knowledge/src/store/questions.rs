//! Questions and answers.

use alumni_core::MemberId;
use alumni_core::moderation::ModerationState;
use alumni_core::pagination::{ListOrder, PageRequest, seek};
use alumni_membership::model::TagId;
use chrono::{DateTime, Utc};
use diesel::dsl::exists;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::model::{AnswerId, AnswerRecord, QuestionId, QuestionRecord};
use crate::schema::knowledge::{answers, question_routes, question_tags, questions};

/// Which questions a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionList {
    /// Newest first, all of them.
    Newest,
    /// Without a visible answer and not closed as a duplicate, newest
    /// first.
    Unanswered,
    /// With an answer, latest answer first.
    RecentlyAnswered,
    /// Unanswered after every round of routing, handed to the secretariat.
    Escalated,
}

/// A list's filters.
#[derive(Debug, Clone, Copy)]
pub struct QuestionFilter {
    /// Which list.
    pub list: QuestionList,
    /// Only questions with this tag.
    pub tag: Option<TagId>,
    /// Only questions by this member.
    pub author: Option<MemberId>,
    /// Held and hidden questions too (moderators).
    pub withheld: bool,
}

/// The key of every question list: a time and the id (for `Newest`,
/// `Unanswered` and `Escalated` the time is the id's own, UUID v7).
pub type QuestionKey = (DateTime<Utc>, Uuid);

/// Saves a new question.
pub async fn insert(conn: &mut AsyncPgConnection, question: &QuestionRecord) -> QueryResult<()> {
    diesel::insert_into(questions::table)
        .values(question)
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces a question's text.
pub async fn update_text(
    conn: &mut AsyncPgConnection,
    id: QuestionId,
    title: &str,
    body: &str,
    body_html: &str,
    moderation: ModerationState,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(questions::table.find(id))
        .set((
            questions::title.eq(title),
            questions::body.eq(body),
            questions::body_html.eq(body_html),
            questions::moderation.eq(moderation),
            questions::updated_at.eq(at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A question, locked for the rest of the transaction.
pub async fn lock(
    conn: &mut AsyncPgConnection,
    id: QuestionId,
) -> QueryResult<Option<QuestionRecord>> {
    questions::table
        .find(id)
        .select(QuestionRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Questions by id, in no order.
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[QuestionId],
) -> QueryResult<Vec<QuestionRecord>> {
    questions::table
        .filter(questions::id.eq_any(ids))
        .select(QuestionRecord::as_select())
        .load(conn)
        .await
}

/// The accepted answer, or none.
pub async fn set_accepted(
    conn: &mut AsyncPgConnection,
    id: QuestionId,
    answer: Option<AnswerId>,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(questions::table.find(id))
        .set((
            questions::accepted_answer_id.eq(answer),
            questions::updated_at.eq(at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Closes a question as a duplicate of another, or reopens it (`None`).
pub async fn set_duplicate_of(
    conn: &mut AsyncPgConnection,
    id: QuestionId,
    original: Option<QuestionId>,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(questions::table.find(id))
        .set((
            questions::duplicate_of_id.eq(original),
            questions::updated_at.eq(at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Questions closed as duplicates of `id` move on to `id`'s own original
/// when `id` is closed in turn, so no chain forms.
pub async fn repoint_duplicates(
    conn: &mut AsyncPgConnection,
    id: QuestionId,
    original: QuestionId,
) -> QueryResult<()> {
    diesel::update(questions::table.filter(questions::duplicate_of_id.eq(id)))
        .set(questions::duplicate_of_id.eq(original))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a round of routing done.
pub async fn set_routing_round(
    conn: &mut AsyncPgConnection,
    id: QuestionId,
    round: i16,
) -> QueryResult<()> {
    diesel::update(questions::table.find(id))
        .set(questions::routing_round.eq(round))
        .execute(conn)
        .await?;
    Ok(())
}

/// Hands a still unanswered question to the secretariat.
pub async fn escalate(
    conn: &mut AsyncPgConnection,
    id: QuestionId,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(questions::table.find(id))
        .set(questions::escalated_at.eq(at))
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces a question's tags.
pub async fn set_tags(
    conn: &mut AsyncPgConnection,
    id: QuestionId,
    tags: &[TagId],
) -> QueryResult<()> {
    diesel::delete(question_tags::table.filter(question_tags::question_id.eq(id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = tags
        .iter()
        .map(|tag| {
            (
                question_tags::question_id.eq(id),
                question_tags::tag_id.eq(*tag),
            )
        })
        .collect();
    diesel::insert_into(question_tags::table)
        .values(rows)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(())
}

/// The tags of several questions, for the tags loader.
pub async fn tags_of(
    conn: &mut AsyncPgConnection,
    ids: &[QuestionId],
) -> QueryResult<Vec<(QuestionId, TagId)>> {
    question_tags::table
        .filter(question_tags::question_id.eq_any(ids))
        .select((question_tags::question_id, question_tags::tag_id))
        .load(conn)
        .await
}

fn listed(filter: &QuestionFilter) -> questions::BoxedQuery<'static, Pg> {
    let mut query = questions::table.into_boxed();
    if !filter.withheld {
        query = query.filter(questions::moderation.eq(ModerationState::Visible));
    }
    match filter.list {
        QuestionList::Newest => {}
        QuestionList::Unanswered => {
            query = query
                .filter(questions::answer_count.eq(0))
                .filter(questions::duplicate_of_id.is_null());
        }
        QuestionList::RecentlyAnswered => {
            query = query.filter(questions::last_answer_at.is_not_null());
        }
        QuestionList::Escalated => {
            query = query
                .filter(questions::escalated_at.is_not_null())
                .filter(questions::answer_count.eq(0));
        }
    }
    if let Some(tag) = filter.tag {
        query = query.filter(exists(
            question_tags::table
                .filter(question_tags::question_id.eq(questions::id))
                .filter(question_tags::tag_id.eq(tag)),
        ));
    }
    if let Some(author) = filter.author {
        query = query.filter(questions::author_id.eq(author));
    }
    query
}

/// One page of a question list, in reading order.
pub async fn page(
    conn: &mut AsyncPgConnection,
    filter: &QuestionFilter,
    page: &PageRequest<QuestionKey>,
) -> QueryResult<Vec<QuestionRecord>> {
    let query = listed(filter).select(QuestionRecord::as_select());
    match filter.list {
        QuestionList::RecentlyAnswered => {
            seek(
                query,
                page,
                (questions::last_answer_at.assume_not_null(), questions::id),
                ListOrder::Descending,
            )
            .load(conn)
            .await
        }
        QuestionList::Escalated => {
            seek(
                query,
                page,
                (questions::escalated_at.assume_not_null(), questions::id),
                ListOrder::Descending,
            )
            .load(conn)
            .await
        }
        QuestionList::Newest | QuestionList::Unanswered => {
            seek(
                query,
                page,
                (questions::created_at, questions::id),
                ListOrder::Descending,
            )
            .load(conn)
            .await
        }
    }
}

/// The key of a question in `list`.
pub fn key(question: &QuestionRecord, list: QuestionList) -> QuestionKey {
    let at = match list {
        QuestionList::RecentlyAnswered => question.last_answer_at,
        QuestionList::Escalated => question.escalated_at,
        QuestionList::Newest | QuestionList::Unanswered => None,
    };
    (at.unwrap_or(question.created_at), question.id.0)
}

/// How many questions a list holds, counted up to a cap.
pub async fn count(conn: &mut AsyncPgConnection, filter: &QuestionFilter) -> QueryResult<i64> {
    alumni_core::pagination::capped_count(listed(filter).select(questions::id))
        .get_result(conn)
        .await
}

/// Saves a new answer, and counts it on its question when it is visible.
pub async fn insert_answer(conn: &mut AsyncPgConnection, answer: &AnswerRecord) -> QueryResult<()> {
    diesel::insert_into(answers::table)
        .values(answer)
        .execute(conn)
        .await?;
    recount_answers(conn, answer.question_id).await
}

/// Replaces an answer's text.
pub async fn update_answer(
    conn: &mut AsyncPgConnection,
    id: AnswerId,
    body: &str,
    body_html: &str,
    moderation: ModerationState,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(answers::table.find(id))
        .set((
            answers::body.eq(body),
            answers::body_html.eq(body_html),
            answers::moderation.eq(moderation),
            answers::updated_at.eq(at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Answers by id, in no order.
pub async fn answers_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[AnswerId],
) -> QueryResult<Vec<AnswerRecord>> {
    answers::table
        .filter(answers::id.eq_any(ids))
        .select(AnswerRecord::as_select())
        .load(conn)
        .await
}

/// Most answers shown under one question (the rest are paged on the
/// question itself).
pub const ANSWERS_PER_QUESTION: i64 = 100;

/// The answers of several questions, oldest first, at most
/// [`ANSWERS_PER_QUESTION`] each, read along `answers_question_idx` per
/// question: visible ones, and with `withheld` (the reader moderates) the
/// others too, and `own` (the reader's own) whatever their state.
pub async fn answers_of(
    conn: &mut AsyncPgConnection,
    questions: &[QuestionId],
    withheld: bool,
    own: Option<MemberId>,
) -> QueryResult<Vec<AnswerRecord>> {
    let ids: Vec<Uuid> = questions.iter().map(|id| id.0).collect();
    diesel::sql_query(
        "SELECT a.* FROM unnest($1::uuid[]) AS q(id), LATERAL (\
             SELECT * FROM knowledge.answers a WHERE a.question_id = q.id \
             AND ($2 OR a.moderation = 'VISIBLE' OR a.author_id = $3) \
             ORDER BY a.id LIMIT $4) a",
    )
    .bind::<Array<SqlUuid>, _>(ids)
    .bind::<Bool, _>(withheld)
    .bind::<Nullable<SqlUuid>, _>(own.map(|member| member.0))
    .bind::<BigInt, _>(ANSWERS_PER_QUESTION)
    .load(conn)
    .await
}

/// How many answers a question holds, whatever their state.
pub async fn answer_total(conn: &mut AsyncPgConnection, id: QuestionId) -> QueryResult<i64> {
    answers::table
        .filter(answers::question_id.eq(id))
        .count()
        .get_result(conn)
        .await
}

/// Recounts the visible answers of a question and the time of its latest.
pub async fn recount_answers(conn: &mut AsyncPgConnection, id: QuestionId) -> QueryResult<()> {
    diesel::sql_query(RECOUNT)
        .bind::<SqlUuid, _>(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

const RECOUNT: &str = "UPDATE knowledge.questions q SET \
     answer_count = (SELECT count(*) FROM knowledge.answers a \
         WHERE a.question_id = q.id AND a.moderation = 'VISIBLE'), \
     last_answer_at = (SELECT max(a.created_at) FROM knowledge.answers a \
         WHERE a.question_id = q.id AND a.moderation = 'VISIBLE') \
     WHERE q.id = $1";

/// Recounts the visible answers of the question `answer` belongs to,
/// after the answer's moderation changed.
pub async fn recount_answers_of_answer(
    conn: &mut AsyncPgConnection,
    answer: Uuid,
) -> QueryResult<()> {
    let question: Option<QuestionId> = answers::table
        .find(AnswerId(answer))
        .select(answers::question_id)
        .first(conn)
        .await
        .optional()?;
    match question {
        Some(question) => recount_answers(conn, question).await,
        None => Ok(()),
    }
}

/// How many members were asked about each question, by round.
pub async fn route_counts(
    conn: &mut AsyncPgConnection,
    ids: &[QuestionId],
) -> QueryResult<Vec<(QuestionId, i16, i64)>> {
    question_routes::table
        .filter(question_routes::question_id.eq_any(ids))
        .group_by((question_routes::question_id, question_routes::round))
        .select((
            question_routes::question_id,
            question_routes::round,
            diesel::dsl::count_star(),
        ))
        .load(conn)
        .await
}
