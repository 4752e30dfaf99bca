//! Idempotent retries of mutations over HTTP: the `Idempotency-Key`
//! request header.
//!
//! A signed-in member's `POST /graphql` that runs a mutation and carries a
//! key claims it before running ([`claim`]); a retry with the same key and
//! the same request is then answered with the first response, byte for
//! byte, instead of running again. What is kept depends on what the
//! mutation fields did, which [`MutationOutcomes`] notes as they resolve:
//!
//! - a field whose resolver finished (even if fields below it failed)
//!   changed data: the response is kept;
//! - a field refused before changing anything (`UNAUTHENTICATED`,
//!   `FORBIDDEN`, `NOT_FOUND`, `BAD_USER_INPUT`, `CONFLICT`,
//!   `RATE_LIMITED`, `TERMS_NOT_ACCEPTED`, or an argument GraphQL could not
//!   coerce) did nothing; if no field did more, nor did the request (also
//!   when it was refused before execution), and the key is released, so
//!   that a refusal one can act on (accept the terms, wait out a limit) is
//!   not replayed for ever;
//! - a field that failed with `SERVICE_UNAVAILABLE`, `TIMEOUT` or
//!   `INTERNAL` may or may not have committed: the key is marked so, and a
//!   retry answers `IDEMPOTENCY_OUTCOME_UNKNOWN` rather than run twice.
//!
//! The rest of the story (storage, sealing, expiry) is in
//! [`alumni_core::idempotency`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use alumni_core::error::ErrorChain;
use alumni_core::idempotency::{Attempt, Claim, IdempotencyKey, IdempotencyStore};
use alumni_core::{AppError, Viewer};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{BatchRequest, OutputType, ServerError, ServerResult, Value};
use axum::http::{HeaderMap, HeaderName, StatusCode};

use crate::domains::MutationRoot;
use crate::limits::runs_mutation;

/// The request header naming the key.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");

/// The response header marking a response as the replay of a kept one.
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The key the request names, if any; the message says what is wrong with
/// a malformed one.
pub fn requested_key(headers: &HeaderMap) -> Result<Option<IdempotencyKey>, String> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err("send one Idempotency-Key header, not several".to_owned());
    }
    let value = value
        .to_str()
        .map_err(|_| "an Idempotency-Key is ASCII text".to_owned())?;
    IdempotencyKey::parse(value)
        .map(Some)
        .map_err(|error| error.to_string())
}

/// Claims `key` for `batch`, or says what became of the request holding
/// it. `None` when the key does not apply: the viewer is not signed in
/// (nothing stable names them), or no operation is a mutation (reads can
/// simply be sent again).
pub async fn claim(
    store: &IdempotencyStore,
    viewer: &Viewer,
    key: &IdempotencyKey,
    batch: &BatchRequest,
) -> Result<Option<Claim>, AppError> {
    let Ok(identity) = viewer.session() else {
        return Ok(None);
    };
    if !batch.iter().any(runs_mutation) {
        return Ok(None);
    }
    let request = canonical_request(batch).map_err(AppError::internal)?;
    store
        .claim(identity.member_id, key, &request)
        .await
        .map(Some)
}

/// A request running under a key it claimed.
pub struct KeyedRun {
    attempt: Attempt,
    ledger: MutationLedger,
}

impl KeyedRun {
    /// Starts noting what `batch`'s mutation fields do.
    pub fn start(attempt: Attempt, batch: &mut BatchRequest) -> Self {
        let ledger = MutationLedger::default();
        for request in batch.iter_mut() {
            request.data.insert(ledger.clone());
        }
        Self { attempt, ledger }
    }

    /// Settles the key with what the request did and answered (`None`
    /// when no answer could be made). A failure is logged only: the
    /// client gets its answer, and the claim, left in flight, counts as
    /// of unknown outcome once its request can no longer be running.
    pub async fn settle(self, store: &IdempotencyStore, answer: Option<(StatusCode, &[u8])>) {
        let settled = match (self.ledger.outcome(), answer) {
            (Outcome::NothingDone, _) => store.release(self.attempt).await,
            (Outcome::Done, Some((status, body))) => {
                store.complete(self.attempt, status.as_u16(), body).await
            }
            (Outcome::Done, None) | (Outcome::Unknown, _) => store.abandon(self.attempt).await,
        };
        if let Err(error) = settled {
            tracing::warn!(
                error = %ErrorChain(&error),
                "could not settle an idempotency key; it will answer IDEMPOTENCY_OUTCOME_UNKNOWN"
            );
        }
    }
}

