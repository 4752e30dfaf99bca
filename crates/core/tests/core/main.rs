//! Core behaviour against a real PostgreSQL.

mod jobs;

use std::time::{Duration, Instant};

use alumni_core::audit::{self, AuditEntry, AuditEvent, AuditFilter, AuditPageKey};
use alumni_core::db::local::{self, PgServer, ServerOrigin};
use alumni_core::db::{self, PoolSettings, StatementCounter};
use alumni_core::pagination::{COUNT_CAP, Connection, ListSize, PageRequest, TotalCount};
use alumni_core::{MemberId, request};
use alumni_test_db::TestDb;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::json;

#[tokio::test]
async fn the_audit_log_refuses_update_delete_and_truncate() {
    let db = TestDb::create().await;
    let mut conn = db.connect().await;
    let actor = MemberId::new();
    request::scope(
        "req-audit-1".into(),
        audit::record(
            &mut conn,
            chrono::Utc::now(),
            AuditEntry::new("membership.role_granted")
                .by(actor)
                .on(MemberId::new())
                .details(json!({ "role": "MODERATOR" })),
        ),
    )
    .await
    .unwrap();

    for statement in [
        "UPDATE audit.events SET action = 'membership.nothing_happened'",
        "DELETE FROM audit.events",
        "TRUNCATE audit.events",
    ] {
        let error = diesel::sql_query(statement)
            .execute(&mut conn)
            .await
            .expect_err(statement);
        assert!(
            error.to_string().contains("append-only"),
            "{statement}: {error}"
        );
    }

    let page = PageRequest::first(10);
    let rows = audit::list(&mut conn, &Default::default(), &page)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].action, "membership.role_granted");
    assert_eq!(rows[0].actor_id, Some(actor.0));
    assert_eq!(rows[0].request_id.as_deref(), Some("req-audit-1"));
}

/// Keyset pages over a list whose first sort column repeats: the second
/// column (the id) breaks the ties, so paging forward and backward in pages
/// of two visits every entry once, in the order of the whole list.
#[tokio::test]
async fn pages_walk_forward_and_back_across_equal_first_keys() {
    let db = TestDb::create().await;
    let mut conn = db.connect().await;
    // Five entries share one instant, with one before and one after it.
    let start = chrono::Utc::now();
    let instants =
        [0, 60, 60, 60, 60, 60, 120].map(|seconds| start + chrono::Duration::seconds(seconds));
    for at in instants {
        audit::record(&mut conn, at, AuditEntry::new("membership.role_granted"))
            .await
            .unwrap();
    }
    let filter = AuditFilter::default();
    let whole: Vec<AuditPageKey> = audit::list(&mut conn, &filter, &PageRequest::first(100))
        .await
        .unwrap()
        .iter()
        .map(AuditEvent::page_key)
        .collect();
    let mut expected = whole.clone();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(whole, expected, "newest first, ties by id");
    assert_eq!(whole.len(), instants.len());

    let mut forward = Vec::new();
    let mut after = None;
    loop {
        let page = PageRequest::new(Some(2), after, None, None).unwrap();
        let connection = page_of(&mut conn, &filter, page).await;
        forward.extend(connection.edges.iter().map(|edge| edge.node));
        if !connection.page_info.has_next_page {
            break;
        }
        after = connection.page_info.end_cursor;
    }
    assert_eq!(forward, whole);

    let mut backward = Vec::new();
    let mut before = None;
    loop {
        let page = PageRequest::new(None, None, Some(2), before).unwrap();
        let connection = page_of(&mut conn, &filter, page).await;
        backward.splice(0..0, connection.edges.iter().map(|edge| edge.node));
        if !connection.page_info.has_previous_page {
            break;
        }
        before = connection.page_info.start_cursor;
    }
    assert_eq!(backward, whole);
}

async fn page_of(
    conn: &mut AsyncPgConnection,
    filter: &AuditFilter,
    page: PageRequest<AuditPageKey>,
) -> Connection<AuditPageKey> {
    let rows = audit::list(conn, filter, &page).await.unwrap();
    page.into_connection(
        rows,
        AuditEvent::page_key,
        |event| event.page_key(),
        TotalCount::known(0),
    )
}

