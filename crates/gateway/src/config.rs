//! Configuration: command-line flags, each with an environment variable
//! (also read from `.env`) and a default that works for a local run. This
//! is the one place settings are defined; the README lists them.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use alumni_core::db::{
    DEFAULT_ACQUIRE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_STATEMENT_TIMEOUT_MS, PoolSettings,
};
use alumni_core::jobs::{DEFAULT_WORKERS, WorkerSettings};
use alumni_membership::AccountSettings;
use alumni_membership::service::DEFAULT_SESSION_TTL_HOURS;
use alumni_notify::mail::MailSettings;
use clap::{Args, ValueEnum};
use ipnet::IpNet;

use crate::http::{HttpLimits, SchemaExposure, TrustedProxies};
use crate::limits::{IntrospectionPolicy, OperationLimits};
use crate::server::{self, ServerSettings};
use crate::socket::SocketSettings;

/// Where mail is written when no SMTP server is configured.
pub const DEFAULT_MAIL_DIR: &str = ".alumni/mail";

/// Default largest request body, in bytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Default deepest selection nesting.
pub const DEFAULT_MAX_QUERY_DEPTH: usize = 15;
/// Default highest query complexity.
pub const DEFAULT_MAX_QUERY_COMPLEXITY: usize = 5_000;
/// Default most operations in one batch.
pub const DEFAULT_MAX_BATCH_SIZE: usize = 10;
/// Default longest time to answer a request, in milliseconds: above the
/// statement timeout plus the wait for a connection, so that those report
/// first.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 20_000;
/// Default longest time to receive a request body, in milliseconds.
pub const DEFAULT_BODY_TIMEOUT_MS: u64 = 10_000;
/// Default most fields of a document once its fragments are expanded.
pub const DEFAULT_MAX_QUERY_NODES: usize = 2_000;
/// Default most fields introspection may answer with per request.
pub const DEFAULT_MAX_INTROSPECTION_FIELDS: usize = 60_000;
/// Default largest response, in bytes.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Where the database is and how to use it.
#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// PostgreSQL URL. When unset, a local server at 127.0.0.1:5432 is used
    /// (database `alumni`, created if missing), or else a private cluster
    /// under the data directory.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Folder for local state (the private PostgreSQL cluster).
    #[arg(
        long,
        env = "ALUMNI_DATA_DIR",
        default_value = ".alumni",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Most connections the pool opens.
    #[arg(long, env = "ALUMNI_DB_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS, global = true)]
    pub db_max_connections: usize,

    /// Longest any one SQL statement may run, in milliseconds.
    #[arg(long, env = "ALUMNI_DB_STATEMENT_TIMEOUT_MS", default_value_t = DEFAULT_STATEMENT_TIMEOUT_MS, global = true)]
    pub db_statement_timeout_ms: u64,

    /// Longest a request waits for a database connection (or for a new one
    /// to be established), in milliseconds; after that it answers
    /// `SERVICE_UNAVAILABLE`.
    #[arg(long, env = "ALUMNI_DB_ACQUIRE_TIMEOUT_MS", default_value_t = DEFAULT_ACQUIRE_TIMEOUT_MS, global = true)]
    pub db_acquire_timeout_ms: u64,
}

impl DatabaseConfig {
    /// Pool settings for the resolved database URL.
    pub fn pool_settings(&self, database_url: &str) -> PoolSettings {
        let acquire = Duration::from_millis(self.db_acquire_timeout_ms);
        PoolSettings {
            database_url: database_url.to_owned(),
            max_connections: self.db_max_connections,
            statement_timeout: Duration::from_millis(self.db_statement_timeout_ms),
            connect_timeout: acquire,
            acquire_timeout: acquire,
            application_name: "alumni".to_owned(),
        }
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable on a terminal, JSON otherwise.
    Auto,
    /// One JSON object per line.
    Json,
    /// Human-readable.
    Pretty,
}

/// Logging.
#[derive(Debug, Clone, Args)]
pub struct LogConfig {
    /// Log filter in `tracing` syntax, e.g. `info` or `info,alumni_gateway=debug`.
    #[arg(long, env = "ALUMNI_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Log line format.
    #[arg(long, env = "ALUMNI_LOG_FORMAT", value_enum, default_value_t = LogFormat::Auto, global = true)]
    pub log_format: LogFormat,
}

/// Whether `serve` loads demo data into an empty database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoData {
    /// Only when no `DATABASE_URL` is set (the zero-set-up local run).
    Auto,
    /// Whenever the database is empty.
    Always,
    /// Never.
    Never,
}

