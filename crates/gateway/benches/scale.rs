//! The scale benchmark's load generator (`just bench-scale`, which seeds
//! the database and starts the servers first; see `docs/performance.md`).
//!
//! `capture <dir>`: sends each operation to the server a few times, then
//! once more while PostgreSQL logs every statement (the recipe turns that
//! on for the capture only), and writes the statements of that last
//! request, parameters inlined, as a pgbench script per operation: the
//! floor of what the server's own SQL costs.
//!
//! `measure <label> <dir>`: for each round, number of clients and
//! operation, drives the server, PostGraphile (where it has an equivalent)
//! and pgbench (the captured script) in turn, each for the same time with
//! the same number of closed-loop clients, so that noise from other work
//! on the machine falls on all three alike; then registrations: that many
//! clients registering 2,000 members, each once, for a new 100-seat
//! event. Prints throughput and latency per cell, then the ratios with
//! their minimum, median and maximum over the rounds.
//!
//! Configured by environment variables (defaults in brackets):
//! `ALUMNI_URL` [http://127.0.0.1:8091/graphql], `POSTGRAPHILE_URL`
//! [http://127.0.0.1:5050/graphql], `DATABASE_URL` (required),
//! `PG_LOG` [/var/log/postgresql/postgresql-15-main.log], `BENCH_ROUNDS`
//! [3], `BENCH_SECONDS` [3], `BENCH_CLIENTS` [1,8,32,64], `BENCH_OPS` (run
//! only operations whose name contains it).

use std::collections::BTreeMap;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alumni_core::MemberId;
use alumni_core::clock::SystemClock;
use alumni_core::secrets::ExposeSecret as _;
use alumni_gateway::{App, AppSettings};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::{Value, json};

/// Synthetic member signed in for reading: an ordinary alumnus (members 0
/// and 1 are the secretariat and an analyst).
const READER: &str = "member0000005@synthetic.alumni.example";
const PASSWORD: &str = "alumni-synthetic-2026";

/// The directory page as the web app shows it: names, work, skills and the
/// company left, 20 to a page.
const DIRECTORY: &str = "query($filter: MemberFilter) { members(first: 20, filter: $filter) {
    nodes { id displayName displayNameKana formerSurnames currentCompany currentTitle
            skills { name slug } employment { leftYear company { name } } }
    pageInfo { hasNextPage endCursor } } }";

/// PostGraphile's closest equivalent: the same columns and relations of
/// listed profiles in the same order, through its generated CRUD schema
/// (no visibility rules, no session). `$filter` is the
/// connection-filter plugin's, on the normalised name text.
const POSTGRAPHILE_DIRECTORY: &str = "query($filter: ProfileFilter) {
    allProfiles(first: 20, orderBy: [SORT_KEY_ASC, MEMBER_ID_ASC],
                condition: {listedInDirectory: true}, filter: $filter) {
    nodes { memberId displayName displayNameKana formerSurnames currentCompany currentTitle
            leftOn companyByCompanyId { name }
            memberByMemberId { status memberSkillsByMemberId { nodes { tagByTagId { name slug } } } } }
    pageInfo { hasNextPage endCursor } } }";

/// Members registering for each registration cell's event, each once.
const REGISTRANTS: usize = 2_000;
/// Seats of each registration cell's event; the rest are waitlisted.
const SEATS: usize = 100;
const CREATE_EVENT: &str =
    "mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }";
const PUBLISH_EVENT: &str = "mutation($id: ID!) { publishEvent(id: $id) { id } }";
const REGISTER: &str =
    "mutation($id: ID!) { registerForEvent(eventId: $id) { status waitlistPosition } }";

/// One reference operation.
struct Operation {
    name: &'static str,
    /// Variables of [`DIRECTORY`].
    filter: Value,
    /// Variables of [`POSTGRAPHILE_DIRECTORY`], where it has an equivalent.
    postgraphile_filter: Option<Value>,
}

