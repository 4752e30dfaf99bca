//! Finding a PostgreSQL server when none is configured.
//!
//! Both `alumni serve` and the test harness resolve their server the same
//! way, so that a fresh clone runs and tests with no set-up:
//!
//! 1. `DATABASE_URL`, when set, is used as given.
//! 2. Otherwise a server at `127.0.0.1:5432` (user `postgres`, no password)
//!    is used if it answers.
//! 3. Otherwise a private cluster is created on first use under a
//!    project-local folder (`.alumni/postgres` by default), started on a free
//!    port and reused afterwards. When running as root, the cluster is owned
//!    and run by an unprivileged system user, since PostgreSQL refuses to run
//!    as root.

use std::fs::{self, File};
use std::net::TcpListener;
use std::os::unix::fs::MetadataExt as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use diesel::OptionalExtension as _;
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use url::Url;

/// Where the server URL came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerOrigin {
    /// `DATABASE_URL`.
    Configured,
    /// The local server at `127.0.0.1:5432`.
    LocalDefault,
    /// A private cluster in this folder.
    PrivateCluster(PathBuf),
}

/// A PostgreSQL server and the URL of one of its databases.
#[derive(Debug, Clone)]
pub struct PgServer {
    url: Url,
    /// Where the server was found.
    pub origin: ServerOrigin,
}

/// No usable PostgreSQL server was found or started.
#[derive(Debug, thiserror::Error)]
pub enum LocalPostgresError {
    /// `DATABASE_URL` is not a URL.
    #[error("DATABASE_URL is not a valid URL: {0}")]
    BadUrl(#[from] url::ParseError),
    /// No server answered and no PostgreSQL server binaries were found.
    #[error(
        "no PostgreSQL answers at 127.0.0.1:5432 and no PostgreSQL server binaries (initdb, pg_ctl) \
         were found to start a private one; install PostgreSQL or set DATABASE_URL"
    )]
    NoServerBinaries,
    /// A command of the private cluster failed.
    #[error("{command} failed: {output}{hint}")]
    Command {
        /// The command line.
        command: String,
        /// What it printed.
        output: String,
        /// What to try.
        hint: String,
    },
    /// A file operation on the cluster folder failed.
    #[error("private PostgreSQL cluster in {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// The database could not be created.
    #[error("cannot create database {name}: {reason}")]
    CreateDatabase {
        /// Database name.
        name: String,
        /// Server's answer.
        reason: String,
    },
}

const LOCAL_DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

impl PgServer {
    /// Resolves the server as described in the module docs. `private_dir` is
    /// the folder of the private cluster, used only if nothing else answers.
    pub async fn locate(
        configured_url: Option<&str>,
        private_dir: &Path,
    ) -> Result<PgServer, LocalPostgresError> {
        if let Some(url) = configured_url {
            return Ok(PgServer {
                url: Url::parse(url)?,
                origin: ServerOrigin::Configured,
            });
        }
        let local = Url::parse(LOCAL_DEFAULT_URL)?;
        if answers(local.as_str()).await {
            return Ok(PgServer {
                url: local,
                origin: ServerOrigin::LocalDefault,
            });
        }
        let dir = private_dir.to_owned();
        let url = tokio::task::spawn_blocking(move || start_private_cluster(&dir))
            .await
            .map_err(|err| LocalPostgresError::Command {
                command: "starting the private cluster".into(),
                output: err.to_string(),
                hint: String::new(),
            })??;
        Ok(PgServer {
            url,
            origin: ServerOrigin::PrivateCluster(private_dir.to_owned()),
        })
    }

    /// The URL as located (for `Configured`, exactly `DATABASE_URL`).
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// The URL of database `name` on the same server, same credentials.
    pub fn database_url(&self, name: &str) -> String {
        let mut url = self.url.clone();
        url.set_path(&format!("/{name}"));
        url.into()
    }

    /// The URL of the server's maintenance database, for creating and
    /// dropping databases.
    pub fn maintenance_url(&self) -> String {
        self.database_url("postgres")
    }

