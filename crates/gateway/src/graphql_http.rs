//! GraphQL over HTTP as its specification says, checked in CI by the
//! `graphql-http` audit suite (`tests/graphql-http`): which media type the
//! client gets, which requests are well-formed, and what the HTTP status
//! says.
//!
//! - `POST` takes `application/json` (UTF-8) only: anything else is `415`,
//!   before the body is read as JSON.
//! - `Accept` decides the response's media type: `application/graphql-
//!   response+json` when the client names it, else `application/json` (also
//!   for `*/*` and no `Accept`, as the specification asks while clients move
//!   on); neither acceptable is `406`.
//! - Under `application/graphql-response+json`, a request that never
//!   reached execution (malformed, invalid, over a limit, variables that do
//!   not coerce) is `400` with no `data` entry; under `application/json` it
//!   is `200` with `data: null`, as legacy clients expect.
//! - `GET` runs queries only (mutations and subscriptions are `405` with
//!   `Allow: POST`), so responses to it may be cached; a browser asking for
//!   HTML without a query gets GraphiQL.
//!
//! Parameters are checked here, by hand, so that a malformed request gets a
//! message about GraphQL rather than about the Rust types it is parsed into.

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use serde_json::{Map, Value};

/// Set by the operation guard on every response whose operation was
/// executed, in the response's (unserialised) headers; its absence marks a
/// request error.
pub const EXECUTED: HeaderName = HeaderName::from_static("x-alumni-executed");

/// The response's media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: statuses tell request errors.
    GraphqlResponse,
    /// `application/json`: always `200` for GraphQL results.
    Json,
}

impl MediaType {
    /// The `Content-Type` to answer with.
    pub fn content_type(self) -> &'static str {
        match self {
            MediaType::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            MediaType::Json => "application/json; charset=utf-8",
        }
    }

    /// The media type to answer a request with these headers in; `None`
    /// when the client accepts neither (`406`).
    pub fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
        let Some(accept) = headers.get(ACCEPT).and_then(|value| value.to_str().ok()) else {
            return Some(MediaType::Json);
        };
        let mut graphql_response = Acceptance::default();
        let mut json = Acceptance::default();
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|parameter| parameter.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match media.as_str() {
                "application/graphql-response+json" => graphql_response.named = Some(quality),
                "application/json" => json.named = Some(quality),
                "application/*" | "*/*" => {
                    graphql_response.wildcard = graphql_response.wildcard.max(quality);
                    json.wildcard = json.wildcard.max(quality);
                }
                _ => {}
            }
        }
        // A type named outright beats one matched by a wildcard, so that
        // `*/*` alone answers plain JSON.
        match (graphql_response.named, json.named) {
            (Some(graphql), Some(plain)) if graphql > 0.0 && graphql >= plain => {
                Some(MediaType::GraphqlResponse)
            }
            (Some(graphql), None) if graphql > 0.0 => Some(MediaType::GraphqlResponse),
            _ if json.quality() > 0.0 => Some(MediaType::Json),
            _ if graphql_response.quality() > 0.0 => Some(MediaType::GraphqlResponse),
            _ => None,
        }
    }
}

/// How much a client accepts one media type.
#[derive(Default)]
struct Acceptance {
    named: Option<f32>,
    wildcard: f32,
}

impl Acceptance {
    fn quality(&self) -> f32 {
        self.named.unwrap_or(self.wildcard)
    }
}

/// Whether a browser is navigating to the page (it asks for HTML and names
/// no JSON type) rather than a client asking for a GraphQL result.
pub fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    accept.contains("text/html") && !accept.contains("json")
}

/// A request refused before GraphQL sees it.
#[derive(Debug)]
pub struct RequestError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable `extensions.code`.
    pub code: &'static str,
    /// What is wrong, for the client.
    pub message: String,
}

impl RequestError {
    fn bad(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "BAD_REQUEST",
            message: message.into(),
        }
    }
}

/// `POST` bodies must be JSON in UTF-8.
pub fn check_content_type(headers: &HeaderMap) -> Result<(), RequestError> {
    let unsupported = |message: &str| RequestError {
        status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
        code: "UNSUPPORTED_MEDIA_TYPE",
        message: message.to_owned(),
    };
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Err(unsupported(
            "send the request as `Content-Type: application/json`",
        ));
    };
    let value = value.to_str().unwrap_or_default().to_ascii_lowercase();
    let mut parts = value.split(';').map(str::trim);
    if parts.next() != Some("application/json") {
        return Err(unsupported(
            "the body must be `application/json`; other media types are not accepted",
        ));
    }
    for parameter in parts {
        if let Some(charset) = parameter.strip_prefix("charset=")
            && !charset.trim_matches('"').eq_ignore_ascii_case("utf-8")
        {
            return Err(unsupported("the body must be encoded in UTF-8"));
        }
    }
    Ok(())
}

/// One operation as a client sent it, before its document is known.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Params {
    /// The document's text, when sent.
    pub query: Option<String>,
    /// Which operation of the document to run.
    pub operation_name: Option<String>,
    /// Variable values, a JSON object.
    pub variables: Option<Map<String, Value>>,
    /// Protocol extensions, e.g. `persistedQuery`.
    pub extensions: Option<Map<String, Value>>,
    /// The id of a persisted (trusted) document, sent instead of its text.
    pub document_id: Option<String>,
}

