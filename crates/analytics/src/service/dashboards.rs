//! The dashboards: each one statement over pre-aggregated views, bounded
//! in range and rows, with small groups withheld (see [`crate::suppress`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use alumni_core::{AppError, AppResult, GlobalId, Viewer};
use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};

use super::{AnalyticsService, month_of, reads_dashboards, start_of, week_of};
use crate::store::{self, RefreshState};
use crate::suppress::{Count, Figure, Mask, alone, part_alone};

/// The longest range of days a dashboard covers (two years).
pub const MAX_DAYS: i64 = 731;

/// The most events or posts one dashboard lists.
pub const MAX_LISTED: usize = 200;

/// The most rows (or cells) one dashboard returns.
pub const MAX_ROWS: usize = 5_000;

/// The longest any dashboard statement may run.
const STATEMENT_TIMEOUT: &str = "SET LOCAL statement_timeout = '5s'";

/// What members are grouped by: their cohort.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CohortDimension {
    /// The company (today's or a predecessor) they worked for.
    Company,
    /// The five years their leaving falls in (2015–2019, …).
    LeaveYearBand,
    /// The department they last worked in; departments of fewer than five
    /// members share the band 「その他」 (other).
    DepartmentBand,
}

impl CohortDimension {
    /// Its name in SQL and in CSV addresses.
    pub fn as_str(self) -> &'static str {
        match self {
            CohortDimension::Company => "COMPANY",
            CohortDimension::LeaveYearBand => "LEAVE_YEAR_BAND",
            CohortDimension::DepartmentBand => "DEPARTMENT_BAND",
        }
    }

    /// The dimension named `name` (as [`Self::as_str`] writes it).
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Company, Self::LeaveYearBand, Self::DepartmentBand]
            .into_iter()
            .find(|dimension| dimension.as_str() == name)
    }
}

/// How activity is counted over time.
#[derive(async_graphql::Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "AnalyticsPeriod")]
pub enum Period {
    /// Weeks from Monday (Japan time).
    Week,
    /// Calendar months (Japan time).
    Month,
}

impl Period {
    /// Its name in SQL and in CSV addresses.
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Week => "WEEK",
            Period::Month => "MONTH",
        }
    }

    /// The period named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Week, Self::Month]
            .into_iter()
            .find(|period| period.as_str() == name)
    }

    fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Period::Week => week_of(day),
            Period::Month => month_of(day),
        }
    }

    fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Period::Week => start + Duration::days(7),
            Period::Month => start + Months::new(1),
        }
    }
}

/// A group of members sharing one value of a cohort dimension.
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
#[graphql(name = "CohortGroup")]
pub struct Group {
    /// The dimension.
    pub dimension: CohortDimension,
    /// The value, stable across refreshes: a company's UUID, a band's
    /// first year, a department's name; `null` for members without it.
    pub key: Option<String>,
    /// The value for people: a company's name, 「2015–2019」, a department;
    /// 「不明」 (unknown) for members without it.
    pub label: String,
}

/// Active members per period (and group): distinct members with any
/// activity, reading, writing, attending.
#[derive(SimpleObject, Debug, Clone)]
pub struct EngagementDashboard {
    /// The moment the figures describe (the last refresh).
    pub as_of: DateTime<Utc>,
    /// Weeks or months.
    pub period: Period,
    /// The dimension members are grouped by, if any.
    pub by: Option<CohortDimension>,
    /// Per period, oldest first: all members (`group: null`), then each
    /// group when grouped.
    pub rows: Vec<EngagementRow>,
}

/// Active members of one period and group.
#[derive(SimpleObject, Debug, Clone)]
pub struct EngagementRow {
    /// The period's first day.
    pub starts_on: NaiveDate,
    /// The group; `null` for all members.
    pub group: Option<Group>,
    /// Members who signed in or did anything.
    pub active: Count,
    /// Members who read a post of the magazine.
    pub readers: Count,
    /// Members who wrote: posts, comments, questions, answers, articles,
    /// board posts.
    pub writers: Count,
    /// Members who were checked in at an event.
    pub attendees: Count,
}

