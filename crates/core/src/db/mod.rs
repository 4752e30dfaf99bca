//! The PostgreSQL connection pool, migrations and database discovery.
//!
//! Pool connections identify themselves (`application_name`), carry a
//! `statement_timeout` so no query can hold a connection forever, plan
//! without parallel workers (see [`build_pool`]), and count
//! the statements they run so tests can prove that a list query costs the same
//! number of statements for 10 rows as for 100. Checking out a connection
//! while the database is down fails within the acquire timeout with
//! `SERVICE_UNAVAILABLE`; broken connections are discarded on their next
//! checkout, so the pool heals by itself when the database returns.

pub mod local;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};
use futures_util::FutureExt as _;

use crate::error::AppError;

/// The shared connection pool.
pub type DbPool = Pool<AsyncPgConnection>;

/// A connection checked out of the pool.
pub type DbConn = Object<AsyncPgConnection>;

/// Default upper bound of open connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 16;
/// Default server-side limit on one statement, in milliseconds.
pub const DEFAULT_STATEMENT_TIMEOUT_MS: u64 = 10_000;
/// Default limit on waiting for (or establishing) a connection, in
/// milliseconds.
pub const DEFAULT_ACQUIRE_TIMEOUT_MS: u64 = 5_000;

/// How the pool connects and how long it waits.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// `postgres://` URL of the database.
    pub database_url: String,
    /// Upper bound of open connections.
    pub max_connections: usize,
    /// Server-side limit on any one statement.
    pub statement_timeout: Duration,
    /// Limit on establishing a new connection.
    pub connect_timeout: Duration,
    /// Limit on waiting for a free connection.
    pub acquire_timeout: Duration,
    /// Shown in `pg_stat_activity`, so operators can tell our sessions apart.
    pub application_name: String,
}

impl PoolSettings {
    /// Settings with the defaults documented in the README.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            statement_timeout: Duration::from_millis(DEFAULT_STATEMENT_TIMEOUT_MS),
            connect_timeout: Duration::from_millis(DEFAULT_ACQUIRE_TIMEOUT_MS),
            acquire_timeout: Duration::from_millis(DEFAULT_ACQUIRE_TIMEOUT_MS),
            application_name: "alumni".to_owned(),
        }
    }
}

/// Counts SQL statements run on a pool's connections.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    /// Statements run so far.
    pub fn count(&self) -> u64 {
        AtomicU64::load(&self.0, Ordering::Relaxed)
    }

    fn instrumentation(&self) -> impl Instrumentation {
        let counter = Arc::clone(&self.0);
        move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::StartQuery { .. } = event {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The pool could not be configured.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the database pool: {0}")]
pub struct PoolBuildError(#[from] deadpool::managed::BuildError);

/// Builds a pool. Connections are opened lazily, so this succeeds even while
/// the database is down.
///
/// Request connections plan without parallel workers: a request's
/// statements are short, and the pool already keeps as many running as
/// the database can take, so workers would only compete with other
/// requests for the same cores. Plans that stop after a page (the
/// directory's walks through postings) are also chosen only without them:
/// a parallel plan cannot stop early, yet the planner prefers one whenever
/// it expects few rows.
pub fn build_pool(
    settings: &PoolSettings,
    counter: StatementCounter,
) -> Result<DbPool, PoolBuildError> {
    let setup_settings = settings.clone();
    let mut config = ManagerConfig::default();
    // `Fast` skips a round trip per checkout; connections whose socket closed
    // are still discarded because the manager checks `is_broken` first.
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |url| {
        let settings = setup_settings.clone();
        let counter = counter.clone();
        let url = url.to_owned();
        async move {
            let mut conn = AsyncPgConnection::establish(&url).await?;
            conn.batch_execute(&session_settings_sql(&settings))
                .await
                .map_err(|err| diesel::ConnectionError::BadConnection(err.to_string()))?;
            // Installed after the session settings, so that only statements
            // issued on behalf of requests are counted.
            conn.set_instrumentation(counter.instrumentation());
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::new_with_config(&settings.database_url, config);
    let pool = Pool::builder(manager)
        .max_size(settings.max_connections)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(settings.acquire_timeout))
        .create_timeout(Some(settings.connect_timeout))
        .recycle_timeout(Some(settings.connect_timeout))
        .build()?;
    Ok(pool)
}

fn session_settings_sql(settings: &PoolSettings) -> String {
    let application_name: String = settings
        .application_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    format!(
        "SET application_name = '{application_name}'; SET statement_timeout = {}; \
         SET max_parallel_workers_per_gather = 0; SET TIME ZONE 'UTC'",
        settings.statement_timeout.as_millis()
    )
}

/// Checks out a connection, mapping failure to `SERVICE_UNAVAILABLE`.
pub async fn connection(pool: &DbPool) -> Result<DbConn, AppError> {
    Ok(pool.get().await?)
}

/// Answers whether the database accepts queries; used by `/readyz`.
pub async fn ping(pool: &DbPool) -> Result<(), AppError> {
    let mut conn = connection(pool).await?;
    diesel::sql_query("SELECT 1").execute(&mut conn).await?;
    Ok(())
}

/// Migrations could not be applied.
#[derive(Debug, thiserror::Error)]
#[error("database migration failed: {0}")]
pub struct MigrationError(String);

/// Applies pending migrations on a dedicated connection and returns the
/// versions applied.
pub async fn run_migrations(
    database_url: &str,
    migrations: EmbeddedMigrations,
) -> Result<Vec<String>, MigrationError> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)
                .map_err(|err| MigrationError(err.to_string()))?;
        let applied = conn
            .run_pending_migrations(migrations)
            .map_err(|err| MigrationError(err.to_string()))?;
        Ok(applied.iter().map(ToString::to_string).collect())
    })
    .await
    .map_err(|err| MigrationError(err.to_string()))?
}
