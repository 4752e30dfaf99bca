//! "Helpful" marks, one per member and subject, shared by articles,
//! questions and answers (their ids are unique across the three, so one
//! table holds them all).
//!
//! A mark and the subject's kept `helpful_count` change together, in the
//! caller's transaction: call [`mark`] (or [`unmark`]) and, only when it
//! answers `true`, [`adjust_count`] with the subject's [`Counted`] table by
//! `+1` (or `-1`). The insert's primary key makes a second mark by the same
//! member a no-op, so retries and double clicks never count twice.

use std::collections::HashSet;

use alumni_core::MemberId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::knowledge::helpful_marks;

/// The table whose `helpful_count` a mark counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// `knowledge.articles`.
    Articles,
    /// `knowledge.questions`.
    Questions,
    /// `knowledge.answers`.
    Answers,
}

impl Counted {
    fn table(self) -> &'static str {
        match self {
            Self::Articles => "knowledge.articles",
            Self::Questions => "knowledge.questions",
            Self::Answers => "knowledge.answers",
        }
    }
}

/// Records that `member` found `subject` helpful; `true` when the mark is
/// new, `false` when they had marked it already.
pub async fn mark(
    conn: &mut AsyncPgConnection,
    subject: Uuid,
    member: MemberId,
    now: DateTime<Utc>,
) -> QueryResult<bool> {
    let inserted = diesel::insert_into(helpful_marks::table)
        .values((
            helpful_marks::subject_id.eq(subject),
            helpful_marks::member_id.eq(member),
            helpful_marks::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(inserted == 1)
}

/// Takes back `member`'s mark on `subject`; `true` when there was one.
pub async fn unmark(
    conn: &mut AsyncPgConnection,
    subject: Uuid,
    member: MemberId,
) -> QueryResult<bool> {
    let removed = diesel::delete(
        helpful_marks::table
            .filter(helpful_marks::subject_id.eq(subject))
            .filter(helpful_marks::member_id.eq(member)),
    )
    .execute(conn)
    .await?;
    Ok(removed == 1)
}

/// Which of `subjects` `member` marked helpful.
pub async fn marked_by(
    conn: &mut AsyncPgConnection,
    member: MemberId,
    subjects: &[Uuid],
) -> QueryResult<HashSet<Uuid>> {
    let marked: Vec<Uuid> = helpful_marks::table
        .filter(helpful_marks::member_id.eq(member))
        .filter(helpful_marks::subject_id.eq_any(subjects))
        .select(helpful_marks::subject_id)
        .load(conn)
        .await?;
    Ok(marked.into_iter().collect())
}

/// Moves the kept count of `subject` in `table` by `delta` (`+1` after a
/// new mark, `-1` after one taken back).
pub async fn adjust_count(
    conn: &mut AsyncPgConnection,
    table: Counted,
    subject: Uuid,
    delta: i32,
) -> QueryResult<()> {
    // The table is one of `Counted`'s constants, never input.
    diesel::sql_query(format!(
        "UPDATE {} SET helpful_count = helpful_count + $2 WHERE id = $1",
        table.table()
    ))
    .bind::<SqlUuid, _>(subject)
    .bind::<Integer, _>(delta)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets every mark on subjects that are deleted.
pub async fn forget_subjects(conn: &mut AsyncPgConnection, subjects: &[Uuid]) -> QueryResult<()> {
    diesel::delete(helpful_marks::table.filter(helpful_marks::subject_id.eq_any(subjects)))
        .execute(conn)
        .await?;
    Ok(())
}