    /// Creates database `name` unless it exists, and returns its URL. `name`
    /// must be a plain identifier (lower-case letters, digits, `_`).
    pub async fn ensure_database(&self, name: &str) -> Result<String, LocalPostgresError> {
        let failed = |reason: String| LocalPostgresError::CreateDatabase {
            name: name.to_owned(),
            reason,
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(failed("not a plain identifier".into()));
        }
        let mut conn = AsyncPgConnection::establish(&self.maintenance_url())
            .await
            .map_err(|err| failed(err.to_string()))?;
        if !database_exists(&mut conn, name)
            .await
            .map_err(|err| failed(err.to_string()))?
        {
            let created = diesel::sql_query(format!(
                "CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"
            ))
            .execute(&mut conn)
            .await;
            // A concurrent creator may have won the race; that is fine.
            if let Err(err) = created
                && !database_exists(&mut conn, name).await.unwrap_or(false)
            {
                return Err(failed(err.to_string()));
            }
        }
        Ok(self.database_url(name))
    }
}

#[derive(diesel::QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

/// Whether database `name` exists on the server `conn` is connected to.
pub async fn database_exists(
    conn: &mut AsyncPgConnection,
    name: &str,
) -> diesel::QueryResult<bool> {
    let row =
        diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<Text, _>(name)
            .get_result::<Exists>(conn)
            .await
            .optional()?;
    Ok(row.is_some_and(|row| row.exists))
}

async fn answers(url: &str) -> bool {
    let attempt = async {
        let mut conn = AsyncPgConnection::establish(url).await.ok()?;
        diesel::sql_query("SELECT 1").execute(&mut conn).await.ok()
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(3), attempt).await,
        Ok(Some(_))
    )
}

/// Initialises (first time) and starts (if stopped) the private cluster in
/// `dir`, returning the URL of its maintenance database. Safe to call from
/// several processes at once: they serialise on a lock file.
pub fn start_private_cluster(dir: &Path) -> Result<Url, LocalPostgresError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| LocalPostgresError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let dir = dir.canonicalize().map_err(io(dir))?;
    let lock_path = dir.join("lock");
    let lock = File::create(&lock_path).map_err(io(&lock_path))?;
    lock.lock().map_err(io(&lock_path))?;

    let bin = find_server_binaries().ok_or(LocalPostgresError::NoServerBinaries)?;
    let runner = ClusterRunner::for_current_user(&dir);
    let data = dir.join("data");
    if !data.join("PG_VERSION").exists() {
        fs::create_dir_all(&data).map_err(io(&data))?;
        runner.take_ownership(&dir).map_err(io(&dir))?;
        runner.run(
            Command::new(bin.join("initdb"))
                .arg("--pgdata")
                .arg(&data)
                .args([
                    "--username=postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-locale",
                ]),
        )?;
    }

    let port_file = dir.join("port");
    let mut port: u16 = fs::read_to_string(&port_file)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(0);
    let running = runner
        .output(
            Command::new(bin.join("pg_ctl"))
                .arg("status")
                .arg("--pgdata")
                .arg(&data),
        )
        .is_ok_and(|output| output.status.success());
    if !running {
        if port == 0 || TcpListener::bind(("127.0.0.1", port)).is_err() {
            port = free_port().map_err(io(&port_file))?;
            fs::write(&port_file, port.to_string()).map_err(io(&port_file))?;
        }
        let log = dir.join("postgres.log");
        runner.run(
            Command::new(bin.join("pg_ctl"))
                .arg("start")
                .arg("--pgdata")
                .arg(&data)
                .arg("--log")
                .arg(&log)
                .args(["--wait", "--timeout=60", "--options"])
                .arg(format!(
                    "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
                )),
        )?;
    }
    drop(lock);
    Ok(Url::parse(&format!(
        "postgres://postgres@127.0.0.1:{port}/postgres"
    ))?)
}

/// Stops the private cluster in `dir` if it runs (a fast shutdown: open
/// sessions are ended).
pub fn stop_private_cluster(dir: &Path) -> Result<(), LocalPostgresError> {
    let bin = find_server_binaries().ok_or(LocalPostgresError::NoServerBinaries)?;
    let data = dir.join("data");
    let runner = ClusterRunner::for_current_user(dir);
    let running = runner
        .output(
            Command::new(bin.join("pg_ctl"))
                .arg("status")
                .arg("--pgdata")
                .arg(&data),
        )
        .is_ok_and(|output| output.status.success());
    if running {
        runner.run(
            Command::new(bin.join("pg_ctl"))
                .arg("stop")
                .arg("--pgdata")
                .arg(&data)
                .args(["--mode=fast", "--wait"]),
        )?;
    }
    Ok(())
}

