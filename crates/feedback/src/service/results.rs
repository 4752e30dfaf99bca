//! Survey results: for the secretariat and analysts once a survey has
//! closed, and for its audience once the secretariat published them.
//!
//! Figures change only while responses arrive, and a figure that changes
//! right after someone answered shows what they answered to whoever knows
//! they just did; so there are no results before a survey closes. After
//! that, a group of respondents is shown only with at least the survey's
//! `min_group` responses (free texts: `min_text_group`), and as many other
//! groups are withheld with it that no withheld group can be worked out
//! from the total (`alumni_core::suppression`). Below `min_group`
//! responses in all, nothing is shown.

use std::collections::{BTreeMap, HashMap};

use alumni_core::pagination::PageRequest;
use alumni_core::suppression::{total_shown, withheld, withheld_cells};
use alumni_core::{AppError, AppResult, Viewer};
use diesel_async::AsyncPgConnection;

use super::{FeedbackService, refused};
use crate::model::{
    Cohort, QuestionRecord, SCALE_MAX, SCALE_MIN, SurveyId, SurveyQuestionId, SurveyQuestionKind,
    SurveyRecord, SurveyState,
};
use crate::store::results::{self as store, Figure, GroupFilter, TextCount};
use crate::store::surveys as surveys_store;

/// Distinct texts loaded with the results for each question and group
/// (the first page); later pages are read one at a time.
pub const TEXTS_LOADED: usize = 20;

/// What results may be broken down by.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyDimension {
    /// The predecessor company respondents left.
    Company,
    /// The five-year band of the year respondents left.
    LeftYearBand,
}

/// The attributes results are broken down by (neither: the survey as a
/// whole).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Breakdown {
    /// By company.
    pub company: bool,
    /// By leave-year band.
    pub left_year_band: bool,
}

impl Breakdown {
    /// The breakdown by `dimensions`.
    pub fn by(dimensions: &[SurveyDimension]) -> Self {
        Self {
            company: dimensions.contains(&SurveyDimension::Company),
            left_year_band: dimensions.contains(&SurveyDimension::LeftYearBand),
        }
    }

    /// Whether it breaks nothing down.
    pub fn is_whole(self) -> bool {
        !self.company && !self.left_year_band
    }

    /// The group a response of cohort `cell` falls in.
    pub fn group_of(self, cell: Cohort) -> Cohort {
        Cohort {
            company: cell.company.filter(|_| self.company),
            left_year_band: cell.left_year_band.filter(|_| self.left_year_band),
        }
    }

    /// The group of `cohort` in this breakdown, for reading its texts.
    pub fn group(self, cohort: Cohort) -> GroupFilter {
        GroupFilter {
            by_company: self.company,
            by_band: self.left_year_band,
            cohort: self.group_of(cohort),
        }
    }
}

/// A survey's results as the viewer may read them.
#[derive(Debug, Clone)]
pub struct SurveyResults {
    /// The survey.
    pub survey: SurveyRecord,
    /// What the groups are broken down by.
    pub breakdown: Breakdown,
    /// Whether the survey has too few responses to show anything.
    pub suppressed: bool,
    /// The survey as a whole.
    pub overall: GroupResult,
    /// The groups of the breakdown (none when suppressed or not broken
    /// down), by company and band.
    pub groups: Vec<GroupResult>,
}

/// The results of one group of respondents (or of all of them).
#[derive(Debug, Clone)]
pub struct GroupResult {
    /// The group's attributes (`None` where not broken down by one, or
    /// where its respondents' cohort does not carry it).
    pub cohort: Cohort,
    /// How many responses; `None` when withheld.
    pub responses: Option<i64>,
    /// Per question, in order; `None` when withheld.
    pub questions: Option<Vec<QuestionResult>>,
    /// Whether its free texts are withheld.
    pub texts_withheld: bool,
}

/// What one group answered to one question.
#[derive(Debug, Clone)]
pub struct QuestionResult {
    /// The question.
    pub question: QuestionRecord,
    /// How many responses answered it.
    pub answered: i64,
    /// Answers per point of the scale (1 to 5), or per option (by index);
    /// empty for free text.
    pub counts: Vec<i64>,
    /// The mean point of a scale question (`None` without answers).
    pub mean: Option<f64>,
    /// The first distinct texts of a free-text question, when shown and
    /// asked for.
    pub texts: Option<TextSample>,
}

