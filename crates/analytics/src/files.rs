//! Every dashboard as a CSV file for Excel and BI tools, at
//! `/analytics/<dashboard>.csv` with the GraphQL arguments as query
//! parameters: UTF-8 with a byte-order mark, the same rows, withheld
//! counts and rates left empty.

use std::sync::Arc;

use alumni_core::csv::CsvWriter;
use alumni_core::domain::{File, FileRequest, FileRoute};
use alumni_core::{AppError, AppResult};
use chrono::NaiveDate;

use crate::AnalyticsService;
use crate::service::{CohortDimension, Group, Period};
use crate::suppress::{Count, Figure};

const CSV: &str = "text/csv; charset=utf-8";

/// The route of every dashboard's file.
pub fn route(service: &AnalyticsService) -> FileRoute {
    let service = service.clone();
    FileRoute {
        path: "/analytics/{file}",
        signed_in: true,
        serve: Arc::new(move |request: FileRequest| {
            let service = service.clone();
            Box::pin(async move {
                let name = request.parameter.clone();
                let body = service.dashboard_csv(&request).await?;
                Ok(File {
                    content_type: CSV,
                    name,
                    body,
                })
            })
        }),
    }
}

/// The query parameters of one request, read once each.
struct Arguments<'a>(&'a [(String, String)]);

impl Arguments<'_> {
    fn text(&self, name: &str) -> AppResult<Option<&str>> {
        let mut values = self.0.iter().filter(|(key, _)| key == name);
        let value = values.next().map(|(_, value)| value.as_str());
        if values.next().is_some() {
            return Err(AppError::bad_input(name, "given more than once"));
        }
        Ok(value)
    }

    fn date(&self, name: &str) -> AppResult<NaiveDate> {
        let text = self
            .text(name)?
            .ok_or_else(|| AppError::bad_input(name, "required (YYYY-MM-DD)"))?;
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| AppError::bad_input(name, "not a date (YYYY-MM-DD)"))
    }

    fn dimension(&self, name: &str) -> AppResult<Option<CohortDimension>> {
        self.text(name)?
            .map(|text| {
                CohortDimension::parse(text).ok_or_else(|| {
                    AppError::bad_input(name, "one of COMPANY, LEAVE_YEAR_BAND, DEPARTMENT_BAND")
                })
            })
            .transpose()
    }

    fn period(&self) -> AppResult<Period> {
        match self.text("period")? {
            None => Ok(Period::Month),
            Some(text) => {
                Period::parse(text).ok_or_else(|| AppError::bad_input("period", "WEEK or MONTH"))
            }
        }
    }
}

fn count(count: Count) -> String {
    count.shown().map(|n| n.to_string()).unwrap_or_default()
}

fn figure(figure: Figure) -> String {
    figure
        .value
        .filter(|_| !figure.suppressed)
        .map(|value| format!("{value:.4}"))
        .unwrap_or_default()
}

fn group(group: Option<&Group>) -> String {
    group.map_or_else(|| "合計".to_owned(), |group| group.label.clone())
}

