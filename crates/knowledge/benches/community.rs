//! The knowledge community under load: 32 clients at once, over HTTP
//! against the real router with the production pool size, on a database
//! of 100,000 questions and 300,000 answers generated in SQL before the
//! clock starts (a fifth of the questions unanswered, two tags each).
//!
//! Run with `just bench` (or `cargo bench -p alumni-knowledge --bench
//! community`). Three loads run one after the other: the first page of
//! unanswered questions with authors, tags and answer counts; a search
//! for a two-character word (運用, in an eighth of the texts) with each
//! hit's title or body; and the floor, the cheapest authenticated request
//! (`me { roles }`). Each prints requests per second and p50/p95 latency,
//! and the ratio to the floor, which is what to compare across machines.

use std::time::{Duration, Instant};

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
use diesel::dsl::sql;
use diesel::sql_types::{BigInt, Integer, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::future::join_all;

const CLIENTS: usize = 32;
const WARM_UP: Duration = Duration::from_secs(1);
const MEASURE: Duration = Duration::from_secs(5);
const VIEWERS: usize = 4;
const QUESTIONS: i32 = 100_000;
const ANSWERS: i32 = 300_000;
const MEMBERS: i32 = 500;
const TAGS: i32 = 50;

const UNANSWERED: &str = "{ questions(first: 20, list: UNANSWERED) { nodes { id title createdAt \
                          answerCount author { displayName } tags { name } } } }";
const SEARCH: &str = "{ searchKnowledge(query: \"運用\", first: 20) { nodes { kind rank \
                      item { ... on Question { id title } ... on Answer { id body } } } } }";
const ME: &str = "{ me { roles } }";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        println!(
            "{CLIENTS} concurrent clients, {} s warm-up, {} s measured, {} CPU cores",
            WARM_UP.as_secs(),
            MEASURE.as_secs(),
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        run().await;
    });
}

async fn run() {
    let started = Instant::now();
    let mut app = TestApp::spawn_with(|settings| {
        settings.pool.max_connections = alumni_core::db::DEFAULT_MAX_CONNECTIONS;
        settings.pool.acquire_timeout = Duration::from_secs(120);
        settings.pool.connect_timeout = Duration::from_secs(120);
    })
    .await;
    let viewers: Vec<TestMember> =
        join_all((0..VIEWERS).map(|_| app.create_member(&[Role::Alumnus]))).await;
    let mut conn = app.database().connect().await;
    generate(&mut conn).await;
    let mut counted = Vec::new();
    for table in [
        "knowledge.questions",
        "knowledge.questions WHERE answer_count = 0",
        "knowledge.answers",
        "knowledge.documents",
        "knowledge.documents WHERE search_text LIKE '%運用%'",
    ] {
        counted.push(count(&mut conn, table).await);
    }
    drop(conn);
    println!(
        "{} questions ({} unanswered), {} answers, {} searchable texts ({} with 運用); set up in {:.1} s",
        counted[0],
        counted[1],
        counted[2],
        counted[3],
        counted[4],
        started.elapsed().as_secs_f64()
    );

    check(&app, &viewers[0]).await;
    let floor = load(&app, &viewers, ME).await;
    for (name, query) in [("unanswered list", UNANSWERED), ("search 運用", SEARCH)] {
        let (_, statements) = app
            .count_statements(app.client_as(&viewers[0]).query(query))
            .await;
        let measured = load(&app, &viewers, query).await;
        println!(
            "{name}: {:.0} req/s (p50 {:.1} ms, p95 {:.1} ms, {statements} SQL statements); \
             /floor {:.3}",
            measured.per_second,
            measured.p50.as_secs_f64() * 1000.0,
            measured.p95.as_secs_f64() * 1000.0,
            measured.per_second / floor.per_second
        );
    }
    println!(
        "floor (me): {:.0} req/s (p50 {:.1} ms, p95 {:.1} ms)",
        floor.per_second,
        floor.p50.as_secs_f64() * 1000.0,
        floor.p95.as_secs_f64() * 1000.0
    );
    app.shut_down().await;
}

