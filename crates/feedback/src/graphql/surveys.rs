//! Surveys: what members are asked and answer, and the secretariat's
//! preparation of them.

use std::collections::HashMap;

use alumni_core::graphql::{data, load_now, load_one, selects_in_items, viewer, with_misses};
use alumni_core::pagination::{
    Connection, ListSize, PageRequest, TotalCount, connection_complexity,
};
use alumni_core::{AppError, NodeId};
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};

use super::results::{SurveyResultsObject, wants_texts};
use crate::FeedbackService;
use crate::model::{
    QuestionRecord, SurveyAudience, SurveyId, SurveyQuestionId, SurveyQuestionKind, SurveyRecord,
    SurveyState,
};
use crate::service::{AnswerInput, Breakdown, QuestionInput, SurveyDimension, SurveyInput};

viewer_loader!(
    /// Surveys the viewer may see; others are `None`.
    SurveyLoader: SurveyId => Option<SurveyRecord>,
    |service, viewer, ids| {
        let found = service.surveys_by_ids(viewer, ids).await?;
        Ok(with_misses(ids, found, |survey| survey.id))
    }
);

viewer_loader!(
    /// The questions of each survey the viewer may see, in order.
    SurveyQuestionsLoader: SurveyId => Vec<QuestionRecord>,
    |service, viewer, ids| {
        let mut by_survey: HashMap<SurveyId, Vec<QuestionRecord>> =
            ids.iter().map(|id| (*id, Vec::new())).collect();
        for question in service.survey_questions(viewer, ids).await? {
            by_survey.entry(question.survey_id).or_default().push(question);
        }
        Ok(by_survey)
    }
);

viewer_loader!(
    /// Questions by id, of surveys the viewer may see; others are `None`.
    SurveyQuestionLoader: SurveyQuestionId => Option<QuestionRecord>,
    |service, viewer, ids| {
        let found = service.survey_questions_by_ids(viewer, ids).await?;
        Ok(with_misses(ids, found, |question| question.id))
    }
);

viewer_loader!(
    /// Whether the viewer answered each survey.
    RespondedLoader: SurveyId => bool,
    |service, viewer, ids| {
        let mut answered: HashMap<SurveyId, bool> = ids.iter().map(|id| (*id, false)).collect();
        for survey in service.answered_surveys(viewer, ids).await? {
            answered.insert(survey, true);
        }
        Ok(answered)
    }
);

viewer_loader!(
    /// How many responses each survey has (the secretariat and analysts).
    ResponseCountLoader: SurveyId => i64,
    |service, viewer, ids| {
        let mut counts: HashMap<SurveyId, i64> = ids.iter().map(|id| (*id, 0)).collect();
        counts.extend(service.survey_response_counts(viewer, ids).await?);
        Ok(counts)
    }
);

pub(super) fn attach_loaders(
    data: &mut async_graphql::Data,
    service: &FeedbackService,
    viewer: &alumni_core::Viewer,
    caching: bool,
) {
    attach_viewer_loaders!(
        data, service, viewer, caching;
        SurveyLoader, SurveyQuestionsLoader, SurveyQuestionLoader, RespondedLoader, ResponseCountLoader
    );
}

/// Loads one survey the viewer may see; `NOT_FOUND` otherwise.
pub async fn load_survey(ctx: &Context<'_>, id: SurveyId) -> Result<Survey, AppError> {
    load_one::<SurveyLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(Survey)
        .ok_or(AppError::NotFound { entity: "Survey" })
}

/// Loads one question of a survey the viewer may see; `NOT_FOUND`
/// otherwise.
pub async fn load_survey_question(
    ctx: &Context<'_>,
    id: SurveyQuestionId,
) -> Result<SurveyQuestion, AppError> {
    load_one::<SurveyQuestionLoader, _>(ctx, id)
        .await?
        .flatten()
        .map(SurveyQuestion)
        .ok_or(AppError::NotFound {
            entity: "SurveyQuestion",
        })
}

/// A survey.
pub struct Survey(pub SurveyRecord);

