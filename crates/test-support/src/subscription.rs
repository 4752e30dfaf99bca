//! GraphQL subscriptions over WebSocket (`graphql-transport-ws`), as a
//! browser client speaks them.

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

/// One subscription on its own connection.
pub struct TestSubscription {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl TestClient {
    /// Opens `/graphql/ws`, authenticates with the client's token in the
    /// `connection_init` payload, and subscribes to `query`.
    pub async fn subscribe(&self, query: &str, variables: Value) -> TestSubscription {
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
        let mut subscription = TestSubscription { socket };
        let payload = match self.token() {
            Some(token) => json!({ "Authorization": format!("Bearer {token}") }),
            None => json!({}),
        };
        subscription
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = subscription.receive().await;
        assert_eq!(ack["type"], "connection_ack", "{ack:#}");
        subscription
            .send(json!({
                "id": "1",
                "type": "subscribe",
                "payload": { "query": query, "variables": variables },
            }))
            .await;
        subscription
    }
}

impl TestSubscription {
    /// The next result: the `payload` of a `next` message (`{"data": …}`),
    /// or `{"errors": […]}` for an `error` message.
    pub async fn next(&mut self) -> Value {
        let message = self.receive().await;
        match message["type"].as_str() {
            Some("next") => message["payload"].clone(),
            Some("error") => json!({ "errors": message["payload"] }),
            _ => panic!("unexpected subscription message: {message:#}"),
        }
    }

    async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("send WebSocket message");
    }

    /// The next protocol message, answering pings on the way.
    async fn receive(&mut self) -> Value {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.socket.next())
                .await
                .expect("no WebSocket message in time")
                .expect("WebSocket closed")
                .expect("WebSocket error");
            let Message::Text(text) = frame else {
                continue;
            };
            let message: Value = serde_json::from_str(&text).expect("JSON message");
            if message["type"] == "ping" {
                self.send(json!({ "type": "pong" })).await;
                continue;
            }
            return message;
        }
    }
}
