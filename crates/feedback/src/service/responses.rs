//! Answering a survey: once per member, while it is open, as one of its
//! audience. Who answered and what was answered are written apart (see
//! the migration's notes): the response carries a random id, the day and
//! the respondent's cohort coarsened until it describes at least five
//! members. Nothing about a response is audited or logged.

use std::collections::HashSet;

use alumni_core::secrets;
use alumni_core::{AppError, AppResult, Viewer};
use diesel_async::AsyncConnection as _;

use super::{FeedbackService, japan_day, refused};
use crate::model::{
    AnswerRecord, QuestionRecord, ResponseRecord, SCALE_MAX, SCALE_MIN, SurveyId, SurveyQuestionId,
    SurveyQuestionKind, SurveyRecord, SurveyState,
};
use crate::store::surveys as store;

/// Longest free-text answer, in characters.
pub const MAX_FREE_TEXT: usize = 2000;

/// One answer as a member gives it: the value its question's kind takes.
#[derive(Debug, Clone, Default)]
pub struct AnswerInput {
    /// The question answered.
    pub question: SurveyQuestionId,
    /// A point on the scale (scale questions).
    pub scale: Option<i32>,
    /// Indexes of the options chosen (choice questions).
    pub choices: Option<Vec<i32>>,
    /// A free text (free-text questions).
    pub text: Option<String>,
}

impl FeedbackService {
    /// Answers a survey. Members of its audience, once, while it is open;
    /// questions left out (or answered with nothing) count as unanswered,
    /// which only optional ones may be.
    pub async fn respond_to_survey(
        &self,
        viewer: &Viewer,
        survey: SurveyId,
        answers: Vec<AnswerInput>,
    ) -> AppResult<SurveyRecord> {
        let identity = viewer.identity()?;
        let member = identity.member_id;
        let now = self.ctx.now();
        let response_id = secrets::random_uuid()?;
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            let found = store::lock(conn, survey, false)
                .await?
                .ok_or(AppError::NotFound { entity: "Survey" })?;
            if !found.audience.admits(identity.roles) {
                return Err(AppError::forbidden(match found.audience {
                    crate::model::SurveyAudience::Alumni => "this survey asks alumni",
                    crate::model::SurveyAudience::Employees => "this survey asks current employees",
                    crate::model::SurveyAudience::Everyone => {
                        "this survey asks alumni and current employees"
                    }
                }));
            }
            match found.state(now) {
                SurveyState::Open => {}
                SurveyState::Closed => {
                    return Err(refused("the survey has closed", "SURVEY_CLOSED"));
                }
                SurveyState::Draft | SurveyState::Scheduled => {
                    return Err(refused("the survey is not open yet", "NOT_OPEN"));
                }
            }
            let questions = store::questions_of_survey(conn, survey).await?;
            let answers = checked_answers(&questions, &answers, response_id)?;
            if !store::participate(conn, survey, member).await? {
                return Err(refused(
                    "you have already answered this survey",
                    "ALREADY_RESPONDED",
                ));
            }
            let cohort = self.safe_cohort_in(conn, member).await?;
            let response = ResponseRecord {
                id: response_id,
                survey_id: survey,
                submitted_on: japan_day(now),
                company_id: cohort.company,
                left_year_band: cohort.left_year_band,
            };
            store::insert_response(conn, &response, &answers).await?;
            Ok(found)
        })
        .await
    }
}