/// The first distinct texts of one question in one group.
#[derive(Debug, Clone)]
pub struct TextSample {
    /// The group.
    pub group: GroupFilter,
    /// Up to [`TEXTS_LOADED`]` + 1` texts, in text order.
    pub first: Vec<TextCount>,
    /// How many distinct texts the group wrote.
    pub distinct: i64,
}

/// Which figures of a group may be shown.
#[derive(Debug, Clone, Copy)]
struct Shown {
    figures: bool,
    texts: bool,
}

/// What suppression leaves of a survey's groups.
struct Plan {
    overall: Shown,
    groups: Vec<(Cohort, i64, Shown)>,
}

/// Decides which groups are shown, from the responses per cohort cell.
fn plan(cells: &[(Cohort, i64)], breakdown: Breakdown, k: i64, k_text: i64) -> Plan {
    let total: i64 = cells.iter().map(|(_, size)| size).sum();
    let overall = Shown {
        figures: total_shown(total, k),
        texts: total_shown(total, k) && total_shown(total, k_text),
    };
    if breakdown.is_whole() || !overall.figures {
        return Plan {
            overall,
            groups: Vec::new(),
        };
    }
    let mut sizes: BTreeMap<Cohort, i64> = BTreeMap::new();
    for (cell, size) in cells {
        *sizes.entry(breakdown.group_of(*cell)).or_default() += size;
    }
    let groups: Vec<(Cohort, i64)> = sizes.into_iter().collect();
    let (hidden, texts_hidden) = if breakdown.company && breakdown.left_year_band {
        let table: Vec<_> = groups
            .iter()
            .map(|(cohort, size)| (cohort.company, cohort.left_year_band, *size))
            .collect();
        (withheld_cells(&table, k), withheld_cells(&table, k_text))
    } else {
        let sizes: Vec<i64> = groups.iter().map(|(_, size)| *size).collect();
        (withheld(&sizes, k), withheld(&sizes, k_text))
    };
    Plan {
        overall,
        groups: groups
            .into_iter()
            .zip(hidden.into_iter().zip(texts_hidden))
            .map(|((cohort, size), (hidden, texts_hidden))| {
                let shown = Shown {
                    figures: !hidden,
                    texts: !hidden && !texts_hidden,
                };
                (cohort, size, shown)
            })
            .collect(),
    }
}

/// The counts of one group.
#[derive(Default)]
struct Tally {
    answered: HashMap<SurveyQuestionId, i64>,
    values: HashMap<(SurveyQuestionId, i32), i64>,
}

impl Tally {
    fn add(&mut self, figure: Figure, size: i64) {
        match figure {
            Figure::Responses => {}
            Figure::Answered(question) => *self.answered.entry(question).or_default() += size,
            Figure::Value(question, value) => {
                *self.values.entry((question, value)).or_default() += size;
            }
        }
    }

    fn result(&self, question: &QuestionRecord, texts: Option<TextSample>) -> QuestionResult {
        let answered = self.answered.get(&question.id).copied().unwrap_or_default();
        let count = |value: i32| {
            self.values
                .get(&(question.id, value))
                .copied()
                .unwrap_or_default()
        };
        let values: Vec<i32> = match question.kind {
            SurveyQuestionKind::Scale => (i32::from(SCALE_MIN)..=i32::from(SCALE_MAX)).collect(),
            SurveyQuestionKind::SingleChoice | SurveyQuestionKind::MultipleChoice => {
                (0..i32::try_from(question.options.len()).unwrap_or_default()).collect()
            }
            SurveyQuestionKind::FreeText => Vec::new(),
        };
        let counts: Vec<i64> = values.iter().map(|value| count(*value)).collect();
        let mean = (question.kind == SurveyQuestionKind::Scale && answered > 0).then(|| {
            let sum: i64 = values
                .iter()
                .zip(&counts)
                .map(|(value, count)| i64::from(*value) * count)
                .sum();
            #[allow(clippy::cast_precision_loss)]
            let mean = sum as f64 / answered as f64;
            (mean * 100.0).round() / 100.0
        });
        QuestionResult {
            question: question.clone(),
            answered,
            counts,
            mean,
            texts: texts.filter(|_| question.kind == SurveyQuestionKind::FreeText),
        }
    }
}