/// The directory page and the fixed list of searches of issue 11.
fn operations() -> Vec<Operation> {
    let search = |name, query: &str, terms: &[&str]| Operation {
        name,
        filter: json!({ "filter": { "query": query } }),
        postgraphile_filter: Some(json!({ "filter": { "and": terms
            .iter()
            .map(|term| json!({ "nameText": { "includes": term } }))
            .collect::<Vec<_>>() } })),
    };
    let skill = |name, skill: &str| Operation {
        name,
        filter: json!({ "filter": { "skill": skill } }),
        postgraphile_filter: None,
    };
    vec![
        Operation {
            name: "directory",
            filter: json!({}),
            postgraphile_filter: Some(json!({})),
        },
        search("one kana さ", "さ", &["さ"]),
        search("two kana やま", "やま", &["やま"]),
        search("surname 佐藤", "佐藤", &["佐藤"]),
        search("full name 佐藤 健太", "佐藤 健太", &["佐藤", "健太"]),
        search("romaji sato", "sato", &["sato"]),
        search("former surname 勅使河原", "勅使河原", &["勅使河原"]),
        skill("rare skill PowerBuilder", "PowerBuilder"),
        skill("common skill Java", "Java"),
        search("mixed 佐藤 kenta", "佐藤 kenta", &["佐藤", "kenta"]),
        search("nothing 存在しない", "存在しない", &["存在しない"]),
        search(
            "nothing, common grams さとう やまだ",
            "さとう やまだ",
            &["さとう", "やまだ"],
        ),
    ]
}

struct Config {
    alumni: String,
    postgraphile: String,
    database_url: String,
    pg_log: PathBuf,
    rounds: usize,
    seconds: f64,
    clients: Vec<usize>,
    only: Option<String>,
}

impl Config {
    fn from_env() -> Config {
        let var =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
        Config {
            alumni: var("ALUMNI_URL", "http://127.0.0.1:8091/graphql"),
            postgraphile: var("POSTGRAPHILE_URL", "http://127.0.0.1:5050/graphql"),
            database_url: std::env::var("DATABASE_URL")
                .expect("DATABASE_URL of the bench database"),
            pg_log: var("PG_LOG", "/var/log/postgresql/postgresql-15-main.log").into(),
            rounds: var("BENCH_ROUNDS", "3").parse().expect("BENCH_ROUNDS"),
            seconds: var("BENCH_SECONDS", "3").parse().expect("BENCH_SECONDS"),
            clients: var("BENCH_CLIENTS", "1,8,32,64")
                .split(',')
                .map(|clients| clients.trim().parse().expect("BENCH_CLIENTS"))
                .collect(),
            only: std::env::var("BENCH_OPS").ok(),
        }
    }

    fn operations(&self) -> Vec<Operation> {
        operations()
            .into_iter()
            .filter(|op| {
                self.only
                    .as_ref()
                    .is_none_or(|only| op.name.contains(only.as_str()))
            })
            .collect()
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| arg != "--bench")
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let config = Config::from_env();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["capture", dir] => runtime.block_on(capture(&config, Path::new(dir))),
        ["measure", label, dir] => runtime.block_on(measure(&config, label, Path::new(dir))),
        _ => eprintln!("usage: scale capture <dir> | scale measure <label> <dir>"),
    }
}

/// A GraphQL endpoint with the headers to send.
#[derive(Clone)]
struct Endpoint {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl Endpoint {
    async fn post(&self, query: &str, variables: &Value) -> Result<(), String> {
        let mut request = self
            .client
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|error| error.to_string())?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|error| error.to_string())?;
        if !status.is_success() || body.get("errors").is_some() {
            return Err(format!("{status}: {body}"));
        }
        Ok(())
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(256)
        .timeout(Duration::from_secs(120))
        .build()
        .expect("HTTP client")
}

