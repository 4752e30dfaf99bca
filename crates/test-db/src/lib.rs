//! One database per test, cloned from a migrated template.
//!
//! The server is found like the application finds it (`DATABASE_URL`, else
//! `127.0.0.1:5432`, else a private cluster under `.alumni/postgres` at the
//! workspace root). The template is named after the migrations' fingerprint,
//! built once under an advisory lock (so parallel test processes agree) and
//! marked `IS_TEMPLATE` only when fully migrated. Each test clones it with
//! `CREATE DATABASE … TEMPLATE`, and the clone is dropped when the
//! [`TestDb`] is.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alumni_core::db::local::PgServer;
use alumni_core::db::run_migrations;
use alumni_migrations::{FINGERPRINT, MIGRATIONS};
use diesel::QueryableByName;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// Prefix of every per-test database.
const TEST_DB_PREFIX: &str = "alumni_test_";
/// Prefix of template databases.
const TEMPLATE_PREFIX: &str = "alumni_template_";
/// Per-test databases older than this are leftovers of killed runs.
const LEFTOVER_AGE: Duration = Duration::from_secs(24 * 3600);

struct Shared {
    server: PgServer,
    template: String,
}

static SHARED: OnceCell<Shared> = OnceCell::const_new();

/// An isolated, migrated database for one test; dropped with the value.
pub struct TestDb {
    name: String,
    url: String,
    maintenance_url: String,
}

impl TestDb {
    /// Clones the migrated template into a fresh database.
    pub async fn create() -> TestDb {
        let shared = SHARED.get_or_init(prepare).await;
        let name = format!("{TEST_DB_PREFIX}{}", Uuid::now_v7().simple());
        let mut conn = connect(&shared.server.maintenance_url()).await;
        diesel::sql_query(format!(
            "CREATE DATABASE {name} TEMPLATE {}",
            shared.template
        ))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|err| panic!("cannot create test database {name}: {err}"));
        TestDb {
            url: shared.server.database_url(&name),
            maintenance_url: shared.server.maintenance_url(),
            name,
        }
    }

    /// URL of this test's database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A direct connection to this test's database, outside any pool.
    pub async fn connect(&self) -> AsyncPgConnection {
        connect(&self.url).await
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let maintenance_url = self.maintenance_url.clone();
        // Drop may run inside or outside a runtime; a thread of its own with
        // its own runtime works in both.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = AsyncPgConnection::establish(&maintenance_url).await.ok()?;
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("warning: could not drop test database {}", self.name);
        }
    }
}

async fn connect(url: &str) -> AsyncPgConnection {
    AsyncPgConnection::establish(url)
        .await
        .unwrap_or_else(|err| panic!("cannot connect to the test PostgreSQL: {err}"))
}

async fn prepare() -> Shared {
    let workspace_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let configured = std::env::var("DATABASE_URL").ok();
    let server = PgServer::locate(
        configured.as_deref(),
        &workspace_root.join(".alumni/postgres"),
    )
    .await
    .unwrap_or_else(|err| panic!("no PostgreSQL for tests: {err}"));
    let template = format!("{TEMPLATE_PREFIX}{FINGERPRINT}");
    let mut conn = connect(&server.maintenance_url()).await;
    // One builder at a time across all test processes on this server.
    diesel::sql_query("SELECT pg_advisory_lock(hashtext('alumni test template'))")
        .execute(&mut conn)
        .await
        .expect("advisory lock");
    if !is_ready_template(&mut conn, &template).await {
        build_template(&server, &mut conn, &template).await;
        drop_stale_databases(&mut conn, &template).await;
    }
    diesel::sql_query("SELECT pg_advisory_unlock(hashtext('alumni test template'))")
        .execute(&mut conn)
        .await
        .expect("advisory unlock");
    Shared { server, template }
}

#[derive(QueryableByName)]
struct TemplateFlag {
    #[diesel(sql_type = Bool)]
    datistemplate: bool,
}

async fn is_ready_template(conn: &mut AsyncPgConnection, name: &str) -> bool {
    diesel::sql_query("SELECT datistemplate FROM pg_database WHERE datname = $1")
        .bind::<Text, _>(name)
        .get_results::<TemplateFlag>(conn)
        .await
        .expect("read pg_database")
        .iter()
        .any(|flag| flag.datistemplate)
}