/// A survey of the secretariat's. Members see the open surveys they are
/// asked to answer and, once the secretariat published them, the results
/// of closed ones; the secretariat and analysts see every survey.
/// Answers are anonymous: nothing links a response to its respondent.
#[Object]
impl Survey {
    /// Opaque global id.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What it is about (plain text), shown before the questions.
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Who is asked to answer.
    async fn audience(&self) -> SurveyAudience {
        self.0.audience
    }
    /// Where it stands now (from its dates).
    async fn state(&self, ctx: &Context<'_>) -> Result<SurveyState> {
        let now = data::<FeedbackService>(ctx)?.context().now();
        Ok(self.0.state(now))
    }
    /// When it opens (or opened); `null` while a draft.
    async fn opens_at(&self) -> Option<DateTime<Utc>> {
        self.0.opens_at
    }
    /// When it closes (or closed).
    async fn closes_at(&self) -> DateTime<Utc> {
        self.0.closes_at
    }
    /// The fewest responses a group of respondents must have for its
    /// figures to be shown.
    async fn min_group(&self) -> i32 {
        self.0.min_group
    }
    /// The fewest responses a group must have for its free texts to be
    /// shown.
    async fn min_text_group(&self) -> i32 {
        self.0.min_text_group
    }
    /// Whether its audience may read the results.
    async fn results_published(&self) -> bool {
        self.0.results_published
    }
    /// Its questions, in order.
    async fn questions(&self, ctx: &Context<'_>) -> Result<Vec<SurveyQuestion>> {
        Ok(load_one::<SurveyQuestionsLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(SurveyQuestion)
            .collect())
    }
    /// Whether the viewer has answered it (a member answers once).
    async fn responded(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(load_one::<RespondedLoader, _>(ctx, self.0.id)
            .await?
            .unwrap_or_default())
    }
    /// How many responses it has: the secretariat and analysts (`null` for
    /// others).
    async fn response_count(&self, ctx: &Context<'_>) -> Result<Option<i64>> {
        if !reads_counts(ctx)? {
            return Ok(None);
        }
        Ok(load_one::<ResponseCountLoader, _>(ctx, self.0.id).await?)
    }
    /// Its results, once it has closed: for the secretariat and analysts,
    /// and for its audience once published (`CONFLICT`, reason
    /// `NOT_CLOSED`, before). Overall and, with `by`, per group of
    /// respondents; a group with fewer responses than `minGroup` is
    /// withheld with enough others that it cannot be worked out from the
    /// total, and below `minGroup` responses in all nothing is shown.
    async fn results(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Break the results down by company, leave-year band or both (none: the survey as a whole).",
            default
        )]
        by: Vec<SurveyDimension>,
    ) -> Result<SurveyResultsObject> {
        let service = data::<FeedbackService>(ctx)?;
        let results = service
            .survey_results(
                viewer(ctx)?,
                self.0.id,
                Breakdown::by(&by),
                wants_texts(ctx),
            )
            .await?;
        Ok(SurveyResultsObject(results))
    }
    /// Created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

fn reads_counts(ctx: &Context<'_>) -> Result<bool, AppError> {
    let viewer = viewer(ctx)?;
    Ok(viewer.has_role(alumni_core::Role::Secretariat)
        || viewer.has_role(alumni_core::Role::Analyst))
}

/// A question of a survey.
pub struct SurveyQuestion(pub QuestionRecord);

/// One question of a survey; answered by the value its kind takes.
#[Object]
impl SurveyQuestion {
    /// Opaque global id; pass it as `questionId` when answering.
    pub async fn id(&self) -> ID {
        self.0.id.to_global()
    }
    /// Its place in the survey (smaller first).
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// What kind of answer it takes.
    async fn kind(&self) -> SurveyQuestionKind {
        self.0.kind
    }
    /// What it asks.
    async fn prompt(&self) -> &str {
        &self.0.prompt
    }
    /// Whether a response must answer it.
    async fn required(&self) -> bool {
        self.0.required
    }
    /// The options of a choice question, chosen by their index (0 first);
    /// empty for the other kinds.
    async fn options(&self) -> &[String] {
        &self.0.options
    }
    /// The survey it belongs to.
    async fn survey(&self, ctx: &Context<'_>) -> Result<Option<Survey>> {
        Ok(load_one::<SurveyLoader, _>(ctx, self.0.survey_id)
            .await?
            .flatten()
            .map(Survey))
    }
}