/// A feature switched on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// Switched on.
    On,
    /// Switched off.
    Off,
}

/// Settings of the HTTP server.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address and port to listen on.
    #[arg(long, env = "ALUMNI_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Background job workers in this process; 0 runs none (another
    /// process, or `alumni jobs run`, works the queue).
    #[arg(long, env = "ALUMNI_WORKERS", default_value_t = DEFAULT_WORKERS)]
    pub workers: usize,

    /// SMTP server for outgoing mail, e.g. `smtp://user:pass@host:587`
    /// (STARTTLS required; `?tls=none` for a local relay) or
    /// `smtps://…:465`. Unset: mail is written to ALUMNI_MAIL_DIR.
    #[arg(long, env = "ALUMNI_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Where mail is written as `.eml` files when no SMTP server is set.
    #[arg(long, env = "ALUMNI_MAIL_DIR", default_value = DEFAULT_MAIL_DIR)]
    pub mail_dir: PathBuf,

    /// The sender address of mail.
    #[arg(long, env = "ALUMNI_MAIL_FROM", default_value = "alumni@localhost")]
    pub mail_from: String,

    /// The sender name of mail; the company's name (from its data) when
    /// unset.
    #[arg(long, env = "ALUMNI_MAIL_FROM_NAME")]
    pub mail_from_name: Option<String>,

    /// The address members reach the network at, for links in mail (the
    /// frontend's, or this server's).
    #[arg(
        long,
        env = "ALUMNI_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,

    /// Largest request body accepted, in bytes.
    #[arg(long, env = "ALUMNI_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,

    /// Deepest selection nesting a query may have.
    #[arg(long, env = "ALUMNI_MAX_QUERY_DEPTH", default_value_t = DEFAULT_MAX_QUERY_DEPTH)]
    pub max_query_depth: usize,

    /// Highest query complexity accepted: each field costs 1, list fields
    /// cost their page size times their items.
    #[arg(long, env = "ALUMNI_MAX_QUERY_COMPLEXITY", default_value_t = DEFAULT_MAX_QUERY_COMPLEXITY)]
    pub max_query_complexity: usize,

    /// Most operations in one batched request (a JSON array); 1 disables
    /// batching.
    #[arg(long, env = "ALUMNI_MAX_BATCH_SIZE", default_value_t = DEFAULT_MAX_BATCH_SIZE)]
    pub max_batch_size: usize,

    /// Most fields a document may have once its fragments are expanded
    /// (checked before validation, whose cost grows with it).
    #[arg(long, env = "ALUMNI_MAX_QUERY_NODES", default_value_t = DEFAULT_MAX_QUERY_NODES)]
    pub max_query_nodes: usize,

    /// Most fields introspection (`__schema`, `__type`) may answer with in
    /// one request; the operations of a batch share it.
    #[arg(long, env = "ALUMNI_MAX_INTROSPECTION_FIELDS", default_value_t = DEFAULT_MAX_INTROSPECTION_FIELDS)]
    pub max_introspection_fields: usize,

    /// Largest response, in bytes; a larger one is replaced by a
    /// `RESPONSE_TOO_LARGE` error. A batch shares it.
    #[arg(long, env = "ALUMNI_MAX_RESPONSE_BYTES", default_value_t = DEFAULT_MAX_RESPONSE_BYTES)]
    pub max_response_bytes: usize,

    /// Who may introspect the schema (and read `/schema.graphql`).
    #[arg(long, env = "ALUMNI_INTROSPECTION", value_enum, default_value_t = IntrospectionPolicy::On)]
    pub introspection: IntrospectionPolicy,

    /// Whether `GET /graphql` serves GraphiQL.
    #[arg(long, env = "ALUMNI_GRAPHIQL", value_enum, default_value_t = Switch::On)]
    pub graphiql: Switch,

    /// Origins allowed to call the API from a browser (CORS), comma-separated,
    /// e.g. `http://localhost:3000`. Empty allows none.
    #[arg(
        long,
        env = "ALUMNI_CORS_ORIGINS",
        value_delimiter = ',',
        default_value = ""
    )]
    pub cors_origins: Vec<String>,

    /// How long a session lasts after sign-in, in hours.
    #[arg(long, env = "ALUMNI_SESSION_TTL_HOURS", default_value_t = DEFAULT_SESSION_TTL_HOURS)]
    pub session_ttl_hours: i64,

    /// Whether to load demo data into an empty database.
    #[arg(long, env = "ALUMNI_DEMO_DATA", value_enum, default_value_t = DemoData::Auto)]
    pub demo_data: DemoData,

    /// Longest time to answer a request, in milliseconds; then `503 TIMEOUT`.
    #[arg(long, env = "ALUMNI_REQUEST_TIMEOUT_MS", default_value_t = DEFAULT_REQUEST_TIMEOUT_MS)]
    pub request_timeout_ms: u64,

    /// Longest time to receive a request body, in milliseconds; then `408
    /// TIMEOUT`.
    #[arg(long, env = "ALUMNI_BODY_TIMEOUT_MS", default_value_t = DEFAULT_BODY_TIMEOUT_MS)]
    pub body_timeout_ms: u64,

    /// Longest time to receive a request's headers, and to keep an idle
    /// keep-alive connection open, in milliseconds.
    #[arg(long, env = "ALUMNI_HEADER_TIMEOUT_MS", default_value_t = as_millis(server::DEFAULT_HEADER_TIMEOUT))]
    pub header_timeout_ms: u64,

    /// Most connections open at once; more are closed as they arrive.
    #[arg(long, env = "ALUMNI_MAX_CONNECTIONS", default_value_t = server::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,

    /// Connections at the top of the limit that serve only `/livez` and
    /// `/readyz`, so health checks get through a crowd.
    #[arg(long, env = "ALUMNI_HEALTH_RESERVE_CONNECTIONS", default_value_t = server::DEFAULT_HEALTH_RESERVE)]
    pub health_reserve_connections: usize,

    /// A trusted-documents manifest (a JSON object from id to document, as
    /// graphql-codegen's client preset or relay-compiler's persisted output
    /// write it): when set, only its operations run.
    #[arg(long, env = "ALUMNI_TRUSTED_DOCUMENTS")]
    pub trusted_documents: Option<PathBuf>,

    /// Longest a shutdown waits for requests in flight, in milliseconds;
    /// then the connections left are closed.
    #[arg(long, env = "ALUMNI_SHUTDOWN_DEADLINE_MS", default_value_t = as_millis(server::DEFAULT_SHUTDOWN_DEADLINE))]
    pub shutdown_deadline_ms: u64,

    /// Reverse proxies (addresses or CIDR networks, comma-separated) whose
    /// `X-Forwarded-For` header names the client. Per-client limits count
    /// under that client; from anyone else the header is ignored.
    #[arg(
        long,
        env = "ALUMNI_TRUSTED_PROXIES",
        value_delimiter = ',',
        default_value = "",
        value_parser = parse_network
    )]
    pub trusted_proxies: Vec<Option<IpNet>>,

    /// Password hashes computed at once (each holds 19 MiB); further
    /// sign-ins wait briefly, then answer `RATE_LIMITED`. Default: the
    /// number of CPUs.
    #[arg(long, env = "ALUMNI_PASSWORD_HASHING_CONCURRENCY")]
    pub password_hashing_concurrency: Option<usize>,

    /// Sign-in attempts one client address may make at once, refilled
    /// over a minute.
    #[arg(long, env = "ALUMNI_SIGN_INS_PER_CLIENT_PER_MINUTE", default_value_t = DEFAULT_SIGN_INS_PER_CLIENT_PER_MINUTE)]
    pub sign_ins_per_client_per_minute: NonZeroU32,

    /// Membership applications one client address may submit at once,
    /// refilled over an hour.
    #[arg(long, env = "ALUMNI_APPLICATIONS_PER_CLIENT_PER_HOUR", default_value_t = DEFAULT_APPLICATIONS_PER_CLIENT_PER_HOUR)]
    pub applications_per_client_per_hour: NonZeroU32,

    /// How long a new WebSocket connection may take to send
    /// `connection_init`, in milliseconds; then it is closed (4408).
    #[arg(long, env = "ALUMNI_WS_INIT_TIMEOUT_MS", default_value_t = DEFAULT_WS_INIT_TIMEOUT_MS)]
    pub ws_init_timeout_ms: u64,

    /// How often the sessions of open WebSocket connections are checked
    /// again, in milliseconds: a connection whose session ended is closed
    /// within this time.
    #[arg(long, env = "ALUMNI_WS_SESSION_CHECK_MS", default_value_t = DEFAULT_WS_SESSION_CHECK_MS)]
    pub ws_session_check_ms: u64,
}

