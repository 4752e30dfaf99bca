//! The job queue against a real PostgreSQL: transactional enqueueing,
//! idempotent keys, retries, leases and recurring jobs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use alumni_core::clock::ManualClock;
use alumni_core::db::{self, PoolSettings, StatementCounter};
use alumni_core::jobs::{
    self, Every, JobError, JobRegistry, JobState, NewJob, Queue, WAKE_CHANNEL, Worked,
    WorkerSettings, Workers,
};
use alumni_core::live::Live;
use alumni_core::pagination::PageRequest;
use alumni_core::{AppError, Clock as _, ServiceContext};
use alumni_test_db::TestDb;
use chrono::{TimeDelta, TimeZone as _, Utc};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use serde_json::json;

const LEASE: Duration = Duration::from_secs(300);

fn context(db: &TestDb, clock: &Arc<ManualClock>) -> ServiceContext {
    let pool = db::build_pool(&PoolSettings::new(db.url()), StatementCounter::default()).unwrap();
    ServiceContext {
        pool,
        clock: clock.clone(),
        live: Live::new(db.url(), &[WAKE_CHANNEL]),
        screener: Default::default(),
    }
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap(),
    ))
}

/// A registry whose `test.count` handler counts its runs and then answers
/// with `outcome(run number)`.
fn counting(
    runs: &Arc<AtomicUsize>,
    outcome: impl Fn(usize) -> Result<(), JobError> + Send + Sync + 'static,
) -> JobRegistry {
    let runs = runs.clone();
    let outcome = Arc::new(outcome);
    let mut registry = JobRegistry::default();
    registry.handle("test.count", move |_run| {
        let number = runs.fetch_add(1, Ordering::SeqCst) + 1;
        let outcome = outcome.clone();
        async move { outcome(number) }
    });
    registry
}

async fn states(conn: &mut AsyncPgConnection) -> Vec<(String, JobState, i64)> {
    jobs::counts(conn).await.unwrap()
}