/// A survey's details.
#[derive(InputObject)]
pub struct SurveyDetailsInput {
    /// Its title (1–200 characters).
    title: String,
    /// What it is about (up to 5,000 characters, plain text).
    #[graphql(default)]
    description: String,
    /// Who is asked to answer.
    audience: SurveyAudience,
    /// When it closes: in the future, after it opens.
    closes_at: DateTime<Utc>,
    /// The fewest responses a group of respondents must have for its
    /// figures to be shown (at least 3; default 5).
    #[graphql(default = 5)]
    min_group: i32,
    /// The fewest responses a group must have for its free texts to be
    /// shown (at least `minGroup`; default 10).
    #[graphql(default = 10)]
    min_text_group: i32,
}

impl From<SurveyDetailsInput> for SurveyInput {
    fn from(input: SurveyDetailsInput) -> Self {
        Self {
            title: input.title,
            description: input.description,
            audience: input.audience,
            closes_at: input.closes_at,
            min_group: input.min_group,
            min_text_group: input.min_text_group,
        }
    }
}

/// A question of a survey.
#[derive(InputObject)]
pub struct SurveyQuestionInput {
    /// What kind of answer it takes.
    kind: SurveyQuestionKind,
    /// What it asks (1–500 characters).
    prompt: String,
    /// Whether a response must answer it.
    #[graphql(default)]
    required: bool,
    /// The options of a choice question: 2–20, each once, 1–200
    /// characters; none for the other kinds.
    #[graphql(default)]
    options: Vec<String>,
}

impl From<SurveyQuestionInput> for QuestionInput {
    fn from(input: SurveyQuestionInput) -> Self {
        Self {
            kind: input.kind,
            prompt: input.prompt,
            required: input.required,
            options: input.options,
        }
    }
}

/// One answer: the value its question's kind takes, and nothing else.
#[derive(InputObject)]
pub struct SurveyAnswerInput {
    /// The question (`SurveyQuestion.id`).
    question_id: ID,
    /// A point from 1 to 5 (scale questions).
    scale: Option<i32>,
    /// The indexes of the options chosen (choice questions; exactly one
    /// for a single choice).
    choices: Option<Vec<i32>>,
    /// A text of up to 2,000 characters (free-text questions).
    text: Option<String>,
}

/// Queries on surveys.
#[derive(Default)]
pub struct SurveysQuery;

#[Object]
impl SurveysQuery {
    /// The surveys the viewer may see, newest first: for members, the
    /// open surveys they are asked to answer and closed ones whose results
    /// were published; for the secretariat and analysts, every survey.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn surveys(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only open surveys (`true`), or only the others (`false`).")] open: Option<
            bool,
        >,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Survey>> {
        let viewer = viewer(ctx)?.clone();
        let service = data::<FeedbackService>(ctx)?.clone();
        let page = PageRequest::new(first, after, last, before)?;
        let rows = service.surveys(&viewer, open, &page).await?;
        let ids: Vec<SurveyId> = rows.iter().map(|survey| survey.id).collect();
        if selects_in_items(ctx, &["questions"]) {
            load_now::<SurveyQuestionsLoader, _>(ctx, ids.iter().copied()).await?;
        }
        if selects_in_items(ctx, &["responded"]) {
            load_now::<RespondedLoader, _>(ctx, ids.iter().copied()).await?;
        }
        if selects_in_items(ctx, &["responseCount"]) && reads_counts(ctx)? {
            load_now::<ResponseCountLoader, _>(ctx, ids.iter().copied()).await?;
        }
        let total_count = TotalCount::lazy(async move {
            service
                .count_surveys(&viewer, open)
                .await
                .map(ListSize::from_capped_count)
        });
        Ok(page.into_connection(
            rows,
            |survey| (survey.created_at, survey.id.0),
            Survey,
            total_count,
        ))
    }
}

/// Mutations on surveys.
#[derive(Default)]
pub struct SurveysMutation;