/// Default sign-in attempts per client address and minute.
pub const DEFAULT_SIGN_INS_PER_CLIENT_PER_MINUTE: NonZeroU32 = NonZeroU32::new(20).unwrap();
/// Default membership applications per client address and hour.
pub const DEFAULT_APPLICATIONS_PER_CLIENT_PER_HOUR: NonZeroU32 = NonZeroU32::new(10).unwrap();
/// Default time a WebSocket connection has to send `connection_init`.
pub const DEFAULT_WS_INIT_TIMEOUT_MS: u64 = 10_000;
/// Default interval between checks of open WebSocket connections' sessions.
pub const DEFAULT_WS_SESSION_CHECK_MS: u64 = 2_000;

const fn as_millis(duration: Duration) -> u64 {
    duration.as_secs() * 1000 + duration.subsec_millis() as u64
}

/// A trusted proxy: an address or a CIDR network; blank entries are
/// skipped.
fn parse_network(value: &str) -> Result<Option<IpNet>, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    value
        .parse::<IpNet>()
        .or_else(|_| value.parse::<IpAddr>().map(IpNet::from))
        .map(Some)
        .map_err(|_| format!("{value:?} is not an IP address or CIDR network"))
}

impl ServeConfig {
    /// The request limits.
    pub fn http_limits(&self) -> HttpLimits {
        HttpLimits {
            max_body_bytes: self.max_body_bytes,
            max_batch_size: self.max_batch_size.max(1),
            request_timeout: Duration::from_millis(self.request_timeout_ms.max(1)),
            body_timeout: Duration::from_millis(self.body_timeout_ms.max(1)),
            max_response_bytes: self.max_response_bytes,
        }
    }

