//! The durable job queue: work that must happen later or outside a request.
//!
//! A crate enqueues a [`NewJob`] with [`enqueue`] on the connection of the
//! transaction that causes it, so a rolled-back change leaves no job behind;
//! a second job of the same kind and key is not inserted, so the same work
//! requested twice runs once. It registers a handler for each kind it
//! enqueues, and any recurring jobs, in a [`JobRegistry`]; the gateway
//! collects every crate's registry and runs the [`Workers`].
//!
//! Workers claim due jobs with `FOR UPDATE SKIP LOCKED`, so several workers
//! and several processes share one queue without taking a job twice. A
//! claim is a lease: a worker that dies leaves its job `RUNNING` until the
//! lease ends, when any worker may claim it again, and a handler running
//! longer than the lease is stopped. A failed attempt is retried after an
//! exponential back-off (10 s, 20 s, 40 s … at most an hour) until the
//! job's attempts are used up; it is then `FAILED`, listed for operators
//! ([`failed`]) and retried only when they say so ([`retry`]).
//!
//! Delivery is at least once: a handler whose worker dies after the work
//! but before the job is marked done runs again, so handlers must be
//! idempotent (check whether their work is already done).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, DurationRound as _, TimeDelta, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use tokio::sync::{Notify, broadcast, watch};
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::ServiceContext;
use crate::domain::BoxFuture;
use crate::error::AppError;
use crate::live::Live;
use crate::pagination::{ListOrder, ListSize, PageRequest, capped_count, seek};
use crate::schema::jobs::jobs;

/// The channel the database wakes idle workers on when jobs are enqueued
/// (the `jobs_wake_workers` trigger).
pub const WAKE_CHANNEL: &str = "alumni_jobs";
/// Removes jobs done more than [`KEEP_DONE`] ago, daily.
pub const PURGE_DONE: &str = "jobs.purge_done";
/// How long done jobs (and so their keys) are kept.
pub const KEEP_DONE: TimeDelta = TimeDelta::days(14);

/// Attempts a job gets unless its kind says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;
/// The first retry's delay; each further one doubles it.
const FIRST_RETRY: TimeDelta = TimeDelta::seconds(10);
/// The longest delay between attempts.
const LONGEST_RETRY: TimeDelta = TimeDelta::hours(1);
/// Longest kept error text of a failed attempt.
const ERROR_TEXT_LIMIT: usize = 500;

crate::typed_id!(
    /// Id of a background job.
    JobId,
    "Job"
);

crate::text_enum! {
    /// Where a job stands.
    pub enum JobState stored in "jobs.jobs.state" {
        /// Waiting for its time.
        Pending = "PENDING",
        /// Claimed by a worker.
        Running = "RUNNING",
        /// Done.
        Done = "DONE",
        /// Every attempt failed; waits for an operator.
        Failed = "FAILED",
    }
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    kind: &'static str,
    payload: serde_json::Value,
    key: Option<String>,
    run_at: Option<DateTime<Utc>>,
    max_attempts: i32,
}

impl NewJob {
    /// A job for the handler of `kind` (a dotted name, e.g.
    /// `notify.send_mail`) with `payload`, which should hold ids rather
    /// than personal data: jobs are kept for a while after they run.
    pub fn new(kind: &'static str, payload: impl Serialize) -> Self {
        Self {
            kind,
            payload: serde_json::to_value(payload).unwrap_or(serde_json::Value::Null),
            key: None,
            run_at: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    /// Enqueue only if no job of this kind has had `key`.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Not before `at` (default: at once).
    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    /// At most `attempts` attempts (1 to 100).
    pub fn max_attempts(mut self, attempts: i32) -> Self {
        self.max_attempts = attempts.clamp(1, 100);
        self
    }
}

#[derive(Insertable)]
#[diesel(table_name = jobs)]
struct JobRow<'a> {
    id: Uuid,
    kind: &'a str,
    payload: &'a serde_json::Value,
    key: Option<&'a str>,
    state: JobState,
    due_at: DateTime<Utc>,
    max_attempts: i32,
    created_at: DateTime<Utc>,
}

/// Enqueues `job` on `conn`, inside the caller's transaction: it runs only
/// if that transaction commits. Returns `false` when a job of the same kind
/// already had the key (nothing is enqueued).
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    job: NewJob,
) -> Result<bool, AppError> {
    Ok(enqueue_many(conn, now, std::slice::from_ref(&job)).await? == 1)
}