#[Object]
impl SurveysMutation {
    /// Answers a survey: members of its audience, once (`CONFLICT`,
    /// reason `ALREADY_RESPONDED`), while it is open (`NOT_OPEN`,
    /// `SURVEY_CLOSED`). Every required question must be answered; the
    /// answers are saved without anything that links them to the member.
    async fn respond_to_survey(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey.")] survey_id: ID,
        #[graphql(desc = "One answer per question answered (at most 50).")] answers: Vec<
            SurveyAnswerInput,
        >,
    ) -> Result<Survey> {
        let service = data::<FeedbackService>(ctx)?;
        if answers.len() > crate::service::MAX_QUESTIONS {
            return Err(AppError::bad_input("answers", "too many answers").into());
        }
        let answers = answers
            .into_iter()
            .enumerate()
            .map(|(index, answer)| {
                Ok(AnswerInput {
                    question: SurveyQuestionId::from_global(
                        &answer.question_id,
                        &format!("answers[{index}].questionId"),
                    )?,
                    scale: answer.scale,
                    choices: answer.choices,
                    text: answer.text,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(Survey(
            service
                .respond_to_survey(
                    viewer(ctx)?,
                    SurveyId::from_global(&survey_id, "surveyId")?,
                    answers,
                )
                .await?,
        ))
    }

    /// Creates a draft survey. The secretariat.
    async fn create_survey(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its details.")] input: SurveyDetailsInput,
    ) -> Result<Survey> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(Survey(
            service.create_survey(viewer(ctx)?, input.into()).await?,
        ))
    }

    /// Changes a survey's details before it opens (`CONFLICT`, reason
    /// `ALREADY_OPENED`, after). The secretariat.
    async fn update_survey(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey.")] id: ID,
        #[graphql(desc = "Its new details.")] input: SurveyDetailsInput,
    ) -> Result<Survey> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(Survey(
            service
                .update_survey(
                    viewer(ctx)?,
                    SurveyId::from_global(&id, "id")?,
                    input.into(),
                )
                .await?,
        ))
    }

    /// Adds a question at the end of a survey, before its first response
    /// (`HAS_RESPONSES`) and never after it closed (`SURVEY_CLOSED`); at
    /// most 50. The secretariat.
    async fn add_survey_question(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey.")] survey_id: ID,
        #[graphql(desc = "The question.")] input: SurveyQuestionInput,
    ) -> Result<SurveyQuestion> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(SurveyQuestion(
            service
                .add_survey_question(
                    viewer(ctx)?,
                    SurveyId::from_global(&survey_id, "surveyId")?,
                    input.into(),
                )
                .await?,
        ))
    }

    /// Changes a question before its survey's first response. The
    /// secretariat.
    async fn update_survey_question(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The question.")] id: ID,
        #[graphql(desc = "What it becomes.")] input: SurveyQuestionInput,
    ) -> Result<SurveyQuestion> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(SurveyQuestion(
            service
                .update_survey_question(
                    viewer(ctx)?,
                    SurveyQuestionId::from_global(&id, "id")?,
                    input.into(),
                )
                .await?,
        ))
    }

    /// Removes a question before its survey's first response; an opened
    /// survey keeps at least one (`NO_QUESTIONS`). Returns the survey. The
    /// secretariat.
    async fn remove_survey_question(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The question.")] id: ID,
    ) -> Result<Survey> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(Survey(
            service
                .remove_survey_question(viewer(ctx)?, SurveyQuestionId::from_global(&id, "id")?)
                .await?,
        ))
    }

    /// Opens a draft survey now, or schedules it to open later; it needs
    /// a question (`NO_QUESTIONS`). The secretariat.
    async fn open_survey(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey.")] id: ID,
        #[graphql(desc = "When it opens (default now; before it closes).")] opens_at: Option<
            DateTime<Utc>,
        >,
    ) -> Result<Survey> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(Survey(
            service
                .open_survey(viewer(ctx)?, SurveyId::from_global(&id, "id")?, opens_at)
                .await?,
        ))
    }

    /// Closes an open survey now (`NOT_OPEN` otherwise). The secretariat.
    async fn close_survey(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey.")] id: ID,
    ) -> Result<Survey> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(Survey(
            service
                .close_survey(viewer(ctx)?, SurveyId::from_global(&id, "id")?)
                .await?,
        ))
    }

    /// Lets the audience of a closed survey read its results (suppressed
    /// as for the secretariat), or takes them back; `NOT_CLOSED` before
    /// it closed. The secretariat.
    async fn publish_survey_results(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The survey.")] id: ID,
        #[graphql(desc = "`false` takes the results back.", default = true)] published: bool,
    ) -> Result<Survey> {
        let service = data::<FeedbackService>(ctx)?;
        Ok(Survey(
            service
                .publish_survey_results(viewer(ctx)?, SurveyId::from_global(&id, "id")?, published)
                .await?,
        ))
    }
}
