//! Survey results as the viewer may read them: figures per question,
//! overall and per group of respondents, with small groups withheld.

use alumni_core::graphql::{data, viewer};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_membership::graphql::{Company, load_company};
use async_graphql::{Context, Object, Result, SimpleObject};

use super::surveys::SurveyQuestion;
use crate::FeedbackService;
use crate::service::{GroupResult, QuestionResult, SurveyResults, TEXTS_LOADED};
use crate::store::results::TextCount;

/// Whether the results asked for include free texts (read only then).
pub(super) fn wants_texts(ctx: &Context<'_>) -> bool {
    let look_ahead = ctx.look_ahead();
    ["overall", "groups"].iter().any(|group| {
        look_ahead
            .field(group)
            .field("questions")
            .field("texts")
            .exists()
    })
}

/// A survey's results.
pub struct SurveyResultsObject(pub SurveyResults);

/// A closed survey's results. A group of respondents is shown only with
/// at least `minGroup` responses (free texts: `minTextGroup`), and enough
/// other groups are withheld with a small one that none can be worked out
/// by subtracting what is shown from the total. Below `minGroup`
/// responses in all, nothing is shown.
#[Object(name = "SurveyResults")]
impl SurveyResultsObject {
    /// Whether the survey has too few responses for any result to be
    /// shown (then `overall` is withheld and `groups` is empty).
    async fn suppressed(&self) -> bool {
        self.0.suppressed
    }
    /// How many responses the survey has; `null` when suppressed.
    async fn responses(&self) -> Option<i64> {
        self.0.overall.responses
    }
    /// The smallest group shown.
    async fn min_group(&self) -> i32 {
        self.0.survey.min_group
    }
    /// The smallest group whose free texts are shown.
    async fn min_text_group(&self) -> i32 {
        self.0.survey.min_text_group
    }
    /// Every response together.
    async fn overall(&self) -> SurveyGroupResult {
        SurveyGroupResult(self.0.overall.clone())
    }
    /// The groups of the breakdown asked for (by company, then band; the
    /// respondents whose cohort does not carry an attribute form a group
    /// with it `null`), withheld ones included with `suppressed: true`.
    async fn groups(&self) -> Vec<SurveyGroupResult> {
        self.0
            .groups
            .iter()
            .cloned()
            .map(SurveyGroupResult)
            .collect()
    }
}

/// The results of one group of respondents.
pub struct SurveyGroupResult(GroupResult);

/// What one group of respondents (or all of them) answered.
#[Object]
impl SurveyGroupResult {
    /// The predecessor company its respondents left; `null` when the
    /// results are not broken down by company, or for respondents whose
    /// company could not be attached (too few members share it).
    async fn company(&self, ctx: &Context<'_>) -> Result<Option<Company>> {
        match self.0.cohort.company {
            Some(company) => Ok(Some(load_company(ctx, company).await?)),
            None => Ok(None),
        }
    }
    /// The first year of its respondents' five-year leave-year band (2015
    /// means 2015–2019); `null` when not broken down by band, or for
    /// respondents whose band could not be attached.
    async fn left_year_band(&self) -> Option<i32> {
        self.0.cohort.left_year_band
    }
    /// Whether its figures are withheld (then every number is `null`).
    async fn suppressed(&self) -> bool {
        self.0.responses.is_none()
    }
    /// How many responses it holds; `null` when withheld.
    async fn responses(&self) -> Option<i64> {
        self.0.responses
    }
    /// Whether its free texts are withheld.
    async fn texts_withheld(&self) -> bool {
        self.0.texts_withheld
    }
    /// What it answered, per question in order; `null` when withheld.
    async fn questions(&self) -> Option<Vec<SurveyQuestionResult>> {
        self.0.questions.as_ref().map(|questions| {
            questions
                .iter()
                .cloned()
                .map(SurveyQuestionResult)
                .collect()
        })
    }
}

/// What a group answered to one question.
pub struct SurveyQuestionResult(QuestionResult);

/// What a group answered to one question: per point of the scale, per
/// option, or the free texts.
#[Object]
impl SurveyQuestionResult {
    /// The question.
    async fn question(&self) -> SurveyQuestion {
        SurveyQuestion(self.0.question.clone())
    }
    /// How many of the group's responses answered it.
    async fn answered(&self) -> i64 {
        self.0.answered
    }
    /// Answers per point, 1 to 5 (scale questions; empty otherwise).
    async fn scale(&self) -> Vec<SurveyScaleCount> {
        if self.0.question.kind != crate::model::SurveyQuestionKind::Scale {
            return Vec::new();
        }
        (1..)
            .zip(&self.0.counts)
            .map(|(point, count)| SurveyScaleCount {
                point,
                count: *count,
            })
            .collect()
    }
    /// The mean point (scale questions with answers; rounded to two
    /// decimals).
    async fn mean(&self) -> Option<f64> {
        self.0.mean
    }
    /// Answers choosing each option, in the question's order (choice
    /// questions; empty otherwise). A multiple-choice answer counts once
    /// for each option it chose.
    async fn options(&self) -> Vec<SurveyOptionCount> {
        if !self.0.question.kind.has_options() {
            return Vec::new();
        }
        self.0
            .question
            .options
            .iter()
            .zip(&self.0.counts)
            .zip(0..)
            .map(|((label, count), index)| SurveyOptionCount {
                index,
                label: label.clone(),
                count: *count,
            })
            .collect()
    }
    /// The distinct free texts written, in text order (never in the order
    /// they were written), each with how many responses wrote it; `null`
    /// for other kinds and when the group's texts are withheld.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn texts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Option<Connection<SurveyText>>> {
        let Some(sample) = &self.0.texts else {
            return Ok(None);
        };
        let page = PageRequest::<String>::new(first, after, last, before)?;
        let loaded = page.after.is_none()
            && page.before.is_none()
            && page.reads_in_list_order()
            && page.size <= TEXTS_LOADED;
        let (rows, distinct) = if loaded {
            let rows: Vec<TextCount> = sample.first.iter().take(page.size + 1).cloned().collect();
            (rows, sample.distinct)
        } else {
            data::<FeedbackService>(ctx)?
                .survey_texts(viewer(ctx)?, self.0.question.id, sample.group, &page)
                .await?
        };
        let total = TotalCount::known(usize::try_from(distinct).unwrap_or_default());
        Ok(Some(page.into_connection(
            rows,
            |row| row.text.clone(),
            |row| SurveyText {
                text: row.text,
                count: row.count,
            },
            total,
        )))
    }
}

/// Answers giving one point of a scale.
#[derive(SimpleObject)]
pub struct SurveyScaleCount {
    /// The point, 1 (lowest) to 5 (highest).
    point: i32,
    /// How many answers gave it.
    count: i64,
}

/// Answers choosing one option.
#[derive(SimpleObject)]
pub struct SurveyOptionCount {
    /// The option's index in the question (0 first).
    index: i32,
    /// The option.
    label: String,
    /// How many answers chose it.
    count: i64,
}

/// A free text, and how many responses wrote exactly it.
#[derive(SimpleObject)]
pub struct SurveyText {
    /// The text.
    text: String,
    /// How many responses of the group wrote it.
    count: i64,
}