/// Enqueues several jobs in one statement, inside the caller's
/// transaction; those whose kind and key were already used are skipped.
/// Returns how many were enqueued.
pub async fn enqueue_many(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    many: &[NewJob],
) -> Result<usize, AppError> {
    if many.is_empty() {
        return Ok(0);
    }
    let rows: Vec<JobRow<'_>> = many
        .iter()
        .map(|job| JobRow {
            id: Uuid::now_v7(),
            kind: job.kind,
            payload: &job.payload,
            key: job.key.as_deref(),
            state: JobState::Pending,
            due_at: job.run_at.unwrap_or(now),
            max_attempts: job.max_attempts,
            created_at: now,
        })
        .collect();
    Ok(diesel::insert_into(jobs::table)
        .values(rows)
        .on_conflict((jobs::kind, jobs::key))
        .do_nothing()
        .execute(conn)
        .await?)
}

/// A job as operators see it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = jobs)]
pub struct JobRecord {
    /// Its id.
    pub id: Uuid,
    /// Its handler.
    pub kind: String,
    /// What it was given.
    pub payload: serde_json::Value,
    /// Its idempotency key.
    pub key: Option<String>,
    /// Where it stands.
    pub state: JobState,
    /// When it may run next (or when its lease ends, while running).
    pub due_at: DateTime<Utc>,
    /// Attempts started.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
    /// The last failed attempt's error.
    pub last_error: Option<String>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// When it was done or failed for good.
    pub finished_at: Option<DateTime<Utc>>,
}

impl JobRecord {
    /// Its position in the newest-first list of failed jobs.
    pub fn page_key(&self) -> FailedJobKey {
        (self.finished_at.unwrap_or(self.due_at), self.id)
    }
}

/// Jobs by id.
pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[JobId],
) -> Result<Vec<JobRecord>, AppError> {
    Ok(jobs::table
        .filter(jobs::id.eq_any(ids.iter().map(|id| id.0)))
        .select(JobRecord::as_select())
        .load(conn)
        .await?)
}

/// Position of a failed job in the newest-first list.
pub type FailedJobKey = (DateTime<Utc>, Uuid);

/// One page of failed jobs, newest first, in reading order (see
/// [`PageRequest::into_connection`]).
pub async fn failed(
    conn: &mut AsyncPgConnection,
    page: &PageRequest<FailedJobKey>,
) -> Result<Vec<JobRecord>, AppError> {
    let query = seek(
        failed_jobs().select(JobRecord::as_select()),
        page,
        (jobs::finished_at.assume_not_null(), jobs::id),
        ListOrder::Descending,
    );
    Ok(query.load(conn).await?)
}

/// How many jobs failed, counted up to [`COUNT_CAP`](crate::pagination::COUNT_CAP).
pub async fn failed_count(conn: &mut AsyncPgConnection) -> Result<ListSize, AppError> {
    let counted = capped_count(failed_jobs().select(jobs::id))
        .get_result(conn)
        .await?;
    Ok(ListSize::from_capped_count(counted))
}

fn failed_jobs() -> jobs::BoxedQuery<'static, Pg> {
    jobs::table
        .filter(jobs::state.eq(JobState::Failed))
        .into_boxed()
}