/// Members by cohort, in one dimension or two, with totals.
#[derive(SimpleObject, Debug, Clone)]
pub struct CohortDashboard {
    /// The moment the figures describe (the last refresh).
    pub as_of: DateTime<Utc>,
    /// The dimension of the rows.
    pub rows: CohortDimension,
    /// The dimension of the columns, if any.
    pub columns: Option<CohortDimension>,
    /// Every cell, row by row; then (with columns) each row's total
    /// (`column: null`) and each column's total (`row: null`); last the
    /// total of all members (`row` and `column` null).
    pub cells: Vec<CohortCell>,
}

/// The members of one cohort cell, and how many of them took part
/// recently (seen in the last 90 days; read, wrote, attended in the last
/// 13 weeks), with rates.
#[derive(SimpleObject, Debug, Clone)]
pub struct CohortCell {
    /// The row's group; `null` in column totals and the grand total.
    pub row: Option<Group>,
    /// The column's group; `null` in row totals, the grand total, and
    /// without columns.
    pub column: Option<Group>,
    /// Members.
    pub members: Count,
    /// Members seen on the network in the last 90 days.
    pub active: Count,
    /// `active` of `members` (0 to 1).
    pub active_rate: Figure,
    /// Members who read a post in the last 13 weeks.
    pub readers: Count,
    /// `readers` of `members`.
    pub reader_rate: Figure,
    /// Members who wrote something in the last 13 weeks.
    pub writers: Count,
    /// `writers` of `members`.
    pub writer_rate: Figure,
    /// Members checked in at an event in the last 13 weeks.
    pub attendees: Count,
    /// `attendees` of `members`.
    pub attendee_rate: Figure,
}

/// The membership funnel: people HR knows, who applied, who were
/// approved, who are active.
#[derive(SimpleObject, Debug, Clone)]
pub struct FunnelDashboard {
    /// The moment the figures describe (the last refresh).
    pub as_of: DateTime<Utc>,
    /// The dimension people are grouped by, if any.
    pub by: Option<CohortDimension>,
    /// Each group, then everyone (`group: null`).
    pub rows: Vec<FunnelRow>,
}

/// The funnel of one group.
#[derive(SimpleObject, Debug, Clone)]
pub struct FunnelRow {
    /// The group; `null` for everyone.
    pub group: Option<Group>,
    /// Former employees on HR's roster.
    pub roster: Count,
    /// Applications to join (some from people not on the roster, invited
    /// or checked by the secretariat).
    pub applied: Count,
    /// `applied` of `roster` (may exceed 1 where many applied by invitation).
    pub applied_rate: Figure,
    /// Applications approved.
    pub approved: Count,
    /// `approved` of `applied`.
    pub approved_rate: Figure,
    /// Approved members seen on the network in the last 90 days.
    pub active: Count,
    /// `active` of `approved`.
    pub active_rate: Figure,
}

/// Attendance of the events that started in a range of days.
#[derive(SimpleObject, Debug, Clone)]
pub struct EventAttendanceDashboard {
    /// The moment the figures describe (the last refresh).
    pub as_of: DateTime<Utc>,
    /// Each event that was not cancelled, in order, then all of them
    /// together (`eventId: null`).
    pub rows: Vec<EventAttendanceRow>,
}

/// One event's attendance.
#[derive(SimpleObject, Debug, Clone)]
pub struct EventAttendanceRow {
    /// The event (`null` in the total).
    pub event_id: Option<ID>,
    /// Its title (「合計」 in the total).
    pub title: String,
    /// Its kind, e.g. `STUDY_SESSION` (`null` in the total).
    pub kind: Option<String>,
    /// When it started (`null` in the total).
    pub starts_at: Option<DateTime<Utc>>,
    /// Members holding a confirmed seat.
    pub confirmed: Count,
    /// Of them, members checked in.
    pub attended: Count,
    /// `attended` of `confirmed` (0 to 1).
    pub attendance_rate: Figure,
}

/// Questions of the knowledge community per month asked: how many were
/// answered, how soon, how many accepted.
#[derive(SimpleObject, Debug, Clone)]
pub struct QuestionAnswerDashboard {
    /// The moment the figures describe (the last refresh).
    pub as_of: DateTime<Utc>,
    /// Each month, oldest first.
    pub rows: Vec<QuestionAnswerRow>,
}