impl FeedbackService {
    /// A closed survey's results broken down by `breakdown` (see the
    /// module's notes); texts are read only when `with_texts`.
    pub async fn survey_results(
        &self,
        viewer: &Viewer,
        id: SurveyId,
        breakdown: Breakdown,
        with_texts: bool,
    ) -> AppResult<SurveyResults> {
        let mut conn = self.ctx.conn().await?;
        let survey = self.results_survey_in(&mut conn, viewer, id).await?;
        let questions = surveys_store::questions_of_survey(&mut conn, id).await?;
        let figures = store::figures(&mut conn, id).await?;
        let cells: Vec<(Cohort, i64)> = figures
            .iter()
            .filter(|(figure, ..)| *figure == Figure::Responses)
            .map(|(_, cell, size)| (*cell, *size))
            .collect();
        let plan = plan(
            &cells,
            breakdown,
            i64::from(survey.min_group),
            i64::from(survey.min_text_group),
        );
        let mut overall_tally = Tally::default();
        let mut tallies: HashMap<Cohort, Tally> = HashMap::new();
        for (figure, cell, size) in &figures {
            overall_tally.add(*figure, *size);
            if !breakdown.is_whole() {
                tallies
                    .entry(breakdown.group_of(*cell))
                    .or_default()
                    .add(*figure, *size);
            }
        }
        let asks_texts = with_texts
            && questions
                .iter()
                .any(|question| question.kind == SurveyQuestionKind::FreeText);
        let mut texts = HashMap::new();
        if asks_texts && plan.overall.texts {
            texts.extend(first_texts(&mut conn, id, Breakdown::default()).await?);
        }
        if asks_texts && plan.groups.iter().any(|(.., shown)| shown.texts) {
            texts.extend(first_texts(&mut conn, id, breakdown).await?);
        }
        let mut text_sample = |question: SurveyQuestionId, group: GroupFilter| {
            let (first, distinct) = texts
                .remove(&(question, group.by_company, group.by_band, group.cohort))
                .unwrap_or_default();
            TextSample {
                group,
                first,
                distinct,
            }
        };
        let mut group_result =
            |cohort: Cohort, group: GroupFilter, size: i64, shown: Shown, tally: Option<&Tally>| {
                if !shown.figures {
                    return GroupResult {
                        cohort,
                        responses: None,
                        questions: None,
                        texts_withheld: true,
                    };
                }
                let empty = Tally::default();
                let tally = tally.unwrap_or(&empty);
                GroupResult {
                    cohort,
                    responses: Some(size),
                    questions: Some(
                        questions
                            .iter()
                            .map(|question| {
                                let texts = (asks_texts && shown.texts)
                                    .then(|| text_sample(question.id, group));
                                tally.result(question, texts)
                            })
                            .collect(),
                    ),
                    texts_withheld: !shown.texts,
                }
            };
        let total: i64 = cells.iter().map(|(_, size)| size).sum();
        let overall = group_result(
            Cohort::default(),
            Breakdown::default().group(Cohort::default()),
            total,
            plan.overall,
            Some(&overall_tally),
        );
        let groups = plan
            .groups
            .iter()
            .map(|(cohort, size, shown)| {
                group_result(
                    *cohort,
                    breakdown.group(*cohort),
                    *size,
                    *shown,
                    tallies.get(cohort),
                )
            })
            .collect();
        Ok(SurveyResults {
            suppressed: !plan.overall.figures,
            survey,
            breakdown,
            overall,
            groups,
        })
    }

    /// A page of one free-text question's distinct texts in one group of
    /// a breakdown (in text order), with how many there are; `FORBIDDEN`
    /// when the group's texts are withheld.
    pub async fn survey_texts(
        &self,
        viewer: &Viewer,
        question: SurveyQuestionId,
        group: GroupFilter,
        page: &PageRequest<String>,
    ) -> AppResult<(Vec<TextCount>, i64)> {
        let mut conn = self.ctx.conn().await?;
        let not_found = AppError::NotFound {
            entity: "SurveyQuestion",
        };
        let question = surveys_store::question(&mut conn, question)
            .await?
            .filter(|question| question.kind == SurveyQuestionKind::FreeText)
            .ok_or(not_found)?;
        let survey = self
            .results_survey_in(&mut conn, viewer, question.survey_id)
            .await?;
        let breakdown = Breakdown {
            company: group.by_company,
            left_year_band: group.by_band,
        };
        let group = breakdown.group(group.cohort);
        let cells = store::cell_sizes(&mut conn, survey.id).await?;
        let plan = plan(
            &cells,
            breakdown,
            i64::from(survey.min_group),
            i64::from(survey.min_text_group),
        );
        let shown = if breakdown.is_whole() {
            plan.overall.texts
        } else {
            plan.groups
                .iter()
                .any(|(cohort, _, shown)| *cohort == group.cohort && shown.texts)
        };
        if !shown {
            return Err(AppError::forbidden(
                "these texts are withheld: too few responses",
            ));
        }
        Ok(store::text_page(&mut conn, survey.id, question.id, group, page).await?)
    }