impl AnalyticsService {
    /// The file `request.parameter` names, e.g. `engagement.csv`.
    async fn dashboard_csv(&self, request: &FileRequest) -> AppResult<Vec<u8>> {
        let viewer = &request.viewer;
        crate::service::reads_dashboards(viewer)?;
        let arguments = Arguments(&request.query);
        let mut csv = CsvWriter::new();
        match request.parameter.as_str() {
            "engagement.csv" => {
                let by = arguments.dimension("by")?;
                let dashboard = self
                    .engagement(
                        viewer,
                        arguments.date("from")?,
                        arguments.date("to")?,
                        arguments.period()?,
                        by,
                    )
                    .await?;
                csv.write_row([
                    "starts_on",
                    "group",
                    "active",
                    "readers",
                    "writers",
                    "attendees",
                ])?;
                for row in &dashboard.rows {
                    csv.write_row([
                        row.starts_on.to_string(),
                        group(row.group.as_ref()),
                        count(row.active),
                        count(row.readers),
                        count(row.writers),
                        count(row.attendees),
                    ])?;
                }
            }
            "cohorts.csv" => {
                let rows = arguments
                    .dimension("rows")?
                    .ok_or_else(|| AppError::bad_input("rows", "required"))?;
                let dashboard = self
                    .cohorts(viewer, rows, arguments.dimension("columns")?)
                    .await?;
                csv.write_row([
                    "row",
                    "column",
                    "members",
                    "active",
                    "active_rate",
                    "readers",
                    "reader_rate",
                    "writers",
                    "writer_rate",
                    "attendees",
                    "attendee_rate",
                ])?;
                for cell in &dashboard.cells {
                    csv.write_row([
                        group(cell.row.as_ref()),
                        group(cell.column.as_ref()),
                        count(cell.members),
                        count(cell.active),
                        figure(cell.active_rate),
                        count(cell.readers),
                        figure(cell.reader_rate),
                        count(cell.writers),
                        figure(cell.writer_rate),
                        count(cell.attendees),
                        figure(cell.attendee_rate),
                    ])?;
                }
            }
            "funnel.csv" => {
                let dashboard = self.funnel(viewer, arguments.dimension("by")?).await?;
                csv.write_row([
                    "group",
                    "roster",
                    "applied",
                    "applied_rate",
                    "approved",
                    "approved_rate",
                    "active",
                    "active_rate",
                ])?;
                for row in &dashboard.rows {
                    csv.write_row([
                        group(row.group.as_ref()),
                        count(row.roster),
                        count(row.applied),
                        figure(row.applied_rate),
                        count(row.approved),
                        figure(row.approved_rate),
                        count(row.active),
                        figure(row.active_rate),
                    ])?;
                }
            }
            "event-attendance.csv" => {
                let dashboard = self
                    .event_attendance(viewer, arguments.date("from")?, arguments.date("to")?)
                    .await?;
                csv.write_row([
                    "starts_at",
                    "title",
                    "kind",
                    "confirmed",
                    "attended",
                    "attendance_rate",
                ])?;
                for row in &dashboard.rows {
                    csv.write_row([
                        row.starts_at.map(|at| at.to_rfc3339()).unwrap_or_default(),
                        row.title.clone(),
                        row.kind.clone().unwrap_or_default(),
                        count(row.confirmed),
                        count(row.attended),
                        figure(row.attendance_rate),
                    ])?;
                }
            }
            "question-answers.csv" => {
                let dashboard = self
                    .question_answers(viewer, arguments.date("from")?, arguments.date("to")?)
                    .await?;
                csv.write_row([
                    "month",
                    "asked",
                    "answered",
                    "answer_rate",
                    "answered_within_day",
                    "accepted",
                    "accepted_rate",
                    "median_hours_to_first_answer",
                    "p90_hours_to_first_answer",
                ])?;
                for row in &dashboard.rows {
                    csv.write_row([
                        row.month.to_string(),
                        count(row.asked),
                        count(row.answered),
                        figure(row.answer_rate),
                        count(row.answered_within_day),
                        count(row.accepted),
                        figure(row.accepted_rate),
                        figure(row.median_hours_to_first_answer),
                        figure(row.p90_hours_to_first_answer),
                    ])?;
                }
            }
            "content-reads.csv" => {
                let dashboard = self
                    .content_reads(viewer, arguments.date("from")?, arguments.date("to")?)
                    .await?;
                csv.write_row(["published_at", "title", "audience", "readers", "read_rate"])?;
                for row in &dashboard.rows {
                    csv.write_row([
                        row.published_at.to_rfc3339(),
                        row.title.clone(),
                        count(row.audience),
                        count(row.readers),
                        figure(row.read_rate),
                    ])?;
                }
            }
            _ => {
                return Err(AppError::NotFound {
                    entity: "Dashboard",
                });
            }
        }
        csv.finish()
    }
}
