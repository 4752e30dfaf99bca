//! Assembling the application from its settings: pool, services, schema and
//! router. Shared by `alumni serve` and the test harness.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use alumni_core::db::{self, PoolBuildError, PoolSettings, StatementCounter};
use alumni_core::idempotency::IdempotencyStore;
use alumni_core::jobs::{Queue, WorkerSettings, Workers};
use alumni_core::live::Live;
use alumni_core::{DbPool, ServiceContext, SharedClock};
use alumni_membership::AccountSettings;
pub use alumni_notify::mail::MailSettings;
use axum::Router;

use crate::api::{AppSchema, schema_builder};
use crate::config::{
    DEFAULT_BODY_TIMEOUT_MS, DEFAULT_MAIL_DIR, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_INTROSPECTION_FIELDS, DEFAULT_MAX_QUERY_COMPLEXITY, DEFAULT_MAX_QUERY_DEPTH,
    DEFAULT_MAX_QUERY_NODES, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_REQUEST_TIMEOUT_MS,
};
pub use crate::domains::{Domains, LIVE_CHANNELS, Services};
use crate::http::{self, AppState, HttpLimits, RouteSettings, SchemaExposure, TrustedProxies};
use crate::idempotency::MutationOutcomes;
use crate::limits::{IntrospectionPolicy, OperationGuard, OperationLimits};
use crate::persisted::{Documents, ManifestError};
use crate::server::{Lifecycle, ServerSettings};
use crate::socket::SocketSettings;