async fn build_template(server: &PgServer, conn: &mut AsyncPgConnection, name: &str) {
    drop_database(conn, name).await;
    let sql = format!("CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0");
    diesel::sql_query(&sql)
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"));
    run_migrations(&server.database_url(name), MIGRATIONS)
        .await
        .unwrap_or_else(|err| panic!("migrating the test template: {err}"));
    // Marked as template (and closed to connections) only once complete, so
    // a half-built template from a crashed run is rebuilt. The comment dates
    // it, so other checkouts' templates are left alone while in use.
    for sql in [
        format!(
            "COMMENT ON DATABASE {name} IS '{BUILT_AT_PREFIX}{}'",
            unix_millis()
        ),
        format!("ALTER DATABASE {name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"),
    ] {
        diesel::sql_query(&sql)
            .execute(&mut *conn)
            .await
            .unwrap_or_else(|err| panic!("{sql}: {err}"));
    }
}

/// Records the time in a template's comment (see [`BUILT_AT_PREFIX`]).
async fn date_template(conn: &mut AsyncPgConnection, name: &str) {
    let sql = format!(
        "COMMENT ON DATABASE {name} IS '{BUILT_AT_PREFIX}{}'",
        unix_millis()
    );
    if let Err(err) = diesel::sql_query(&sql).execute(conn).await {
        eprintln!("warning: {sql}: {err}");
    }
}

/// Comment on a template database: when it was built, in Unix milliseconds.
const BUILT_AT_PREFIX: &str = "alumni test template built at ";

fn unix_millis() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis())
        .unwrap_or_default()
}

#[derive(QueryableByName)]
struct DatabaseName {
    #[diesel(sql_type = Text)]
    datname: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    comment: Option<String>,
}

/// Drops templates of other migration sets and per-test databases left by
/// killed runs (their UUID v7 names carry their creation time), once older
/// than a day: another checkout of the project (another branch, with other
/// migrations) may be testing against its template on the same server.
async fn drop_stale_databases(conn: &mut AsyncPgConnection, current_template: &str) {
    let names: Vec<DatabaseName> = diesel::sql_query(
        "SELECT datname, shobj_description(oid, 'pg_database') AS comment FROM pg_database \
         WHERE datname LIKE 'alumni\\_template\\_%' OR datname LIKE 'alumni\\_test\\_%'",
    )
    .load(conn)
    .await
    .unwrap_or_default();
    let now_ms = unix_millis();
    let is_old = |created_ms: u128| now_ms.saturating_sub(created_ms) > LEFTOVER_AGE.as_millis();
    for DatabaseName { datname, comment } in names {
        let stale = if let Some(fingerprint) = datname.strip_prefix(TEMPLATE_PREFIX) {
            let built_ms = comment
                .as_deref()
                .and_then(|comment| comment.strip_prefix(BUILT_AT_PREFIX))
                .and_then(|millis| millis.parse().ok());
            if built_ms.is_none() && datname != current_template {
                // Built by a version that did not date templates: date it
                // now, so it is dropped a day from now if still unused.
                date_template(conn, &datname).await;
            }
            datname != current_template && !fingerprint.is_empty() && built_ms.is_some_and(is_old)
        } else {
            datname
                .strip_prefix(TEST_DB_PREFIX)
                .and_then(|hex| Uuid::try_parse(hex).ok())
                .and_then(|uuid| uuid.get_timestamp())
                .map(|timestamp| {
                    let (seconds, nanos) = timestamp.to_unix();
                    is_old(u128::from(seconds) * 1000 + u128::from(nanos) / 1_000_000)
                })
                .unwrap_or(false)
        };
        if stale {
            drop_database(conn, &datname).await;
        }
    }
}

/// Drops a database, template or not. Failure is only reported: another
/// process may still be cloning an old template.
async fn drop_database(conn: &mut AsyncPgConnection, name: &str) {
    for sql in [
        format!("ALTER DATABASE {name} WITH IS_TEMPLATE false"),
        format!("DROP DATABASE {name} WITH (FORCE)"),
    ] {
        if let Err(err) = diesel::sql_query(&sql).execute(&mut *conn).await
            && !err.to_string().contains("does not exist")
        {
            eprintln!("warning: {sql}: {err}");
        }
    }
}