#[tokio::test]
async fn a_rolled_back_change_enqueues_nothing_and_a_committed_one_runs() {
    let db = TestDb::create().await;
    let clock = clock();
    let ctx = context(&db, &clock);
    let mut conn = db.connect().await;
    let now = clock.now();

    let rolled_back = conn
        .transaction::<(), AppError, _>(async |conn| {
            jobs::enqueue(conn, now, NewJob::new("test.count", json!({}))).await?;
            Err(AppError::conflict("the change failed"))
        })
        .await;
    assert!(rolled_back.is_err());
    assert!(states(&mut conn).await.is_empty(), "nothing enqueued");

    conn.transaction::<_, AppError, _>(async |conn| {
        jobs::enqueue(conn, now, NewJob::new("test.count", json!({}))).await
    })
    .await
    .unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let queue = Queue::new(ctx, counting(&runs, |_| Ok(())), LEASE);
    let worked = queue.drain().await.unwrap();
    assert_eq!(
        worked,
        Worked {
            done: 1,
            ..Worked::default()
        }
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(
        states(&mut conn).await,
        [("test.count".to_owned(), JobState::Done, 1)]
    );
}

#[tokio::test]
async fn the_same_key_enqueued_twice_runs_once() {
    let db = TestDb::create().await;
    let clock = clock();
    let ctx = context(&db, &clock);
    let mut conn = db.connect().await;
    let now = clock.now();
    let keyed = || NewJob::new("test.count", json!({ "issue": 12 })).key("issue-12");
    assert!(jobs::enqueue(&mut conn, now, keyed()).await.unwrap());
    assert!(!jobs::enqueue(&mut conn, now, keyed()).await.unwrap());

    let runs = Arc::new(AtomicUsize::new(0));
    let queue = Queue::new(ctx, counting(&runs, |_| Ok(())), LEASE);
    queue.drain().await.unwrap();
    // Even once the first has run, the key stays taken.
    assert!(!jobs::enqueue(&mut conn, now, keyed()).await.unwrap());
    queue.drain().await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    // Another kind may use the same key.
    assert!(
        jobs::enqueue(
            &mut conn,
            now,
            NewJob::new("test.other", json!({})).key("issue-12")
        )
        .await
        .unwrap()
    );
}

#[tokio::test]
async fn a_failing_job_is_retried_with_back_off_then_failed_and_an_operator_retry_runs_it() {
    let db = TestDb::create().await;
    let clock = clock();
    let ctx = context(&db, &clock);
    let mut conn = db.connect().await;
    let job = NewJob::new("test.count", json!({})).max_attempts(3);
    jobs::enqueue(&mut conn, clock.now(), job).await.unwrap();

    // Fails three times, then works.
    let runs = Arc::new(AtomicUsize::new(0));
    let registry = counting(&runs, |number| {
        if number <= 3 {
            Err(JobError::retry(format!("SMTP refused, run {number}")))
        } else {
            Ok(())
        }
    });
    let queue = Queue::new(ctx, registry, LEASE);

    let retried = Worked {
        retried: 1,
        ..Worked::default()
    };
    assert_eq!(queue.drain().await.unwrap(), retried);
    // Not due again before its back-off has passed.
    clock.advance(TimeDelta::seconds(9));
    assert_eq!(queue.drain().await.unwrap(), Worked::default());
    clock.advance(TimeDelta::seconds(1));
    assert_eq!(queue.drain().await.unwrap(), retried);
    // The second retry waits twice as long.
    clock.advance(TimeDelta::seconds(19));
    assert_eq!(queue.drain().await.unwrap(), Worked::default());
    clock.advance(TimeDelta::seconds(1));
    assert_eq!(
        queue.drain().await.unwrap(),
        Worked {
            failed: 1,
            ..Worked::default()
        }
    );
    clock.advance(TimeDelta::hours(2));
    assert_eq!(
        queue.drain().await.unwrap(),
        Worked::default(),
        "failed for good"
    );

    let failed = jobs::failed(&mut conn, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attempts, 3);
    assert_eq!(failed[0].last_error.as_deref(), Some("SMTP refused, run 3"));
    assert_eq!(jobs::failed_count(&mut conn).await.unwrap().count, 1);

    assert_eq!(
        jobs::retry(&mut conn, clock.now(), Some(failed[0].id))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        queue.drain().await.unwrap(),
        Worked {
            done: 1,
            ..Worked::default()
        }
    );
    assert_eq!(runs.load(Ordering::SeqCst), 4);
    assert!(
        jobs::failed(&mut conn, &PageRequest::first(10))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_payload_that_cannot_be_read_fails_at_once() {
    let db = TestDb::create().await;
    let clock = clock();
    let ctx = context(&db, &clock);
    let mut conn = db.connect().await;
    jobs::enqueue(
        &mut conn,
        clock.now(),
        NewJob::new("test.typed", json!({ "id": "x" })),
    )
    .await
    .unwrap();
    let mut registry = JobRegistry::default();
    registry.handle("test.typed", |run| async move {
        let _id: i64 = run.payload::<serde_json::Value>()?["id"]
            .as_i64()
            .ok_or_else(|| JobError::permanent("id is not a number"))?;
        Ok(())
    });
    let queue = Queue::new(ctx, registry, LEASE);
    assert_eq!(
        queue.drain().await.unwrap(),
        Worked {
            failed: 1,
            ..Worked::default()
        }
    );
}

#[tokio::test]
async fn a_killed_workers_job_is_taken_again_once_its_lease_ends() {
    let db = TestDb::create().await;
    let clock = clock();
    let ctx = context(&db, &clock);
    let mut conn = db.connect().await;
    jobs::enqueue(&mut conn, clock.now(), NewJob::new("test.count", json!({})))
        .await
        .unwrap();

    // The first worker hangs in its handler and is killed there.
    let mut hanging = JobRegistry::default();
    let (started, started_rx) = tokio::sync::oneshot::channel::<()>();
    let started = std::sync::Mutex::new(Some(started));
    hanging.handle("test.count", move |_run| {
        if let Some(started) = started.lock().unwrap().take() {
            let _ = started.send(());
        }
        std::future::pending()
    });
    let doomed = Queue::new(ctx.clone(), hanging, LEASE);
    let worker = tokio::spawn(async move { doomed.work_one().await });
    started_rx.await.unwrap();
    worker.abort();
    assert!(worker.await.unwrap_err().is_cancelled());
    assert_eq!(
        states(&mut conn).await,
        [("test.count".to_owned(), JobState::Running, 1)]
    );

    // Another worker leaves it alone while the lease lasts…
    let runs = Arc::new(AtomicUsize::new(0));
    let rescuer = Queue::new(ctx, counting(&runs, |_| Ok(())), LEASE);
    clock.advance(TimeDelta::seconds(299));
    assert_eq!(rescuer.drain().await.unwrap(), Worked::default());
    // …and takes it once the lease has ended.
    clock.advance(TimeDelta::seconds(1));
    assert_eq!(
        rescuer.drain().await.unwrap(),
        Worked {
            done: 1,
            ..Worked::default()
        }
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_recurring_job_is_enqueued_once_per_period() {
    let db = TestDb::create().await;
    let clock = clock();
    let mut conn = db.connect().await;
    let mut registry = JobRegistry::default();
    registry
        .handle("test.hourly", |_run| async { Ok(()) })
        .every("test.hourly", Every::Hour);

    clock.advance(TimeDelta::minutes(10));
    registry
        .schedule_recurring(&mut conn, clock.now())
        .await
        .unwrap();
    clock.advance(TimeDelta::minutes(40));
    // A second process scheduling in the same hour adds nothing.
    registry
        .schedule_recurring(&mut conn, clock.now())
        .await
        .unwrap();
    assert_eq!(
        states(&mut conn).await,
        [("test.hourly".to_owned(), JobState::Pending, 1)]
    );
    clock.advance(TimeDelta::minutes(10));
    registry
        .schedule_recurring(&mut conn, clock.now())
        .await
        .unwrap();
    assert_eq!(
        states(&mut conn).await,
        [("test.hourly".to_owned(), JobState::Pending, 2)]
    );
}

#[tokio::test]
async fn an_idle_worker_wakes_when_a_job_is_committed() {
    let db = TestDb::create().await;
    let clock = clock();
    let ctx = context(&db, &clock);
    let live = ctx.live.clone();
    let listener = tokio::spawn(live.clone().listen());
    let runs = Arc::new(AtomicUsize::new(0));
    let queue = Queue::new(ctx, counting(&runs, |_| Ok(())), LEASE);
    // Polling alone would take a minute: only the notification is quick.
    let settings = WorkerSettings {
        workers: 1,
        lease: LEASE,
        poll_interval: Duration::from_secs(60),
    };
    let workers = Workers::start(queue, settings, &live);
    // Let the worker find the queue empty and the listener connect.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut conn = db.connect().await;
    jobs::enqueue(&mut conn, clock.now(), NewJob::new("test.count", json!({})))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while runs.load(Ordering::SeqCst) == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the worker never woke"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    workers.stop().await;
    listener.abort();
}