/// Why the application could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The connection pool.
    #[error(transparent)]
    Pool(#[from] PoolBuildError),
    /// The schema's own SDL did not parse for the operation guard (a bug).
    #[error("cannot model the schema for the operation limits: {0}")]
    Schema(#[from] async_graphql::parser::Error),
    /// The trusted-documents manifest could not be read.
    #[error(transparent)]
    TrustedDocuments(#[from] ManifestError),
    /// The mail settings cannot be used.
    #[error("mail: {0}")]
    Mail(String),
}

/// Everything that shapes the application.
#[derive(Debug, Clone)]
pub struct AppSettings {
    /// Database pool.
    pub pool: PoolSettings,
    /// Limits on HTTP requests.
    pub http: HttpLimits,
    /// Limits on each GraphQL operation.
    pub operations: OperationLimits,
    /// Who may introspect the schema, and whether GraphiQL is served.
    pub exposure: SchemaExposure,
    /// Sessions.
    pub accounts: AccountSettings,
    /// Browser origins allowed by CORS.
    pub allowed_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// WebSocket connections.
    pub sockets: SocketSettings,
    /// Connections: timeouts, their number, shutdown.
    pub server: ServerSettings,
    /// A trusted-documents manifest: when set, only its operations run.
    pub trusted_documents: Option<PathBuf>,
    /// The job workers of this process.
    pub jobs: WorkerSettings,
    /// Where mail goes, and in whose name.
    pub mail: MailSettings,
}

impl AppSettings {
    /// The documented defaults, for the database at `database_url`.
    pub fn with_defaults(database_url: &str) -> Self {
        Self {
            pool: PoolSettings::new(database_url),
            http: HttpLimits {
                max_body_bytes: DEFAULT_MAX_BODY_BYTES,
                max_batch_size: DEFAULT_MAX_BATCH_SIZE,
                request_timeout: Duration::from_millis(DEFAULT_REQUEST_TIMEOUT_MS),
                body_timeout: Duration::from_millis(DEFAULT_BODY_TIMEOUT_MS),
                max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            },
            operations: OperationLimits {
                max_depth: DEFAULT_MAX_QUERY_DEPTH,
                max_complexity: DEFAULT_MAX_QUERY_COMPLEXITY,
                max_nodes: DEFAULT_MAX_QUERY_NODES,
                max_introspection_fields: DEFAULT_MAX_INTROSPECTION_FIELDS,
            },
            exposure: SchemaExposure {
                introspection: IntrospectionPolicy::On,
                graphiql: true,
            },
            accounts: AccountSettings::default(),
            allowed_origins: Vec::new(),
            trusted_proxies: TrustedProxies::default(),
            sockets: SocketSettings::default(),
            server: ServerSettings::default(),
            trusted_documents: None,
            jobs: WorkerSettings::default(),
            mail: MailSettings::to_folder(DEFAULT_MAIL_DIR),
        }
    }
}

/// The assembled application.
pub struct App {
    /// The HTTP routes.
    pub router: Router,
    /// The GraphQL schema with its data and limits.
    pub schema: AppSchema,
    /// The domains' services (for the command line and tests).
    pub services: Services,
    /// The registered domains.
    pub domains: Domains,
    /// The connection pool.
    pub pool: DbPool,
    /// Counts SQL statements on the pool's connections.
    pub statements: StatementCounter,
    /// Shutting down, and the WebSockets still open; for the server.
    pub lifecycle: Lifecycle,
    /// Changes announced by the database, heard once [`App::start_background`] runs.
    pub live: Live,
    /// The job queue with every domain's handlers.
    pub jobs: Queue,
}

impl App {
    /// Builds the application. No connection is opened yet, so this works
    /// while the database is down; requests then answer
    /// `SERVICE_UNAVAILABLE` until it is back.
    pub fn build(settings: &AppSettings, clock: SharedClock) -> Result<App, BuildError> {
        let statements = StatementCounter::default();
        let pool = db::build_pool(&settings.pool, statements.clone())?;
        let live = Live::new(&settings.pool.database_url, LIVE_CHANNELS);
        let ctx = ServiceContext {
            pool: pool.clone(),
            clock,
            live: live.clone(),
            screener: Default::default(),
        };
        let services = Services::new(&ctx, settings.accounts.clone(), settings.mail.clone())
            .map_err(|error| BuildError::Mail(error.to_string()))?;
        let domains = services.domains();
        let jobs = Queue::new(ctx.clone(), domains.jobs(&ctx), settings.jobs.lease);
        let idempotency = IdempotencyStore::new(ctx, settings.http.request_timeout);
        let guard = OperationGuard::new(
            settings.operations,
            settings.exposure.introspection,
            settings.http.max_response_bytes,
            &crate::api::sdl(),
        )?;
        let schema = schema_builder()
            .data(jobs.clone())
            .extension(guard)
            .extension(MutationOutcomes)
            .finish();
        let lifecycle = Lifecycle::default();
        let state = AppState::new(
            schema.clone(),
            services.clone(),
            domains.clone(),
            pool.clone(),
            lifecycle.clone(),
            idempotency,
            RouteSettings {
                limits: settings.http,
                proxies: settings.trusted_proxies.clone(),
                sockets: settings.sockets,
                exposure: settings.exposure,
                documents: Arc::new(match &settings.trusted_documents {
                    Some(path) => Documents::trusted(path)?,
                    None => Documents::automatic(),
                }),
            },
        );
        let router = http::router(state, &settings.allowed_origins);
        Ok(App {
            router,
            schema,
            services,
            domains,
            pool,
            statements,
            lifecycle,
            live,
            jobs,
        })
    }

    /// Starts what runs beside the requests: listening for the database's
    /// announcements, and the job workers of `settings`.
    pub fn start_background(&self, settings: WorkerSettings) -> Background {
        Background {
            listener: tokio::spawn(self.live.clone().listen()),
            workers: Workers::start(self.jobs.clone(), settings, &self.live),
        }
    }
}

/// What runs beside the requests (see [`App::start_background`]).
pub struct Background {
    listener: tokio::task::JoinHandle<()>,
    workers: Workers,
}

impl Background {
    /// Stops the workers once their attempts under way end, then stops
    /// listening.
    pub async fn stop(self) {
        self.workers.stop().await;
        self.listener.abort();
    }
}
