//! Decisions, cases, reports and notes.

use alumni_core::MemberId;
use alumni_core::pagination::{ListOrder, PageRequest, capped_count, seek};
use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use alumni_core::moderation::TextAudience;

use crate::model::{
    CaseId, CaseRecord, DecisionOutcome, NewCase, NoteRecord, ReportRecord, Resolution,
};
use crate::schema::trust::{case_notes, cases, decisions, reports};

/// Records a decision of the leak guard.
#[allow(clippy::too_many_arguments)]
pub async fn record_decision(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    subject: (&str, Uuid),
    author: MemberId,
    audience: TextAudience,
    outcome: DecisionOutcome,
    matches: serde_json::Value,
) -> QueryResult<()> {
    diesel::insert_into(decisions::table)
        .values((
            decisions::id.eq(Uuid::now_v7()),
            decisions::subject_type.eq(subject.0),
            decisions::subject_id.eq(subject.1),
            decisions::author_id.eq(author),
            decisions::audience.eq(audience),
            decisions::outcome.eq(outcome),
            decisions::matches.eq(matches),
            decisions::decided_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The open case of a piece of content, locked for the transaction.
pub async fn open_case_of(
    conn: &mut AsyncPgConnection,
    subject: (&str, Uuid),
) -> QueryResult<Option<CaseRecord>> {
    cases::table
        .filter(cases::subject_type.eq(subject.0))
        .filter(cases::subject_id.eq(subject.1))
        .filter(cases::resolved_at.is_null())
        .select(CaseRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Opens a case, or returns the content's open one (raising its priority to
/// at least the new case's). Concurrent openers meet at the unique index
/// of open cases, so content never has two.
pub async fn open_case(conn: &mut AsyncPgConnection, case: &NewCase) -> QueryResult<CaseRecord> {
    let inserted = diesel::insert_into(cases::table)
        .values(case)
        .on_conflict_do_nothing()
        .returning(CaseRecord::as_returning())
        .get_result(conn)
        .await
        .optional()?;
    if let Some(inserted) = inserted {
        return Ok(inserted);
    }
    let open = open_case_of(conn, (&case.subject_type, case.subject_id))
        .await?
        .ok_or(diesel::result::Error::NotFound)?;
    if open.priority < case.priority {
        raise_priority(conn, open.id, case.priority).await?;
    }
    Ok(CaseRecord {
        priority: open.priority.max(case.priority),
        queue_rank: 100 - open.priority.max(case.priority),
        ..open
    })
}

/// Raises a case's priority to at least `priority`.
pub async fn raise_priority(
    conn: &mut AsyncPgConnection,
    case: CaseId,
    priority: i32,
) -> QueryResult<()> {
    diesel::update(cases::table.find(case).filter(cases::priority.lt(priority)))
        .set(cases::priority.eq(priority))
        .execute(conn)
        .await?;
    Ok(())
}

/// One page of the open queue, most urgent first, then oldest.
pub async fn open_page(
    conn: &mut AsyncPgConnection,
    assignee: Option<MemberId>,
    page: &PageRequest<(i32, Uuid)>,
) -> QueryResult<Vec<CaseRecord>> {
    let mut query = cases::table
        .filter(cases::resolved_at.is_null())
        .select(CaseRecord::as_select())
        .into_boxed();
    if let Some(assignee) = assignee {
        query = query.filter(cases::assignee_id.eq(assignee));
    }
    seek(
        query,
        page,
        (cases::queue_rank, cases::id),
        ListOrder::Ascending,
    )
    .load(conn)
    .await
}

/// How many cases are open, up to the cap.
pub async fn open_count(
    conn: &mut AsyncPgConnection,
    assignee: Option<MemberId>,
) -> QueryResult<i64> {
    let mut query = cases::table
        .filter(cases::resolved_at.is_null())
        .select(cases::id)
        .into_boxed();
    if let Some(assignee) = assignee {
        query = query.filter(cases::assignee_id.eq(assignee));
    }
    capped_count(query).get_result(conn).await
}

/// One page of resolved cases, newest first.
pub async fn resolved_page(
    conn: &mut AsyncPgConnection,
    page: &PageRequest<(DateTime<Utc>, Uuid)>,
) -> QueryResult<Vec<CaseRecord>> {
    let query = cases::table
        .filter(cases::resolved_at.is_not_null())
        .select(CaseRecord::as_select())
        .into_boxed();
    seek(
        query,
        page,
        (cases::resolved_at.assume_not_null(), cases::id),
        ListOrder::Descending,
    )
    .load(conn)
    .await
}

/// How many cases are resolved, up to the cap.
pub async fn resolved_count(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    capped_count(
        cases::table
            .filter(cases::resolved_at.is_not_null())
            .select(cases::id),
    )
    .get_result(conn)
    .await
}

/// The cases about content a member wrote, newest first (at most 100).
pub async fn of_author(
    conn: &mut AsyncPgConnection,
    author: MemberId,
) -> QueryResult<Vec<CaseRecord>> {
    cases::table
        .filter(cases::author_id.eq(author))
        .order((cases::opened_at.desc(), cases::id.desc()))
        .limit(100)
        .select(CaseRecord::as_select())
        .load(conn)
        .await
}

/// The cases among `ids`.
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[CaseId]) -> QueryResult<Vec<CaseRecord>> {
    cases::table
        .filter(cases::id.eq_any(ids))
        .select(CaseRecord::as_select())
        .load(conn)
        .await
}

/// One case, locked for the transaction.
pub async fn lock(conn: &mut AsyncPgConnection, id: CaseId) -> QueryResult<Option<CaseRecord>> {
    cases::table
        .find(id)
        .select(CaseRecord::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()
}

/// Whether a case was appealed.
pub async fn appealed(conn: &mut AsyncPgConnection, id: CaseId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        cases::table.filter(cases::appeal_of.eq(id)),
    ))
    .get_result(conn)
    .await
}

/// Which of `ids` were appealed.
pub async fn appealed_among(
    conn: &mut AsyncPgConnection,
    ids: &[CaseId],
) -> QueryResult<Vec<CaseId>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    cases::table
        .filter(cases::appeal_of.eq_any(ids))
        .select(cases::appeal_of.assume_not_null())
        .load(conn)
        .await
}

/// Assigns a case (or unassigns it).
pub async fn assign(
    conn: &mut AsyncPgConnection,
    id: CaseId,
    assignee: Option<MemberId>,
) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set(cases::assignee_id.eq(assignee))
        .execute(conn)
        .await?;
    Ok(())
}

/// Resolves a case and closes its reports.
pub async fn resolve(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    id: CaseId,
    resolution: Resolution,
    note: Option<&str>,
    by: MemberId,
) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set((
            cases::resolution.eq(resolution),
            cases::resolution_note.eq(note),
            cases::resolved_by.eq(by),
            cases::resolved_at.eq(now),
        ))
        .execute(conn)
        .await?;
    diesel::update(reports::table.filter(reports::case_id.eq(id)))
        .filter(reports::closed_at.is_null())
        .set(reports::closed_at.eq(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Saves a report; `false` when the reporter already has an open report of
/// the same content.
pub async fn insert_report(
    conn: &mut AsyncPgConnection,
    report: &ReportRecord,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(reports::table)
        .values(report)
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

/// How many open reports a case has.
pub async fn open_report_count(conn: &mut AsyncPgConnection, case: CaseId) -> QueryResult<i64> {
    reports::table
        .filter(reports::case_id.eq(case))
        .filter(reports::closed_at.is_null())
        .select(count_star())
        .get_result(conn)
        .await
}

/// The reports of several cases, oldest first.
pub async fn reports_of(
    conn: &mut AsyncPgConnection,
    cases: &[CaseId],
) -> QueryResult<Vec<ReportRecord>> {
    reports::table
        .filter(reports::case_id.eq_any(cases))
        .order((reports::created_at, reports::id))
        .select(ReportRecord::as_select())
        .load(conn)
        .await
}

/// A member's reports, for their data export.
pub async fn reports_by(
    conn: &mut AsyncPgConnection,
    reporter: MemberId,
) -> QueryResult<Vec<ReportRecord>> {
    reports::table
        .filter(reports::reporter_id.eq(reporter))
        .order((reports::created_at, reports::id))
        .select(ReportRecord::as_select())
        .load(conn)
        .await
}

/// The notes of several cases, oldest first.
pub async fn notes_of(
    conn: &mut AsyncPgConnection,
    cases: &[CaseId],
) -> QueryResult<Vec<NoteRecord>> {
    case_notes::table
        .filter(case_notes::case_id.eq_any(cases))
        .order((case_notes::created_at, case_notes::id))
        .select(NoteRecord::as_select())
        .load(conn)
        .await
}

/// Saves a note.
pub async fn insert_note(conn: &mut AsyncPgConnection, note: &NoteRecord) -> QueryResult<()> {
    diesel::insert_into(case_notes::table)
        .values(note)
        .execute(conn)
        .await?;
    Ok(())
}

/// Opens an appeal against a resolved case.
pub async fn insert_appeal(
    conn: &mut AsyncPgConnection,
    case: &NewCase,
) -> QueryResult<CaseRecord> {
    diesel::insert_into(cases::table)
        .values(case)
        .returning(CaseRecord::as_returning())
        .get_result(conn)
        .await
}

/// Forgets a withdrawing member in the queue: their reports keep counting
/// without naming them, the cases about their content lose the author.
pub async fn forget_member(conn: &mut AsyncPgConnection, member: MemberId) -> QueryResult<()> {
    diesel::update(reports::table.filter(reports::reporter_id.eq(member)))
        .set(reports::reporter_id.eq(None::<MemberId>))
        .execute(conn)
        .await?;
    diesel::update(cases::table.filter(cases::author_id.eq(member)))
        .set(cases::author_id.eq(None::<MemberId>))
        .execute(conn)
        .await?;
    diesel::update(decisions::table.filter(decisions::author_id.eq(member)))
        .set(decisions::author_id.eq(None::<MemberId>))
        .execute(conn)
        .await?;
    Ok(())
}