/// Members, tags, questions over the year before the app's clock with two
/// tags each, answers to four in five of them, and the searchable texts of
/// both, grams computed in SQL as the services would. Then vacuums, as
/// autovacuum would have by now.
async fn generate(conn: &mut AsyncPgConnection) {
    let now = alumni_test_support::test_start();
    let statements: Vec<(&str, Vec<i32>)> = vec![
        (
            "INSERT INTO membership.members (id, email, password_hash, roles, created_at, updated_at)
             SELECT gen_random_uuid(), 'member' || n || '@bench.example', m.password_hash,
                    '{ALUMNUS}', m.created_at, m.updated_at
             FROM generate_series(1, $1) AS n,
                  (SELECT password_hash, created_at, updated_at FROM membership.members LIMIT 1) AS m",
            vec![MEMBERS],
        ),
        (
            "INSERT INTO membership.profiles (member_id, display_name, display_name_kana, sort_key,
                 name_text, name_grams, former_text, former_grams, updated_at)
             SELECT id, '会員' || row_number() OVER (), 'かいいん', 'かいいん', '', '{}', '', '{}', now()
             FROM membership.members m
             WHERE NOT EXISTS (SELECT 1 FROM membership.profiles p WHERE p.member_id = m.id)",
            vec![],
        ),
        (
            "INSERT INTO membership.tags (id, slug, name, created_at)
             SELECT gen_random_uuid(), 'bench' || n, 'Bench' || n, now()
             FROM generate_series(1, $1) AS n",
            vec![TAGS],
        ),
        (
            "CREATE TEMPORARY TABLE words AS SELECT * FROM (VALUES
                 (0, 'kubernetes'), (1, 'aws'), (2, 'cobol'), (3, 'java'), (4, 'rust'),
                 (5, '要件定義'), (6, 'postgresql'), (7, 'terraform')) AS w(k, word)",
            vec![],
        ),
        (
            "CREATE TEMPORARY TABLE topics AS SELECT * FROM (VALUES
                 (0, '運用'), (1, '移行'), (2, '設計'), (3, '障害対応'), (4, '性能'),
                 (5, '監視'), (6, '自動化'), (7, '見積もり')) AS t(k, topic)",
            vec![],
        ),
        (
            // A UUID v7 for a past time: its first 48 bits the time in
            // milliseconds, its version nibble 7.
            "CREATE FUNCTION pg_temp.uuid_v7_at(at timestamptz) RETURNS uuid LANGUAGE sql AS $f$
                 SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                     PLACING substring(int8send(floor(extract(epoch FROM at) * 1000)::bigint) FROM 3)
                     FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
             $f$",
            vec![],
        ),
        (
            "CREATE FUNCTION pg_temp.grams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $f$
                 SELECT array_agg(DISTINCT g) FROM (
                     SELECT substr(t, i, 1) AS g FROM generate_series(1, length(t)) AS i
                     UNION SELECT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i) AS x
             $f$",
            vec![],
        ),
    ];
    for (statement, numbers) in statements {
        let mut query = diesel::sql_query(statement).into_boxed::<diesel::pg::Pg>();
        for number in numbers {
            query = query.bind::<Integer, _>(number);
        }
        query.execute(conn).await.expect(statement);
    }
    diesel::sql_query(
        "INSERT INTO knowledge.questions (id, author_id, title, body, body_html, answer_count,
             last_answer_at, created_at, updated_at)
         SELECT pg_temp.uuid_v7_at(at), m.id, title, 'Details of question ' || n,
                '<p>Details of question ' || n || '</p>',
                CASE WHEN n % 5 = 0 THEN 0 ELSE 3 + (n % 4 <> 0)::int END,
                CASE WHEN n % 5 = 0 THEN NULL ELSE at + interval '1 hour' END, at, at
         FROM (SELECT n, $2 - make_interval(secs => n * 31536000.0 / $1) AS at,
                      w.word || 'の' || t.topic || 'について 質問' || n AS title
               FROM generate_series(1, $1) AS n
               JOIN words w ON w.k = n % 8 JOIN topics t ON t.k = (n / 8) % 8) AS q
         JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM membership.members) AS m
           ON m.k = 1 + q.n % 500",
    )
    .bind::<Integer, _>(QUESTIONS)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await
    .expect("questions");
    let later: Vec<&str> = vec![
        "INSERT INTO knowledge.question_tags (question_id, tag_id)
         SELECT q.id, t.id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM knowledge.questions) AS q
         JOIN (SELECT id, row_number() OVER (ORDER BY slug) - 1 AS k FROM membership.tags
               WHERE slug LIKE 'bench%') AS t
           ON t.k IN (q.n % 50, (q.n + 17) % 50)",
        "INSERT INTO knowledge.answers (id, question_id, author_id, body, body_html, created_at, updated_at)
         SELECT pg_temp.uuid_v7_at(q.created_at + interval '1 hour'), q.id, m.id, body, '<p>' || body || '</p>',
                q.created_at + interval '1 hour', q.created_at + interval '1 hour'
         FROM (SELECT id, created_at, answer_count, row_number() OVER (ORDER BY id) AS n
               FROM knowledge.questions WHERE answer_count > 0) AS q
         CROSS JOIN LATERAL generate_series(1, q.answer_count) AS a(i)
         CROSS JOIN LATERAL (SELECT '回答' || a.i || ': ' || t.topic || 'では手順を先に決めます' AS body
                             FROM topics t WHERE t.k = (q.n + a.i) % 8) AS b
         JOIN (SELECT id, row_number() OVER (ORDER BY id) AS k FROM membership.members) AS m
           ON m.k = 1 + (q.n + a.i) % 500",
        "INSERT INTO knowledge.documents (subject_id, kind, author_id, audience, listed, search_text,
             search_grams, tag_ids, created_at)
         SELECT q.id, 'QUESTION', q.author_id, 'EVERYONE', true,
                replace(q.title, ' ', '') || chr(31) || replace(lower(q.body), ' ', ''),
                pg_temp.grams(replace(q.title, ' ', '') || replace(lower(q.body), ' ', '')),
                ARRAY(SELECT tag_id FROM knowledge.question_tags t WHERE t.question_id = q.id),
                q.created_at
         FROM knowledge.questions q",
        "INSERT INTO knowledge.documents (subject_id, kind, question_id, author_id, audience, listed,
             search_text, search_grams, tag_ids, created_at)
         SELECT a.id, 'ANSWER', a.question_id, a.author_id, 'EVERYONE', true,
                chr(31) || replace(a.body, ' ', ''), pg_temp.grams(replace(a.body, ' ', '')),
                ARRAY(SELECT tag_id FROM knowledge.question_tags t WHERE t.question_id = a.question_id),
                a.created_at
         FROM knowledge.answers a",
        "VACUUM (ANALYZE)",
    ];
    for statement in later {
        diesel::sql_query(statement)
            .execute(conn)
            .await
            .expect(statement);
    }
    let answers = count(conn, "knowledge.answers").await;
    assert!(
        (i64::from(ANSWERS) - answers).abs() < 1_000,
        "about {ANSWERS} answers, got {answers}"
    );
}