/// A `POST` body: one operation, or a batch (a JSON array of them).
#[derive(Debug)]
pub enum Body {
    /// One operation.
    Single(Params),
    /// Several, answered as an array in the same order.
    Batch(Vec<Params>),
}

/// Reads a `POST` body.
pub fn parse_body(bytes: &[u8]) -> Result<Body, RequestError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(RequestError::bad("the request has no body"));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|error| {
        RequestError::bad(format!(
            "the body is not valid JSON (line {}, column {})",
            error.line(),
            error.column()
        ))
    })?;
    match value {
        Value::Object(object) => Ok(Body::Single(params_of(object)?)),
        Value::Array(items) if items.is_empty() => Err(RequestError::bad("the batch is empty")),
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(index, item)| match item {
                Value::Object(object) => params_of(object),
                _ => Err(RequestError::bad(format!(
                    "operation {index} of the batch is not a JSON object"
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Body::Batch),
        _ => Err(RequestError::bad(
            "the body must be a JSON object with a `query` (or an array of such objects)",
        )),
    }
}

/// The parameters of one operation, from its JSON object (a `POST` body or
/// a WebSocket `subscribe` payload).
pub fn params_of(mut object: Map<String, Value>) -> Result<Params, RequestError> {
    Ok(Params {
        query: text(&mut object, "query")?,
        operation_name: text(&mut object, "operationName")?,
        variables: map(&mut object, "variables")?,
        extensions: map(&mut object, "extensions")?,
        document_id: match text(&mut object, "documentId")? {
            Some(id) => Some(id),
            // Relay's and other clients' names for the same thing.
            None => match text(&mut object, "doc_id")? {
                Some(id) => Some(id),
                None => text(&mut object, "id")?,
            },
        },
    })
}

fn text(object: &mut Map<String, Value>, key: &str) -> Result<Option<String>, RequestError> {
    match object.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(RequestError::bad(format!("`{key}` must be a string"))),
    }
}

fn map(
    object: &mut Map<String, Value>,
    key: &str,
) -> Result<Option<Map<String, Value>>, RequestError> {
    match object.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(RequestError::bad(format!("`{key}` must be a JSON object"))),
    }
}

/// Reads a `GET` request's parameters from its query string: `query`,
/// `operationName`, and `variables` and `extensions` as JSON text.
pub fn parse_query_string(raw: Option<&str>) -> Result<Params, RequestError> {
    let mut object = Map::new();
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        let value = match key.as_ref() {
            "variables" | "extensions" => serde_json::from_str(&value).map_err(|_| {
                RequestError::bad(format!("`{key}` must be a JSON object, URL-encoded"))
            })?,
            _ => Value::String(value.into_owned()),
        };
        if object.insert(key.into_owned(), value).is_some() {
            return Err(RequestError::bad("each parameter may be given once"));
        }
    }
    params_of(object)
}

/// The type of the operation a document would run, when it can be told.
pub fn operation_type(document: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(operation.node.ty),
        (DocumentOperations::Multiple(operations), Some(name)) => operations
            .iter()
            .find(|(operation_name, _)| operation_name.as_str() == name)
            .map(|(_, operation)| operation.node.ty),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => operations
            .values()
            .next()
            .map(|operation| operation.node.ty),
        (DocumentOperations::Multiple(_), None) => None,
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn accepting(accept: &str) -> Option<MediaType> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_str(accept).unwrap());
        MediaType::negotiate(&headers)
    }

    #[test]
    fn accept_picks_the_media_type() {
        assert_eq!(
            MediaType::negotiate(&HeaderMap::new()),
            Some(MediaType::Json)
        );
        assert_eq!(accepting("*/*"), Some(MediaType::Json));
        assert_eq!(accepting("application/json"), Some(MediaType::Json));
        assert_eq!(
            accepting("application/graphql-response+json, application/json;q=0.9"),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(
            accepting("application/graphql-response+json;q=0.5, application/json"),
            Some(MediaType::Json)
        );
        assert_eq!(
            accepting("application/graphql-response+json"),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(accepting("text/html"), None);
        assert_eq!(accepting("application/json;q=0"), None);
    }

    #[test]
    fn bodies_are_checked_parameter_by_parameter() {
        let Body::Single(params) = parse_body(br#"{"query":"{ a }","variables":null}"#).unwrap()
        else {
            panic!("one operation");
        };
        assert_eq!(params.query.as_deref(), Some("{ a }"));
        for (body, message) in [
            (&b"{\"query\":1}"[..], "`query` must be a string"),
            (
                b"{\"query\":\"{ a }\",\"variables\":[]}",
                "`variables` must be a JSON object",
            ),
            (b"[1]", "operation 0 of the batch is not a JSON object"),
            (b"\"{ a }\"", "must be a JSON object"),
            (b"", "no body"),
        ] {
            let error = parse_body(body).unwrap_err();
            assert!(error.message.contains(message), "{}", error.message);
            assert!(!error.message.contains("struct"), "{}", error.message);
        }
        assert!(parse_body(b"{").unwrap_err().message.contains("line 1"));
    }

    #[test]
    fn query_strings_carry_json_variables() {
        let params =
            parse_query_string(Some("query=%7B+a+%7D&variables=%7B%22x%22%3A1%7D")).unwrap();
        assert_eq!(params.query.as_deref(), Some("{ a }"));
        assert_eq!(params.variables.unwrap()["x"], 1);
        assert!(parse_query_string(Some("variables=nope")).is_err());
        assert!(parse_query_string(Some("query=a&query=b")).is_err());
    }
}