/// The questions asked in one month (duplicates and removed ones left out).
#[derive(SimpleObject, Debug, Clone)]
pub struct QuestionAnswerRow {
    /// The month's first day.
    pub month: NaiveDate,
    /// Questions asked.
    pub asked: Count,
    /// Of them, answered.
    pub answered: Count,
    /// `answered` of `asked` (0 to 1).
    pub answer_rate: Figure,
    /// Of them, answered within 24 hours.
    pub answered_within_day: Count,
    /// Of them, with an accepted answer.
    pub accepted: Count,
    /// `accepted` of `asked`.
    pub accepted_rate: Figure,
    /// Median hours from asking to the first answer (of those answered).
    pub median_hours_to_first_answer: Figure,
    /// The 90th percentile of the hours to the first answer.
    pub p90_hours_to_first_answer: Figure,
}

/// How many in each post's audience read it.
#[derive(SimpleObject, Debug, Clone)]
pub struct ContentReadDashboard {
    /// The moment the figures describe (the last refresh).
    pub as_of: DateTime<Utc>,
    /// Each post published in the range, newest first.
    pub rows: Vec<ContentReadRow>,
}

/// One post's readers.
#[derive(SimpleObject, Debug, Clone)]
pub struct ContentReadRow {
    /// The post.
    pub post_id: ID,
    /// Its title.
    pub title: String,
    /// When it was published.
    pub published_at: DateTime<Utc>,
    /// Members its audience holds today.
    pub audience: Count,
    /// Of them (at most), members who read it.
    pub readers: Count,
    /// `readers` of `audience` (0 to 1).
    pub read_rate: Figure,
}

/// A range of days checked: `from` to `to`, both included, at most
/// [`MAX_DAYS`].
fn checked_range(from: NaiveDate, to: NaiveDate) -> AppResult<()> {
    if to < from {
        return Err(AppError::bad_input("to", "must not be before `from`"));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(AppError::bad_input(
            "from",
            "a dashboard covers at most two years",
        ));
    }
    Ok(())
}

/// The label of a group's key.
fn label(
    dimension: CohortDimension,
    key: Option<&str>,
    companies: &HashMap<String, String>,
) -> String {
    let Some(key) = key else {
        return "不明".to_owned();
    };
    match dimension {
        CohortDimension::Company => companies
            .get(key)
            .cloned()
            .unwrap_or_else(|| "不明".to_owned()),
        CohortDimension::LeaveYearBand => match key.parse::<i32>() {
            Ok(first) => format!("{first}–{}", first + 4),
            Err(_) => key.to_owned(),
        },
        CohortDimension::DepartmentBand => key.to_owned(),
    }
}

/// The groups of `dimension` with these keys, in a stable order (by label,
/// bands by year; members without the attribute last).
fn groups(
    dimension: CohortDimension,
    keys: BTreeSet<Option<String>>,
    companies: &HashMap<String, String>,
) -> Vec<Group> {
    let mut groups: Vec<Group> = keys
        .into_iter()
        .map(|key| Group {
            dimension,
            label: label(dimension, key.as_deref(), companies),
            key,
        })
        .collect();
    groups.sort_by(|a, b| {
        (a.key.is_none(), &a.label, &a.key).cmp(&(b.key.is_none(), &b.label, &b.key))
    });
    groups
}

/// One value per group, as the one column of a table.
fn column(values: &[i64]) -> Vec<Vec<i64>> {
    values.iter().map(|value| vec![*value]).collect()
}

/// `values` as shown under `mask`: the groups', then the total's.
fn shown(values: &[i64], mask: &Mask) -> Vec<Count> {
    values
        .iter()
        .zip(&mask.cells)
        .map(|(value, hidden)| Count::new(*value, hidden[0]))
        .chain(std::iter::once(Count::new(values.iter().sum(), mask.total)))
        .collect()
}

/// Counts of a one-dimensional breakdown as shown: the groups', then the
/// total's.
fn breakdown(sizes: &[i64]) -> Vec<Count> {
    shown(sizes, &Mask::of(&column(sizes)))
}

/// Counts of `part`, people who are some of those `whole` counts (group
/// by group), as shown beside the whole's breakdown: the groups', then
/// the total's.
fn part_of(whole: &[i64], part: &[i64]) -> Vec<Count> {
    let whole_table = column(whole);
    let whole_mask = Mask::of(&whole_table);
    shown(
        part,
        &Mask::of_part(&column(part), &whole_table, &whole_mask),
    )
}

