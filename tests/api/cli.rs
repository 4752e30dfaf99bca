//! The `alumni` command line against a test database.

use std::io::Write as _;
use std::process::{Command, Stdio};

use alumni_core::Role;
use alumni_test_support::{TestApp, TestDb};
use serde_json::json;

fn alumni(db: &TestDb) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_alumni"));
    command
        .env("DATABASE_URL", db.url())
        .env("ALUMNI_LOG", "warn")
        .env_remove("ALUMNI_ACCOUNT_PASSWORD");
    command
}

const LOGIN: &str = "mutation($email: String!, $password: String!) { login(email: $email, password: $password) { member { roles } } }";

#[tokio::test]
async fn account_create_bootstraps_a_secretariat_that_can_sign_in() {
    let app = TestApp::spawn().await;
    let output = alumni(app.database())
        .args([
            "account",
            "create",
            "--email",
            "Kanji@HR.example",
            "--role",
            "SECRETARIAT",
        ])
        .env("ALUMNI_ACCOUNT_PASSWORD", "a long enough password")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("kanji@hr.example"));

    let response = app
        .client()
        .query_with(
            LOGIN,
            json!({ "email": "kanji@hr.example", "password": "a long enough password" }),
        )
        .await;
    assert_eq!(
        response.data()["login"]["member"]["roles"],
        json!(["SECRETARIAT"])
    );
}

#[tokio::test]
async fn account_create_reads_the_password_from_stdin() {
    let app = TestApp::spawn().await;
    let mut child = alumni(app.database())
        .args([
            "account",
            "create",
            "--email",
            "analyst@hr.example",
            "--role",
            "analyst,employee",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("パスワードは十二文字以上です\n".as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let response = app
        .client()
        .query_with(
            LOGIN,
            json!({ "email": "analyst@hr.example", "password": "パスワードは十二文字以上です" }),
        )
        .await;
    assert_eq!(
        response.data()["login"]["member"]["roles"],
        json!(["EMPLOYEE", "ANALYST"])
    );
}

#[tokio::test]
async fn account_create_refuses_short_passwords_and_duplicates() {
    let app = TestApp::spawn().await;
    let short = alumni(app.database())
        .args([
            "account",
            "create",
            "--email",
            "a@hr.example",
            "--role",
            "SECRETARIAT",
        ])
        .env("ALUMNI_ACCOUNT_PASSWORD", "too short")
        .output()
        .unwrap();
    assert!(!short.status.success());
    let message = String::from_utf8_lossy(&short.stderr);
    assert!(
        message.contains("at least 12 characters") && message.contains("BAD_USER_INPUT"),
        "{message}"
    );

    let create = || {
        alumni(app.database())
            .args([
                "account",
                "create",
                "--email",
                "b@hr.example",
                "--role",
                "SECRETARIAT",
            ])
            .env("ALUMNI_ACCOUNT_PASSWORD", "a long enough password")
            .output()
            .unwrap()
    };
    assert!(create().status.success());
    let duplicate = create();
    assert!(!duplicate.status.success());
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("CONFLICT"));
}

#[test]
fn export_schema_writes_the_sdl() {
    let output = Command::new(env!("CARGO_BIN_EXE_alumni"))
        .args(["export-schema", "--output", "-"])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        alumni_gateway::sdl()
    );
}

#[tokio::test]
async fn roster_import_reports_counts_and_refuses_bad_files_line_by_line() {
    let app = TestApp::spawn().await;
    let secretariat = app.create_member(&[alumni_core::Role::Secretariat]).await;
    app.client_as(&secretariat)
        .query(r#"mutation { createCompany(input: { name: "関西システムズ株式会社", shortName: "kansai", mergedOn: "2008-04-01" }) { id } }"#)
        .await
        .data();
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("roster-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("roster.csv");
    std::fs::write(
        &good,
        "employee_number,full_name,full_name_kana,company,joined_on,left_on\n\
         E1,佐藤 花子,さとう はなこ,kansai,2001-04-01,2015-03-31\n\
         E2,鈴木 一郎,すずき いちろう,kansai,2001-04-01,2016-03-31\n",
    )
    .unwrap();
    let import = |file: &std::path::Path| {
        alumni(app.database())
            .args(["roster", "import"])
            .arg(file)
            .output()
            .unwrap()
    };
    let first = import(&good);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        String::from_utf8_lossy(&first.stdout).contains("2 rows, 2 new, 0 updated, 0 unchanged")
    );
    let again = import(&good);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("2 rows, 0 new, 0 updated, 2 unchanged")
    );

    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "employee_number,full_name,full_name_kana,company,joined_on,left_on\n\
         E3,田中 次郎,たなか じろう,kansai,2001-04-01,2015-03-31\n\
         E4,伊藤 誠,Ito,nowhere,2001-04-01,2015-03-31\n",
    )
    .unwrap();
    let refused = import(&bad);
    assert!(!refused.status.success());
    let errors = String::from_utf8_lossy(&refused.stderr);
    assert!(errors.contains("bad.csv:3: full_name_kana"), "{errors}");
    assert!(errors.contains("bad.csv:3: company"), "{errors}");
    assert!(!errors.contains("bad.csv:2"), "{errors}");
}