/// Whether PostgreSQL server binaries (`initdb`, `pg_ctl`) are installed.
pub fn server_binaries_installed() -> bool {
    find_server_binaries().is_some()
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

/// Finds the directory holding `initdb` and `pg_ctl`.
fn find_server_binaries() -> Option<PathBuf> {
    let has_binaries = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    let mut debian_style: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .collect();
    // Highest major version first.
    debian_style.sort_by_key(|path| {
        std::cmp::Reverse(
            path.parent()
                .and_then(|version| version.file_name())
                .and_then(|name| name.to_str())
                .and_then(|name| name.parse::<u32>().ok()),
        )
    });
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    from_pg_config
        .into_iter()
        .chain(debian_style)
        .chain(["/usr/local/pgsql/bin".into(), "/opt/homebrew/bin".into()])
        .chain(on_path)
        .find(|dir| has_binaries(dir))
}

/// Runs the cluster's commands, as an unprivileged user when we are root.
struct ClusterRunner {
    run_as: Option<(u32, u32, String)>,
    dir: PathBuf,
}

impl ClusterRunner {
    fn for_current_user(dir: &Path) -> Self {
        let is_root = fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0);
        let run_as = if is_root {
            ["postgres", "nobody"].into_iter().find_map(system_user)
        } else {
            None
        };
        Self {
            run_as,
            dir: dir.to_owned(),
        }
    }

    fn take_ownership(&self, dir: &Path) -> std::io::Result<()> {
        let Some((uid, gid, _)) = &self.run_as else {
            return Ok(());
        };
        chown_tree(dir, *uid, *gid)
    }

    fn output(&self, command: &mut Command) -> std::io::Result<Output> {
        if let Some((uid, gid, _)) = &self.run_as {
            command.uid(*uid).gid(*gid);
        }
        command.current_dir(&self.dir).output()
    }

    fn run(&self, command: &mut Command) -> Result<(), LocalPostgresError> {
        let line = format!("{command:?}");
        let output = self
            .output(command)
            .map_err(|err| LocalPostgresError::Command {
                command: line.clone(),
                output: err.to_string(),
                hint: String::new(),
            })?;
        if output.status.success() {
            return Ok(());
        }
        let hint = match &self.run_as {
            Some((_, _, user)) => format!(
                " (running as root, the private cluster runs as user {user}, which must be able to \
                 reach {}; otherwise set DATABASE_URL)",
                self.dir.display()
            ),
            None => String::new(),
        };
        Err(LocalPostgresError::Command {
            command: line,
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ),
            hint,
        })
    }
}

/// Looks a system user up in `/etc/passwd`: `(uid, gid, name)`.
fn system_user(name: &str) -> Option<(u32, u32, String)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let user = fields.next()?;
        if user != name {
            return None;
        }
        let uid = fields.nth(1)?.parse().ok()?;
        let gid = fields.next()?.parse().ok()?;
        Some((uid, gid, user.to_owned()))
    })
}

fn chown_tree(path: &Path, uid: u32, gid: u32) -> std::io::Result<()> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))?;
    if path.is_dir() {
        for entry in fs::read_dir(path)? {
            chown_tree(&entry?.path(), uid, gid)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_keeps_credentials_and_options() {
        let server = PgServer {
            url: Url::parse("postgres://app:secret@db.internal:6543/alumni?sslmode=require")
                .unwrap(),
            origin: ServerOrigin::Configured,
        };
        assert_eq!(
            server.database_url("alumni_test_1"),
            "postgres://app:secret@db.internal:6543/alumni_test_1?sslmode=require"
        );
        assert_eq!(
            server.maintenance_url(),
            "postgres://app:secret@db.internal:6543/postgres?sslmode=require"
        );
    }

    #[test]
    fn system_user_reads_passwd() {
        let root = system_user("root").expect("every Unix has root");
        assert_eq!((root.0, root.2.as_str()), (0, "root"));
        assert!(system_user("no-such-user-here").is_none());
    }
}
