//! Accepting connections: the HTTP/1.1 server around the router, with the
//! bounds a server facing slow or hostile clients needs.
//!
//! - **Header timeout.** A request's headers must arrive within
//!   [`ServerSettings::header_timeout`]; the same timer closes keep-alive
//!   connections that sit idle that long (hyper starts it whenever the
//!   connection waits for a request head). Bodies are bounded by the
//!   handlers (`ALUMNI_BODY_TIMEOUT_MS`) and every request by the request
//!   timeout.
//! - **Connection limit with room for health checks.** At most
//!   [`ServerSettings::max_connections`] connections are open. The last
//!   [`ServerSettings::health_reserve`] of them serve only `/livez` and
//!   `/readyz` (anything else answers `503 SERVER_BUSY` and the connection
//!   closes), so an orchestrator can still see the process while clients
//!   hold the rest; beyond the limit, connections are closed at once instead
//!   of queueing in the kernel until file descriptors run out.
//! - **Shutdown with a deadline.** On the signal the server stops
//!   accepting, asks every connection to finish its request and close,
//!   closes WebSockets with `1001 Going Away`, and after
//!   [`ServerSettings::shutdown_deadline`] drops whatever is left, so one
//!   slow client cannot hold the process.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt as _;

/// Bounds of the server around the router.
#[derive(Debug, Clone, Copy)]
pub struct ServerSettings {
    /// Longest time to receive a request's headers, and to keep an idle
    /// keep-alive connection open.
    pub header_timeout: Duration,
    /// Most connections open at once.
    pub max_connections: usize,
    /// Connections at the top of the limit kept for health checks.
    pub health_reserve: usize,
    /// Longest a shutdown waits for requests in flight before dropping
    /// the connections left.
    pub shutdown_deadline: Duration,
}

/// Default time to receive a request's headers.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Default most connections at once: below the usual limit of 1,024 open
/// files, leaving room for the pool and the log.
pub const DEFAULT_MAX_CONNECTIONS: usize = 900;
/// Default connections kept for health checks.
pub const DEFAULT_HEALTH_RESERVE: usize = 10;
/// Default time a shutdown waits for requests in flight.
pub const DEFAULT_SHUTDOWN_DEADLINE: Duration = Duration::from_secs(10);

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            health_reserve: DEFAULT_HEALTH_RESERVE,
            shutdown_deadline: DEFAULT_SHUTDOWN_DEADLINE,
        }
    }
}

/// Serves `router` on `listener` until `signal` resolves, then shuts down
/// within the deadline (see the module docs).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    lifecycle: Lifecycle,
    settings: ServerSettings,
    signal: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(settings.max_connections));
    let (stop_connections, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(signal);
    loop {
        tokio::select! {
            () = &mut signal => break,
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors, or a connection reset
                        // before it was accepted: wait a moment, go on.
                        tracing::warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(slot) = slots.clone().try_acquire_owned() else {
                    tracing::warn!(%peer, "connection limit reached; closing a new connection");
                    continue;
                };
                let health_only = slots.available_permits() < settings.health_reserve;
                connections.spawn(serve_connection(
                    stream,
                    peer,
                    router.clone(),
                    settings,
                    health_only,
                    stopping.clone(),
                    slot,
                ));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = stop_connections.send(true);
    lifecycle.begin_shutdown();
    let drained = async {
        while connections.join_next().await.is_some() {}
        lifecycle.sockets_closed().await;
    };
    if tokio::time::timeout(settings.shutdown_deadline, drained)
        .await
        .is_err()
    {
        tracing::warn!(
            remaining = connections.len(),
            "shutdown deadline reached; closing the connections left"
        );
        connections.shutdown().await;
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    settings: ServerSettings,
    health_only: bool,
    mut stopping: watch::Receiver<bool>,
    _slot: tokio::sync::OwnedSemaphorePermit,
) {
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let router = router.clone();
        async move {
            if health_only && !is_health_check(request.uri().path()) {
                return Ok::<_, Infallible>(busy());
            }
            let request = request.map(Body::new);
            router.oneshot(request).await
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout)
        .keep_alive(!health_only);
    let connection = builder
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(connection);
    tokio::select! {
        outcome = connection.as_mut() => log_connection_end(outcome),
        () = stopped(&mut stopping) => {
            connection.as_mut().graceful_shutdown();
            log_connection_end(connection.await);
        }
    }
}

/// Resolves once the server stops (or is gone).
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    let _ = stopping.wait_for(|stop| *stop).await;
}

fn log_connection_end(outcome: Result<(), hyper::Error>) {
    if let Err(error) = outcome {
        // Timeouts and clients that hang up are everyday events.
        tracing::debug!(%error, "connection ended with an error");
    }
}

fn is_health_check(path: &str) -> bool {
    matches!(path, "/livez" | "/readyz")
}

fn busy() -> Response {
    let body = json!({ "errors": [{
        "message": "the server is at its connection limit; try again shortly",
        "extensions": { "code": "SERVER_BUSY" },
    }]});
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONNECTION, "close"), (header::RETRY_AFTER, "1")],
        axum::Json(body),
    )
        .into_response()
}

/// The application's life as its routes see it: whether it is shutting
/// down, and how many WebSockets are still open (they outlive the HTTP
/// connection they were upgraded from, so the server counts them here).
#[derive(Clone, Debug)]
pub struct Lifecycle(Arc<LifecycleInner>);

#[derive(Debug)]
struct LifecycleInner {
    stopping: watch::Sender<bool>,
    open_sockets: watch::Sender<usize>,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self(Arc::new(LifecycleInner {
            stopping: watch::channel(false).0,
            open_sockets: watch::channel(0).0,
        }))
    }
}

impl Lifecycle {
    /// Tells every open WebSocket to close.
    pub fn begin_shutdown(&self) {
        self.0.stopping.send_replace(true);
    }

    /// Resolves once the shutdown has begun.
    pub async fn stopping(&self) {
        let mut stopping = self.0.stopping.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail.
        let _ = stopping.wait_for(|stop| *stop).await;
    }

    /// Counts a WebSocket as open until the returned guard is dropped.
    pub fn socket_opened(&self) -> OpenSocket {
        self.0.open_sockets.send_modify(|open| *open += 1);
        OpenSocket(self.clone())
    }

    /// Resolves once no WebSocket is open.
    pub async fn sockets_closed(&self) {
        let mut open = self.0.open_sockets.subscribe();
        let _ = open.wait_for(|open| *open == 0).await;
    }
}

/// An open WebSocket, counted by its [`Lifecycle`] while it lives.
#[derive(Debug)]
pub struct OpenSocket(Lifecycle);

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.0
            .0
            .open_sockets
            .send_modify(|open| *open = open.saturating_sub(1));
    }
}