#[tokio::test]
async fn pool_connections_count_statements_and_carry_their_settings() {
    let db = TestDb::create().await;
    let counter = StatementCounter::default();
    let mut settings = PoolSettings::new(db.url());
    settings.statement_timeout = Duration::from_millis(1500);
    let pool = db::build_pool(&settings, counter.clone()).unwrap();

    let mut conn = db::connection(&pool).await.unwrap();
    let before = counter.count();
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let timeout: Setting =
        diesel::sql_query("SELECT current_setting('statement_timeout') AS value")
            .get_result(&mut conn)
            .await
            .unwrap();
    let name: Setting = diesel::sql_query("SELECT current_setting('application_name') AS value")
        .get_result(&mut conn)
        .await
        .unwrap();
    let workers: Setting =
        diesel::sql_query("SELECT current_setting('max_parallel_workers_per_gather') AS value")
            .get_result(&mut conn)
            .await
            .unwrap();
    assert_eq!(counter.count() - before, 3);
    assert_eq!(timeout.value, "1500ms");
    assert_eq!(name.value, "alumni");
    assert_eq!(
        workers.value, "0",
        "request statements plan without parallel workers"
    );

    // The timeout is enforced by the server.
    let slow = diesel::sql_query("SELECT pg_sleep(5)")
        .execute(&mut conn)
        .await;
    assert!(slow.unwrap_err().to_string().contains("statement timeout"));
}

#[tokio::test]
async fn an_unreachable_database_is_service_unavailable_within_the_timeout() {
    let free_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut settings = PoolSettings::new(format!("postgres://postgres@127.0.0.1:{free_port}/none"));
    settings.acquire_timeout = Duration::from_millis(500);
    settings.connect_timeout = Duration::from_millis(500);
    let pool = db::build_pool(&settings, StatementCounter::default()).unwrap();

    let started = Instant::now();
    let error = db::connection(&pool)
        .await
        .err()
        .expect("no database there");
    assert_eq!(error.code(), "SERVICE_UNAVAILABLE");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        db::ping(&pool).await.unwrap_err().code(),
        "SERVICE_UNAVAILABLE"
    );
}

/// The fallback used when no server answers: a private cluster, created on
/// first use, reused afterwards (also when the tests run as root). The
/// project needs PostgreSQL's server binaries (the README says so), so
/// their absence fails this test rather than skipping it.
#[tokio::test]
async fn a_private_cluster_is_created_started_and_reused() {
    assert!(
        local::server_binaries_installed(),
        "PostgreSQL's server binaries (initdb, pg_ctl) are not installed"
    );
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("private-cluster-test");
    let _ = std::fs::remove_dir_all(&dir);

    let first = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || local::start_private_cluster(&dir))
            .await
            .unwrap()
            .unwrap()
    };
    let mut conn = AsyncPgConnection::establish(first.as_str()).await.unwrap();
    diesel::sql_query("SELECT 1")
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);

    let again = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || local::start_private_cluster(&dir))
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(first, again, "a running cluster is reused, port and all");

    let server = PgServer::locate(Some(first.as_str()), &dir).await.unwrap();
    assert_eq!(server.origin, ServerOrigin::Configured);
    let url = server
        .ensure_database("alumni_private_check")
        .await
        .unwrap();
    AsyncPgConnection::establish(&url).await.unwrap();

    tokio::task::spawn_blocking(move || local::stop_private_cluster(&dir))
        .await
        .unwrap()
        .unwrap();
    assert!(AsyncPgConnection::establish(first.as_str()).await.is_err());
}

/// Counting stops one past the cap, so a list of any length costs at most
/// that much to count, and says that it stopped.
#[tokio::test]
async fn list_counts_stop_at_the_cap_and_say_so() {
    let db = TestDb::create().await;
    let mut conn = db.connect().await;
    diesel::sql_query(
        "INSERT INTO audit.events (id, occurred_at, action) \
         SELECT gen_random_uuid(), now(), \
         CASE WHEN n <= 3 THEN 'membership.role_granted' ELSE 'membership.login_failed' END \
         FROM generate_series(1, $1) AS n",
    )
    .bind::<diesel::sql_types::BigInt, _>(COUNT_CAP + 3)
    .execute(&mut conn)
    .await
    .unwrap();

    let everything = audit::count(&mut conn, &AuditFilter::default())
        .await
        .unwrap();
    assert_eq!(
        everything,
        ListSize {
            count: COUNT_CAP,
            capped: true
        }
    );
    let granted = AuditFilter {
        action: Some("membership.role_granted".into()),
        ..AuditFilter::default()
    };
    assert_eq!(
        audit::count(&mut conn, &granted).await.unwrap(),
        ListSize {
            count: 3,
            capped: false
        }
    );
}
