use alumni_core::MemberId;
use alumni_core::pagination::{ListOrder, PageRequest, capped_count, seek};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::dsl::{count_star, exists, max};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{
    AnswerRecord, QuestionRecord, ResponseRecord, SurveyAudience, SurveyId, SurveyQuestionId,
    SurveyRecord,
};
use crate::schema::feedback::{survey_participation, survey_questions, survey_responses, surveys};

/// Which surveys a viewer may see.
#[derive(Debug, Clone)]
pub struct Visibility {
    /// Every survey (the secretariat and analysts).
    pub all: bool,
    /// Otherwise: surveys for these audiences, while open or once their
    /// results are published.
    pub audiences: Vec<SurveyAudience>,
    /// The moment "open" is decided at.
    pub now: DateTime<Utc>,
}

/// What a list of surveys is narrowed to.
#[derive(Debug, Clone)]
pub struct SurveyQuery {
    /// What the viewer may see.
    pub visibility: Visibility,
    /// Only open surveys (`true`) or only those not open (`false`).
    pub open: Option<bool>,
}

/// The sort key of survey lists: newest first.
pub type SurveyKey = (DateTime<Utc>, uuid::Uuid);

type SurveysQuery = surveys::BoxedQuery<'static, Pg>;

fn visible(visibility: &Visibility) -> SurveysQuery {
    let query = surveys::table.into_boxed();
    if visibility.all {
        return query;
    }
    let now = visibility.now;
    query
        .filter(surveys::audience.eq_any(visibility.audiences.clone()))
        .filter(
            surveys::opens_at
                .le(now)
                .and(surveys::closes_at.gt(now))
                .or(surveys::results_published.eq(true)),
        )
}

fn filtered(filter: &SurveyQuery) -> SurveysQuery {
    let now = filter.visibility.now;
    let query = visible(&filter.visibility);
    match filter.open {
        Some(true) => query.filter(surveys::opens_at.le(now).and(surveys::closes_at.gt(now))),
        Some(false) => query.filter(
            surveys::opens_at
                .is_null()
                .or(surveys::opens_at.gt(now))
                .or(surveys::closes_at.le(now)),
        ),
        None => query,
    }
}

/// Saves a new survey.
pub async fn insert(conn: &mut AsyncPgConnection, survey: &SurveyRecord) -> QueryResult<()> {
    diesel::insert_into(surveys::table)
        .values(survey)
        .execute(conn)
        .await
        .map(drop)
}

/// Surveys by id, as far as `visibility` allows.
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    visibility: &Visibility,
    ids: &[SurveyId],
) -> QueryResult<Vec<SurveyRecord>> {
    visible(visibility)
        .filter(surveys::id.eq_any(ids))
        .select(SurveyRecord::as_select())
        .load(conn)
        .await
}

/// One survey, locked until the transaction ends: shared by responses
/// (which may run side by side), exclusive for the secretariat's changes,
/// so a response is never checked against questions or dates that are
/// changing.
pub async fn lock(
    conn: &mut AsyncPgConnection,
    id: SurveyId,
    exclusive: bool,
) -> QueryResult<Option<SurveyRecord>> {
    let query = surveys::table.find(id).select(SurveyRecord::as_select());
    if exclusive {
        query.for_update().first(conn).await.optional()
    } else {
        query.for_share().first(conn).await.optional()
    }
}

/// A page of surveys, newest first.
pub async fn page(
    conn: &mut AsyncPgConnection,
    filter: &SurveyQuery,
    page: &PageRequest<SurveyKey>,
) -> QueryResult<Vec<SurveyRecord>> {
    seek(
        filtered(filter).select(SurveyRecord::as_select()),
        page,
        (surveys::created_at, surveys::id),
        ListOrder::Descending,
    )
    .load(conn)
    .await
}

/// How many surveys the filter matches (see [`capped_count`]).
pub async fn count(conn: &mut AsyncPgConnection, filter: &SurveyQuery) -> QueryResult<i64> {
    capped_count(filtered(filter).select(surveys::id))
        .get_result(conn)
        .await
}

/// What the secretariat may change before a survey opens.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = surveys)]
pub struct SurveyChanges {
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// Who is asked.
    pub audience: SurveyAudience,
    /// When it closes.
    pub closes_at: DateTime<Utc>,
    /// The smallest group shown.
    pub min_group: i32,
    /// The smallest group whose free texts are shown.
    pub min_text_group: i32,
    /// Now.
    pub updated_at: DateTime<Utc>,
}

