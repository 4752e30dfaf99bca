use alumni_core::{MemberId, typed_id};
use alumni_membership::model::CompanyId;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::schema::feedback::{survey_answers, survey_questions, survey_responses, surveys};

typed_id!(
    /// Identifies a survey.
    SurveyId,
    "Survey"
);

typed_id!(
    /// Identifies a question of a survey.
    SurveyQuestionId,
    "SurveyQuestion"
);

/// The lowest point of a scale question.
pub const SCALE_MIN: i16 = 1;
/// The highest point of a scale question.
pub const SCALE_MAX: i16 = 5;

alumni_core::text_enum! {
    /// Who is asked to answer a survey.
    pub enum SurveyAudience stored in "feedback.surveys.audience" {
        /// Alumni and current employees.
        Everyone = "EVERYONE",
        /// Alumni only.
        Alumni = "ALUMNI",
        /// Current employees only.
        Employees = "EMPLOYEES",
    }
}

impl SurveyAudience {
    /// Whether a member holding `roles` is asked. Staff roles alone do not
    /// make a respondent: the secretariat reads every survey through its
    /// role, but answers one only as an alumnus or employee.
    pub fn admits(self, roles: alumni_core::RoleSet) -> bool {
        use alumni_core::Role;
        match self {
            Self::Everyone => roles.contains(Role::Alumnus) || roles.contains(Role::Employee),
            Self::Alumni => roles.contains(Role::Alumnus),
            Self::Employees => roles.contains(Role::Employee),
        }
    }

    /// The audiences a member holding `roles` belongs to, for lists that
    /// compare in SQL (the rule stays in [`admits`](Self::admits)).
    pub fn admitted(roles: alumni_core::RoleSet) -> Vec<SurveyAudience> {
        Self::ALL
            .iter()
            .copied()
            .filter(|audience| audience.admits(roles))
            .collect()
    }
}

alumni_core::text_enum! {
    /// What kind of answer a question takes.
    pub enum SurveyQuestionKind stored in "feedback.survey_questions.kind" {
        /// A point on a scale from 1 (lowest) to 5 (highest).
        Scale = "SCALE",
        /// Exactly one of the options.
        SingleChoice = "SINGLE_CHOICE",
        /// One or more of the options.
        MultipleChoice = "MULTIPLE_CHOICE",
        /// Free text (up to 2,000 characters).
        FreeText = "FREE_TEXT",
    }
}

impl SurveyQuestionKind {
    /// Whether it is answered by choosing among options.
    pub fn has_options(self) -> bool {
        matches!(self, Self::SingleChoice | Self::MultipleChoice)
    }
}

/// Where a survey stands; derived from its dates and the clock, never
/// stored, so no job has to move it along.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyState {
    /// Being prepared: not yet opened or scheduled.
    Draft,
    /// Opened for a moment still to come.
    Scheduled,
    /// Taking responses.
    Open,
    /// No longer taking responses.
    Closed,
}

/// A survey as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = surveys, check_for_backend(diesel::pg::Pg))]
pub struct SurveyRecord {
    /// Its id.
    pub id: SurveyId,
    /// Its title.
    pub title: String,
    /// What it is about, shown before the questions.
    pub description: String,
    /// Who is asked.
    pub audience: SurveyAudience,
    /// When it opens (`None` while a draft).
    pub opens_at: Option<DateTime<Utc>>,
    /// When it closes.
    pub closes_at: DateTime<Utc>,
    /// The fewest responses a group must have for its figures to be shown.
    pub min_group: i32,
    /// The fewest responses a group must have for its free texts to be
    /// shown.
    pub min_text_group: i32,
    /// Whether members in the audience may read the results.
    pub results_published: bool,
    /// Who in the secretariat created it (`None` after they left).
    pub created_by: Option<MemberId>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl SurveyRecord {
    /// Where it stands at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> SurveyState {
        match self.opens_at {
            None => SurveyState::Draft,
            Some(opens_at) if now < opens_at => SurveyState::Scheduled,
            Some(_) if now < self.closes_at => SurveyState::Open,
            Some(_) => SurveyState::Closed,
        }
    }
}

/// A question as stored.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = survey_questions, check_for_backend(diesel::pg::Pg))]
pub struct QuestionRecord {
    /// Its id.
    pub id: SurveyQuestionId,
    /// Its survey.
    pub survey_id: SurveyId,
    /// Its place in the survey (1 first; gaps are allowed).
    pub position: i32,
    /// What kind of answer it takes.
    pub kind: SurveyQuestionKind,
    /// What it asks.
    pub prompt: String,
    /// Whether a response must answer it.
    pub required: bool,
    /// The options of a choice question, answered by index.
    pub options: Vec<String>,
}

/// A response as stored: nothing in it names or points at the respondent.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = survey_responses, check_for_backend(diesel::pg::Pg))]
pub struct ResponseRecord {
    /// Random (v4): it says nothing about when it was written.
    pub id: uuid::Uuid,
    /// The survey answered.
    pub survey_id: SurveyId,
    /// The day it arrived (Japan time).
    pub submitted_on: NaiveDate,
    /// The respondent's predecessor company, when their cohort may carry it.
    pub company_id: Option<CompanyId>,
    /// The respondent's leave-year band, when their cohort may carry it.
    pub left_year_band: Option<i32>,
}

/// One answer of a response: exactly one of the values is set.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = survey_answers, check_for_backend(diesel::pg::Pg))]
pub struct AnswerRecord {
    /// The response it belongs to.
    pub response_id: uuid::Uuid,
    /// The question answered.
    pub question_id: SurveyQuestionId,
    /// The point chosen on a scale.
    pub scale: Option<i16>,
    /// The indexes of the options chosen.
    pub choices: Option<Vec<i16>>,
    /// A free text.
    pub free_text: Option<String>,
}
