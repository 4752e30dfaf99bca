//! Slow and numerous clients: partial requests, idle connections and
//! trickling bodies are cut off after their timeouts, the connection limit
//! keeps room for health checks, and shutdown ends within its deadline
//! whoever is still connected.

use std::time::{Duration, Instant};

use alumni_core::Role;
use alumni_test_support::{SocketEvent, TestApp};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

async fn connect(app: &TestApp) -> TcpStream {
    let address = app.base_url().trim_start_matches("http://").to_owned();
    TcpStream::connect(address).await.expect("connect")
}

/// Reads until the server closes the connection; returns what it sent.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let outcome = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut received));
    outcome
        .await
        .expect("the server should close the connection")
        .ok();
    String::from_utf8_lossy(&received).into_owned()
}

/// Reads one response (headers and a small body) without waiting for the
/// connection to close.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut buffer = vec![0_u8; 16 * 1024];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buffer))
        .await
        .expect("a response in time")
        .expect("read");
    String::from_utf8_lossy(&buffer[..read]).into_owned()
}

fn settings_for_timeouts(settings: &mut alumni_gateway::AppSettings) {
    settings.server.header_timeout = Duration::from_millis(300);
    settings.http.body_timeout = Duration::from_millis(300);
}

#[tokio::test]
async fn a_request_whose_headers_never_end_is_closed() {
    let app = TestApp::spawn_with(settings_for_timeouts).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: appl")
        .await
        .unwrap();
    let started = Instant::now();
    read_until_closed(&mut stream).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let app = TestApp::spawn_with(settings_for_timeouts).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /livez HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    assert!(read_response(&mut stream).await.starts_with("HTTP/1.1 200"));
    // Nothing more is sent: the connection is closed after the timeout.
    assert_eq!(read_until_closed(&mut stream).await, "");
}

#[tokio::test]
async fn a_body_that_trickles_is_refused_with_timeout() {
    let app = TestApp::spawn_with(settings_for_timeouts).await;
    let mut stream = connect(&app).await;
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":",
        )
        .await
        .unwrap();
    let response = read_response(&mut stream).await;
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("\"TIMEOUT\""), "{response}");
}

#[tokio::test]
async fn the_connection_limit_keeps_room_for_health_checks() {
    let app = TestApp::spawn_with(|settings| {
        settings.server.max_connections = 4;
        settings.server.health_reserve = 1;
    })
    .await;
    // Three ordinary connections, kept open.
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = connect(&app).await;
        stream
            .write_all(b"GET /livez HTTP/1.1\r\nHost: test\r\n\r\n")
            .await
            .unwrap();
        assert!(read_response(&mut stream).await.starts_with("HTTP/1.1 200"));
        held.push(stream);
    }

    // The last one serves health checks only.
    let mut crowded = connect(&app).await;
    crowded
        .write_all(b"GET /schema.graphql HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    let refused = read_until_closed(&mut crowded).await;
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("SERVER_BUSY"), "{refused}");
    let mut health = connect(&app).await;
    health
        .write_all(b"GET /livez HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    assert!(read_response(&mut health).await.starts_with("HTTP/1.1 200"));

    // Beyond the limit, a connection is closed at once.
    let quiet = connect(&app).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut beyond = connect(&app).await;
    let _ = beyond
        .write_all(b"GET /livez HTTP/1.1\r\nHost: test\r\n\r\n")
        .await;
    assert_eq!(read_until_closed(&mut beyond).await, "");

    // Room again once others leave.
    drop(held);
    drop(quiet);
    let client = app.client();
    let mut answered = false;
    for _ in 0..50 {
        if client.get("/schema.graphql").await.status() == 200 {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(answered);
}

#[tokio::test]
async fn shutdown_ends_within_its_deadline_and_closes_sockets_properly() {
    let mut app = TestApp::spawn_with(|settings| {
        settings.server.shutdown_deadline = Duration::from_millis(500);
        settings.server.header_timeout = Duration::from_secs(60);
    })
    .await;
    let member = app.create_member(&[Role::Alumnus]).await;
    let mut socket = app.client_as(&member).connect_socket().await;
    // A client that started a request and went quiet.
    let mut slow = connect(&app).await;
    slow.write_all(b"POST /graphql HTTP/1.1\r\nHost: test\r\n")
        .await
        .unwrap();

    let started = Instant::now();
    app.shut_down().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    match socket.next_event().await {
        SocketEvent::Closed(code, reason) => assert_eq!(code, 1001, "{reason}"),
        SocketEvent::Message(message) => panic!("expected a close, got {message:#}"),
    }
    let address = app.base_url().trim_start_matches("http://").to_owned();
    assert!(
        TcpStream::connect(address).await.is_err(),
        "still listening"
    );
}