/// Changes a survey's details.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: SurveyId,
    changes: &SurveyChanges,
) -> QueryResult<SurveyRecord> {
    diesel::update(surveys::table.find(id))
        .set(changes)
        .returning(SurveyRecord::as_returning())
        .get_result(conn)
        .await
}

/// Sets when a survey opens and closes.
pub async fn set_schedule(
    conn: &mut AsyncPgConnection,
    id: SurveyId,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QueryResult<SurveyRecord> {
    diesel::update(surveys::table.find(id))
        .set((
            surveys::opens_at.eq(opens_at),
            surveys::closes_at.eq(closes_at),
            surveys::updated_at.eq(now),
        ))
        .returning(SurveyRecord::as_returning())
        .get_result(conn)
        .await
}

/// Publishes a survey's results to its audience, or takes them back.
pub async fn set_published(
    conn: &mut AsyncPgConnection,
    id: SurveyId,
    published: bool,
    now: DateTime<Utc>,
) -> QueryResult<SurveyRecord> {
    diesel::update(surveys::table.find(id))
        .set((
            surveys::results_published.eq(published),
            surveys::updated_at.eq(now),
        ))
        .returning(SurveyRecord::as_returning())
        .get_result(conn)
        .await
}

/// The questions of several surveys the viewer may see, in order.
pub async fn questions_of(
    conn: &mut AsyncPgConnection,
    visibility: &Visibility,
    surveys: &[SurveyId],
) -> QueryResult<Vec<QuestionRecord>> {
    survey_questions::table
        .filter(survey_questions::survey_id.eq_any(surveys))
        .filter(
            survey_questions::survey_id.eq_any(
                visible(visibility)
                    .filter(surveys::id.eq_any(surveys))
                    .select(surveys::id),
            ),
        )
        .order((survey_questions::survey_id, survey_questions::position))
        .select(QuestionRecord::as_select())
        .load(conn)
        .await
}

/// Questions by id, of surveys the viewer may see.
pub async fn questions_by_ids(
    conn: &mut AsyncPgConnection,
    visibility: &Visibility,
    ids: &[SurveyQuestionId],
) -> QueryResult<Vec<QuestionRecord>> {
    survey_questions::table
        .filter(survey_questions::id.eq_any(ids))
        .filter(survey_questions::survey_id.eq_any(visible(visibility).select(surveys::id)))
        .select(QuestionRecord::as_select())
        .load(conn)
        .await
}

/// One question, whatever survey it belongs to.
pub async fn question(
    conn: &mut AsyncPgConnection,
    id: SurveyQuestionId,
) -> QueryResult<Option<QuestionRecord>> {
    survey_questions::table
        .find(id)
        .select(QuestionRecord::as_select())
        .first(conn)
        .await
        .optional()
}

/// The questions of one survey, in order.
pub async fn questions_of_survey(
    conn: &mut AsyncPgConnection,
    survey: SurveyId,
) -> QueryResult<Vec<QuestionRecord>> {
    survey_questions::table
        .filter(survey_questions::survey_id.eq(survey))
        .order(survey_questions::position)
        .select(QuestionRecord::as_select())
        .load(conn)
        .await
}

/// The position after the last question of a survey.
pub async fn next_position(conn: &mut AsyncPgConnection, survey: SurveyId) -> QueryResult<i32> {
    let last: Option<i32> = survey_questions::table
        .filter(survey_questions::survey_id.eq(survey))
        .select(max(survey_questions::position))
        .get_result(conn)
        .await?;
    Ok(last.unwrap_or(0) + 1)
}

/// Saves a new question.
pub async fn insert_question(
    conn: &mut AsyncPgConnection,
    question: &QuestionRecord,
) -> QueryResult<()> {
    diesel::insert_into(survey_questions::table)
        .values(question)
        .execute(conn)
        .await
        .map(drop)
}

/// Changes a question's kind, prompt, whether it is required and its
/// options.
pub async fn update_question(
    conn: &mut AsyncPgConnection,
    question: &QuestionRecord,
) -> QueryResult<()> {
    diesel::update(survey_questions::table.find(question.id))
        .set((
            survey_questions::kind.eq(question.kind),
            survey_questions::prompt.eq(&question.prompt),
            survey_questions::required.eq(question.required),
            survey_questions::options.eq(&question.options),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// Removes a question.
pub async fn delete_question(
    conn: &mut AsyncPgConnection,
    id: SurveyQuestionId,
) -> QueryResult<()> {
    diesel::delete(survey_questions::table.find(id))
        .execute(conn)
        .await
        .map(drop)
}

/// Marks a survey changed.
pub async fn touch(
    conn: &mut AsyncPgConnection,
    id: SurveyId,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::update(surveys::table.find(id))
        .set(surveys::updated_at.eq(now))
        .execute(conn)
        .await
        .map(drop)
}

/// Whether anyone answered a survey (a response stays after its
/// respondent left; their participation does not).
pub async fn has_responses(conn: &mut AsyncPgConnection, survey: SurveyId) -> QueryResult<bool> {
    diesel::select(exists(
        survey_responses::table.filter(survey_responses::survey_id.eq(survey)),
    ))
    .get_result(conn)
    .await
}

/// How many responses each survey has.
pub async fn response_counts(
    conn: &mut AsyncPgConnection,
    ids: &[SurveyId],
) -> QueryResult<Vec<(SurveyId, i64)>> {
    survey_responses::table
        .filter(survey_responses::survey_id.eq_any(ids))
        .group_by(survey_responses::survey_id)
        .select((survey_responses::survey_id, count_star()))
        .load(conn)
        .await
}

/// Records that `member` answered `survey`; `false` when they already had.
pub async fn participate(
    conn: &mut AsyncPgConnection,
    survey: SurveyId,
    member: MemberId,
) -> QueryResult<bool> {
    diesel::insert_into(survey_participation::table)
        .values((
            survey_participation::survey_id.eq(survey),
            survey_participation::member_id.eq(member),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await
        .map(|inserted| inserted > 0)
}

/// Which of `surveys` `member` answered.
pub async fn answered_by(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    surveys: &[SurveyId],
) -> QueryResult<Vec<SurveyId>> {
    survey_participation::table
        .filter(survey_participation::member_id.eq(member))
        .filter(survey_participation::survey_id.eq_any(surveys))
        .select(survey_participation::survey_id)
        .load(conn)
        .await
}

/// Every survey `member` answered, oldest first.
pub async fn answered_surveys(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<Vec<SurveyRecord>> {
    survey_participation::table
        .inner_join(surveys::table)
        .filter(survey_participation::member_id.eq(member))
        .order((surveys::created_at, surveys::id))
        .select(SurveyRecord::as_select())
        .load(conn)
        .await
}

/// Forgets which surveys `member` answered.
pub async fn forget_participation(
    conn: &mut AsyncPgConnection,
    member: MemberId,
) -> QueryResult<()> {
    diesel::delete(survey_participation::table.filter(survey_participation::member_id.eq(member)))
        .execute(conn)
        .await
        .map(drop)
}

/// Surveys created by `member` lose their creator.
pub async fn forget_creator(conn: &mut AsyncPgConnection, member: MemberId) -> QueryResult<()> {
    diesel::update(surveys::table.filter(surveys::created_by.eq(member)))
        .set(surveys::created_by.eq(None::<MemberId>))
        .execute(conn)
        .await
        .map(drop)
}

/// Saves a response and its answers.
pub async fn insert_response(
    conn: &mut AsyncPgConnection,
    response: &ResponseRecord,
    answers: &[AnswerRecord],
) -> QueryResult<()> {
    diesel::insert_into(survey_responses::table)
        .values(response)
        .execute(conn)
        .await?;
    if !answers.is_empty() {
        diesel::insert_into(crate::schema::feedback::survey_answers::table)
            .values(answers)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Moves a survey's dates and its responses' days into the past (demo
/// data of a survey that ran last month; it was prepared a week before it
/// opened): each response lands on a day of the survey's window picked
/// from its random id.
pub async fn backdate(
    conn: &mut AsyncPgConnection,
    survey: SurveyId,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    first_day: NaiveDate,
    days: i32,
) -> QueryResult<()> {
    diesel::update(surveys::table.find(survey))
        .set((
            surveys::opens_at.eq(opens_at),
            surveys::closes_at.eq(closes_at),
            surveys::created_at.eq(opens_at - chrono::Duration::days(7)),
            surveys::updated_at.eq(closes_at),
        ))
        .execute(conn)
        .await?;
    diesel::sql_query(
        "UPDATE feedback.survey_responses \
            SET submitted_on = $2 + (abs(hashtext(id::text)) % $3) \
          WHERE survey_id = $1",
    )
    .bind::<diesel::sql_types::Uuid, _>(survey.0)
    .bind::<diesel::sql_types::Date, _>(first_day)
    .bind::<diesel::sql_types::Integer, _>(days.max(1))
    .execute(conn)
    .await
    .map(drop)
}
