//! The hourly job that keeps anonymous rows unlinkable in the database
//! itself. An anonymous item and the day's count of its author's
//! anonymous submissions are written in one transaction (so a limit
//! reached rolls the item back), which leaves PostgreSQL's transaction id
//! (`xmin`) the same on both rows for anyone who can read system columns.
//! This job rewrites every anonymous row written since the start of
//! yesterday, and every current count, in one transaction, so they all
//! carry its id instead; and it deletes the counts of days that are over,
//! which the limit no longer needs.
//!
//! A survey response is likewise written with its respondent's
//! participation, in one transaction. The job rewrites the responses (and
//! their answers) that arrived since the start of yesterday, and the
//! participation of every survey open within the last two days:
//! participation keeps no day of its own, since a day on both sides would
//! link a lone respondent of that day to their response.

use alumni_core::AppResult;
use alumni_core::jobs::{Every, JobRegistry};
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};

use super::{FeedbackService, japan_day};

/// The recurring job (every hour).
pub const UNLINK_SUBMISSIONS: &str = "feedback.unlink_submissions";

/// Rewrites of recent anonymous rows: each sets a column to itself, which
/// writes a new row version under the job's transaction id.
const REWRITES: &[&str] = &[
    "UPDATE feedback.items SET body = body WHERE anonymous AND submitted_on >= $1::date - 1",
    "UPDATE feedback.anonymous_submissions SET count = count WHERE day >= $1::date",
    "UPDATE feedback.survey_responses SET submitted_on = submitted_on WHERE submitted_on >= $1::date - 1",
    "UPDATE feedback.survey_answers SET scale = scale \
      WHERE response_id IN (SELECT id FROM feedback.survey_responses WHERE submitted_on >= $1::date - 1)",
    "UPDATE feedback.survey_participation SET member_id = member_id \
      WHERE survey_id IN (SELECT id FROM feedback.surveys \
                           WHERE opens_at IS NOT NULL AND closes_at >= $1::date - 2)",
];

/// Counts of days that are over.
const FORGET_COUNTS: &str = "DELETE FROM feedback.anonymous_submissions WHERE day < $1::date";

pub(super) fn register(service: &FeedbackService, registry: &mut JobRegistry) {
    let service = service.clone();
    registry
        .handle(UNLINK_SUBMISSIONS, move |_run| {
            let service = service.clone();
            async move { Ok(service.unlink_submissions().await?) }
        })
        .every(UNLINK_SUBMISSIONS, Every::Hour);
}

impl FeedbackService {
    async fn unlink_submissions(&self) -> AppResult<()> {
        let today = japan_day(self.ctx.now());
        let mut conn = self.ctx.conn().await?;
        conn.transaction(async |conn| {
            for statement in REWRITES {
                run(conn, statement, today).await?;
            }
            run(conn, FORGET_COUNTS, today).await
        })
        .await
    }
}

async fn run(
    conn: &mut AsyncPgConnection,
    statement: &str,
    today: chrono::NaiveDate,
) -> AppResult<()> {
    diesel::sql_query(statement)
        .bind::<diesel::sql_types::Date, _>(today)
        .execute(conn)
        .await?;
    Ok(())
}