/// Puts a failed job (`which`), or every failed job (`None`), back in the
/// queue with fresh attempts; returns how many.
pub async fn retry(
    conn: &mut AsyncPgConnection,
    now: DateTime<Utc>,
    which: Option<Uuid>,
) -> Result<usize, AppError> {
    let chosen = jobs::id
        .nullable()
        .eq(which)
        .or(which.is_none().into_sql::<Bool>());
    Ok(diesel::update(
        jobs::table
            .filter(jobs::state.eq(JobState::Failed))
            .filter(chosen),
    )
    .set((
        jobs::state.eq(JobState::Pending),
        jobs::due_at.eq(now),
        jobs::attempts.eq(0),
        jobs::finished_at.eq(None::<DateTime<Utc>>),
    ))
    .execute(conn)
    .await?)
}

/// How many jobs there are of each kind in each state.
pub async fn counts(
    conn: &mut AsyncPgConnection,
) -> Result<Vec<(String, JobState, i64)>, AppError> {
    Ok(jobs::table
        .group_by((jobs::kind, jobs::state))
        .select((jobs::kind, jobs::state, diesel::dsl::count_star()))
        .order((jobs::kind, jobs::state))
        .load(conn)
        .await?)
}

/// Removes jobs done before `before` (their keys can then be used again);
/// failed jobs stay until an operator retries them.
pub async fn purge_done(
    conn: &mut AsyncPgConnection,
    before: DateTime<Utc>,
) -> Result<usize, AppError> {
    Ok(diesel::delete(
        jobs::table
            .filter(jobs::state.eq(JobState::Done))
            .filter(jobs::finished_at.lt(before)),
    )
    .execute(conn)
    .await?)
}

/// Why a job's attempt did not finish.
#[derive(Debug)]
pub struct JobError {
    message: String,
    permanent: bool,
}

impl JobError {
    /// A failure worth retrying (a server that went away, say).
    pub fn retry(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
        }
    }

    /// A failure no retry can mend (a payload that cannot be read): the
    /// job fails at once.
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
        }
    }
}

impl From<AppError> for JobError {
    fn from(error: AppError) -> Self {
        let permanent = error.code() == "BAD_USER_INPUT";
        Self {
            message: format!("{}: {error}", error.code()),
            permanent,
        }
    }
}

impl From<diesel::result::Error> for JobError {
    fn from(error: diesel::result::Error) -> Self {
        AppError::from(error).into()
    }
}

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// One attempt at a job, as its handler receives it.
#[derive(Debug, Clone)]
pub struct JobRun {
    /// The job's id.
    pub id: Uuid,
    /// Its payload.
    pub payload: serde_json::Value,
    /// Which attempt this is, from 1.
    pub attempt: i32,
    /// Whether no attempt follows this one should it fail.
    pub last_attempt: bool,
}

impl JobRun {
    /// The payload read as `T`; a payload that does not fit fails the job
    /// for good.
    pub fn payload<T: serde::de::DeserializeOwned>(&self) -> Result<T, JobError> {
        serde_json::from_value(self.payload.clone())
            .map_err(|error| JobError::permanent(format!("unreadable payload: {error}")))
    }
}

/// Handles the jobs of one kind.
pub type JobHandler = Arc<dyn Fn(JobRun) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync>;

/// How often a recurring job runs: once per period, aligned to UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Every {
    /// At the start of every hour.
    Hour,
    /// At midnight UTC.
    Day,
}

impl Every {
    fn period(self) -> TimeDelta {
        match self {
            Every::Hour => TimeDelta::hours(1),
            Every::Day => TimeDelta::days(1),
        }
    }

    /// The start of the period holding `at`.
    pub fn slot(self, at: DateTime<Utc>) -> DateTime<Utc> {
        at.duration_trunc(self.period()).unwrap_or(at)
    }
}

#[derive(Clone)]
struct Recurring {
    kind: &'static str,
    every: Every,
}