/// Bounds the statements of the caller's transaction to five seconds
/// each, and reads the refresh state the rest of it will see.
async fn bounded(conn: &mut AsyncPgConnection) -> diesel::QueryResult<RefreshState> {
    diesel::sql_query(STATEMENT_TIMEOUT).execute(conn).await?;
    store::refresh_state(conn).await
}

impl AnalyticsService {
    /// Company names by id (as text), for labels.
    async fn companies(&self) -> AppResult<HashMap<String, String>> {
        let mut conn = self.ctx.conn().await?;
        Ok(store::company_names(&mut conn)
            .await?
            .into_iter()
            .map(|company| (company.company_id.to_string(), company.name))
            .collect())
    }

    /// Active members per week or month from `from` to `to` (the periods
    /// holding them), optionally per group of `by`.
    pub async fn engagement(
        &self,
        viewer: &Viewer,
        from: NaiveDate,
        to: NaiveDate,
        period: Period,
        by: Option<CohortDimension>,
    ) -> AppResult<EngagementDashboard> {
        reads_dashboards(viewer)?;
        checked_range(from, to)?;
        let first = period.start(from);
        let dimension = by.map_or("", CohortDimension::as_str);
        let (state, counts) = {
            let mut conn = self.ctx.conn().await?;
            conn.transaction(async |conn| {
                let state = bounded(conn).await?;
                let value =
                    store::period_counts(conn, period.as_str(), first, to, dimension).await?;
                diesel::QueryResult::Ok((state, value))
            })
            .await?
        };
        let companies = match by {
            Some(CohortDimension::Company) => self.companies().await?,
            _ => HashMap::new(),
        };
        let mut starts = Vec::new();
        let mut start = first;
        while start <= to {
            starts.push(start);
            start = period.next(start);
        }
        let keys: BTreeSet<Option<String>> =
            counts.iter().map(|row| row.group_key.clone()).collect();
        let group_list = match by {
            Some(dimension) => groups(dimension, keys, &companies),
            None => Vec::new(),
        };
        if starts.len() * (group_list.len() + 1) > MAX_ROWS {
            return Err(AppError::bad_input(
                "from",
                format!("at most {MAX_ROWS} rows: shorten the range, count by month, or drop `by`"),
            ));
        }
        let by_cell: HashMap<(NaiveDate, Option<String>), &store::PeriodCounts> = counts
            .iter()
            .map(|row| ((row.starts_on, row.group_key.clone()), row))
            .collect();
        let mut rows = Vec::with_capacity(starts.len() * (group_list.len() + 1));
        for start in starts {
            let measure = |pick: fn(&store::PeriodCounts) -> i64| -> Vec<i64> {
                if by.is_none() {
                    return vec![by_cell.get(&(start, None)).map_or(0, |row| pick(row))];
                }
                group_list
                    .iter()
                    .map(|group| {
                        by_cell
                            .get(&(start, group.key.clone()))
                            .map_or(0, |row| pick(row))
                    })
                    .collect()
            };
            let measures = [
                measure(|row| row.active),
                measure(|row| row.readers),
                measure(|row| row.writers),
                measure(|row| row.attendees),
            ];
            // Per measure, the groups' counts and then the total's (only the
            // total without groups).
            let shown: Vec<Vec<Count>> = measures
                .iter()
                .map(|sizes| match by {
                    Some(_) => breakdown(sizes),
                    None => vec![alone(sizes[0])],
                })
                .collect();
            let row_of = |group: Option<Group>, at: usize| EngagementRow {
                starts_on: start,
                group,
                active: shown[0][at],
                readers: shown[1][at],
                writers: shown[2][at],
                attendees: shown[3][at],
            };
            let total_at = if by.is_some() { group_list.len() } else { 0 };
            rows.push(row_of(None, total_at));
            for (index, group) in group_list.iter().enumerate() {
                rows.push(row_of(Some(group.clone()), index));
            }
        }
        Ok(EngagementDashboard {
            as_of: state.as_of,
            period,
            by,
            rows,
        })
    }