async fn sign_in(config: &Config) -> Endpoint {
    let anonymous = http_client();
    let response: Value = anonymous
        .post(&config.alumni)
        .json(&json!({
            "query": "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }",
            "variables": { "email": READER, "password": PASSWORD },
        }))
        .send()
        .await
        .expect("sign-in request")
        .json()
        .await
        .expect("sign-in response");
    let token = response["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("sign-in failed: {response}"))
        .to_owned();
    Endpoint {
        client: anonymous,
        url: config.alumni.clone(),
        token: Some(token),
    }
}

async fn capture(config: &Config, dir: &Path) {
    std::fs::create_dir_all(dir).expect("capture directory");
    let alumni = sign_in(config).await;
    let database = database_name(&config.database_url);
    for op in config.operations() {
        // Past the fifth execution, as measured: statements prepared, and
        // PostgreSQL's choice between custom and generic plans made.
        for _ in 0..7 {
            alumni.post(DIRECTORY, &op.filter).await.expect(op.name);
        }
        let mut log = std::fs::File::open(&config.pg_log).expect("PostgreSQL log (PG_LOG)");
        let start = log.seek(SeekFrom::End(0)).expect("log length");
        alumni.post(DIRECTORY, &op.filter).await.expect(op.name);
        tokio::time::sleep(Duration::from_millis(300)).await;
        log.seek(SeekFrom::Start(start)).expect("log seek");
        let mut written = String::new();
        log.read_to_string(&mut written).expect("log read");
        let statements = logged_statements(&written, &database);
        assert!(
            !statements.is_empty(),
            "no statements of {database} in {}: is log_min_duration_statement 0 for it?",
            config.pg_log.display()
        );
        let script: String = statements.iter().map(|sql| format!("{sql};\n")).collect();
        std::fs::write(script_path(dir, op.name), script).expect("pgbench script");
        println!("{:<40} {} statements", op.name, statements.len());
    }
}

fn database_name(url: &str) -> String {
    url.rsplit('/')
        .next()
        .and_then(|tail| tail.split('?').next())
        .unwrap_or_default()
        .to_owned()
}

fn script_path(dir: &Path, operation: &str) -> PathBuf {
    let file: String = operation
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    dir.join(format!("{file}.sql"))
}

/// The statements one database executed, in order, with their parameters
/// inlined, from PostgreSQL's log lines (`log_min_duration_statement = 0`):
/// `… user@db LOG:  duration: … ms  execute s12: SELECT …` or
/// `statement: …`, each followed by a `DETAIL:  parameters: $1 = '…'` line
/// when it has parameters.
fn logged_statements(log: &str, database: &str) -> Vec<String> {
    let marker = format!("@{database} ");
    let mut statements: Vec<String> = Vec::new();
    // Parameters follow `bind` lines too; only an `execute` line's are kept.
    let mut after_statement = false;
    for line in log.lines() {
        // A statement written over several lines goes on in lines that
        // start with a tab.
        if let Some(more) = line.strip_prefix('\t') {
            if let Some(last) = statements.last_mut().filter(|_| after_statement) {
                last.push('\n');
                last.push_str(more);
            }
            continue;
        }
        if !line.contains(&marker) {
            after_statement = false;
            continue;
        }
        if let Some(detail) = line.split("DETAIL:  parameters: ").nth(1) {
            if let Some(last) = statements.last_mut().filter(|_| after_statement) {
                *last = inline_parameters(last, detail);
            }
            after_statement = false;
            continue;
        }
        let sql = line.split_once(" ms  ").and_then(|(_, message)| {
            message.strip_prefix("statement: ").or_else(|| {
                message
                    .strip_prefix("execute ")
                    .and_then(|rest| rest.split_once(": "))
                    .map(|(_, sql)| sql)
            })
        });
        after_statement = sql.is_some();
        statements.extend(sql.map(str::to_owned));
    }
    statements
}

/// Replaces `$n` by the logged literal (`'…'` or `NULL`), highest first so
/// that `$1` does not clip `$10`.
fn inline_parameters(sql: &str, detail: &str) -> String {
    let mut values: BTreeMap<usize, String> = BTreeMap::new();
    let mut rest = detail;
    while let Some(start) = rest.find('$') {
        rest = &rest[start + 1..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let Ok(number) = digits.parse::<usize>() else {
            continue;
        };
        rest = rest[digits.len()..].trim_start_matches(" = ");
        let value = if let Some(quoted) = rest.strip_prefix('\'') {
            // Up to the closing quote; '' is an escaped quote.
            let mut end = 0;
            let bytes = quoted.as_bytes();
            while end < bytes.len() {
                if bytes[end] == b'\'' {
                    if bytes.get(end + 1) == Some(&b'\'') {
                        end += 2;
                        continue;
                    }
                    break;
                }
                end += 1;
            }
            let literal = format!("'{}'", &quoted[..end]);
            rest = &quoted[(end + 1).min(quoted.len())..];
            literal
        } else {
            let literal: String = rest.chars().take_while(|c| *c != ',').collect();
            rest = &rest[literal.len()..];
            literal.trim().to_owned()
        };
        values.insert(number, value);
    }
    let mut sql = sql.to_owned();
    for (number, value) in values.iter().rev() {
        sql = sql.replace(&format!("${number}"), value);
    }
    sql
}

/// What one cell measured.
#[derive(Clone, Copy)]
struct Cell {
    per_second: f64,
    p50_ms: f64,
    p95_ms: f64,
    errors: usize,
}

impl Cell {
    fn from_latencies(mut micros: Vec<u64>, seconds: f64, errors: usize) -> Cell {
        micros.sort_unstable();
        let at = |fraction: f64| {
            micros
                .get(
                    ((micros.len() as f64 * fraction) as usize).min(micros.len().saturating_sub(1)),
                )
                .map_or(f64::NAN, |micros| *micros as f64 / 1000.0)
        };
        Cell {
            per_second: micros.len() as f64 / seconds,
            p50_ms: at(0.5),
            p95_ms: at(0.95),
            errors,
        }
    }
}

/// One round of one cell: the server, PostGraphile where it has an
/// equivalent, pgbench where a script was captured.
struct Measured {
    ours: Cell,
    theirs: Option<Cell>,
    floor: Option<Cell>,
}

/// `clients` closed-loop clients sending one operation for `seconds`.
/// Requests still running then are awaited and counted, and the cell lasts
/// until the last one ends, so that an operation slower than the cell
/// still yields its latency.
async fn drive(
    endpoint: &Endpoint,
    query: &'static str,
    variables: &Value,
    clients: usize,
    seconds: f64,
) -> Cell {
    // Warm the connections (and the server's statements) first.
    for _ in 0..clients.min(8) {
        let _ = endpoint.post(query, variables).await;
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let variables = Arc::new(variables.clone());
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let endpoint = endpoint.clone();
            let variables = Arc::clone(&variables);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    match endpoint.post(query, &variables).await {
                        Ok(()) => latencies
                            .push(u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX)),
                        Err(error) => {
                            if errors == 0 {
                                eprintln!("error: {}", error.chars().take(300).collect::<String>());
                            }
                            errors += 1;
                        }
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (mine, failed) = task.await.expect("client task");
        latencies.extend(mine);
        errors += failed;
    }
    Cell::from_latencies(latencies, started.elapsed().as_secs_f64(), errors)
}

/// pgbench replaying a captured script with `clients` connections.
fn pgbench(config: &Config, script: &Path, clients: usize, seconds: f64) -> Cell {
    let logs = std::env::temp_dir().join(format!("alumni-bench-scale-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&logs);
    std::fs::create_dir_all(&logs).expect("pgbench log directory");
    let status = Command::new("pgbench")
        // The server's session settings (`alumni_core::db::build_pool`),
        // so that the statements get the plans they get in the server.
        .env("PGOPTIONS", "-c max_parallel_workers_per_gather=0")
        .args(["-n", "-M", "prepared", "-l", "--log-prefix"])
        .arg(logs.join("tx"))
        .arg("-f")
        .arg(script)
        .args([
            "-c",
            &clients.to_string(),
            "-j",
            &clients.min(2).to_string(),
        ])
        .args(["-T", &format!("{}", seconds.ceil() as u64)])
        .arg(&config.database_url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("pgbench (comes with PostgreSQL)");
    let errors = usize::from(!status.status.success());
    if errors > 0 {
        eprintln!(
            "pgbench: {}",
            String::from_utf8_lossy(&status.stderr)
                .chars()
                .take(500)
                .collect::<String>()
        );
    }
    // One line per transaction: client, number, latency in µs, script, epoch s, µs.
    let mut latencies = Vec::new();
    for entry in std::fs::read_dir(&logs).expect("pgbench logs").flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        latencies.extend(
            text.lines()
                .filter_map(|line| line.split_whitespace().nth(2)?.parse::<u64>().ok()),
        );
    }
    let _ = std::fs::remove_dir_all(&logs);
    Cell::from_latencies(latencies, seconds.ceil(), errors)
}

/// Sessions for the registration cells, issued by the server's own
/// service on the benchmark database (signing in 2,000 members would hash
/// 2,000 passwords): the secretariat (member 0), and active synthetic
/// members past the first few.
struct Registrants {
    secretariat: Endpoint,
    tokens: Vec<String>,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    id: uuid::Uuid,
}

async fn registrants(config: &Config) -> Registrants {
    let app = App::build(
        &AppSettings::with_defaults(&config.database_url),
        Arc::new(SystemClock),
    )
    .expect("services on the benchmark database");
    let mut conn = alumni_core::db::connection(&app.pool)
        .await
        .expect("database connection");
    let ids: Vec<Id> = diesel::sql_query(
        "SELECT id FROM membership.members
         WHERE status = 'ACTIVE' AND email LIKE 'member%@synthetic.alumni.example'
         ORDER BY email LIMIT $1",
    )
    .bind::<diesel::sql_types::BigInt, _>(i64::try_from(REGISTRANTS + 10).unwrap_or(i64::MAX))
    .load(&mut conn)
    .await
    .expect("synthetic members");
    let mut tokens = Vec::new();
    for id in &ids {
        let session = app
            .services
            .membership
            .issue_session(MemberId(id.id))
            .await
            .expect("session");
        tokens.push(session.token.expose_secret().to_owned());
    }
    // Member 0 is the secretariat; the next few are left to other uses.
    let secretariat = tokens.remove(0);
    tokens.drain(..5);
    tokens.truncate(REGISTRANTS);
    Registrants {
        secretariat: Endpoint {
            client: http_client(),
            url: config.alumni.clone(),
            token: Some(secretariat),
        },
        tokens,
    }
}

/// `clients` clients registering every registrant once for a new event.
async fn register(config: &Config, registrants: &Registrants, clients: usize) -> Cell {
    let starts_at = chrono::Utc::now() + chrono::Duration::days(7);
    let input = json!({
        "title": "ベンチマーク勉強会",
        "kind": "STUDY_SESSION",
        "format": "ONLINE",
        "joinUrl": "https://meet.example/bench",
        "startsAt": starts_at.to_rfc3339(),
        "endsAt": (starts_at + chrono::Duration::hours(2)).to_rfc3339(),
        "audience": "EVERYONE",
        "capacity": SEATS,
    });
    let client = &registrants.secretariat;
    let created: Value = client
        .client
        .post(&client.url)
        .bearer_auth(client.token.as_deref().unwrap_or_default())
        .json(&json!({ "query": CREATE_EVENT, "variables": { "input": input } }))
        .send()
        .await
        .expect("create event")
        .json()
        .await
        .expect("create event response");
    let event = created["data"]["createEvent"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("event not created: {created}"))
        .to_owned();
    client
        .post(PUBLISH_EVENT, &json!({ "id": event }))
        .await
        .expect("publish event");
    let variables = Arc::new(json!({ "id": event }));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let tokens = Arc::new(registrants.tokens.clone());
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let http = client.client.clone();
            let url = config.alumni.clone();
            let (next, tokens, variables) = (
                Arc::clone(&next),
                Arc::clone(&tokens),
                Arc::clone(&variables),
            );
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0;
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(token) = tokens.get(index) else {
                        return (latencies, errors);
                    };
                    let member = Endpoint {
                        client: http.clone(),
                        url: url.clone(),
                        token: Some(token.clone()),
                    };
                    let sent = Instant::now();
                    match member.post(REGISTER, &variables).await {
                        Ok(()) => latencies
                            .push(u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX)),
                        Err(error) => {
                            if errors == 0 {
                                eprintln!("error: {}", error.chars().take(300).collect::<String>());
                            }
                            errors += 1;
                        }
                    }
                }
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (mine, failed) = task.await.expect("registration task");
        latencies.extend(mine);
        errors += failed;
    }
    Cell::from_latencies(latencies, started.elapsed().as_secs_f64(), errors)
}

fn spread(values: &mut [f64]) -> String {
    values.sort_by(f64::total_cmp);
    match values {
        [] => "-".into(),
        [only] => format!("{only:.2}"),
        _ => format!(
            "{:.2} / {:.2} / {:.2}",
            values[0],
            values[values.len() / 2],
            values[values.len() - 1]
        ),
    }
}

async fn measure(config: &Config, label: &str, dir: &Path) {
    let alumni = sign_in(config).await;
    let postgraphile = Endpoint {
        client: http_client(),
        url: config.postgraphile.clone(),
        token: None,
    };
    let operations = config.operations();
    let registrations = config
        .only
        .as_ref()
        .is_none_or(|only| "registration".contains(only.as_str()));
    let registrants = if registrations {
        Some(registrants(config).await)
    } else {
        None
    };
    // (operation, clients) → one entry per round; registrations last.
    let mut results: BTreeMap<(usize, usize), Vec<Measured>> = BTreeMap::new();
    println!(
        "# {label}: {} s per cell, rounds interleaved",
        config.seconds
    );
    println!(
        "| round | operation | clients | alumni req/s | p50 ms | p95 ms | PostGraphile req/s | p50 ms | pgbench tx/s | p50 ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for round in 1..=config.rounds {
        for &clients in &config.clients {
            for (index, op) in operations.iter().enumerate() {
                let ours = drive(&alumni, DIRECTORY, &op.filter, clients, config.seconds).await;
                // PostGraphile's searches read the directory row by row at
                // a million members (seconds each), so only one client.
                let compared = op
                    .postgraphile_filter
                    .as_ref()
                    .filter(|_| op.name == "directory" || clients == 1);
                let theirs = match compared {
                    Some(filter) => Some(
                        drive(
                            &postgraphile,
                            POSTGRAPHILE_DIRECTORY,
                            filter,
                            clients,
                            config.seconds,
                        )
                        .await,
                    ),
                    None => None,
                };
                let script = script_path(dir, op.name);
                let floor = script
                    .exists()
                    .then(|| pgbench(config, &script, clients, config.seconds));
                let show = |cell: Option<Cell>| match cell {
                    Some(cell) if cell.errors == 0 => {
                        format!("{:.0} | {:.2}", cell.per_second, cell.p50_ms)
                    }
                    Some(cell) => format!(
                        "{:.0} ({} errors) | {:.2}",
                        cell.per_second, cell.errors, cell.p50_ms
                    ),
                    None => "- | -".into(),
                };
                println!(
                    "| {round} | {} | {clients} | {} | {:.2} | {} | {} |",
                    op.name,
                    show(Some(ours)),
                    ours.p95_ms,
                    show(theirs),
                    show(floor)
                );
                results.entry((index, clients)).or_default().push(Measured {
                    ours,
                    theirs,
                    floor,
                });
            }
            if let Some(registrants) = &registrants {
                let ours = register(config, registrants, clients).await;
                println!(
                    "| {round} | registration | {clients} | {:.0}{} | {:.2} | {:.2} | - | - | - | - |",
                    ours.per_second,
                    if ours.errors > 0 {
                        format!(" ({} errors)", ours.errors)
                    } else {
                        String::new()
                    },
                    ours.p50_ms,
                    ours.p95_ms
                );
                results
                    .entry((operations.len(), clients))
                    .or_default()
                    .push(Measured {
                        ours,
                        theirs: None,
                        floor: None,
                    });
            }
        }
    }
    println!(
        "\n# {label}: min / median / max over {} rounds",
        config.rounds
    );
    println!(
        "| operation | clients | alumni req/s | alumni p95 ms | × PostGraphile req/s | alumni p50 ÷ pgbench p50 | alumni req/s ÷ pgbench tx/s |"
    );
    println!("|---|---|---|---|---|---|---|");
    for ((index, clients), rounds) in &results {
        let pick = |f: &dyn Fn(&Measured) -> Option<f64>| {
            let mut values: Vec<f64> = rounds.iter().filter_map(f).collect();
            spread(&mut values)
        };
        println!(
            "| {} | {clients} | {} | {} | {} | {} | {} |",
            operations.get(*index).map_or("registration", |op| op.name),
            pick(&|m| Some(m.ours.per_second)),
            pick(&|m| Some(m.ours.p95_ms)),
            pick(&|m| m.theirs.map(|theirs| m.ours.per_second / theirs.per_second)),
            pick(&|m| m.floor.map(|floor| m.ours.p50_ms / floor.p50_ms)),
            pick(&|m| m.floor.map(|floor| m.ours.per_second / floor.per_second)),
        );
    }
}
