//! A real headless Chromium, driven over the DevTools protocol, for tests
//! of what the server serves to browsers.
//!
//! Every request the page makes is paused and let through only to the
//! server under test; anything else is refused and remembered, so a test
//! can prove that a page needs no other host.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Longest wait for the browser to answer one command.
const PATIENCE: Duration = Duration::from_secs(30);

/// One browser with one page, allowed to reach only `allowed_origin`.
pub struct Browser {
    process: Child,
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    session: String,
    allowed_origin: String,
    next_id: u64,
    refused: Vec<String>,
    _profile: TempProfile,
}

/// Where Chromium is: `ALUMNI_CHROMIUM`, else Debian's `/usr/bin/chromium`.
/// `None` when it is not installed; `ALUMNI_REQUIRE_BROWSER=1` (set by CI,
/// which installs it) turns that into a failure instead of a skipped test.
pub fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("ALUMNI_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("ALUMNI_REQUIRE_BROWSER").is_none(),
        "ALUMNI_REQUIRE_BROWSER is set but there is no Chromium at {}",
        path.display()
    );
    eprintln!(
        "skipped: no Chromium at {} (install `chromium`)",
        path.display()
    );
    None
}

impl Browser {
    /// Starts Chromium headless with a fresh profile and opens a page that
    /// may only reach `allowed_origin` (e.g. `http://127.0.0.1:41234`).
    pub async fn launch(executable: PathBuf, allowed_origin: &str) -> Browser {
        let profile = TempProfile::new();
        let mut process = Command::new(executable)
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.0.display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start Chromium");
        let stderr = process.stderr.take().expect("Chromium's stderr");
        let endpoint = tokio::time::timeout(PATIENCE, async {
            let mut lines = BufReader::new(stderr).lines();
            while let Some(line) = lines.next_line().await.expect("read Chromium's stderr") {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    return url.trim().to_owned();
                }
            }
            panic!("Chromium exited before opening DevTools");
        })
        .await
        .expect("Chromium did not start in time");
        let (socket, _) = tokio_tungstenite::connect_async(endpoint.as_str())
            .await
            .expect("connect to DevTools");
        let mut browser = Browser {
            process,
            socket,
            session: String::new(),
            allowed_origin: allowed_origin.to_owned(),
            next_id: 0,
            refused: Vec::new(),
            _profile: profile,
        };
        let target = browser
            .call("Target.createTarget", json!({ "url": "about:blank" }))
            .await;
        let attached = browser
            .call(
                "Target.attachToTarget",
                json!({ "targetId": target["targetId"], "flatten": true }),
            )
            .await;
        browser.session = attached["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        browser
            .call(
                "Fetch.enable",
                json!({ "patterns": [{ "urlPattern": "*" }] }),
            )
            .await;
        browser.call("Runtime.enable", json!({})).await;
        browser
    }

    /// Opens `url` in the page.
    pub async fn navigate(&mut self, url: &str) {
        self.call("Page.navigate", json!({ "url": url })).await;
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    pub async fn evaluate(&mut self, expression: &str) -> Value {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
            )
            .await;
        result["result"]["value"].clone()
    }

    /// Evaluates `expression` until it is truthy; returns its value, or
    /// `None` when `within` passes first.
    pub async fn wait_for(&mut self, expression: &str, within: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + within;
        while tokio::time::Instant::now() < deadline {
            let value = self.evaluate(expression).await;
            let truthy = match &value {
                Value::Null | Value::Bool(false) => false,
                Value::String(text) => !text.is_empty(),
                _ => true,
            };
            if truthy {
                return Some(value);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        None
    }

    /// The URLs the page tried to reach outside the allowed origin.
    pub fn refused_requests(&self) -> &[String] {
        &self.refused
    }

    /// Sends a command to the page (or the browser, before a page is
    /// attached) and waits for its answer, letting paused requests through
    /// or refusing them meanwhile.
    async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(id, method, params).await;
        tokio::time::timeout(PATIENCE, async {
            loop {
                let message = self.receive().await;
                if message["id"] == id {
                    if let Some(error) = message.get("error") {
                        panic!("{method} failed: {error}");
                    }
                    return message["result"].clone();
                }
                if message["method"] == "Fetch.requestPaused" {
                    self.decide(&message["params"]).await;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no answer to {method} in time"))
    }

    async fn decide(&mut self, paused: &Value) {
        let url = paused["request"]["url"].as_str().unwrap_or_default();
        let request_id = paused["requestId"].clone();
        self.next_id += 1;
        let id = self.next_id;
        if url.starts_with(&self.allowed_origin) {
            self.send(
                id,
                "Fetch.continueRequest",
                json!({ "requestId": request_id }),
            )
            .await;
        } else {
            self.refused.push(url.to_owned());
            self.send(
                id,
                "Fetch.failRequest",
                json!({ "requestId": request_id, "errorReason": "BlockedByClient" }),
            )
            .await;
        }
    }

    async fn send(&mut self, id: u64, method: &str, params: Value) {
        let mut message = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .expect("send to DevTools");
    }

    async fn receive(&mut self) -> Value {
        loop {
            let frame = self
                .socket
                .next()
                .await
                .expect("DevTools closed")
                .expect("DevTools error");
            if let Message::Text(text) = frame {
                return serde_json::from_str(&text).expect("DevTools speaks JSON");
            }
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The process is killed on drop; this only hurries it.
        let _ = self.process.start_kill();
    }
}

/// A browser profile directory, removed afterwards.
struct TempProfile(PathBuf);

impl TempProfile {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!("alumni-chromium-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&path).expect("create a browser profile");
        Self(path)
    }
}

impl Drop for TempProfile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
