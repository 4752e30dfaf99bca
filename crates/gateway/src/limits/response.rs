//! Shaping responses on their way out: a bounded error list, no holes in
//! `data`, and a bounded size.

use std::collections::HashMap;
use std::io;

use async_graphql::{BatchResponse, Name, PathSegment, Response, ServerError, Value};

use super::coded_error;
use crate::graphql_http::EXECUTED;

/// The most errors one response lists; the rest are counted in one final
/// `TOO_MANY_ERRORS` error.
pub const MAX_ERRORS: usize = 20;

/// Keeps the first [`MAX_ERRORS`] errors and says how many were left out.
pub fn cap_errors(errors: &mut Vec<ServerError>) {
    if errors.len() <= MAX_ERRORS {
        return;
    }
    let omitted = errors.len() - MAX_ERRORS;
    errors.truncate(MAX_ERRORS);
    let mut error = coded_error(
        format!("{omitted} more errors were left out; fix these first"),
        "TOO_MANY_ERRORS",
    );
    if let Some(extensions) = error.extensions.as_mut() {
        extensions.set("omitted", omitted);
    }
    errors.push(error);
}

/// Fills the holes async-graphql leaves in `data`.
///
/// A field whose resolver fails is left out of its parent object
/// (`do_resolve_container` drops it) rather than set to `null`. For a
/// root field the GraphQL specification is clear: a nullable field becomes
/// `null`, and a non-null one makes `data` itself `null`, so a client never
/// reads a partial object as if it were whole. `root_fields` maps each root
/// response key to whether its field is non-null.
pub fn fill_root_holes(response: &mut Response, root_fields: &HashMap<String, bool>) {
    let failed: Vec<&str> = response
        .errors
        .iter()
        .filter_map(|error| match error.path.first() {
            Some(PathSegment::Field(key)) => Some(key.as_str()),
            _ => None,
        })
        .collect();
    let present = |data: &Value, key: &str| match data {
        Value::Object(fields) => fields.contains_key(key),
        _ => false,
    };
    let holes: Vec<&str> = failed
        .into_iter()
        .filter(|key| !present(&response.data, key))
        .collect();
    if holes.is_empty() {
        return;
    }
    if holes
        .iter()
        .any(|key| root_fields.get(*key).copied().unwrap_or(false))
    {
        response.data = Value::Null;
        return;
    }
    if !matches!(response.data, Value::Object(_)) {
        response.data = Value::Object(Default::default());
    }
    if let Value::Object(fields) = &mut response.data {
        for key in holes {
            fields.insert(Name::new(key), Value::Null);
        }
    }
}

/// The JSON body for an HTTP response, at most about `max_bytes` long: a
/// response that would be longer is replaced by a `RESPONSE_TOO_LARGE`
/// error. In a batch the operations share the limit, in order, so each
/// response in it is either whole or replaced. Serialisation stops as soon
/// as the limit is passed, so an oversized response costs no more than
/// `max_bytes` to refuse.
///
/// With `omit_unexecuted_data`, an operation that never executed (a request
/// error: see [`EXECUTED`]) is written without a `data` entry, as
/// `application/graphql-response+json` asks.
pub fn response_body(
    response: &BatchResponse,
    max_bytes: usize,
    omit_unexecuted_data: bool,
) -> serde_json::Result<Vec<u8>> {
    let within = |response: &Response, max_bytes| {
        if omit_unexecuted_data && !response.http_headers.contains_key(EXECUTED) {
            within(&ErrorsOnly(response), max_bytes)
        } else {
            within(response, max_bytes)
        }
    };
    match response {
        BatchResponse::Single(response) => within(response, max_bytes),
        BatchResponse::Batch(responses) => {
            let mut body = vec![b'['];
            for (index, response) in responses.iter().enumerate() {
                if index > 0 {
                    body.push(b',');
                }
                let remaining = max_bytes.saturating_sub(body.len() + 1);
                body.extend(within(response, remaining)?);
            }
            body.push(b']');
            Ok(body)
        }
    }
}

/// `response`, or the `RESPONSE_TOO_LARGE` error in its place when its JSON
/// would exceed `max_bytes`. For transports that serialise responses
/// themselves, such as each message on a WebSocket.
pub fn fit_response(response: Response, max_bytes: usize) -> Response {
    let mut counter = Capped {
        written: 0,
        max_bytes,
        buffer: None,
    };
    match serde_json::to_writer(&mut counter, &response) {
        Err(error) if error.is_io() => too_large(max_bytes),
        _ => response,
    }
}

/// A response written without its `data` entry.
struct ErrorsOnly<'a>(&'a Response);