/// The payload of a recurring job: the start of its period.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize)]
pub struct Slot {
    /// The period's start.
    pub slot: DateTime<Utc>,
}

/// Every kind's handler, and the recurring jobs.
#[derive(Clone, Default)]
pub struct JobRegistry {
    handlers: HashMap<&'static str, JobHandler>,
    recurring: Vec<Recurring>,
}

impl JobRegistry {
    /// The queue's own upkeep: the daily purge of done jobs, on `ctx`.
    pub fn upkeep(ctx: ServiceContext) -> Self {
        let mut registry = Self::default();
        registry
            .handle(PURGE_DONE, move |_run| {
                let ctx = ctx.clone();
                async move {
                    let mut conn = ctx.conn().await?;
                    let purged = purge_done(&mut conn, ctx.now() - KEEP_DONE).await?;
                    tracing::info!(purged, "purged done jobs");
                    Ok(())
                }
            })
            .every(PURGE_DONE, Every::Day);
        registry
    }

    /// Handles jobs of `kind` with `handler`.
    pub fn handle<F, Fut>(&mut self, kind: &'static str, handler: F) -> &mut Self
    where
        F: Fn(JobRun) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        self.handlers
            .insert(kind, Arc::new(move |run| Box::pin(handler(run))));
        self
    }

    /// Enqueues a job of `kind` (whose handler must be registered) once
    /// per period, with a [`Slot`] payload; however many processes run
    /// workers, each period's job is enqueued once (its key is the slot).
    pub fn every(&mut self, kind: &'static str, every: Every) -> &mut Self {
        self.recurring.push(Recurring { kind, every });
        self
    }

    /// Adds every handler and recurring job of `other`.
    pub fn merge(&mut self, other: JobRegistry) -> &mut Self {
        self.handlers.extend(other.handlers);
        self.recurring.extend(other.recurring);
        self
    }

    /// Enqueues the current period's job of every recurring kind (once).
    pub async fn schedule_recurring(
        &self,
        conn: &mut AsyncPgConnection,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        for recurring in &self.recurring {
            let slot = recurring.every.slot(now);
            let job = NewJob::new(recurring.kind, Slot { slot })
                .key(format!("every:{}", slot.to_rfc3339()))
                .run_at(slot)
                .max_attempts(3);
            enqueue(conn, now, job).await?;
        }
        Ok(())
    }
}

/// How the workers run.
#[derive(Debug, Clone, Copy)]
pub struct WorkerSettings {
    /// Workers in this process; 0 runs none (another process works the
    /// queue).
    pub workers: usize,
    /// How long a claimed job is a worker's before others may take it,
    /// and the longest one attempt may run.
    pub lease: Duration,
    /// How often an idle worker looks for jobs that became due (new jobs
    /// wake it at once).
    pub poll_interval: Duration,
}

/// Default number of workers per process.
pub const DEFAULT_WORKERS: usize = 2;

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            workers: DEFAULT_WORKERS,
            lease: Duration::from_secs(300),
            poll_interval: Duration::from_secs(1),
        }
    }
}

/// A claimed job.
#[derive(Debug, QueryableByName)]
#[diesel(table_name = jobs)]
struct Claimed {
    id: Uuid,
    kind: String,
    payload: serde_json::Value,
    attempts: i32,
    max_attempts: i32,
}

/// The queue as workers use it: claim, run, settle.
#[derive(Clone)]
pub struct Queue {
    ctx: ServiceContext,
    registry: Arc<JobRegistry>,
    lease: Duration,
}

/// What one pass over the queue did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Worked {
    /// Jobs done.
    pub done: usize,
    /// Attempts that failed and will be retried.
    pub retried: usize,
    /// Jobs that failed for good.
    pub failed: usize,
}

impl Queue {
    /// The queue of `ctx`'s database, with `registry`'s handlers.
    pub fn new(ctx: ServiceContext, registry: JobRegistry, lease: Duration) -> Self {
        Self {
            ctx,
            registry: Arc::new(registry),
            lease,
        }
    }