    /// The survey whose results the viewer asks for: closed, and published
    /// unless they are the secretariat or an analyst.
    async fn results_survey_in(
        &self,
        conn: &mut AsyncPgConnection,
        viewer: &Viewer,
        id: SurveyId,
    ) -> AppResult<SurveyRecord> {
        let visibility = self.survey_visibility(viewer)?;
        let survey = surveys_store::by_ids(conn, &visibility, &[id])
            .await?
            .pop()
            .ok_or(AppError::NotFound { entity: "Survey" })?;
        if survey.state(visibility.now) != SurveyState::Closed {
            return Err(refused(
                "results are shown once the survey has closed",
                "NOT_CLOSED",
            ));
        }
        if !visibility.all && !survey.results_published {
            return Err(AppError::forbidden(
                "the secretariat has not published these results",
            ));
        }
        Ok(survey)
    }
}

type TextKey = (SurveyQuestionId, bool, bool, Cohort);

/// The first texts of every free-text question in every group of
/// `breakdown`.
async fn first_texts(
    conn: &mut AsyncPgConnection,
    survey: SurveyId,
    breakdown: Breakdown,
) -> AppResult<HashMap<TextKey, (Vec<TextCount>, i64)>> {
    let limit = i64::try_from(TEXTS_LOADED + 1).unwrap_or(i64::MAX);
    let rows = store::first_texts(
        conn,
        survey,
        breakdown.company,
        breakdown.left_year_band,
        limit,
    )
    .await?;
    let mut texts: HashMap<TextKey, (Vec<TextCount>, i64)> = HashMap::new();
    for (question, cohort, text, distinct) in rows {
        let entry = texts
            .entry((
                question,
                breakdown.company,
                breakdown.left_year_band,
                cohort,
            ))
            .or_insert_with(|| (Vec::new(), distinct));
        entry.0.push(text);
    }
    Ok(texts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alumni_membership::model::CompanyId;

    fn company(n: u128) -> Option<CompanyId> {
        Some(CompanyId(uuid::Uuid::from_u128(n)))
    }

    fn cell(company_n: u128, band: i32, size: i64) -> (Cohort, i64) {
        (
            Cohort {
                company: company(company_n),
                left_year_band: Some(band),
            },
            size,
        )
    }

    #[test]
    fn groups_are_added_up_from_cells_and_withheld_with_a_complement() {
        let cells = [
            cell(1, 2010, 4),
            cell(1, 2015, 4),
            cell(2, 2015, 6),
            cell(3, 2015, 2),
        ];
        let by_company = Breakdown {
            company: true,
            left_year_band: false,
        };
        let plan = plan(&cells, by_company, 5, 7);
        let shown: Vec<(Option<CompanyId>, i64, bool, bool)> = plan
            .groups
            .iter()
            .map(|(cohort, size, shown)| (cohort.company, *size, shown.figures, shown.texts))
            .collect();
        // Company 3 (2) is too small; the next smallest (6) is withheld
        // with it, so the total minus what is shown is a group of 8.
        assert_eq!(
            shown,
            [
                (company(1), 8, true, true),
                (company(2), 6, false, false),
                (company(3), 2, false, false),
            ]
        );
        assert!(plan.overall.figures && plan.overall.texts);
    }

    #[test]
    fn below_the_smallest_group_nothing_is_shown() {
        let cells = [cell(1, 2010, 2), cell(2, 2015, 2)];
        let plan = plan(&cells, Breakdown::by(&[SurveyDimension::Company]), 5, 5);
        assert!(!plan.overall.figures);
        assert!(plan.groups.is_empty());
    }

    #[test]
    fn free_texts_need_the_larger_group() {
        let cells = [cell(1, 2010, 6), cell(2, 2010, 12)];
        let plan = plan(&cells, Breakdown::by(&[SurveyDimension::Company]), 5, 10);
        let texts: Vec<bool> = plan.groups.iter().map(|(.., shown)| shown.texts).collect();
        let figures: Vec<bool> = plan
            .groups
            .iter()
            .map(|(.., shown)| shown.figures)
            .collect();
        assert_eq!(figures, [true, true]);
        // The group of 6 writes too few texts; the 12 go with them, or the
        // overall texts minus theirs would be the 6's.
        assert_eq!(texts, [false, false]);
        assert!(plan.overall.texts);
    }
}