    /// Members by `rows` (and `columns`), with how many took part recently.
    pub async fn cohorts(
        &self,
        viewer: &Viewer,
        rows: CohortDimension,
        columns: Option<CohortDimension>,
    ) -> AppResult<CohortDashboard> {
        reads_dashboards(viewer)?;
        if columns == Some(rows) {
            return Err(AppError::bad_input("columns", "must differ from `rows`"));
        }
        let column_name = columns.map_or("", CohortDimension::as_str);
        let (state, counts) = {
            let mut conn = self.ctx.conn().await?;
            conn.transaction(async |conn| {
                let state = bounded(conn).await?;
                let value = store::cohort_counts(conn, rows.as_str(), column_name).await?;
                diesel::QueryResult::Ok((state, value))
            })
            .await?
        };
        let companies =
            if rows == CohortDimension::Company || columns == Some(CohortDimension::Company) {
                self.companies().await?
            } else {
                HashMap::new()
            };
        let row_groups = groups(
            rows,
            counts.iter().map(|c| c.row_key.clone()).collect(),
            &companies,
        );
        let column_groups: Vec<Option<Group>> = match columns {
            Some(dimension) => groups(
                dimension,
                counts.iter().map(|c| c.column_key.clone()).collect(),
                &companies,
            )
            .into_iter()
            .map(Some)
            .collect(),
            None => vec![None],
        };
        if (row_groups.len() + 1) * (column_groups.len() + 1) > MAX_ROWS {
            return Err(AppError::bad_input(
                "columns",
                format!("at most {MAX_ROWS} cells"),
            ));
        }
        let by_cell: HashMap<(Option<String>, Option<String>), &store::CohortCounts> = counts
            .iter()
            .map(|c| ((c.row_key.clone(), c.column_key.clone()), c))
            .collect();
        let table = |pick: fn(&store::CohortCounts) -> i64| -> Vec<Vec<i64>> {
            row_groups
                .iter()
                .map(|row| {
                    column_groups
                        .iter()
                        .map(|column| {
                            let key =
                                (row.key.clone(), column.as_ref().and_then(|c| c.key.clone()));
                            by_cell.get(&key).map_or(0, |c| pick(c))
                        })
                        .collect()
                })
                .collect()
        };
        let members = table(|c| c.members);
        let parts = [
            table(|c| c.active),
            table(|c| c.readers),
            table(|c| c.writers),
            table(|c| c.attendees),
        ];
        let members_mask = Mask::of(&members);
        let part_masks: Vec<Mask> = parts
            .iter()
            .map(|part| Mask::of_part(part, &members, &members_mask))
            .collect();
        // One figure of every table at a position: a cell, a row's total,
        // a column's total, or the grand total.
        let at = |values: &[Vec<i64>], mask: &Mask, position: Position| -> Count {
            match position {
                Position::Cell(r, c) => Count::new(values[r][c], mask.cells[r][c]),
                Position::Row(r) => Count::new(values[r].iter().sum(), mask.rows[r]),
                Position::Column(c) => {
                    Count::new(values.iter().map(|row| row[c]).sum(), mask.columns[c])
                }
                Position::Total => Count::new(values.iter().flatten().sum(), mask.total),
            }
        };
        let cell = |row: Option<Group>, column: Option<Group>, position: Position| {
            let members = at(&members, &members_mask, position);
            let part = |index: usize| at(&parts[index], &part_masks[index], position);
            let (active, readers, writers, attendees) = (part(0), part(1), part(2), part(3));
            CohortCell {
                row,
                column,
                members,
                active,
                active_rate: active.share_of(members),
                readers,
                reader_rate: readers.share_of(members),
                writers,
                writer_rate: writers.share_of(members),
                attendees,
                attendee_rate: attendees.share_of(members),
            }
        };
        let mut cells = Vec::new();
        for (r, row) in row_groups.iter().enumerate() {
            for (c, column) in column_groups.iter().enumerate() {
                cells.push(cell(
                    Some(row.clone()),
                    column.clone(),
                    Position::Cell(r, c),
                ));
            }
        }
        if columns.is_some() {
            for (r, row) in row_groups.iter().enumerate() {
                cells.push(cell(Some(row.clone()), None, Position::Row(r)));
            }
            for (c, column) in column_groups.iter().enumerate() {
                cells.push(cell(None, column.clone(), Position::Column(c)));
            }
        }
        cells.push(cell(None, None, Position::Total));
        Ok(CohortDashboard {
            as_of: state.as_of,
            rows,
            columns,
            cells,
        })
    }

