//! The figures of a survey's responses, counted in the database per
//! cohort cell (company × leave-year band as stored on each response);
//! the service adds cells up into the groups asked for and suppresses
//! them.

use alumni_core::pagination::PageRequest;
use alumni_membership::model::CompanyId;
use diesel::QueryableByName;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text, Uuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::{Cohort, SurveyId, SurveyQuestionId};

/// One count of a survey's responses in one cohort cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// Responses.
    Responses,
    /// Responses that answered the question.
    Answered(SurveyQuestionId),
    /// Answers giving the value: a point on the scale, or an option's
    /// index (one answer counts once for each option it chose).
    Value(SurveyQuestionId, i32),
}

#[derive(QueryableByName)]
struct FigureRow {
    #[diesel(sql_type = Integer)]
    kind: i32,
    #[diesel(sql_type = Nullable<Uuid>)]
    question_id: Option<uuid::Uuid>,
    #[diesel(sql_type = Nullable<Uuid>)]
    company_id: Option<uuid::Uuid>,
    #[diesel(sql_type = Nullable<Integer>)]
    left_year_band: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    value: Option<i32>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

const FIGURES: &str = "\
SELECT 0 AS kind, NULL::uuid AS question_id, company_id, left_year_band, NULL::integer AS value, count(*) AS n
  FROM feedback.survey_responses
 WHERE survey_id = $1
 GROUP BY company_id, left_year_band
UNION ALL
SELECT 1, a.question_id, r.company_id, r.left_year_band, NULL, count(*)
  FROM feedback.survey_answers a JOIN feedback.survey_responses r ON r.id = a.response_id
 WHERE r.survey_id = $1
 GROUP BY a.question_id, r.company_id, r.left_year_band
UNION ALL
SELECT 2, a.question_id, r.company_id, r.left_year_band, a.scale, count(*)
  FROM feedback.survey_answers a JOIN feedback.survey_responses r ON r.id = a.response_id
 WHERE r.survey_id = $1 AND a.scale IS NOT NULL
 GROUP BY a.question_id, r.company_id, r.left_year_band, a.scale
UNION ALL
SELECT 2, a.question_id, r.company_id, r.left_year_band, c.choice, count(*)
  FROM feedback.survey_answers a JOIN feedback.survey_responses r ON r.id = a.response_id
 CROSS JOIN LATERAL unnest(a.choices) AS c(choice)
 WHERE r.survey_id = $1
 GROUP BY a.question_id, r.company_id, r.left_year_band, c.choice";

/// Every figure of a survey, per cohort cell, in one statement.
pub async fn figures(
    conn: &mut AsyncPgConnection,
    survey: SurveyId,
) -> QueryResult<Vec<(Figure, Cohort, i64)>> {
    let rows: Vec<FigureRow> = diesel::sql_query(FIGURES)
        .bind::<Uuid, _>(survey.0)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let question = row.question_id.map(SurveyQuestionId);
            let figure = match (row.kind, question, row.value) {
                (0, _, _) => Figure::Responses,
                (1, Some(question), _) => Figure::Answered(question),
                (2, Some(question), Some(value)) => Figure::Value(question, value),
                _ => return None,
            };
            let cell = Cohort {
                company: row.company_id.map(CompanyId),
                left_year_band: row.left_year_band,
            };
            Some((figure, cell, row.n))
        })
        .collect())
}

/// How many responses each cohort cell of a survey holds.
pub async fn cell_sizes(
    conn: &mut AsyncPgConnection,
    survey: SurveyId,
) -> QueryResult<Vec<(Cohort, i64)>> {
    use crate::schema::feedback::survey_responses as responses;
    let rows: Vec<(Option<CompanyId>, Option<i32>, i64)> = responses::table
        .filter(responses::survey_id.eq(survey))
        .group_by((responses::company_id, responses::left_year_band))
        .select((
            responses::company_id,
            responses::left_year_band,
            diesel::dsl::count_star(),
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(company, left_year_band, n)| {
            (
                Cohort {
                    company,
                    left_year_band,
                },
                n,
            )
        })
        .collect())
}

/// Distinct free texts of one question in one group, with how many
/// responses wrote each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextCount {
    /// The text.
    pub text: String,
    /// How many responses wrote exactly it.
    pub count: i64,
}

#[derive(QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Uuid)]
    question_id: uuid::Uuid,
    #[diesel(sql_type = Nullable<Uuid>)]
    company_id: Option<uuid::Uuid>,
    #[diesel(sql_type = Nullable<Integer>)]
    left_year_band: Option<i32>,
    #[diesel(sql_type = Text)]
    free_text: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    distinct_texts: i64,
}

