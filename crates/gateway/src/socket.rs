//! GraphQL subscriptions over WebSocket, speaking `graphql-transport-ws`
//! (the protocol of the `graphql-ws` client library, GraphiQL and Apollo).
//!
//! A socket lives for hours, so it must not outlive the rights it was
//! opened with:
//!
//! - **Subscriptions only.** Queries and mutations go over HTTP, where
//!   every limit, throttle and per-request allowance applies; a socket
//!   answers them with an `error` message. Messages are bounded by the
//!   same size limit as HTTP bodies.
//! - **Every operation is authorised afresh.** The token from
//!   `connection_init` is checked again for each `subscribe`, exactly as
//!   an HTTP request checks its bearer token, so a subscription starts
//!   with the session's current roles and standing.
//! - **Ended sessions close their sockets.** [`SessionWatch`] re-checks
//!   the sessions of every open socket of the process in one statement
//!   per interval. A session that was ended (sign-out, "sign out
//!   everywhere", suspension, withdrawal) or expired closes its sockets
//!   with `4401`; a member whose roles, standing or terms changed gets
//!   `4403`, and a client that reconnects is authorised as they stand
//!   now.
//! - **Silent connections are closed**: without `connection_init` within
//!   the configured time, with `4408`.
//!
//! The per-operation data (viewer and loaders, which batch but do not
//! cache, since a subscription's events are hours apart) is built for each
//! subscription, never shared between viewers.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use alumni_core::{Identity, SessionId, Viewer};
use alumni_membership::MembershipService;
use async_graphql::parser::types::OperationType;
use async_graphql::{Response, ServerError, Variables};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::stream::{self, BoxStream, StreamExt as _};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio_stream::StreamMap;

use crate::graphql_http;
use crate::http::AppState;

/// The one subprotocol spoken.
pub const SUBPROTOCOL: &str = "graphql-transport-ws";

/// Limits and timings of WebSocket connections.
#[derive(Debug, Clone, Copy)]
pub struct SocketSettings {
    /// How long a new connection may take to send `connection_init`.
    pub init_timeout: Duration,
    /// How often the sessions of open sockets are re-checked.
    pub session_check_interval: Duration,
    /// Most subscriptions one connection may hold at once.
    pub max_subscriptions: usize,
}

/// Default time a connection has to send `connection_init`.
pub const DEFAULT_INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default interval between re-checks of open sockets' sessions.
pub const DEFAULT_SESSION_CHECK_INTERVAL: Duration = Duration::from_secs(2);
/// Default most subscriptions per connection.
pub const DEFAULT_MAX_SUBSCRIPTIONS: usize = 50;

impl Default for SocketSettings {
    fn default() -> Self {
        Self {
            init_timeout: DEFAULT_INIT_TIMEOUT,
            session_check_interval: DEFAULT_SESSION_CHECK_INTERVAL,
            max_subscriptions: DEFAULT_MAX_SUBSCRIPTIONS,
        }
    }
}

/// Why the server closes a socket: a close code of the protocol and its
/// reason.
type Close = (u16, String);

fn close(code: u16, reason: impl Into<String>) -> Close {
    (code, reason.into())
}

/// A message from the client.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Value>,
    },
    Subscribe {
        id: String,
        /// The operation, read by [`graphql_http::params_of`] as a POST
        /// body is.
        payload: serde_json::Map<String, Value>,
    },
    Complete {
        id: String,
    },
    Ping {
        #[serde(default)]
        payload: Option<Value>,
    },
    Pong {},
}

/// What one subscription's stream yields: its responses, then its end.
enum Event {
    Response {
        first: bool,
        response: Box<Response>,
    },
    End,
}

/// Serves one upgraded connection until either side closes it, or the
/// server shuts down (`1001 Going Away`).
pub(crate) async fn serve(mut socket: WebSocket, state: AppState) {
    let lifecycle = state.lifecycle().clone();
    let _open = lifecycle.socket_opened();
    let outcome = tokio::select! {
        outcome = Connection::new(state).run(&mut socket) => outcome,
        () = lifecycle.stopping() => Some(close(1001, "the server is shutting down")),
    };
    if let Some((code, reason)) = outcome {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        // The client may already be gone; there is nobody left to tell.
        let _ = socket.send(Message::Close(Some(frame))).await;
    }
}

struct Connection {
    state: AppState,
    token: Option<String>,
    subscriptions: StreamMap<String, BoxStream<'static, Event>>,
}

impl Connection {
    fn new(state: AppState) -> Self {
        Self {
            state,
            token: None,
            subscriptions: StreamMap::new(),
        }
    }

