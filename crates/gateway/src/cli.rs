//! The `alumni` command line.

use std::io::{BufRead as _, IsTerminal as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use alumni_core::clock::SystemClock;
use alumni_core::db;
use alumni_core::db::local::ServerOrigin;
use alumni_core::jobs;
use alumni_core::pagination::PageRequest;
use alumni_core::{AppError, Role, RoleSet};
use alumni_membership::demo::{DEMO_LOGINS, DEMO_PASSWORD, synthetic};
use alumni_membership::{NewAccount, PersonName};
use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::app::{App, AppSettings};
use crate::config::{DatabaseConfig, DemoData, LogConfig, ServeConfig};
use crate::database::{self, ResolvedDatabase};
use crate::{seed, telemetry};

/// Environment variable holding the password for `account create`.
pub const ACCOUNT_PASSWORD_ENV: &str = "ALUMNI_ACCOUNT_PASSWORD";

/// Where `alumni analytics grant --with-password` reads the role's
/// password from before asking.
pub const ANALYTICS_PASSWORD_ENV: &str = "ALUMNI_ANALYTICS_PASSWORD";

/// The Alumni Network server. Without a command, it serves.
#[derive(Debug, Parser)]
#[command(
    name = "alumni",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(flatten)]
    database: DatabaseConfig,
    #[command(flatten)]
    log: LogConfig,
    #[command(flatten)]
    serve: ServeConfig,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the server (the default): migrate, load demo data into an empty
    /// local database, serve GraphQL and GraphiQL.
    Serve(Box<ServeConfig>),
    /// Apply pending database migrations.
    Migrate,
    /// Load demo data into an empty database, or synthetic members for
    /// measuring at scale.
    Seed(SeedArgs),
    /// Write the GraphQL schema (SDL); `-` writes to standard output.
    ExportSchema {
        /// Where to write it.
        #[arg(long, short, default_value = "schema.graphql")]
        output: PathBuf,
    },
    /// Manage accounts.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Manage the former-employee roster.
    #[command(subcommand)]
    Roster(RosterCommand),
    /// Inspect and retry background jobs.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// HR analytics: the read-only role for analysts' own tools, and the
    /// refresh of the analytics views.
    #[command(subcommand)]
    Analytics(AnalyticsCommand),
}

#[derive(Debug, Subcommand)]
enum AnalyticsCommand {
    /// Create or update a PostgreSQL role that reads the `analytics` schema
    /// and nothing else (no other schema, no writes, a statement timeout),
    /// for psql or a BI tool. Run again after migrations that add views.
    Grant {
        /// The role's name (lower-case letters, digits and _).
        #[arg(long)]
        role: String,
        /// Give the role a password, read from ALUMNI_ANALYTICS_PASSWORD or,
        /// if unset, from standard input. Without it the role has none and
        /// pg_hba.conf decides how it connects.
        #[arg(long)]
        with_password: bool,
        /// How long one statement may run, e.g. 30s or 2min.
        #[arg(long, default_value = alumni_analytics::role::DEFAULT_STATEMENT_TIMEOUT)]
        statement_timeout: String,
    },
    /// Rebuild the analytics views now (the server does so every hour).
    Refresh,
}

#[derive(Debug, Subcommand)]
enum JobsCommand {
    /// Count the jobs by kind and state, or with --failed list the failed
    /// ones, newest first, with their last error.
    List {
        /// List failed jobs.
        #[arg(long)]
        failed: bool,
        /// Most failed jobs to list.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Put failed jobs back in the queue with fresh attempts.
    Retry {
        /// Ids of failed jobs (as `jobs list --failed` shows them).
        #[arg(required_unless_present = "all_failed")]
        ids: Vec<uuid::Uuid>,
        /// Every failed job.
        #[arg(long, conflicts_with = "ids")]
        all_failed: bool,
    },
    /// Run the jobs that are due now, in this process, and exit (for a
    /// deployment that runs no workers in its servers).
    Run,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("data").required(true).args(["demo", "synthetic"])))]
struct SeedArgs {
    /// Load the demo company, members and content into an empty database.
    #[arg(long)]
    demo: bool,
    /// Add synthetic members until the database holds N of them (realistic
    /// names, readings, former surnames, skills and visibility settings;
    /// see docs/performance.md). Refused where other accounts exist.
    #[arg(long, value_name = "N")]
    synthetic: Option<usize>,
    /// Seed of the synthetic data: the same seed gives the same members.
    #[arg(long, default_value_t = synthetic::DEFAULT_SEED, requires = "synthetic")]
    seed: u64,
    /// Add synthetic members even though the database holds accounts the
    /// generator did not make. Never on a production database.
    #[arg(long, requires = "synthetic")]
    allow_real_members: bool,
}

