//! The jobs membership enqueues for the crates above it: membership cannot
//! name the notification crate (it sits below it), so it enqueues a job in
//! the transaction of the change, and the notification crate handles it
//! (see `alumni_core::jobs`).

use alumni_core::MemberId;
use alumni_core::jobs::{self, NewJob};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};

use crate::model::ApplicationId;

/// An application was approved or rejected: tell the applicant.
pub const APPLICATION_DECIDED: &str = "membership.application_decided";

/// The payload of [`APPLICATION_DECIDED`].
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct ApplicationDecided {
    /// The application.
    pub application_id: ApplicationId,
    /// The applicant.
    pub member_id: MemberId,
    /// Approved (or rejected).
    pub approved: bool,
}

/// Enqueues [`APPLICATION_DECIDED`] in the caller's transaction.
pub(crate) async fn application_decided(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    decided: ApplicationDecided,
) -> alumni_core::AppResult<()> {
    let key = decided.application_id.to_string();
    jobs::enqueue(
        conn,
        now,
        NewJob::new(APPLICATION_DECIDED, decided).key(key),
    )
    .await?;
    Ok(())
}