    /// Where mail goes.
    pub fn mail_settings(&self) -> MailSettings {
        MailSettings {
            smtp_url: self.smtp_url.clone().filter(|url| !url.trim().is_empty()),
            mail_dir: self.mail_dir.clone(),
            from_address: self.mail_from.clone(),
            from_name: self.mail_from_name.clone(),
            public_url: self.public_url.clone(),
        }
    }

    /// The job workers.
    pub fn worker_settings(&self) -> WorkerSettings {
        WorkerSettings {
            workers: self.workers,
            ..WorkerSettings::default()
        }
    }

    /// Bounds on connections.
    pub fn server_settings(&self) -> ServerSettings {
        ServerSettings {
            header_timeout: Duration::from_millis(self.header_timeout_ms.max(1)),
            max_connections: self.max_connections.max(1),
            health_reserve: self.health_reserve_connections.min(self.max_connections),
            shutdown_deadline: Duration::from_millis(self.shutdown_deadline_ms),
        }
    }

    /// The proxies whose `X-Forwarded-For` is believed.
    pub fn trusted_proxies(&self) -> TrustedProxies {
        TrustedProxies(self.trusted_proxies.iter().flatten().copied().collect())
    }

    /// WebSocket settings.
    pub fn socket_settings(&self) -> SocketSettings {
        SocketSettings {
            init_timeout: Duration::from_millis(self.ws_init_timeout_ms.max(1)),
            session_check_interval: Duration::from_millis(self.ws_session_check_ms.max(10)),
            ..SocketSettings::default()
        }
    }

    /// The per-operation limits.
    pub fn operation_limits(&self) -> OperationLimits {
        OperationLimits {
            max_depth: self.max_query_depth,
            max_complexity: self.max_query_complexity,
            max_nodes: self.max_query_nodes,
            max_introspection_fields: self.max_introspection_fields,
        }
    }

    /// Who may introspect, and whether GraphiQL is served.
    pub fn schema_exposure(&self) -> SchemaExposure {
        SchemaExposure {
            introspection: self.introspection,
            graphiql: self.graphiql == Switch::On,
        }
    }

    /// Session settings and the limits on anonymous work.
    pub fn account_settings(&self) -> AccountSettings {
        let defaults = AccountSettings::default();
        AccountSettings {
            session_ttl: chrono::Duration::hours(self.session_ttl_hours.max(1)),
            password_hashing_concurrency: self
                .password_hashing_concurrency
                .unwrap_or(defaults.password_hashing_concurrency)
                .max(1),
            sign_ins_per_client_per_minute: self.sign_ins_per_client_per_minute,
            applications_per_client_per_hour: self.applications_per_client_per_hour,
            ..defaults
        }
    }

    /// Allowed browser origins, blanks dropped.
    pub fn allowed_origins(&self) -> Vec<String> {
        self.cors_origins
            .iter()
            .map(|origin| origin.trim().to_owned())
            .filter(|origin| !origin.is_empty())
            .collect()
    }
}