// Texts sort by their bytes (`COLLATE "C"`), never by when they were
// written; the same order as Rust's for strings, and one a cursor can
// seek in.
const FIRST_TEXTS: &str = "\
WITH texts AS (
    SELECT a.question_id,
           CASE WHEN $2 THEN r.company_id END AS company_id,
           CASE WHEN $3 THEN r.left_year_band END AS left_year_band,
           a.free_text
      FROM feedback.survey_answers a JOIN feedback.survey_responses r ON r.id = a.response_id
     WHERE r.survey_id = $1 AND a.free_text IS NOT NULL
), counted AS (
    SELECT question_id, company_id, left_year_band, free_text, count(*) AS n
      FROM texts
     GROUP BY question_id, company_id, left_year_band, free_text
), ranked AS (
    SELECT *,
           row_number() OVER (PARTITION BY question_id, company_id, left_year_band
                              ORDER BY free_text COLLATE \"C\") AS rank,
           count(*) OVER (PARTITION BY question_id, company_id, left_year_band) AS distinct_texts
      FROM counted
)
SELECT question_id, company_id, left_year_band, free_text, n, distinct_texts
  FROM ranked
 WHERE rank <= $4
 ORDER BY question_id, company_id, left_year_band, free_text COLLATE \"C\"";

/// The first `limit` distinct texts of every free-text question of a
/// survey in every group of a breakdown (by company and/or band; neither
/// for the whole survey), with the number of distinct texts of each.
pub async fn first_texts(
    conn: &mut AsyncPgConnection,
    survey: SurveyId,
    by_company: bool,
    by_band: bool,
    limit: i64,
) -> QueryResult<Vec<(SurveyQuestionId, Cohort, TextCount, i64)>> {
    let rows: Vec<TextRow> = diesel::sql_query(FIRST_TEXTS)
        .bind::<Uuid, _>(survey.0)
        .bind::<Bool, _>(by_company)
        .bind::<Bool, _>(by_band)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            (
                SurveyQuestionId(row.question_id),
                Cohort {
                    company: row.company_id.map(CompanyId),
                    left_year_band: row.left_year_band,
                },
                TextCount {
                    text: row.free_text,
                    count: row.n,
                },
                row.distinct_texts,
            )
        })
        .collect())
}

#[derive(QueryableByName)]
struct PageRow {
    #[diesel(sql_type = Nullable<Text>)]
    free_text: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    n: Option<i64>,
    #[diesel(sql_type = BigInt)]
    distinct_texts: i64,
}

/// One group of a breakdown: which attributes it is broken down by, and
/// the group's values of them.
#[derive(Debug, Clone, Copy)]
pub struct GroupFilter {
    /// Broken down by company.
    pub by_company: bool,
    /// Broken down by leave-year band.
    pub by_band: bool,
    /// The group's values.
    pub cohort: Cohort,
}

/// A page of one question's distinct texts in one group (in text order),
/// with the number of distinct texts in the group.
pub async fn text_page(
    conn: &mut AsyncPgConnection,
    survey: SurveyId,
    question: SurveyQuestionId,
    group: GroupFilter,
    page: &PageRequest<String>,
) -> QueryResult<(Vec<TextCount>, i64)> {
    let order = if page.reads_in_list_order() {
        "ASC"
    } else {
        "DESC"
    };
    let statement = format!(
        "WITH counted AS (
             SELECT a.free_text, count(*) AS n
               FROM feedback.survey_answers a JOIN feedback.survey_responses r ON r.id = a.response_id
              WHERE r.survey_id = $1 AND a.question_id = $2 AND a.free_text IS NOT NULL
                AND (NOT $3 OR r.company_id IS NOT DISTINCT FROM $4)
                AND (NOT $5 OR r.left_year_band IS NOT DISTINCT FROM $6)
              GROUP BY a.free_text
         )
         SELECT page.free_text, page.n, total.distinct_texts
           FROM (SELECT count(*) AS distinct_texts FROM counted) AS total
           LEFT JOIN LATERAL (
                SELECT free_text, n
                  FROM counted
                 WHERE ($7::text IS NULL OR free_text COLLATE \"C\" > $7)
                   AND ($8::text IS NULL OR free_text COLLATE \"C\" < $8)
                 ORDER BY free_text COLLATE \"C\" {order}
                 LIMIT $9
           ) AS page ON true"
    );
    let rows: Vec<PageRow> = diesel::sql_query(statement)
        .bind::<Uuid, _>(survey.0)
        .bind::<Uuid, _>(question.0)
        .bind::<Bool, _>(group.by_company)
        .bind::<Nullable<Uuid>, _>(group.cohort.company.map(|company| company.0))
        .bind::<Bool, _>(group.by_band)
        .bind::<Nullable<Integer>, _>(group.cohort.left_year_band)
        .bind::<Nullable<Text>, _>(page.after.clone())
        .bind::<Nullable<Text>, _>(page.before.clone())
        .bind::<BigInt, _>(page.fetch_limit())
        .load(conn)
        .await?;
    let distinct = <[PageRow]>::first(&rows).map_or(0, |row| row.distinct_texts);
    let texts = rows
        .into_iter()
        .filter_map(|row| {
            Some(TextCount {
                text: row.free_text?,
                count: row.n?,
            })
        })
        .collect();
    Ok((texts, distinct))
}
