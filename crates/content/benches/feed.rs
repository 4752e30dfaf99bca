//! The magazine's feed page under load: 32 clients at once, each asking in
//! a loop for the unread count and the first 20 posts with the viewer's read
//! state, author, tags, reaction counts and comment count, over HTTP against
//! the real router with the production pool size and a database of its own.
//!
//! Run with `just bench` (or `cargo bench -p alumni-content --bench feed`).
//! Two setups run one after the other, each on a fresh database: `small`
//! (100 posts, 1,000 reads) and `scale` (10,000 posts, 1,000,000 reads,
//! 100,000 reactions), generated in SQL before the clock starts. For each it
//! prints completed feed requests per second and their p50 and p95 latency,
//! beside the floor: the same clients sending the cheapest authenticated
//! request (`me { roles }`) for as long, so the ratio shows what the feed
//! costs on top of HTTP, GraphQL and the session. Clients and server share
//! the machine, so absolute numbers move with its cores; the ratio and the
//! gap between the setups are what to compare.

use std::time::{Duration, Instant};

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
use diesel::dsl::sql;
use diesel::sql_types::{BigInt, Integer, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::future::join_all;

/// Clients sending requests at once.
const CLIENTS: usize = 32;
/// Load before counting starts: connections open, caches and plans warm.
const WARM_UP: Duration = Duration::from_secs(1);
/// How long completed requests are counted.
const MEASURE: Duration = Duration::from_secs(5);
/// Signed-in members whose feeds the clients read, in turn: a few sessions,
/// so no single session's row is the only one ever looked up.
const VIEWERS: usize = 4;
/// Tags in the vocabulary; every post carries three of them.
const TAGS: i32 = 50;

const FEED: &str = "query Feed { unreadPostCount posts(first: 20) { nodes { id title lead \
                    publishedAt author { displayName } tags { name } viewerHasRead \
                    reactionCounts { kind count } commentCount } } }";
const ME: &str = "{ me { roles } }";

/// The size of one setup's magazine.
struct Setup {
    name: &'static str,
    posts: i32,
    /// Members in all, each of whom read every other post (so half of the
    /// posts times this many reads).
    readers: i32,
    reactions_per_post: i32,
}

const SETUPS: [Setup; 2] = [
    Setup {
        name: "small",
        posts: 100,
        readers: 20,
        reactions_per_post: 10,
    },
    Setup {
        name: "scale",
        posts: 10_000,
        readers: 200,
        reactions_per_post: 10,
    },
];

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
        for setup in &SETUPS {
            run(setup).await;
        }
    });
}

async fn run(setup: &Setup) {
    let started = Instant::now();
    let mut app = TestApp::spawn_with(|settings| {
        // The production default pool, and no request giving up while it
        // queues for a connection.
        settings.pool.max_connections = alumni_core::db::DEFAULT_MAX_CONNECTIONS;
        settings.pool.acquire_timeout = Duration::from_secs(120);
        settings.pool.connect_timeout = Duration::from_secs(120);
    })
    .await;
    // Real accounts only for who signs in or is shown (password hashing is
    // slow on purpose); the other readers are plain rows added in SQL.
    app.create_member(&[Role::Secretariat]).await;
    let viewers: Vec<TestMember> =
        join_all((0..VIEWERS).map(|_| app.create_member(&[Role::Alumnus]))).await;
    let accounts = started.elapsed();

    let generating = Instant::now();
    let mut conn = app.database().connect().await;
    generate(&mut conn, setup).await;
    let counts = [
        "SELECT count(*) FROM content.posts",
        "SELECT count(*) FROM content.reads",
        "SELECT count(*) FROM content.reactions",
        "SELECT count(*) FROM content.post_tags",
    ];
    let mut counted = Vec::new();
    for query in counts {
        counted.push(count(&mut conn, query).await);
    }
    drop(conn);
    let generated = generating.elapsed();
    println!(
        "{}: {} posts, {} reads, {} reactions, {} post tags, {} members; set up in {:.1} s \
         (app and accounts {:.1} s, data {:.1} s)",
        setup.name,
        counted[0],
        counted[1],
        counted[2],
        counted[3],
        setup.readers,
        started.elapsed().as_secs_f64(),
        accounts.as_secs_f64(),
        generated.as_secs_f64()
    );

    let statements = check_page(&app, &viewers[0]).await;
    let floor = load(&app, &viewers, ME).await;
    let feed = load(&app, &viewers, FEED).await;
    println!(
        "{}: feed {:.0} req/s (p50 {:.1} ms, p95 {:.1} ms, {statements} SQL statements); \
         floor {:.0} req/s (p50 {:.1} ms, p95 {:.1} ms); feed/floor {:.3}",
        setup.name,
        feed.per_second,
        feed.p50.as_secs_f64() * 1000.0,
        feed.p95.as_secs_f64() * 1000.0,
        floor.per_second,
        floor.p50.as_secs_f64() * 1000.0,
        floor.p95.as_secs_f64() * 1000.0,
        feed.per_second / floor.per_second
    );
    // Stopped before the next setup so its background work does not
    // compete.
    app.shut_down().await;
}

