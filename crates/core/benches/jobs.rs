//! Job queue throughput and delay (`just bench`): how many jobs per second
//! the workers of one process claim, run and settle, and how long a job
//! waits between its commit and the start of its attempt.
//!
//! 1. **Throughput.** 20,000 no-op jobs are enqueued at once, then 1, 2,
//!    4 and 8 workers work the queue until it is empty: jobs per second.
//! 2. **Delay.** With 2 workers idle, jobs are committed one at a time,
//!    400 a second for 10 seconds: the delay from each commit to the start
//!    of its attempt (workers wake on the insert's `NOTIFY`), as median,
//!    95th percentile and maximum.
//!
//! Runs against the local PostgreSQL, in a database of its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use alumni_core::ServiceContext;
use alumni_core::clock::SystemClock;
use alumni_core::db::{self, PoolSettings, StatementCounter};
use alumni_core::jobs::{self, JobRegistry, NewJob, Queue, WAKE_CHANNEL, WorkerSettings, Workers};
use alumni_core::live::Live;
use alumni_test_db::TestDb;
use chrono::Utc;
use serde_json::json;
use tokio::sync::Mutex;

const BURST: usize = 20_000;
const RATE_PER_SECOND: u64 = 400;
const STEADY_SECONDS: u64 = 10;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let db = TestDb::create().await;
    let mut settings = PoolSettings::new(db.url());
    settings.max_connections = 16;
    let ctx = ServiceContext {
        pool: db::build_pool(&settings, StatementCounter::default()).expect("pool"),
        clock: Arc::new(SystemClock),
        live: Live::new(db.url(), &[WAKE_CHANNEL]),
        screener: Default::default(),
    };
    tokio::spawn(ctx.live.clone().listen());
    tokio::time::timeout(Duration::from_secs(30), ctx.live.listening())
        .await
        .expect("listening");

    for workers in [1, 2, 4, 8] {
        let done = Arc::new(AtomicUsize::new(0));
        let queue = Queue::new(ctx.clone(), counting(&done, None), Duration::from_secs(300));
        enqueue_burst(&ctx).await;
        let started = Instant::now();
        let running = Workers::start(queue, worker_settings(workers), &ctx.live);
        while done.load(Ordering::SeqCst) < BURST {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let elapsed = started.elapsed();
        running.stop().await;
        println!(
            "throughput: {workers} workers: {BURST} jobs in {:.2} s: {:.0} jobs/s",
            elapsed.as_secs_f64(),
            BURST as f64 / elapsed.as_secs_f64()
        );
        let mut conn = ctx.conn().await.expect("connection");
        jobs::purge_done(&mut conn, Utc::now() + chrono::TimeDelta::seconds(1))
            .await
            .expect("purge");
    }

    let delays = Arc::new(Mutex::new(Vec::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let queue = Queue::new(
        ctx.clone(),
        counting(&done, Some(delays.clone())),
        Duration::from_secs(300),
    );
    let running = Workers::start(queue, worker_settings(2), &ctx.live);
    let total = (RATE_PER_SECOND * STEADY_SECONDS) as usize;
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / RATE_PER_SECOND));
    let mut conn = ctx.conn().await.expect("connection");
    for _ in 0..total {
        tick.tick().await;
        let job = NewJob::new("bench.noop", json!({ "enqueuedAt": Utc::now() }));
        jobs::enqueue(&mut conn, Utc::now(), job)
            .await
            .expect("enqueue");
    }
    while done.load(Ordering::SeqCst) < total {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    running.stop().await;
    let mut delays = delays.lock().await.clone();
    delays.sort_unstable();
    let at = |fraction: f64| {
        let index = ((delays.len() as f64 * fraction) as usize).min(delays.len() - 1);
        delays[index] as f64 / 1000.0
    };
    println!(
        "delay at {RATE_PER_SECOND} jobs/s, 2 workers: median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        at(0.5),
        at(0.95),
        at(1.0)
    );
}

fn worker_settings(workers: usize) -> WorkerSettings {
    WorkerSettings {
        workers,
        lease: Duration::from_secs(300),
        poll_interval: Duration::from_secs(1),
    }
}

async fn enqueue_burst(ctx: &ServiceContext) {
    let mut conn = ctx.conn().await.expect("connection");
    let batch: Vec<NewJob> = (0..1000)
        .map(|_| NewJob::new("bench.noop", json!({})))
        .collect();
    for _ in 0..BURST / 1000 {
        jobs::enqueue_many(&mut conn, Utc::now(), &batch)
            .await
            .expect("enqueue");
    }
}

/// A registry whose no-op handler counts its runs and, if asked, records
/// each job's delay in microseconds.
fn counting(done: &Arc<AtomicUsize>, delays: Option<Arc<Mutex<Vec<i64>>>>) -> JobRegistry {
    let done = done.clone();
    let mut registry = JobRegistry::default();
    registry.handle("bench.noop", move |run| {
        let (done, delays) = (done.clone(), delays.clone());
        async move {
            if let Some(delays) = delays {
                let enqueued: chrono::DateTime<Utc> =
                    serde_json::from_value(run.payload["enqueuedAt"].clone()).expect("enqueuedAt");
                let delay = (Utc::now() - enqueued)
                    .num_microseconds()
                    .unwrap_or(i64::MAX);
                delays.lock().await.push(delay);
            }
            done.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    });
    registry
}
