//! GraphQL over WebSocket (`graphql-transport-ws`), as a browser client
//! speaks it, with access to the raw protocol for tests that break it.

use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::client::TestClient;

/// Longest wait for a message before the test fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(15);

/// One WebSocket connection to `/graphql/ws`.
pub struct TestSocket {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// One subscription on its own connection.
pub struct TestSubscription {
    socket: TestSocket,
}

/// What the server did next on a socket.
#[derive(Debug)]
pub enum SocketEvent {
    /// A protocol message.
    Message(Value),
    /// The server closed the connection with this code and reason.
    Closed(u16, String),
}

impl TestClient {
    /// Opens `/graphql/ws` without sending anything.
    pub async fn open_socket(&self) -> TestSocket {
        let url = format!(
            "{}/graphql/ws",
            self.base_url().replacen("http://", "ws://", 1)
        );
        let mut request = url.into_client_request().expect("WebSocket request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("open WebSocket");
        TestSocket { socket }
    }

    /// Opens `/graphql/ws` and authenticates with the client's token in the
    /// `connection_init` payload.
    pub async fn connect_socket(&self) -> TestSocket {
        let mut socket = self.open_socket().await;
        let payload = match self.token() {
            Some(token) => json!({ "Authorization": format!("Bearer {token}") }),
            None => json!({}),
        };
        socket
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = socket.receive().await;
        assert_eq!(ack["type"], "connection_ack", "{ack:#}");
        socket
    }

    /// Opens a connection and subscribes to `query` on it.
    pub async fn subscribe(&self, query: &str, variables: Value) -> TestSubscription {
        let mut socket = self.connect_socket().await;
        socket.start("1", query, variables).await;
        TestSubscription { socket }
    }
}

impl TestSocket {
    /// Sends `subscribe` for an operation under `id`.
    pub async fn start(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({
            "id": id,
            "type": "subscribe",
            "payload": { "query": query, "variables": variables },
        }))
        .await;
    }

    /// Sends any JSON message.
    pub async fn send(&mut self, message: Value) {
        self.send_text(message.to_string()).await;
    }

    /// Sends a text frame as it is.
    pub async fn send_text(&mut self, text: String) {
        self.socket
            .send(Message::text(text))
            .await
            .expect("send WebSocket message");
    }

    /// The next protocol message, answering pings on the way; fails the
    /// test if the connection closes instead.
    pub async fn receive(&mut self) -> Value {
        match self.next_event().await {
            SocketEvent::Message(message) => message,
            SocketEvent::Closed(code, reason) => {
                panic!("WebSocket closed with {code}: {reason}")
            }
        }
    }

    /// Waits for the server to close the connection and returns the code
    /// and reason; fails the test on any other message.
    pub async fn closed(&mut self) -> (u16, String) {
        match self.next_event().await {
            SocketEvent::Closed(code, reason) => (code, reason),
            SocketEvent::Message(message) => {
                panic!("expected the socket to close, got {message:#}")
            }
        }
    }

    /// The next thing the server did, answering pings on the way.
    pub async fn next_event(&mut self) -> SocketEvent {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .expect("no WebSocket message in time");
            let frame = match frame {
                None => return SocketEvent::Closed(1006, "closed without a frame".to_owned()),
                Some(Err(error)) => return SocketEvent::Closed(1006, error.to_string()),
                Some(Ok(frame)) => frame,
            };
            match frame {
                Message::Text(text) => {
                    let message: Value = serde_json::from_str(&text).expect("JSON message");
                    if message["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    return SocketEvent::Message(message);
                }
                Message::Close(frame) => {
                    return match frame {
                        Some(frame) => {
                            SocketEvent::Closed(frame.code.into(), frame.reason.to_string())
                        }
                        None => SocketEvent::Closed(1005, String::new()),
                    };
                }
                _ => continue,
            }
        }
    }
}

impl TestSubscription {
    /// The next result: the `payload` of a `next` message (`{"data": …}`),
    /// or `{"errors": […]}` for an `error` message.
    pub async fn next(&mut self) -> Value {
        let message = self.socket.receive().await;
        match message["type"].as_str() {
            Some("next") => message["payload"].clone(),
            Some("error") => json!({ "errors": message["payload"] }),
            _ => panic!("unexpected subscription message: {message:#}"),
        }
    }

    /// The connection the subscription runs on.
    pub fn socket(&mut self) -> &mut TestSocket {
        &mut self.socket
    }
}