    /// Runs the protocol; returns how to close, or `None` when the client
    /// went away.
    async fn run(mut self, socket: &mut WebSocket) -> Option<Close> {
        let settings = self.state.socket_settings();
        let init = tokio::time::timeout(settings.init_timeout, self.await_init(socket)).await;
        let payload = match init {
            Err(_) => return Some(close(4408, "Connection initialisation timeout")),
            Ok(Err(outcome)) => return outcome,
            Ok(Ok(payload)) => payload,
        };
        self.token = credentials(&payload);
        let viewer = match current_viewer(&self.state, self.token.as_deref()).await {
            Ok(viewer) => viewer,
            Err(outcome) => return Some(outcome),
        };
        send(socket, json!({ "type": "connection_ack" })).await?;
        let mut ticket = match &viewer {
            Viewer::Member(identity) => Some(self.state.session_watch().watch(identity.clone())),
            _ => None,
        };
        loop {
            tokio::select! {
                verdict = wait_for_verdict(&mut ticket) => return Some(verdict),
                incoming = socket.recv() => {
                    let message = match read(incoming)? {
                        Ok(message) => message,
                        Err(outcome) => return Some(outcome),
                    };
                    if let Err(outcome) = self.handle(socket, message).await {
                        return outcome;
                    }
                }
                Some((id, event)) = self.subscriptions.next(), if !self.subscriptions.is_empty() => {
                    self.forward(socket, id, event).await?;
                }
            }
        }
    }

    /// Waits for `connection_init`, answering pings on the way; a
    /// `subscribe` before it is refused as the protocol says.
    async fn await_init(&mut self, socket: &mut WebSocket) -> Result<Value, Option<Close>> {
        loop {
            let message = read(socket.recv().await).ok_or(None)?.map_err(Some)?;
            match message {
                ClientMessage::ConnectionInit { payload } => return Ok(payload.unwrap_or_default()),
                ClientMessage::Ping { payload } => pong(socket, payload).await.ok_or(None)?,
                ClientMessage::Pong {} => {}
                ClientMessage::Subscribe { .. } | ClientMessage::Complete { .. } => {
                    return Err(Some(close(4401, "Unauthorized")));
                }
            }
        }
    }

    async fn handle(
        &mut self,
        socket: &mut WebSocket,
        message: ClientMessage,
    ) -> Result<(), Option<Close>> {
        match message {
            ClientMessage::ConnectionInit { .. } => {
                Err(Some(close(4429, "Too many initialisation requests")))
            }
            ClientMessage::Ping { payload } => pong(socket, payload).await.ok_or(None),
            ClientMessage::Pong {} => Ok(()),
            ClientMessage::Complete { id } => {
                self.subscriptions.remove(&id);
                Ok(())
            }
            ClientMessage::Subscribe { id, payload } => self.subscribe(socket, id, payload).await,
        }
    }

    async fn subscribe(
        &mut self,
        socket: &mut WebSocket,
        id: String,
        payload: serde_json::Map<String, Value>,
    ) -> Result<(), Option<Close>> {
        if self.subscriptions.contains_key(&id) {
            return Err(Some(close(
                4409,
                format!("Subscriber for {id} already exists"),
            )));
        }
        let max = self.state.socket_settings().max_subscriptions;
        if self.subscriptions.len() >= max {
            let refusal = request_error(
                "TOO_MANY_SUBSCRIPTIONS",
                format!("a connection holds at most {max} subscriptions; complete one first"),
            );
            return operation_error(socket, &id, vec![refusal])
                .await
                .ok_or(None);
        }
        // Authorised as the session stands now, as over HTTP.
        let viewer = current_viewer(&self.state, self.token.as_deref())
            .await
            .map_err(Some)?;
        // The same documents run as over HTTP: persisted, or (in trusted
        // mode) only the trusted ones.
        let document = graphql_http::params_of(payload).and_then(|params| {
            let document = self.state.documents().resolve(&params)?;
            Ok((document, params))
        });
        let (document, params) = match document {
            Ok(resolved) => resolved,
            Err(error) => {
                let refusal = request_error(error.code, error.message);
                return operation_error(socket, &id, vec![refusal])
                    .await
                    .ok_or(None);
            }
        };
        let mut request = async_graphql::Request::new(&*document);
        request.operation_name = params.operation_name;
        if let Some(variables) = params.variables {
            request.variables = Variables::from_json(Value::Object(variables));
        }
        let operation_name = request.operation_name.clone();
        let operation_type = match request.parsed_query() {
            Ok(document) => graphql_http::operation_type(document, operation_name.as_deref()),
            // The schema reports parse errors with their code.
            Err(_) => None,
        };
        if matches!(
            operation_type,
            Some(OperationType::Query | OperationType::Mutation)
        ) {
            let refusal = request_error(
                "BAD_REQUEST",
                "this socket serves subscriptions only; send queries and mutations to POST /graphql"
                    .to_owned(),
            );
            return operation_error(socket, &id, vec![refusal])
                .await
                .ok_or(None);
        }
        self.state
            .domains()
            .attach(&mut request.data, &viewer, false);
        let events = self
            .state
            .schema()
            .execute_stream(request)
            .enumerate()
            .map(|(index, response)| Event::Response {
                first: index == 0,
                response: Box::new(response),
            })
            .chain(stream::once(async { Event::End }))
            .boxed();
        self.subscriptions.insert(id, events);
        Ok(())
    }

