//! Registration throughput under contention: many members register for the
//! same event at once, over HTTP against the real router and a database of
//! its own, so every registration queues on the event's row lock.
//!
//! Run with `just bench` (or `cargo bench -p alumni-events --bench
//! registration`). Prints registrations per second for each round and the
//! median, beside the floor: the same members sending the cheapest
//! authenticated request (`me { roles }`) at the same concurrency, in the same
//! round, so the ratio shows what the registration itself costs on top of
//! HTTP, GraphQL and the session. Account creation (deliberately slow
//! password hashing) happens before the clock starts.

use std::time::{Duration, Instant};

use alumni_core::Role;
use alumni_test_support::{TestApp, TestMember};
use futures_util::future::join_all;
use serde_json::json;

/// Members registering at once in each round.
const REGISTRANTS: usize = 400;
/// Seats of each round's event; the rest are waitlisted.
const SEATS: usize = 100;
/// Rounds, each on a fresh event.
const ROUNDS: usize = 5;

const CREATE: &str = "mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }";
const PUBLISH: &str = "mutation($id: ID!) { publishEvent(id: $id) { id } }";
const ME: &str = "{ me { roles } }";
const REGISTER: &str =
    "mutation($id: ID!) { registerForEvent(eventId: $id) { status waitlistPosition } }";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let app = TestApp::spawn_with(|settings| {
        // The production default pool, and no request giving up while it
        // queues for a connection.
        settings.pool.max_connections = alumni_core::db::DEFAULT_MAX_CONNECTIONS;
        settings.pool.acquire_timeout = Duration::from_secs(120);
        settings.pool.connect_timeout = Duration::from_secs(120);
    })
    .await;
    let secretariat = app.create_member(&[Role::Secretariat]).await;
    let members: Vec<TestMember> =
        join_all((0..REGISTRANTS).map(|_| app.create_member(&[Role::Alumnus]))).await;

    let mut rates = Vec::new();
    let mut ratios = Vec::new();
    for round in 1..=ROUNDS {
        let floor = floor_rate(&app, &members).await;
        let event = new_event(&app, &secretariat).await;
        let started = Instant::now();
        let registrations = members.iter().map(|member| {
            let client = app.client_as(member);
            let event = event.clone();
            tokio::spawn(async move { client.query_with(REGISTER, json!({ "id": event })).await })
        });
        let outcomes = join_all(registrations).await;
        let elapsed = started.elapsed();
        let confirmed = outcomes
            .iter()
            .filter(|outcome| {
                outcome.as_ref().expect("registration task").data()["registerForEvent"]["status"]
                    == "CONFIRMED"
            })
            .count();
        assert_eq!(confirmed, SEATS, "never overbooked");
        let rate = REGISTRANTS as f64 / elapsed.as_secs_f64();
        println!(
            "round {round}: {REGISTRANTS} concurrent registrations for {SEATS} seats in {:.0} ms: {rate:.0} registrations/s; floor ({REGISTRANTS} concurrent `me`): {floor:.0}/s; ratio {:.2}",
            elapsed.as_secs_f64() * 1000.0,
            rate / floor
        );
        rates.push(rate);
        ratios.push(rate / floor);
    }
    rates.sort_by(f64::total_cmp);
    ratios.sort_by(f64::total_cmp);
    println!(
        "registrations/s on one contended event: min {:.0}, median {:.0}, max {:.0}; of the floor: min {:.2}, median {:.2}, max {:.2} ({} CPU cores)",
        rates[0],
        rates[rates.len() / 2],
        rates[rates.len() - 1],
        ratios[0],
        ratios[ratios.len() / 2],
        ratios[ratios.len() - 1],
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
}

/// Requests per second of every member asking `me { roles }` at once.
async fn floor_rate(app: &TestApp, members: &[TestMember]) -> f64 {
    let started = Instant::now();
    let requests = members.iter().map(|member| {
        let client = app.client_as(member);
        tokio::spawn(async move { client.query(ME).await })
    });
    for outcome in join_all(requests).await {
        outcome.expect("floor request").data();
    }
    members.len() as f64 / started.elapsed().as_secs_f64()
}

async fn new_event(app: &TestApp, secretariat: &TestMember) -> String {
    let now = alumni_core::Clock::now(app.clock.as_ref());
    let starts_at = now + chrono::Duration::days(7);
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
    let client = app.client_as(secretariat);
    let created = client.query_with(CREATE, json!({ "input": input })).await;
    let id = created.data()["createEvent"]["id"]
        .as_str()
        .expect("event id")
        .to_owned();
    client.query_with(PUBLISH, json!({ "id": id })).await.data();
    id
}