/// What a request's mutation fields did, the worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
enum Outcome {
    /// Nothing was changed: no mutation field ran, or each was refused.
    NothingDone = 0,
    /// A mutation field finished.
    Done = 1,
    /// A mutation field failed in a way that may have changed data.
    Unknown = 2,
}

/// What the mutation fields of one HTTP request did so far (the
/// operations of a batch share it).
#[derive(Debug, Clone, Default)]
struct MutationLedger(Arc<AtomicU8>);

impl MutationLedger {
    fn record(&self, outcome: Outcome) {
        self.0.fetch_max(outcome as u8, Ordering::SeqCst);
    }

    fn outcome(&self) -> Outcome {
        match self.0.load(Ordering::SeqCst) {
            0 => Outcome::NothingDone,
            1 => Outcome::Done,
            _ => Outcome::Unknown,
        }
    }
}

/// What one mutation field's resolution says about the data.
fn field_outcome(result: &ServerResult<Option<Value>>) -> Outcome {
    let error = match result {
        Ok(_) => return Outcome::Done,
        Err(error) => error,
    };
    // An error under the field (a non-null child failed): the field's own
    // resolver finished.
    if error.path.len() > 1 {
        return Outcome::Done;
    }
    match error_code(error) {
        Some("SERVICE_UNAVAILABLE" | "TIMEOUT" | "INTERNAL") => Outcome::Unknown,
        // Refusals: services decide before they change anything. Without a
        // code, async-graphql could not coerce an argument, so the
        // resolver never ran.
        Some(
            "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "BAD_USER_INPUT" | "CONFLICT"
            | "RATE_LIMITED" | "TERMS_NOT_ACCEPTED",
        )
        | None => Outcome::NothingDone,
        // A code this list does not know yet: assume the worst.
        Some(_) => Outcome::Unknown,
    }
}

fn error_code(error: &ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        Value::String(code) => Some(code),
        _ => None,
    }
}

/// The extension that notes what each mutation field did into the
/// request's [`MutationLedger`], when it has one.
pub struct MutationOutcomes;

impl ExtensionFactory for MutationOutcomes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(MutationOutcomes)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for MutationOutcomes {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let mutation_field =
            info.path_node.parent.is_none() && info.parent_type == MutationRoot::type_name();
        let ledger = if mutation_field {
            ctx.data_opt::<MutationLedger>()
        } else {
            None
        };
        let result = next.run(ctx, info).await;
        if let Some(ledger) = ledger {
            ledger.record(field_outcome(&result));
        }
        result
    }
}

/// The request as the fingerprint sees it: each operation's document,
/// operation name and variables, and whether it came as a batch, in JSON
/// with object keys sorted, so that the order a client serialises its
/// variables in does not matter. The document is compared as sent: a
/// retry sends the same one.
fn canonical_request(batch: &BatchRequest) -> serde_json::Result<Vec<u8>> {
    let operations = batch
        .iter()
        .map(|request| {
            Ok(serde_json::json!({
                "query": request.query,
                "operationName": request.operation_name,
                "variables": serde_json::to_value(&request.variables)?,
            }))
        })
        .collect::<serde_json::Result<Vec<_>>>()?;
    let request = serde_json::json!({
        "batch": matches!(batch, BatchRequest::Batch(_)),
        "operations": operations,
    });
    let mut bytes = Vec::new();
    write_canonical(&request, &mut bytes)?;
    Ok(bytes)
}