    /// The membership funnel, optionally per group of `by`.
    pub async fn funnel(
        &self,
        viewer: &Viewer,
        by: Option<CohortDimension>,
    ) -> AppResult<FunnelDashboard> {
        reads_dashboards(viewer)?;
        let dimension = by.map_or("", CohortDimension::as_str);
        let (state, counts) = {
            let mut conn = self.ctx.conn().await?;
            conn.transaction(async |conn| {
                let state = bounded(conn).await?;
                let value = store::funnel_counts(conn, dimension).await?;
                diesel::QueryResult::Ok((state, value))
            })
            .await?
        };
        let companies = match by {
            Some(CohortDimension::Company) => self.companies().await?,
            _ => HashMap::new(),
        };
        let group_list: Vec<Option<Group>> = match by {
            Some(dimension) => groups(
                dimension,
                counts.iter().map(|c| c.group_key.clone()).collect(),
                &companies,
            )
            .into_iter()
            .map(Some)
            .collect(),
            None => vec![None],
        };
        let by_key: HashMap<Option<String>, &store::FunnelCounts> =
            counts.iter().map(|c| (c.group_key.clone(), c)).collect();
        let list = |pick: fn(&store::FunnelCounts) -> i64| -> Vec<i64> {
            group_list
                .iter()
                .map(|group| {
                    by_key
                        .get(&group.as_ref().and_then(|g| g.key.clone()))
                        .map_or(0, |c| pick(c))
                })
                .collect()
        };
        let (roster, applied, approved, active) = (
            list(|c| c.roster),
            list(|c| c.applied),
            list(|c| c.approved),
            list(|c| c.active),
        );
        let (roster_shown, applied_shown, approved_shown) = (
            breakdown(&roster),
            breakdown(&applied),
            breakdown(&approved),
        );
        // Approved people are part of those who applied, and active ones of
        // those approved: each withheld wherever either relation says.
        let (approved_of_applied, active_of_approved) =
            (part_of(&applied, &approved), part_of(&approved, &active));
        let row_of = |group: Option<Group>, i: usize| {
            let (roster, applied) = (roster_shown[i], applied_shown[i]);
            let approved = Count::new(
                approved_shown[i].people,
                approved_shown[i].suppressed || approved_of_applied[i].suppressed,
            );
            let active = active_of_approved[i];
            let active = Count::new(active.people, active.suppressed || approved.suppressed);
            FunnelRow {
                group,
                roster,
                applied,
                applied_rate: applied.share_of(roster),
                approved,
                approved_rate: approved.share_of(applied),
                active,
                active_rate: active.share_of(approved),
            }
        };
        let mut rows = Vec::new();
        if by.is_some() {
            for (i, group) in group_list.iter().enumerate() {
                rows.push(row_of(group.clone(), i));
            }
        }
        rows.push(row_of(None, group_list.len()));
        Ok(FunnelDashboard {
            as_of: state.as_of,
            by,
            rows,
        })
    }