#[tokio::test]
async fn the_server_logs_request_ids_and_shuts_down_gracefully_on_sigterm() {
    use std::io::{BufRead as _, BufReader};

    let db = TestDb::create().await;
    let mut server = alumni(&db)
        .env("ALUMNI_BIND", "127.0.0.1:0")
        .env("ALUMNI_LOG", "info")
        .env("ALUMNI_LOG_FORMAT", "json")
        .env("ALUMNI_DEMO_DATA", "never")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(server.stdout.take().unwrap()).lines();
    let graphiql = stdout
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.trim()
                .strip_prefix("GraphiQL:")
                .map(|url| url.trim().to_owned())
        })
        .expect("the server announces its address");
    // Keep reading what else it prints, as a terminal would.
    let drain = std::thread::spawn(move || stdout.count());
    let base = graphiql.trim_end_matches("/graphql");

    let response = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .header("content-type", "application/json")
        .header("x-request-id", "log-check-7f3a")
        .body(r#"{"query":"{ currentTerms { version } }"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let terminated = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    let output = server.wait_with_output().unwrap();
    drain.join().unwrap();
    assert!(
        output.status.success(),
        "a clean exit after SIGTERM: {:?}",
        output.status
    );

    let logs = String::from_utf8_lossy(&output.stderr);
    let request_lines: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|line| line["span"]["request_id"] == "log-check-7f3a")
        .collect();
    assert!(
        request_lines
            .iter()
            .any(|line| line["fields"]["message"] == "finished processing request"),
        "the request's log lines carry its id: {logs}"
    );
    assert!(logs.contains("shutting down"), "{logs}");
}

#[tokio::test]
async fn seed_synthetic_adds_members_and_refuses_beside_real_ones_unless_allowed() {
    let app = TestApp::spawn().await;
    let run = |extra: &[&str]| {
        let mut command = alumni(app.database());
        command.args(["seed", "--synthetic", "30", "--seed", "11"]);
        command.args(extra);
        command.output().unwrap()
    };
    let first = run(&[]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("30 added"));
    // Run again: nothing is missing.
    let again = run(&[]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("30 synthetic members before, 0 added")
    );

    app.create_member(&[Role::Alumnus]).await;
    let refused = alumni(app.database())
        .args(["seed", "--synthetic", "40"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("accounts outside synthetic.alumni.example"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let allowed = alumni(app.database())
        .args(["seed", "--synthetic", "40", "--allow-real-members"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&allowed.stdout).contains("30 synthetic members before, 10 added"),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
    // Demo and synthetic data are one or the other.
    let both = alumni(app.database())
        .args(["seed", "--demo", "--synthetic", "5"])
        .output()
        .unwrap();
    assert!(!both.status.success());
}