/// The answers to save, checked against the questions: each for a
/// question of the survey, at most once, with the value its kind takes;
/// every required question answered.
fn checked_answers(
    questions: &[QuestionRecord],
    answers: &[AnswerInput],
    response_id: uuid::Uuid,
) -> AppResult<Vec<AnswerRecord>> {
    let mut seen = HashSet::new();
    let mut answered = HashSet::new();
    let mut records = Vec::new();
    for (index, answer) in answers.iter().enumerate() {
        let field = |part: &str| format!("answers[{index}].{part}");
        let question = questions
            .iter()
            .find(|question| question.id == answer.question)
            .ok_or_else(|| {
                AppError::bad_input(field("questionId"), "not a question of this survey")
            })?;
        if !seen.insert(question.id) {
            return Err(AppError::bad_input(
                field("questionId"),
                "the question is answered twice",
            ));
        }
        if let Some((scale, choices, free_text)) = answer_value(question, answer, &field)? {
            answered.insert(question.id);
            records.push(AnswerRecord {
                response_id,
                question_id: question.id,
                scale,
                choices,
                free_text,
            });
        }
    }
    if let Some(missing) = questions
        .iter()
        .find(|question| question.required && !answered.contains(&question.id))
    {
        return Err(AppError::bad_input(
            "answers",
            format!("question {} is required", missing.position),
        ));
    }
    Ok(records)
}

type AnswerValue = (Option<i16>, Option<Vec<i16>>, Option<String>);

/// The value of one answer for its question's kind; `None` when it gives
/// none (a question left unanswered).
fn answer_value(
    question: &QuestionRecord,
    answer: &AnswerInput,
    field: &dyn Fn(&str) -> String,
) -> AppResult<Option<AnswerValue>> {
    let (takes, given_elsewhere) = match question.kind {
        SurveyQuestionKind::Scale => ("scale", answer.choices.is_some() || answer.text.is_some()),
        SurveyQuestionKind::SingleChoice | SurveyQuestionKind::MultipleChoice => {
            ("choices", answer.scale.is_some() || answer.text.is_some())
        }
        SurveyQuestionKind::FreeText => {
            ("text", answer.scale.is_some() || answer.choices.is_some())
        }
    };
    if given_elsewhere {
        return Err(AppError::bad_input(
            field(takes),
            format!("this question is answered with `{takes}` alone"),
        ));
    }
    match question.kind {
        SurveyQuestionKind::Scale => match answer.scale {
            None => Ok(None),
            Some(point) => {
                let point = i16::try_from(point)
                    .ok()
                    .filter(|point| (SCALE_MIN..=SCALE_MAX).contains(point))
                    .ok_or_else(|| {
                        AppError::bad_input(
                            field("scale"),
                            format!("must be between {SCALE_MIN} and {SCALE_MAX}"),
                        )
                    })?;
                Ok(Some((Some(point), None, None)))
            }
        },
        SurveyQuestionKind::SingleChoice | SurveyQuestionKind::MultipleChoice => {
            let chosen = answer.choices.clone().unwrap_or_default();
            if chosen.is_empty() {
                return Ok(None);
            }
            if question.kind == SurveyQuestionKind::SingleChoice && chosen.len() != 1 {
                return Err(AppError::bad_input(
                    field("choices"),
                    "choose exactly one option",
                ));
            }
            let mut indexes = Vec::with_capacity(chosen.len());
            for choice in chosen {
                let index = usize::try_from(choice)
                    .ok()
                    .filter(|index| *index < question.options.len())
                    .and_then(|index| i16::try_from(index).ok())
                    .ok_or_else(|| AppError::bad_input(field("choices"), "no such option"))?;
                if indexes.contains(&index) {
                    return Err(AppError::bad_input(
                        field("choices"),
                        "an option is chosen twice",
                    ));
                }
                indexes.push(index);
            }
            indexes.sort_unstable();
            Ok(Some((None, Some(indexes), None)))
        }
        SurveyQuestionKind::FreeText => {
            let text = answer.text.as_deref().unwrap_or_default().trim();
            if text.is_empty() {
                return Ok(None);
            }
            if text.chars().count() > MAX_FREE_TEXT {
                return Err(AppError::bad_input(
                    field("text"),
                    format!("must be at most {MAX_FREE_TEXT} characters"),
                ));
            }
            Ok(Some((None, None, Some(text.to_owned()))))
        }
    }
}