    /// Enqueues the current period's job of every recurring kind, once (as
    /// running workers do every 30 seconds).
    pub async fn schedule_recurring(&self) -> Result<(), AppError> {
        let mut conn = self.ctx.conn().await?;
        self.registry
            .schedule_recurring(&mut conn, self.ctx.now())
            .await
    }

    /// The database and clock the queue works on.
    pub fn context(&self) -> &ServiceContext {
        &self.ctx
    }

    /// Claims at most one due job, runs it and settles it; `None` when
    /// nothing is due.
    pub async fn work_one(&self) -> Result<Option<Worked>, AppError> {
        let Some(job) = self.claim().await? else {
            return Ok(None);
        };
        let outcome = self.attempt(&job).await;
        self.settle(&job, outcome).await.map(Some)
    }

    /// Runs due jobs until none is left (for the command line and tests;
    /// jobs that fail and become due again later are not waited for).
    pub async fn drain(&self) -> Result<Worked, AppError> {
        let mut total = Worked::default();
        while let Some(worked) = self.work_one().await? {
            total.done += worked.done;
            total.retried += worked.retried;
            total.failed += worked.failed;
        }
        Ok(total)
    }

    async fn claim(&self) -> Result<Option<Claimed>, AppError> {
        let now = self.ctx.now();
        let lease_end = now + TimeDelta::from_std(self.lease).unwrap_or(TimeDelta::minutes(5));
        let mut conn = self.ctx.conn().await?;
        // Worker-only and once per job: not on any member's request path,
        // so a statement parsed each time costs nothing that matters.
        let claimed = diesel::sql_query(
            "UPDATE jobs.jobs SET state = 'RUNNING', attempts = attempts + 1, due_at = $2 \
             WHERE id = (SELECT id FROM jobs.jobs \
                         WHERE state IN ('PENDING', 'RUNNING') AND due_at <= $1 \
                         ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING id, kind, payload, attempts, max_attempts",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<Timestamptz, _>(lease_end)
        .get_result::<Claimed>(&mut conn)
        .await
        .optional()?;
        Ok(claimed)
    }

    async fn attempt(&self, job: &Claimed) -> Result<(), JobError> {
        if job.attempts > job.max_attempts {
            return Err(JobError::permanent(
                "the worker of the last attempt stopped before finishing it",
            ));
        }
        let Some(handler) = self.registry.handlers.get(job.kind.as_str()) else {
            return Err(JobError::retry(format!(
                "no handler for {} in this process",
                job.kind
            )));
        };
        let run = JobRun {
            id: job.id,
            payload: job.payload.clone(),
            attempt: job.attempts,
            last_attempt: job.attempts >= job.max_attempts,
        };
        match tokio::time::timeout(self.lease, handler(run)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(JobError::retry("the attempt outlasted its lease")),
        }
    }

    async fn settle(
        &self,
        job: &Claimed,
        outcome: Result<(), JobError>,
    ) -> Result<Worked, AppError> {
        let now = self.ctx.now();
        let mut conn = self.ctx.conn().await?;
        let still_ours = jobs::table
            .find(job.id)
            .filter(jobs::state.eq(JobState::Running))
            .filter(jobs::attempts.eq(job.attempts));
        let mut worked = Worked::default();
        match outcome {
            Ok(()) => {
                diesel::update(still_ours)
                    .set((
                        jobs::state.eq(JobState::Done),
                        jobs::finished_at.eq(Some(now)),
                    ))
                    .execute(&mut conn)
                    .await?;
                worked.done = 1;
            }
            Err(error) => {
                let message = truncate(&error.message);
                if error.permanent || job.attempts >= job.max_attempts {
                    tracing::warn!(job = %job.id, kind = %job.kind, error = %message, "job failed");
                    diesel::update(still_ours)
                        .set((
                            jobs::state.eq(JobState::Failed),
                            jobs::finished_at.eq(Some(now)),
                            jobs::last_error.eq(Some(message)),
                        ))
                        .execute(&mut conn)
                        .await?;
                    worked.failed = 1;
                } else {
                    tracing::info!(job = %job.id, kind = %job.kind, attempt = job.attempts, error = %message, "job attempt failed; will retry");
                    diesel::update(still_ours)
                        .set((
                            jobs::state.eq(JobState::Pending),
                            jobs::due_at.eq(now + backoff(job.attempts)),
                            jobs::last_error.eq(Some(message)),
                        ))
                        .execute(&mut conn)
                        .await?;
                    worked.retried = 1;
                }
            }
        }
        Ok(worked)
    }
}

/// The delay before the attempt after `attempt` failed ones.
pub fn backoff(attempt: i32) -> TimeDelta {
    let doublings = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    FIRST_RETRY
        .checked_mul(1 << doublings)
        .map_or(LONGEST_RETRY, |delay| delay.min(LONGEST_RETRY))
}

fn truncate(message: &str) -> String {
    match message.char_indices().nth(ERROR_TEXT_LIMIT) {
        Some((end, _)) => format!("{}…", &message[..end]),
        None => message.to_owned(),
    }
}

/// The workers of one process, running until [`Workers::stop`].
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Workers {
    /// Starts `settings.workers` workers on `queue` and, if there is any
    /// worker, the scheduler of recurring jobs. Idle workers wake when
    /// `live` hears of new jobs.
    pub fn start(queue: Queue, settings: WorkerSettings, live: &Live) -> Self {
        let (stop, stopping) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let wake = Arc::new(Notify::new());
        if settings.workers > 0 {
            tasks.spawn(schedule(queue.clone(), stopping.clone()));
            tasks.spawn(relay_wake_ups(
                live.subscribe(WAKE_CHANNEL),
                wake.clone(),
                stopping.clone(),
            ));
        }
        for _ in 0..settings.workers {
            tasks.spawn(work(
                queue.clone(),
                settings.poll_interval,
                wake.clone(),
                stopping.clone(),
            ));
        }
        Self { stop, tasks }
    }

    /// Stops taking jobs and waits for the attempts under way.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

/// The longest pause of a worker that cannot reach the database.
const LONGEST_OUTAGE_PAUSE: Duration = Duration::from_secs(30);

async fn work(
    queue: Queue,
    poll: Duration,
    wake: Arc<Notify>,
    mut stopping: watch::Receiver<bool>,
) {
    let mut outage_pause = Duration::from_millis(250);
    while !*stopping.borrow() {
        let idle = match queue.work_one().await {
            Ok(Some(_)) => {
                outage_pause = Duration::from_millis(250);
                continue;
            }
            Ok(None) => poll,
            Err(error) => {
                tracing::warn!(%error, pause_ms = outage_pause.as_millis(), "job worker cannot reach the queue");
                let pause = outage_pause;
                outage_pause = (outage_pause * 2).min(LONGEST_OUTAGE_PAUSE);
                pause
            }
        };
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(idle) => {}
            _ = stopping.changed() => {}
        }
    }
}

async fn relay_wake_ups(
    mut enqueued: broadcast::Receiver<String>,
    wake: Arc<Notify>,
    mut stopping: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            received = enqueued.recv() => match received {
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => wake.notify_waiters(),
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = stopping.changed() => return,
        }
    }
}

async fn schedule(queue: Queue, mut stopping: watch::Receiver<bool>) {
    if queue.registry.recurring.is_empty() {
        return;
    }
    while !*stopping.borrow() {
        if let Err(error) = queue.schedule_recurring().await {
            tracing::warn!(%error, "cannot schedule recurring jobs");
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(30)) => {}
            _ = stopping.changed() => {}
        }
    }
}