async fn count(conn: &mut AsyncPgConnection, table: &str) -> i64 {
    diesel::select(sql::<BigInt>(&format!("(SELECT count(*) FROM {table})")))
        .get_result(conn)
        .await
        .expect("count")
}

/// Fails the run unless the pages are what the numbers claim to measure.
async fn check(app: &TestApp, viewer: &TestMember) {
    let client = app.client_as(viewer);
    let unanswered = client.query(UNANSWERED).await;
    let nodes = unanswered.data()["questions"]["nodes"]
        .as_array()
        .expect("questions")
        .clone();
    assert_eq!(nodes.len(), 20, "a full page of unanswered questions");
    assert!(nodes.iter().all(|node| node["answerCount"] == 0));
    assert!(
        nodes
            .iter()
            .all(|node| node["tags"].as_array().map(Vec::len) == Some(2))
    );
    assert!(
        nodes
            .iter()
            .all(|node| node["author"]["displayName"].is_string())
    );
    let found = client.query(SEARCH).await;
    let hits = found.data()["searchKnowledge"]["nodes"]
        .as_array()
        .expect("hits")
        .clone();
    assert_eq!(hits.len(), 20, "a full page of hits");
    assert!(
        hits.iter().all(|hit| hit["item"]["id"].is_string()),
        "every hit readable"
    );
    assert!(
        hits.iter().all(|hit| hit["rank"] == 2),
        "the first page holds titles with the word"
    );
}

struct Load {
    per_second: f64,
    p50: Duration,
    p95: Duration,
}

async fn load(app: &TestApp, viewers: &[TestMember], query: &'static str) -> Load {
    let counting_from = Instant::now() + WARM_UP;
    let until = counting_from + MEASURE;
    let clients = (0..CLIENTS).map(|n| {
        let client = app.client_as(&viewers[n % viewers.len()]);
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < until {
                let sent = Instant::now();
                client.query(query).await.data();
                let done = Instant::now();
                if done >= counting_from && done <= until {
                    latencies.push(done - sent);
                }
            }
            latencies
        })
    });
    let mut latencies: Vec<Duration> = join_all(clients)
        .await
        .into_iter()
        .flat_map(|client| client.expect("client task"))
        .collect();
    assert!(!latencies.is_empty(), "no request completed in time");
    latencies.sort();
    Load {
        per_second: latencies.len() as f64 / MEASURE.as_secs_f64(),
        p50: latencies[latencies.len() / 2],
        p95: latencies[latencies.len() * 95 / 100],
    }
}