fn write_canonical(value: &serde_json::Value, out: &mut Vec<u8>) -> serde_json::Result<()> {
    match value {
        serde_json::Value::Object(fields) => {
            let mut fields: Vec<_> = fields.iter().collect();
            fields.sort_unstable_by_key(|(name, _)| name.as_str());
            out.push(b'{');
            for (index, (name, value)) in fields.into_iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, name)?;
                out.push(b':');
                write_canonical(value, out)?;
            }
            out.push(b'}');
        }
        serde_json::Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_canonical(item, out)?;
            }
            out.push(b']');
        }
        scalar => serde_json::to_writer(&mut *out, scalar)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{Request, Variables};

    fn request(query: &str, variables: serde_json::Value) -> Request {
        Request::new(query).variables(Variables::from_json(variables))
    }

    #[test]
    fn the_fingerprinted_request_ignores_the_order_of_variables() {
        let query = "mutation($a: Int, $b: Int) { x(a: $a, b: $b) }";
        let one = canonical_request(&BatchRequest::Single(request(
            query,
            serde_json::json!({ "a": 1, "b": { "d": 2, "c": 3 } }),
        )))
        .unwrap();
        let other = canonical_request(&BatchRequest::Single(request(
            query,
            serde_json::json!({ "b": { "c": 3, "d": 2 }, "a": 1 }),
        )))
        .unwrap();
        assert_eq!(one, other);
    }

    #[test]
    fn the_fingerprinted_request_tells_operations_apart() {
        let single = |query: &str, name: Option<&str>, variables| {
            let mut request = request(query, variables);
            request.operation_name = name.map(str::to_owned);
            canonical_request(&BatchRequest::Single(request)).unwrap()
        };
        let base = single(
            "mutation A { a } mutation B { b }",
            Some("A"),
            serde_json::json!({}),
        );
        assert_ne!(
            base,
            single(
                "mutation A { a } mutation B { b }",
                Some("B"),
                serde_json::json!({})
            )
        );
        assert_ne!(
            base,
            single(
                "mutation A { a } mutation B { b }",
                Some("A"),
                serde_json::json!({ "x": 1 })
            )
        );
        assert_ne!(
            base,
            single(
                "mutation A { a }  mutation B { b }",
                Some("A"),
                serde_json::json!({})
            )
        );
        let batch = canonical_request(&BatchRequest::Batch(vec![request(
            "mutation A { a } mutation B { b }",
            serde_json::json!({}),
        )]))
        .unwrap();
        assert_ne!(base, batch);
    }

    fn failed(path: &[&str], code: Option<&str>) -> ServerResult<Option<Value>> {
        let mut error = ServerError::new("failed", None);
        error.path = path
            .iter()
            .map(|key| async_graphql::PathSegment::Field((*key).to_owned()))
            .collect();
        if let Some(code) = code {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
        Err(error)
    }

    #[test]
    fn refusals_change_nothing_and_failures_leave_the_outcome_open() {
        assert_eq!(field_outcome(&Ok(Some(Value::Null))), Outcome::Done);
        assert_eq!(
            field_outcome(&failed(&["register", "event"], Some("SERVICE_UNAVAILABLE"))),
            Outcome::Done
        );
        for refusal in [
            "FORBIDDEN",
            "CONFLICT",
            "RATE_LIMITED",
            "TERMS_NOT_ACCEPTED",
        ] {
            assert_eq!(
                field_outcome(&failed(&["register"], Some(refusal))),
                Outcome::NothingDone
            );
        }
        assert_eq!(
            field_outcome(&failed(&["register"], None)),
            Outcome::NothingDone
        );
        for failure in [
            "SERVICE_UNAVAILABLE",
            "TIMEOUT",
            "INTERNAL",
            "SOMETHING_NEW",
        ] {
            assert_eq!(
                field_outcome(&failed(&["register"], Some(failure))),
                Outcome::Unknown
            );
        }
    }

    #[test]
    fn the_worst_outcome_of_a_request_wins() {
        let ledger = MutationLedger::default();
        assert_eq!(ledger.outcome(), Outcome::NothingDone);
        ledger.record(Outcome::Done);
        ledger.record(Outcome::NothingDone);
        assert_eq!(ledger.outcome(), Outcome::Done);
        ledger.record(Outcome::Unknown);
        ledger.record(Outcome::Done);
        assert_eq!(ledger.outcome(), Outcome::Unknown);
    }
}