    /// Sends one event of subscription `id`. An operation refused before it
    /// produced anything (invalid, unauthorised, not found) gets an `error`
    /// message and ends, as the protocol says; later results are `next`.
    async fn forward(&mut self, socket: &mut WebSocket, id: String, event: Event) -> Option<()> {
        match event {
            Event::Response { first, response } => {
                if first && response.data == async_graphql::Value::Null && response.is_err() {
                    self.subscriptions.remove(&id);
                    return operation_error(socket, &id, response.errors).await;
                }
                send(
                    socket,
                    json!({ "type": "next", "id": id, "payload": response }),
                )
                .await
            }
            Event::End => send(socket, json!({ "type": "complete", "id": id })).await,
        }
    }
}

/// The bearer credentials of a `connection_init` payload
/// (`{"Authorization": "Bearer …"}`; browsers cannot set headers on
/// WebSocket requests).
fn credentials(payload: &Value) -> Option<String> {
    ["Authorization", "authorization"]
        .iter()
        .find_map(|key| payload.get(*key).and_then(Value::as_str))
        .map(str::to_owned)
}

/// The viewer `token` stands for now. A token that no longer signs in
/// closes the socket; an unreachable database asks the client to try again
/// later.
async fn current_viewer(state: &AppState, token: Option<&str>) -> Result<Viewer, Close> {
    let Some(token) = token else {
        return Ok(Viewer::Anonymous);
    };
    let membership: &MembershipService = &state.services().membership;
    match crate::http::authenticate_credentials(membership, token).await {
        Ok(Viewer::RejectedSession(rejection)) => Err(close(4401, rejection.message())),
        Ok(viewer) => Ok(viewer),
        Err(_) => Err(close(1013, "the service is temporarily unavailable")),
    }
}

/// Reads one client message: `None` when the connection ended, `Err` with
/// the close for a message that breaks the protocol.
fn read(incoming: Option<Result<Message, axum::Error>>) -> Option<Result<ClientMessage, Close>> {
    let message = match incoming? {
        Ok(message) => message,
        // Oversized messages and broken frames end here.
        Err(error) => return Some(Err(close(1009, bounded_reason(&error.to_string())))),
    };
    let text = match message {
        Message::Text(text) => text,
        Message::Close(_) => return None,
        Message::Ping(_) | Message::Pong(_) => {
            return Some(Err(close(4400, "expected a graphql-transport-ws message")));
        }
        Message::Binary(_) => {
            return Some(Err(close(
                4400,
                "binary messages are not part of the protocol",
            )));
        }
    };
    Some(
        serde_json::from_str(text.as_str())
            .map_err(|error| close(4400, bounded_reason(&format!("invalid message: {error}")))),
    )
}

/// Close reasons must fit a control frame (123 bytes).
fn bounded_reason(reason: &str) -> String {
    let mut end = reason.len().min(120);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_owned()
}

async fn send(socket: &mut WebSocket, message: Value) -> Option<()> {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .ok()
}

async fn pong(socket: &mut WebSocket, payload: Option<Value>) -> Option<()> {
    let mut message = json!({ "type": "pong" });
    if let Some(payload) = payload {
        message["payload"] = payload;
    }
    send(socket, message).await
}

async fn operation_error(socket: &mut WebSocket, id: &str, errors: Vec<ServerError>) -> Option<()> {
    send(
        socket,
        json!({ "type": "error", "id": id, "payload": errors }),
    )
    .await
}

