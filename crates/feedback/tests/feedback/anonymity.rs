//! Anonymous feedback cannot be linked to its author: not through the
//! API, and not by someone who reads every table, the audit log and the
//! logs. The test submits anonymously and then searches all of it for the
//! member's id, e-mail address, session and token.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use alumni_core::Role;
use alumni_test_support::TestApp;
use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl as _;
use serde_json::json;

use crate::support::{company, place_in_cohort, rows};

/// Every log line of this test binary, as the JSON the server writes.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "info,alumni_core=trace,alumni_gateway=trace,alumni_feedback=trace,\
                 alumni_membership=trace,alumni_notify=trace,tower_http=trace",
            ))
            .with_writer(move || LogSink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        logs
    })
    .clone()
}

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl Write for LogSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("logs").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(QueryableByName)]
struct Table {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName, Debug, Clone, PartialEq, Eq, Hash)]
struct Row {
    #[diesel(sql_type = Text)]
    xmin: String,
    #[diesel(sql_type = Text)]
    content: String,
}

/// Every row of every table of the application, by table.
async fn every_row(app: &TestApp) -> HashMap<String, HashSet<Row>> {
    let mut conn = app.database().connect().await;
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) AS name \
         FROM information_schema.tables \
         WHERE table_type = 'BASE TABLE' \
           AND table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    .load(&mut conn)
    .await
    .expect("tables");
    let mut all = HashMap::new();
    for table in tables {
        let found: Vec<Row> = diesel::sql_query(format!(
            "SELECT t.xmin::text AS xmin, t::text AS content FROM {} AS t",
            table.name
        ))
        .load(&mut conn)
        .await
        .expect("rows");
        all.insert(table.name, found.into_iter().collect());
    }
    all
}

#[tokio::test]
async fn nothing_links_an_anonymous_item_to_its_author() {
    let logs = captured_logs();
    let app = TestApp::spawn().await;
    let acme = company(&app, "旧アクメ").await;
    let mut cohort = Vec::new();
    for _ in 0..5 {
        let member = app.create_member(&[Role::Alumnus]).await;
        place_in_cohort(&app, &member, &acme, "2017-06-30").await;
        cohort.push(member);
    }
    let author = &cohort[0];
    let session_id: String = {
        #[derive(QueryableByName)]
        struct Session {
            #[diesel(sql_type = Text)]
            id: String,
        }
        let mut conn = app.database().connect().await;
        diesel::sql_query(format!(
            "SELECT id::text AS id FROM membership.sessions WHERE member_id = '{}'",
            author.id.0
        ))
        .get_result::<Session>(&mut conn)
        .await
        .expect("session")
        .id
    };
    let identifiers = [
        author.id.0.to_string(),
        author.email.clone(),
        author.token.clone(),
        session_id,
    ];
    let audited = rows(&app, "audit.events").await;
    let before = every_row(&app).await;
    let logged_before = logs.lock().expect("logs").len();

    // Sent as a client retrying safely would: with an idempotency key.
    let body = "匿名で伝えたい：評価の理由が分からないまま退職しました";
    let sent = app
        .client_as(author)
        .with_header("Idempotency-Key", "anonymous-feedback-0001")
        .query_with(
            "mutation($input: FeedbackInput!) { submitFeedback(input: $input) { receipt } }",
            json!({ "input": {
                "category": "why_i_left", "body": body, "anonymous": true,
                "cohort": { "company": true, "leftYearBand": true },
            } }),
        )
        .await;
    let receipt = sent.data()["submitFeedback"]["receipt"]
        .as_str()
        .expect("receipt")
        .to_owned();
    let after = every_row(&app).await;
    let log_lines = String::from_utf8(logs.lock().expect("logs")[logged_before..].to_vec())
        .expect("utf-8 logs");

    // The item itself: no identifier, a random id, a day and no time.
    let items: Vec<&Row> = after["feedback.items"].iter().collect();
    assert_eq!(items.len(), 1);
    let item = items[0];
    for identifier in &identifiers {
        assert!(
            !item.content.contains(identifier.as_str()),
            "{identifier} in {}",
            item.content
        );
    }
    let item_id = item.content[1..37].to_owned();
    assert_eq!(
        &item_id[14..15],
        "4",
        "a random (v4) id, not one drawn from the clock"
    );
    assert_eq!(
        rows(
            &app,
            "information_schema.columns WHERE table_schema = 'feedback' AND table_name = 'items' \
             AND data_type LIKE 'timestamp%'"
        )
        .await,
        0,
        "items keep the day, never the time"
    );
    let marks = [
        item_id.clone(),
        receipt.clone(),
        receipt.replace('-', ""),
        body.to_owned(),
    ];

    // No row anywhere holds both something of the author and something of
    // the item.
    for (table, table_rows) in &after {
        for row in table_rows {
            let names_author = identifiers
                .iter()
                .any(|id| row.content.contains(id.as_str()));
            let names_item = marks.iter().any(|mark| row.content.contains(mark.as_str()));
            assert!(
                !(names_author && names_item),
                "{table} links them: {}",
                row.content
            );
        }
    }

    // What the submission wrote or changed: the item, and apart from it
    // the day's count of the author's anonymous items; the session's last
    // use and the sealed idempotency record name the author but nothing
    // of the item. Nothing was audited.
    let mut changed: Vec<(&str, &Row)> = Vec::new();
    for (table, table_rows) in &after {
        let earlier = before.get(table);
        for row in table_rows {
            if earlier.is_none_or(|earlier| !earlier.contains(row)) {
                changed.push((table.as_str(), row));
            }
        }
    }
    let changed_tables: HashSet<&str> = changed.iter().map(|(table, _)| *table).collect();
    for table in &changed_tables {
        assert!(
            [
                "feedback.items",
                "feedback.anonymous_submissions",
                "membership.sessions",
                "membership.members",
                "api.idempotency_keys",
            ]
            .contains(table),
            "the submission wrote to {table}"
        );
    }
    assert_eq!(rows(&app, "audit.events").await, audited);
    assert!(changed_tables.contains("api.idempotency_keys"));

    // Rows written in one transaction share its id (xmin): the item and
    // the day's count do, until the hourly job rewrites them in one of its
    // own, after which no row naming the author shares the item's.
    let count_row = after["feedback.anonymous_submissions"]
        .iter()
        .next()
        .expect("the day's count");
    assert_eq!(count_row.xmin, item.xmin);
    app.jobs.schedule_recurring().await.expect("schedule");
    app.jobs.drain().await.expect("jobs run");
    let unlinked = every_row(&app).await;
    let item_xmin = &unlinked["feedback.items"].iter().next().expect("item").xmin;
    for (table, table_rows) in &unlinked {
        for row in table_rows {
            let names_author = identifiers
                .iter()
                .any(|id| row.content.contains(id.as_str()));
            if names_author && table != "feedback.anonymous_submissions" {
                assert_ne!(
                    &row.xmin, item_xmin,
                    "{table} shares the item's transaction"
                );
            }
        }
    }
    let counts = &unlinked["feedback.anonymous_submissions"];
    assert!(
        counts.iter().all(|row| &row.xmin == item_xmin),
        "rewritten together"
    );

    // The logs of the request name neither the author nor the item.
    assert!(
        log_lines.contains("/graphql"),
        "the request was logged: {log_lines}"
    );
    for mark in identifiers.iter().chain(&marks) {
        assert!(!log_lines.contains(mark.as_str()), "{mark} logged");
    }
}