#[derive(Debug, Subcommand)]
enum RosterCommand {
    /// Import HR's roster CSV (UTF-8, header row; columns in docs/operations.md).
    /// Entries are upserted by employee number; a file with any bad row is
    /// refused whole, listing every bad line.
    Import {
        /// The CSV file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AccountCommand {
    /// Create an account, e.g. the first secretariat account. The password is
    /// read from ALUMNI_ACCOUNT_PASSWORD or, if unset, from standard input
    /// (prompted without echo on a terminal); never from a flag.
    Create {
        /// E-mail address to sign in with.
        #[arg(long)]
        email: String,
        /// A role to grant (ALUMNUS, EMPLOYEE, SECRETARIAT, MODERATOR,
        /// ANALYST, MANAGEMENT); repeat or comma-separate for several.
        #[arg(long = "role", value_delimiter = ',', required = true)]
        roles: Vec<Role>,
        /// The name to show, e.g. "森 恵子" (creates the profile; give
        /// --kana too).
        #[arg(long, requires = "kana")]
        name: Option<String>,
        /// The name's reading in kana, e.g. "もり けいこ".
        #[arg(long, requires = "name")]
        kana: Option<String>,
    },
}

/// Parses the command line, runs the command and reports failure.
pub fn main() -> ExitCode {
    // A missing .env is normal; settings then come from the environment.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    telemetry::init(&cli.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli.run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

impl Cli {
    async fn run(self) -> anyhow::Result<()> {
        match self.command {
            None => serve(&self.database, &self.serve).await,
            Some(Command::Serve(serve_config)) => serve(&self.database, &serve_config).await,
            Some(Command::Migrate) => {
                let database = prepare_database(&self.database).await?;
                println!("database {} is up to date", redact(&database.url));
                Ok(())
            }
            Some(Command::Seed(SeedArgs {
                synthetic: Some(members),
                seed,
                allow_real_members,
                ..
            })) => {
                let app = open_app(&self.database, &self.serve).await?;
                seed_synthetic(&app, members, seed, allow_real_members).await
            }
            Some(Command::Seed(_)) => {
                let app = open_app(&self.database, &self.serve).await?;
                if !app.services.membership.is_empty().await.map_err(describe)? {
                    anyhow::bail!(
                        "the database already holds accounts; demo data loads only into an empty database"
                    );
                }
                seed::demo(&app).await.map_err(describe)?;
                print_demo_logins();
                Ok(())
            }
            Some(Command::ExportSchema { output }) => export_schema(&output),
            Some(Command::Account(AccountCommand::Create {
                email,
                roles,
                name,
                kana,
            })) => {
                let password = read_password(ACCOUNT_PASSWORD_ENV)?;
                let app = open_app(&self.database, &self.serve).await?;
                let member = app
                    .services
                    .membership
                    .create_account(NewAccount {
                        email,
                        password,
                        roles: roles.into_iter().collect::<RoleSet>(),
                        name: name
                            .zip(kana)
                            .map(|(display_name, kana)| PersonName { display_name, kana }),
                    })
                    .await
                    .map_err(describe)?;
                let roles: Vec<&str> = member
                    .role_set()
                    .map_err(describe)?
                    .iter()
                    .map(Role::as_str)
                    .collect();
                println!(
                    "created account {} ({}) with roles {}",
                    member.email.unwrap_or_default(),
                    member.id,
                    roles.join(", ")
                );
                Ok(())
            }
            Some(Command::Analytics(command)) => {
                let app = open_app(&self.database, &self.serve).await?;
                analytics_command(&app, command).await
            }
            Some(Command::Jobs(command)) => {
                let app = open_app(&self.database, &self.serve).await?;
                jobs_command(&app, command).await
            }
            Some(Command::Roster(RosterCommand::Import { file })) => {
                let csv = std::fs::read(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let app = open_app(&self.database, &self.serve).await?;
                match app
                    .services
                    .membership
                    .import_roster(&csv)
                    .await
                    .map_err(describe)?
                {
                    Ok(report) => {
                        println!(
                            "imported {}: {} rows, {} new, {} updated, {} unchanged",
                            file.display(),
                            report.rows,
                            report.inserted,
                            report.updated,
                            report.unchanged
                        );
                        Ok(())
                    }
                    Err(rejected) => {
                        for error in &rejected.errors {
                            eprintln!("{}:{}: {}", file.display(), error.line, error.message);
                        }
                        Err(rejected.into())
                    }
                }
            }
        }
    }
}

async fn serve(database_config: &DatabaseConfig, serve_config: &ServeConfig) -> anyhow::Result<()> {
    let database = prepare_database(database_config).await?;
    let app = build_app(database_config, serve_config, &database)?;
    let load_demo = match serve_config.demo_data {
        DemoData::Always => true,
        DemoData::Never => false,
        DemoData::Auto => database.origin != ServerOrigin::Configured,
    };
    if load_demo && app.services.membership.is_empty().await.map_err(describe)? {
        seed::demo(&app).await.map_err(describe)?;
        tracing::info!("loaded demo data into the empty database");
    }
    let background = app.start_background(serve_config.worker_settings());
    let listener = tokio::net::TcpListener::bind(serve_config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", serve_config.bind))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "serving");
    let endpoint = if serve_config.schema_exposure().graphiql {
        "GraphiQL: "
    } else {
        "GraphQL:  "
    };
    let mail = match &serve_config.smtp_url {
        Some(_) => "sent over SMTP (ALUMNI_SMTP_URL)".to_owned(),
        None => format!(
            "written to {}/ as .eml files (set ALUMNI_SMTP_URL to send)",
            serve_config.mail_dir.display()
        ),
    };
    say(&format!(
        "\nAlumni Network is running.\n  {endpoint} http://{address}/graphql\n  Readiness: http://{address}/readyz\n  Mail:      {mail}"
    ));
    if load_demo {
        print_demo_logins();
    }
    crate::server::serve(
        listener,
        app.router,
        app.lifecycle,
        serve_config.server_settings(),
        shutdown_signal(),
    )
    .await;
    background.stop().await;
    tracing::info!("shut down");
    Ok(())
}

async fn jobs_command(app: &App, command: JobsCommand) -> anyhow::Result<()> {
    let mut conn = alumni_core::db::connection(&app.pool)
        .await
        .map_err(describe)?;
    match command {
        JobsCommand::List { failed: false, .. } => {
            let counts = jobs::counts(&mut conn).await.map_err(describe)?;
            if counts.is_empty() {
                println!("no jobs");
            }
            for (kind, state, count) in counts {
                println!("{kind:<40} {state:<8} {count:>8}");
            }
        }
        JobsCommand::List {
            failed: true,
            limit,
        } => {
            let page = PageRequest::first(limit.clamp(1, 1000));
            let failed = jobs::failed(&mut conn, &page).await.map_err(describe)?;
            if failed.is_empty() {
                println!("no failed jobs");
            }
            for job in failed.iter().take(page.size) {
                println!(
                    "{} {} {} attempts {}/{}: {}",
                    job.id,
                    job.finished_at
                        .map(|at| at.to_rfc3339())
                        .unwrap_or_default(),
                    job.kind,
                    job.attempts,
                    job.max_attempts,
                    job.last_error.as_deref().unwrap_or("")
                );
            }
        }
        JobsCommand::Retry { ids, all_failed } => {
            let now = app.services.membership.context().now();
            let retried = if all_failed {
                jobs::retry(&mut conn, now, None).await.map_err(describe)?
            } else {
                let mut retried = 0;
                for id in ids {
                    match jobs::retry(&mut conn, now, Some(id))
                        .await
                        .map_err(describe)?
                    {
                        0 => eprintln!("{id}: no failed job with this id"),
                        _ => retried += 1,
                    }
                }
                retried
            };
            println!("{retried} jobs back in the queue");
        }
        JobsCommand::Run => {
            drop(conn);
            let worked = app.jobs.drain().await.map_err(describe)?;
            println!(
                "{} done, {} to be retried, {} failed",
                worked.done, worked.retried, worked.failed
            );
        }
    }
    Ok(())
}

async fn seed_synthetic(
    app: &App,
    members: usize,
    seed: u64,
    allow_real_members: bool,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let options = synthetic::SyntheticOptions {
        members,
        seed,
        allow_real_members,
    };
    let report = synthetic::seed_synthetic(&app.services.membership, &options, &mut |written| {
        tracing::info!(written, "synthetic members written");
    })
    .await
    .map_err(describe)?;
    say(&format!(
        "{} synthetic members before, {} added in {:.1} s (seed {seed}); password `{}`, \
         secretariat {}, analyst {}",
        report.existing,
        report.added,
        started.elapsed().as_secs_f64(),
        synthetic::SYNTHETIC_PASSWORD,
        synthetic::synthetic_email(0),
        synthetic::synthetic_email(1),
    ));
    Ok(())
}

fn print_demo_logins() {
    say(&format!(
        "\nDemo sign-ins (password `{DEMO_PASSWORD}` for all):"
    ));
    for (email, shows) in DEMO_LOGINS {
        say(&format!("  {shows:<12} {email}"));
    }
    say(&format!(
        "In GraphiQL run\n  mutation {{ login(email: \"{}\", password: \"{DEMO_PASSWORD}\") {{ token }} }}\n\
         then add the header {{\"Authorization\": \"Bearer <token>\"}} and query\n  {{ me {{ roles member {{ email }} }} }}\n",
        DEMO_LOGINS[0].0
    ));
}

/// Prints a line for the person at the terminal. Unlike `println!`, a
/// closed standard output (`alumni | head -1`) is ignored rather than
/// bringing the server down.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// Resolves the database and applies pending migrations.
async fn prepare_database(config: &DatabaseConfig) -> anyhow::Result<ResolvedDatabase> {
    let database = database::resolve(config).await?;
    match &database.origin {
        ServerOrigin::Configured => tracing::info!("using DATABASE_URL"),
        ServerOrigin::LocalDefault => {
            tracing::info!(url = %redact(&database.url), "using the local PostgreSQL")
        }
        ServerOrigin::PrivateCluster(dir) => tracing::info!(
            dir = %dir.display(),
            url = %redact(&database.url),
            "using the private PostgreSQL cluster (stop it with `pg_ctl stop -D {}/data`)",
            dir.display()
        ),
    }
    let applied = database::migrate(&database.url).await?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "applied migrations");
    }
    Ok(database)
}

fn build_app(
    database_config: &DatabaseConfig,
    serve_config: &ServeConfig,
    database: &ResolvedDatabase,
) -> anyhow::Result<App> {
    let settings = AppSettings {
        pool: database_config.pool_settings(&database.url),
        http: serve_config.http_limits(),
        operations: serve_config.operation_limits(),
        exposure: serve_config.schema_exposure(),
        accounts: serve_config.account_settings(),
        allowed_origins: serve_config.allowed_origins(),
        trusted_proxies: serve_config.trusted_proxies(),
        sockets: serve_config.socket_settings(),
        server: serve_config.server_settings(),
        trusted_documents: serve_config.trusted_documents.clone(),
        jobs: serve_config.worker_settings(),
        mail: serve_config.mail_settings(),
    };
    Ok(App::build(&settings, Arc::new(SystemClock))?)
}

async fn open_app(
    database_config: &DatabaseConfig,
    serve_config: &ServeConfig,
) -> anyhow::Result<App> {
    let database = prepare_database(database_config).await?;
    build_app(database_config, serve_config, &database)
}

fn export_schema(output: &PathBuf) -> anyhow::Result<()> {
    let sdl = crate::api::sdl();
    if output.as_os_str() == "-" {
        print!("{sdl}");
    } else {
        std::fs::write(output, &sdl)
            .with_context(|| format!("cannot write {}", output.display()))?;
        eprintln!("wrote {}", output.display());
    }
    Ok(())
}

async fn analytics_command(app: &App, command: AnalyticsCommand) -> anyhow::Result<()> {
    match command {
        AnalyticsCommand::Grant {
            role,
            with_password,
            statement_timeout,
        } => {
            let password = if with_password {
                Some(read_password(ANALYTICS_PASSWORD_ENV)?)
            } else {
                None
            };
            let mut conn = db::connection(&app.pool).await.map_err(describe)?;
            let granted = alumni_analytics::role::grant(
                &mut conn,
                &alumni_analytics::role::Grant {
                    role: &role,
                    password: password.as_deref(),
                    statement_timeout: &statement_timeout,
                },
            )
            .await
            .map_err(describe)?;
            let done = match granted {
                alumni_analytics::role::Granted::Created => "created",
                alumni_analytics::role::Granted::Updated => "updated",
            };
            println!(
                "{done} role {role}: reads the analytics schema only, statements at most {statement_timeout}"
            );
        }
        AnalyticsCommand::Refresh => {
            let refreshed = app.services.analytics.refresh().await.map_err(describe)?;
            println!(
                "analytics views refreshed as of {} in {} ms",
                refreshed.as_of.to_rfc3339(),
                refreshed.took_ms
            );
        }
    }
    Ok(())
}

fn read_password(variable: &str) -> anyhow::Result<String> {
    if let Ok(password) = std::env::var(variable) {
        return Ok(password);
    }
    if std::io::stdin().is_terminal() {
        let password = rpassword::prompt_password("Password: ")?;
        let repeated = rpassword::prompt_password("Repeat password: ")?;
        anyhow::ensure!(password == repeated, "the passwords differ");
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// An application error as a command-line message, with its code.
fn describe(error: AppError) -> anyhow::Error {
    anyhow::anyhow!("{} ({})", error, error.code())
}

/// The URL without its password, for logs.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.into()
        }
        _ => url.to_owned(),
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