fn request_error(code: &'static str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

/// Waits until the watch has a verdict on the connection's session; never
/// returns for connections without a session.
async fn wait_for_verdict(ticket: &mut Option<WatchTicket>) -> Close {
    let Some(ticket) = ticket else {
        return std::future::pending().await;
    };
    match (&mut ticket.verdict).await {
        Ok(Verdict::Ended(reason)) => close(4401, reason),
        Ok(Verdict::Changed) => close(
            4403,
            "your roles or standing changed; reconnect to continue",
        ),
        // The watch is gone only when the application is.
        Err(_) => close(1001, "the server is going away"),
    }
}

/// What became of a watched session.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// It no longer signs in (ended, expired, member suspended or gone).
    Ended(&'static str),
    /// It still signs in, but the member's roles, standing or terms
    /// acceptance differ from when the socket was opened.
    Changed,
}

/// Re-checks the sessions of every open socket of the process, all in one
/// statement per interval, and tells each socket whose session ended or
/// changed. One per application.
#[derive(Clone)]
pub struct SessionWatch {
    inner: Arc<WatchInner>,
}

struct WatchInner {
    membership: MembershipService,
    interval: Duration,
    watched: Mutex<HashMap<u64, Watched>>,
    next_ticket: AtomicU64,
    checker: OnceLock<()>,
}

struct Watched {
    identity: Identity,
    verdict: oneshot::Sender<Verdict>,
}

/// A socket's place in the watch; leaving it (on drop) stops the watching.
struct WatchTicket {
    id: u64,
    watch: Weak<WatchInner>,
    verdict: oneshot::Receiver<Verdict>,
}

impl Drop for WatchTicket {
    fn drop(&mut self) {
        if let Some(watch) = self.watch.upgrade() {
            watch.lock().remove(&self.id);
        }
    }
}

impl WatchInner {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Watched>> {
        // A panic while holding the lock leaves a plain map behind, still
        // consistent enough to keep watching.
        self.watched
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl SessionWatch {
    /// A watch that checks every `interval`; its checker starts with the
    /// first socket.
    pub fn new(membership: MembershipService, interval: Duration) -> Self {
        Self {
            inner: Arc::new(WatchInner {
                membership,
                interval,
                watched: Mutex::new(HashMap::new()),
                next_ticket: AtomicU64::new(0),
                checker: OnceLock::new(),
            }),
        }
    }

    fn watch(&self, identity: Identity) -> WatchTicket {
        self.inner.checker.get_or_init(|| {
            tokio::spawn(check_sessions(Arc::downgrade(&self.inner)));
        });
        let id = self.inner.next_ticket.fetch_add(1, Ordering::Relaxed);
        let (sender, verdict) = oneshot::channel();
        self.inner.lock().insert(
            id,
            Watched {
                identity,
                verdict: sender,
            },
        );
        WatchTicket {
            id,
            watch: Arc::downgrade(&self.inner),
            verdict,
        }
    }
}

/// The checker: runs until the application (and with it the watch) is
/// dropped.
async fn check_sessions(watch: Weak<WatchInner>) {
    let interval = match watch.upgrade() {
        Some(watch) => watch.interval,
        None => return,
    };
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(watch) = watch.upgrade() else {
            return;
        };
        let mut sessions: Vec<SessionId> = watch
            .lock()
            .values()
            .map(|watched| watched.identity.session_id)
            .collect();
        if sessions.is_empty() {
            continue;
        }
        sessions.sort_unstable();
        sessions.dedup();
        let current = match watch.membership.current_viewers(&sessions).await {
            Ok(current) => current,
            Err(error) => {
                // Sockets stay open while the database cannot be asked;
                // the next tick asks again.
                tracing::warn!(error = %error, "could not re-check WebSocket sessions");
                continue;
            }
        };
        let mut watched = watch.lock();
        let decided: Vec<(u64, Verdict)> = watched
            .iter()
            .filter_map(|(id, watched)| {
                let verdict = match current.get(&watched.identity.session_id) {
                    Some(Viewer::Member(identity)) if *identity == watched.identity => None,
                    Some(Viewer::Member(_)) => Some(Verdict::Changed),
                    Some(Viewer::RejectedSession(rejection)) => {
                        Some(Verdict::Ended(rejection.message()))
                    }
                    Some(Viewer::Anonymous) | None => None,
                };
                verdict.map(|verdict| (*id, verdict))
            })
            .collect();
        for (id, verdict) in decided {
            if let Some(entry) = watched.remove(&id) {
                // The socket may have closed meanwhile; then nobody listens.
                let _ = entry.verdict.send(verdict);
            }
        }
    }
}
