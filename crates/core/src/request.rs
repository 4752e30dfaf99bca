//! The id of the HTTP request being served, available to any code running in
//! its task (audit records and error reports pick it up from here).
//!
//! The gateway assigns the id (or takes the caller's `x-request-id`) and runs
//! the request inside [`scope`]; logs carry it through the tracing span.

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `future` with `request_id` as the current request id.
pub async fn scope<F: Future>(request_id: String, future: F) -> F::Output {
    REQUEST_ID.scope(request_id, future).await
}

/// Runs `f` synchronously with `request_id` as the current request id.
pub fn with_request_id<R>(request_id: String, f: impl FnOnce() -> R) -> R {
    REQUEST_ID.sync_scope(request_id, f)
}

/// The current request id, if running inside a request.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}
