//! A GraphQL-over-HTTP client for tests, signed in or not.

use serde_json::{Value, json};

/// Sends GraphQL operations to the application under test.
#[derive(Clone)]
pub struct TestClient {
    http: reqwest::Client,
    base_url: String,
    token: Option<String>,
    forwarded_for: Option<String>,
    headers: Vec<(String, String)>,
}

impl TestClient {
    pub(crate) fn new(http: reqwest::Client, base_url: String, token: Option<String>) -> Self {
        Self {
            http,
            base_url,
            token,
            forwarded_for: None,
            headers: Vec::new(),
        }
    }

    /// The same client, calling from another network address (sent as
    /// `X-Forwarded-For`, which the test server trusts from localhost).
    pub fn from_address(&self, address: impl Into<String>) -> Self {
        Self {
            forwarded_for: Some(address.into()),
            ..self.clone()
        }
    }

    /// Base URL of the server, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bearer token this client sends, if any.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The same client with another bearer token.
    pub fn with_token(&self, token: impl Into<String>) -> Self {
        Self {
            token: Some(token.into()),
            ..self.clone()
        }
    }

    /// The same client, also sending the header `name: value` (once more
    /// if it already sends one by that name).
    pub fn with_header(&self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let mut headers = self.headers.clone();
        headers.push((name.into(), value.into()));
        Self {
            headers,
            ..self.clone()
        }
    }

    /// Runs an operation without variables.
    pub async fn query(&self, query: &str) -> GqlResponse {
        self.post_json(&json!({ "query": query })).await
    }

    /// Runs an operation with variables.
    pub async fn query_with(&self, query: &str, variables: Value) -> GqlResponse {
        self.post_json(&json!({ "query": query, "variables": variables }))
            .await
    }

    /// Posts any JSON body to `/graphql` (e.g. a batch).
    pub async fn post_json(&self, body: &Value) -> GqlResponse {
        self.post_bytes(serde_json::to_vec(body).expect("serialise request"))
            .await
    }

    /// Posts raw bytes to `/graphql`.
    pub async fn post_bytes(&self, body: Vec<u8>) -> GqlResponse {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.base_url))
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(address) = &self.forwarded_for {
            request = request.header("x-forwarded-for", address);
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("send GraphQL request");
        GqlResponse::read(response).await
    }

    /// A GET of `path` (e.g. `/readyz`), with the bearer token if the
    /// client has one.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_with(path, &[]).await
    }

    /// A GET of `path` with further headers, e.g. `("accept", "text/html")`
    /// as a browser sends.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.http.get(format!("{}{path}", self.base_url));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("send GET request")
    }
}

/// A GraphQL response with its HTTP status.
#[derive(Debug, Clone)]
pub struct GqlResponse {
    /// HTTP status code.
    pub status: u16,
    /// `x-request-id` of the response.
    pub request_id: Option<String>,
    /// The response headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body as received, for byte-for-byte comparisons.
    pub text: String,
    /// The JSON body.
    pub body: Value,
}

impl GqlResponse {
    async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let request_id = headers
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.expect("read response body");
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|err| panic!("response is not JSON ({err}): {text}"));
        Self {
            status,
            request_id,
            headers,
            text,
            body,
        }
    }

    /// The value of response header `name`, if it is there and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The errors, if any.
    pub fn errors(&self) -> &[Value] {
        self.body["errors"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// `data`, asserting there were no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.errors().is_empty(),
            "unexpected errors: {:#}",
            self.body
        );
        &self.body["data"]
    }

    /// The code of the first error, if any.
    pub fn error_code(&self) -> Option<&str> {
        self.errors().first()?["extensions"]["code"].as_str()
    }

    /// Asserts that the first error has `code` and returns that error.
    pub fn expect_error(&self, code: &str) -> &Value {
        assert_eq!(
            self.error_code(),
            Some(code),
            "expected a {code} error: {:#}",
            self.body
        );
        &self.errors()[0]
    }
}
