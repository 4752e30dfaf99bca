//! The job queue in GraphQL, for the secretariat: failed jobs, and putting
//! them back in the queue (the same as `alumni jobs list --failed` and
//! `alumni jobs retry` on the command line).

use alumni_core::audit::{self, AuditEntry};
use alumni_core::graphql::{data, viewer};
use alumni_core::jobs::{self, JobId, JobRecord, JobState, Queue};
use alumni_core::pagination::{Connection, PageRequest, TotalCount, connection_complexity};
use alumni_core::{AppError, NodeId, Role};
use async_graphql::{Context, ID, Json, Object, Result};
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection as _;
use serde_json::json;

/// The job queue, as operators see it.
#[derive(Default)]
pub struct JobsQuery;

/// The job queue, as operators see it.
#[Object]
impl JobsQuery {
    /// Background jobs (mail, digests, scheduled publishing…) whose every
    /// attempt failed, newest first; they run again only when retried.
    /// Secretariat only.
    #[graphql(complexity = "connection_complexity(first, last, child_complexity)")]
    async fn failed_jobs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, reading forward (default 20, at most 100).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Read on after this cursor.")] after: Option<String>,
        #[graphql(desc = "Page size, reading backward.")] last: Option<i32>,
        #[graphql(desc = "Read back before this cursor.")] before: Option<String>,
    ) -> Result<Connection<Job>> {
        viewer(ctx)?.require_role(Role::Secretariat)?;
        let queue = data::<Queue>(ctx)?.clone();
        let page = PageRequest::new(first, after, last, before)?;
        let mut conn = queue.context().conn().await?;
        let rows = jobs::failed(&mut conn, &page).await?;
        drop(conn);
        let total_count = TotalCount::lazy(async move {
            let mut conn = queue.context().conn().await?;
            jobs::failed_count(&mut conn).await
        });
        Ok(page.into_connection(rows, JobRecord::page_key, Job, total_count))
    }
}

/// Putting failed jobs back in the queue.
#[derive(Default)]
pub struct JobsMutation;

/// Putting failed jobs back in the queue.
#[Object]
impl JobsMutation {
    /// Puts a failed job back in the queue with fresh attempts; it runs as
    /// soon as a worker is free. Secretariat only; `NOT_FOUND` when no
    /// failed job has the id. Returns `true`.
    async fn retry_job(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global id of the failed job.")] id: ID,
    ) -> Result<bool> {
        let identity = viewer(ctx)?.require_role(Role::Secretariat)?;
        let job = JobId::from_global(&id, "id")?;
        let queue = data::<Queue>(ctx)?;
        let now = queue.context().now();
        let mut conn = queue.context().conn().await?;
        conn.transaction(async |conn| {
            if jobs::retry(conn, now, Some(job.0)).await? == 0 {
                return Err(AppError::NotFound { entity: "Job" });
            }
            audit::record(
                conn,
                now,
                AuditEntry::new("jobs.retried")
                    .by(identity.member_id)
                    .on(job)
                    .details(json!({})),
            )
            .await
        })
        .await?;
        Ok(true)
    }
}

/// A background job (secretariat only).
pub struct Job(JobRecord);

/// A background job by id, for the secretariat; `NOT_FOUND` otherwise.
pub async fn load_job(ctx: &Context<'_>, id: JobId) -> Result<Job, AppError> {
    viewer(ctx)?
        .require_role(Role::Secretariat)
        .map_err(|_| AppError::NotFound { entity: "Job" })?;
    let queue = data::<Queue>(ctx)?;
    let mut conn = queue.context().conn().await?;
    jobs::by_ids(&mut conn, &[id])
        .await?
        .pop()
        .map(Job)
        .ok_or(AppError::NotFound { entity: "Job" })
}

/// A background job: mail to send, a digest to compose, a post to
/// publish… Operators see the failed ones and retry them.
#[Object]
impl Job {
    /// Opaque global id, for `retryJob` and `node(id:)`.
    pub async fn id(&self) -> ID {
        JobId(self.0.id).to_global()
    }

    /// What it does, as a dotted name such as `notify.send_mail`.
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// Where it stands.
    async fn state(&self) -> JobState {
        self.0.state
    }

    /// What it was given: ids, never personal data.
    async fn payload(&self) -> Json<&serde_json::Value> {
        Json(&self.0.payload)
    }

    /// Attempts started.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// Attempts allowed before it fails for good.
    async fn max_attempts(&self) -> i32 {
        self.0.max_attempts
    }

    /// The error of the last failed attempt.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// When it was enqueued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it may next run; while running, when its worker's lease ends.
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        matches!(self.0.state, JobState::Pending | JobState::Running).then_some(self.0.due_at)
    }

    /// When it was done, or failed for good.
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
}