impl serde::Serialize for ErrorsOnly<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("errors", &self.0.errors)?;
        if !self.0.extensions.is_empty() {
            map.serialize_entry("extensions", &self.0.extensions)?;
        }
        map.end()
    }
}

fn within(response: &impl serde::Serialize, max_bytes: usize) -> serde_json::Result<Vec<u8>> {
    let mut capped = Capped {
        written: 0,
        max_bytes,
        buffer: Some(Vec::new()),
    };
    match serde_json::to_writer(&mut capped, response) {
        Ok(()) => Ok(capped.buffer.unwrap_or_default()),
        // The only I/O is the cap.
        Err(error) if error.is_io() => serde_json::to_vec(&too_large(max_bytes)),
        Err(error) => Err(error),
    }
}

fn too_large(max_bytes: usize) -> Response {
    tracing::warn!(
        limit = max_bytes,
        "response replaced: larger than ALUMNI_MAX_RESPONSE_BYTES"
    );
    let mut error = coded_error(
        format!(
            "the response would exceed {max_bytes} bytes; ask for fewer fields or smaller pages"
        ),
        "RESPONSE_TOO_LARGE",
    );
    if let Some(extensions) = error.extensions.as_mut() {
        extensions.set("limit", max_bytes);
    }
    Response::from_errors(vec![error])
}

/// Counts (and, with a buffer, keeps) what is written, failing once more
/// than `max_bytes` would be.
struct Capped {
    written: usize,
    max_bytes: usize,
    buffer: Option<Vec<u8>>,
}

impl io::Write for Capped {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.written += bytes.len();
        if self.written > self.max_bytes {
            return Err(io::Error::other("response size limit"));
        }
        if let Some(buffer) = &mut self.buffer {
            buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response_with(size: usize) -> Response {
        Response::new(Value::String("x".repeat(size)))
    }

    #[test]
    fn caps_the_error_list() {
        let mut errors: Vec<ServerError> = (0..50)
            .map(|n| ServerError::new(format!("error {n}"), None))
            .collect();
        cap_errors(&mut errors);
        assert_eq!(errors.len(), MAX_ERRORS + 1);
        let last = serde_json::to_value(&errors[MAX_ERRORS]).unwrap();
        assert_eq!(last["extensions"]["code"], "TOO_MANY_ERRORS");
        assert_eq!(last["extensions"]["omitted"], 30);
    }

    #[test]
    fn replaces_responses_over_the_limit() {
        let body = response_body(&BatchResponse::Single(response_with(100)), 1_000, false).unwrap();
        assert!(String::from_utf8(body).unwrap().contains("xxxx"));

        let body =
            response_body(&BatchResponse::Single(response_with(2_000)), 1_000, false).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            json["errors"][0]["extensions"]["code"],
            "RESPONSE_TOO_LARGE"
        );
        assert!(json["data"].is_null());

        let fitted = fit_response(response_with(2_000), 1_000);
        assert!(fitted.data == Value::Null && fitted.errors.len() == 1);
        let fitted = fit_response(response_with(100), 1_000);
        assert!(fitted.errors.is_empty());
    }

    #[test]
    fn a_batch_shares_the_limit() {
        let batch = BatchResponse::Batch(vec![response_with(600), response_with(600)]);
        let body = response_body(&batch, 1_000, false).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(json[0]["data"].is_string());
        assert_eq!(
            json[1]["errors"][0]["extensions"]["code"],
            "RESPONSE_TOO_LARGE"
        );
    }

    #[test]
    fn a_failed_root_field_is_null_or_nulls_data() {
        let failed = |key: &str| {
            let mut error = ServerError::new("failed", None);
            error.path = vec![PathSegment::Field(key.to_owned())];
            error
        };
        let data = || {
            let mut fields = async_graphql::indexmap::IndexMap::new();
            fields.insert(Name::new("b"), Value::from("Query"));
            Value::Object(fields)
        };
        let roots: HashMap<String, bool> = [
            ("a".to_owned(), true),
            ("me".to_owned(), false),
            ("b".to_owned(), true),
        ]
        .into();

        let mut response = Response::new(data());
        response.errors.push(failed("me"));
        fill_root_holes(&mut response, &roots);
        assert_eq!(
            response.data.into_json().unwrap(),
            serde_json::json!({ "b": "Query", "me": null })
        );

        let mut response = Response::new(data());
        response.errors.push(failed("a"));
        fill_root_holes(&mut response, &roots);
        assert_eq!(response.data, Value::Null);

        let mut response = Response::new(Value::Null);
        response.errors.push(failed("me"));
        fill_root_holes(&mut response, &roots);
        assert_eq!(
            response.data.into_json().unwrap(),
            serde_json::json!({ "me": null })
        );
    }
}