/// Fills the magazine in SQL: members, tags, posts over the year before the
/// app's clock, each viewer having read every other post, reactions spread
/// over the readers. Then vacuums, as autovacuum would have by now, so the
/// planner has statistics and index-only scans their visibility map.
async fn generate(conn: &mut AsyncPgConnection, setup: &Setup) {
    let now = alumni_test_support::test_start();
    // Copies of a real account (its hash included) stand in for readers
    // who never sign in here.
    let extra = setup.readers - i32::try_from(VIEWERS + 1).expect("few viewers");
    diesel::sql_query(
        "INSERT INTO membership.members (id, email, password_hash, roles, created_at, updated_at)
         SELECT gen_random_uuid(), 'reader' || n || '@bench.example', m.password_hash,
                '{ALUMNUS}', m.created_at, m.updated_at
         FROM generate_series(1, $1) AS n,
              (SELECT password_hash, created_at, updated_at FROM membership.members LIMIT 1) AS m",
    )
    .bind::<Integer, _>(extra)
    .execute(conn)
    .await
    .expect("reader members");

    diesel::sql_query(
        "INSERT INTO membership.tags (id, slug, name, created_at)
         SELECT gen_random_uuid(), 'bench-' || n, 'Bench ' || n, $2
         FROM generate_series(1, $1) AS n",
    )
    .bind::<Integer, _>(TAGS)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await
    .expect("tags");

    // A tenth of the posts are for employees only, which alumni do not see,
    // so the audience filter has something to drop.
    diesel::sql_query(
        "INSERT INTO content.posts (id, title, lead, body, body_html, author_id, state,
                                    published_at, audience, search_text, search_grams,
                                    created_at, updated_at)
         SELECT gen_random_uuid(), 'Post ' || n, 'What post ' || n || ' is about.',
                'Body of post ' || n, '<p>Body of post ' || n || '</p>', a.id, 'PUBLISHED',
                t.at,
                CASE WHEN n % 10 = 0 THEN 'EMPLOYEES' WHEN n % 10 < 4 THEN 'ALUMNI'
                     ELSE 'EVERYONE' END,
                '', '{}', t.at, t.at
         FROM generate_series(1, $1) AS n
         CROSS JOIN LATERAL (SELECT $2 - make_interval(secs => n * 31536000.0 / $1) AS at) AS t
         CROSS JOIN (SELECT id FROM membership.members
                     WHERE 'SECRETARIAT' = ANY (roles) LIMIT 1) AS a",
    )
    .bind::<Integer, _>(setup.posts)
    .bind::<Timestamptz, _>(now)
    .execute(conn)
    .await
    .expect("posts");

    diesel::sql_query(
        "INSERT INTO content.post_tags (post_id, tag_id)
         SELECT p.id, t.id
         FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM content.posts) AS p
         JOIN (SELECT id, row_number() OVER (ORDER BY slug) - 1 AS k FROM membership.tags) AS t
           ON t.k IN (p.n % $1, (p.n + 17) % $1, (p.n + 34) % $1)",
    )
    .bind::<BigInt, _>(i64::from(TAGS))
    .execute(conn)
    .await
    .expect("post tags");

    // Posts numbered newest first, members in any fixed order: member m
    // read post p when p + m is even, so every member read every other
    // post and the first page mixes read and unread.
    diesel::sql_query(
        "INSERT INTO content.reads (post_id, member_id, first_read_at, last_read_at)
         SELECT p.id, m.id, p.published_at + interval '1 hour', p.published_at + interval '1 day'
         FROM (SELECT id, published_at,
                      row_number() OVER (ORDER BY published_at DESC, id DESC) AS n
               FROM content.posts) AS p
         JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM membership.members) AS m
           ON (p.n + m.n) % 2 = 0",
    )
    .execute(conn)
    .await
    .expect("reads");

    diesel::sql_query(
        "INSERT INTO content.reactions (post_id, member_id, kind, created_at)
         SELECT p.id, m.id, (ARRAY['LIKE', 'LEARNED', 'THANKS'])[1 + k % 3],
                p.published_at + interval '2 hours'
         FROM (SELECT id, published_at, row_number() OVER (ORDER BY id) AS n
               FROM content.posts) AS p
         CROSS JOIN generate_series(0, $1 - 1) AS k
         JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM membership.members) AS m
           ON m.n = 1 + (p.n * 7 + k) % $2",
    )
    .bind::<Integer, _>(setup.reactions_per_post)
    .bind::<Integer, _>(setup.readers)
    .execute(conn)
    .await
    .expect("reactions");

    diesel::sql_query("VACUUM (ANALYZE)")
        .execute(conn)
        .await
        .expect("vacuum");
}

async fn count(conn: &mut AsyncPgConnection, query: &str) -> i64 {
    diesel::select(sql::<BigInt>(&format!("({query})")))
        .get_result(conn)
        .await
        .expect("count")
}

/// Fails the run unless the page is what the numbers claim to measure: 20
/// posts, with the author's name and tags, some read and some not.
/// Returns the SQL statements the page took.
async fn check_page(app: &TestApp, viewer: &TestMember) -> u64 {
    let client = app.client_as(viewer);
    let (response, statements) = app.count_statements(client.query(FEED)).await;
    let nodes = response.data()["posts"]["nodes"]
        .as_array()
        .expect("feed nodes");
    assert_eq!(nodes.len(), 20, "a full first page");
    let read = nodes
        .iter()
        .filter(|node| node["viewerHasRead"] == true)
        .count();
    assert!(
        read > 0 && read < nodes.len(),
        "read and unread posts mixed"
    );
    assert!(
        nodes
            .iter()
            .all(|node| node["tags"].as_array().map(Vec::len) == Some(3)),
        "three tags a post"
    );
    assert!(
        nodes
            .iter()
            .all(|node| node["author"]["displayName"].is_string()),
        "authors shown"
    );
    statements
}

/// Completed requests per second, and their latency.
struct Load {
    per_second: f64,
    p50: Duration,
    p95: Duration,
}

/// [`CLIENTS`] clients sending `query` back to back, each as one of
/// `viewers` in turn; counts what completes within [`MEASURE`] after
/// [`WARM_UP`].
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