    /// Attendance of the events that started from `from` to `to`.
    pub async fn event_attendance(
        &self,
        viewer: &Viewer,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<EventAttendanceDashboard> {
        reads_dashboards(viewer)?;
        checked_range(from, to)?;
        let (start, until) = (start_of(from), start_of(to + Duration::days(1)));
        let (state, events) = {
            let mut conn = self.ctx.conn().await?;
            conn.transaction(async |conn| {
                let state = bounded(conn).await?;
                let value = store::event_counts(conn, start, until, MAX_LISTED as i64 + 1).await?;
                diesel::QueryResult::Ok((state, value))
            })
            .await?
        };
        if events.len() > MAX_LISTED {
            return Err(AppError::bad_input(
                "from",
                format!("more than {MAX_LISTED} events in the range: shorten it"),
            ));
        }
        let confirmed: Vec<i64> = events.iter().map(|e| e.confirmed).collect();
        let attended: Vec<i64> = events.iter().map(|e| e.attended.min(e.confirmed)).collect();
        let (confirmed_shown, attended_shown) =
            (breakdown(&confirmed), part_of(&confirmed, &attended));
        let row_of = |i: usize, event: Option<&store::EventCounts>| {
            let (confirmed, attended) = (confirmed_shown[i], attended_shown[i]);
            EventAttendanceRow {
                event_id: event.map(|e| {
                    GlobalId {
                        node_type: "Event".into(),
                        uuid: e.event_id,
                    }
                    .encode()
                }),
                title: event.map_or_else(|| "合計".to_owned(), |e| e.title.clone()),
                kind: event.map(|e| e.kind.clone()),
                starts_at: event.map(|e| e.starts_at),
                confirmed,
                attended,
                attendance_rate: attended.share_of(confirmed),
            }
        };
        let mut rows: Vec<EventAttendanceRow> = events
            .iter()
            .enumerate()
            .map(|(i, e)| row_of(i, Some(e)))
            .collect();
        rows.push(row_of(events.len(), None));
        Ok(EventAttendanceDashboard {
            as_of: state.as_of,
            rows,
        })
    }

    /// Questions asked per month from `from`'s month to `to`'s.
    pub async fn question_answers(
        &self,
        viewer: &Viewer,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<QuestionAnswerDashboard> {
        reads_dashboards(viewer)?;
        checked_range(from, to)?;
        let first = month_of(from);
        let (state, months) = {
            let mut conn = self.ctx.conn().await?;
            conn.transaction(async |conn| {
                let state = bounded(conn).await?;
                let value = store::question_months(conn, first, to).await?;
                diesel::QueryResult::Ok((state, value))
            })
            .await?
        };
        let by_month: BTreeMap<NaiveDate, &store::QuestionMonth> =
            months.iter().map(|m| (m.month, m)).collect();
        let mut rows = Vec::new();
        let mut month = first;
        while month <= to {
            let row = by_month.get(&month);
            let count = |pick: fn(&store::QuestionMonth) -> i64| row.map_or(0, |r| pick(r));
            let asked_total = count(|r| r.asked);
            let (answered, asked) = part_alone(count(|r| r.answered), asked_total);
            let (answered_within_day, _) =
                part_alone(count(|r| r.answered_within_day), asked_total);
            let (accepted, _) = part_alone(count(|r| r.accepted), asked_total);
            let hours = |pick: fn(&store::QuestionMonth) -> Option<f64>| {
                if answered.suppressed {
                    Figure::WITHHELD
                } else {
                    Figure::shown(row.and_then(|r| pick(r)).map(|h| (h * 10.0).round() / 10.0))
                }
            };
            rows.push(QuestionAnswerRow {
                month,
                asked,
                answered,
                answer_rate: answered.share_of(asked),
                answered_within_day,
                accepted,
                accepted_rate: accepted.share_of(asked),
                median_hours_to_first_answer: hours(|r| r.median_hours),
                p90_hours_to_first_answer: hours(|r| r.p90_hours),
            });
            month = month + Months::new(1);
        }
        Ok(QuestionAnswerDashboard {
            as_of: state.as_of,
            rows,
        })
    }

    /// Readers of the posts published from `from` to `to`.
    pub async fn content_reads(
        &self,
        viewer: &Viewer,
        from: NaiveDate,
        to: NaiveDate,
    ) -> AppResult<ContentReadDashboard> {
        reads_dashboards(viewer)?;
        checked_range(from, to)?;
        let (start, until) = (start_of(from), start_of(to + Duration::days(1)));
        let (state, posts) = {
            let mut conn = self.ctx.conn().await?;
            conn.transaction(async |conn| {
                let state = bounded(conn).await?;
                let value = store::post_counts(conn, start, until, MAX_LISTED as i64 + 1).await?;
                diesel::QueryResult::Ok((state, value))
            })
            .await?
        };
        if posts.len() > MAX_LISTED {
            return Err(AppError::bad_input(
                "from",
                format!("more than {MAX_LISTED} posts in the range: shorten it"),
            ));
        }
        let rows = posts
            .into_iter()
            .map(|post| {
                let (readers, audience) = part_alone(
                    post.member_reads.min(post.audience_members),
                    post.audience_members,
                );
                ContentReadRow {
                    post_id: GlobalId {
                        node_type: "Post".into(),
                        uuid: post.post_id,
                    }
                    .encode(),
                    title: post.title,
                    published_at: post.published_at,
                    audience,
                    readers,
                    read_rate: readers.share_of(audience),
                }
            })
            .collect();
        Ok(ContentReadDashboard {
            as_of: state.as_of,
            rows,
        })
    }
}

/// Where a figure of a cohort table sits.
#[derive(Clone, Copy)]
enum Position {
    Cell(usize, usize),
    Row(usize),
    Column(usize),
    Total,
}
