//! Per-operation limits, and codes for the errors GraphQL itself raises.
//!
//! Every operation passes through the [`OperationGuard`] extension,
//! however it arrives (HTTP, a batch, a WebSocket), because each runs
//! through the schema and its extensions. Before async-graphql looks at a
//! document, the guard parses it and refuses, each with its own code:
//!
//! - documents larger than [`OperationLimits::max_nodes`] once fragments are
//!   expanded (`QUERY_TOO_LARGE`): validation walks expanded operations, so
//!   a kilobyte of fragments that spread each other twice would otherwise
//!   cost seconds before any other limit applies; fragment cycles are
//!   refused here too (`GRAPHQL_VALIDATION_FAILED`);
//! - introspection the [`IntrospectionPolicy`] does not allow
//!   (`INTROSPECTION_DISABLED`, or the viewer's `UNAUTHENTICATED` /
//!   `FORBIDDEN` / `TERMS_NOT_ACCEPTED`), and introspection answering with
//!   more fields than [`OperationLimits::max_introspection_fields`]
//!   (`INTROSPECTION_TOO_LARGE`), a budget the operations of one HTTP
//!   request share ([`IntrospectionBudget`]);
//! - argument values the database could not store (`BAD_USER_INPUT` with
//!   the argument path in `field`): a NUL character in any string, a date
//!   or timestamp outside the years 1–9999.
//!
//! async-graphql computes depth and complexity while validating; the guard
//! refuses operations over those limits with `QUERY_TOO_DEEP` /
//! `QUERY_TOO_COMPLEX` (with `limit` and `actual`).
//!
//! On the way out it gives every error a stable `extensions.code` (a
//! document that does not parse is `GRAPHQL_PARSE_FAILED`; one that does
//! not validate is `GRAPHQL_VALIDATION_FAILED`; an argument value GraphQL
//! cannot coerce at execution is `BAD_USER_INPUT`; errors of our resolvers
//! already carry theirs), lists at most [`response::MAX_ERRORS`] errors,
//! fills the holes async-graphql leaves in `data` when a root field fails
//! (see [`response::fill_root_holes`]), and on WebSockets replaces any
//! message larger than the response limit ([`fit_response`]; HTTP bounds
//! its bodies with [`response_body`]).

mod document;
mod inputs;
mod introspection;
mod model;
mod response;

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use alumni_core::{AppError, Viewer};
use axum::http::HeaderValue;

use crate::graphql_http::EXECUTED;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextRequest, NextSubscribe, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, OperationType};
use async_graphql::{Request, Response, ServerError, ServerResult, ValidationResult, Variables};
use futures_util::StreamExt as _;
use futures_util::stream::BoxStream;

use self::document::Unmeasurable;
use self::model::SchemaModel;
pub use self::response::{MAX_ERRORS, fit_response, response_body};

/// Limits on one operation.
#[derive(Debug, Clone, Copy)]
pub struct OperationLimits {
    /// Deepest selection nesting.
    pub max_depth: usize,
    /// Highest complexity.
    pub max_complexity: usize,
    /// Most fields a document may have once its fragments are expanded.
    pub max_nodes: usize,
    /// Most fields introspection may answer with, per HTTP request (the
    /// operations of a batch share it) or WebSocket operation.
    pub max_introspection_fields: usize,
}

/// Who may introspect the schema (`__schema`, `__type`; `__typename` is
/// always allowed). The SDL at `/schema.graphql` follows the same policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum IntrospectionPolicy {
    /// Everyone, signed in or not.
    On,
    /// Signed-in members allowed to use the network.
    Members,
    /// Nobody: clients use the published `schema.graphql`.
    Off,
}

/// Why a viewer may not read the schema.
#[derive(Debug)]
pub enum IntrospectionRefusal {
    /// Introspection is off for everyone.
    Disabled,
    /// Introspection is for members, and the viewer is not one (yet).
    NotAMember(AppError),
}

impl IntrospectionPolicy {
    /// Whether `viewer` may read the schema.
    pub fn check(self, viewer: &Viewer) -> Result<(), IntrospectionRefusal> {
        match self {
            IntrospectionPolicy::On => Ok(()),
            IntrospectionPolicy::Members => viewer
                .identity()
                .map(|_| ())
                .map_err(IntrospectionRefusal::NotAMember),
            IntrospectionPolicy::Off => Err(IntrospectionRefusal::Disabled),
        }
    }
}

/// Introspection fields already granted to one HTTP request. Put a clone
/// into the data of every operation of a batch so they share one budget;
/// an operation without one gets a budget of its own.
#[derive(Debug, Clone, Default)]
pub struct IntrospectionBudget(Arc<AtomicUsize>);

/// The extension enforcing the limits; see the module documentation.
#[derive(Clone)]
pub struct OperationGuard(Arc<Guard>);

struct Guard {
    limits: OperationLimits,
    introspection: IntrospectionPolicy,
    max_response_bytes: usize,
    model: SchemaModel,
}

impl OperationGuard {
    /// The guard for the schema whose SDL is `sdl`; responses longer than
    /// `max_response_bytes` are replaced on WebSockets (see
    /// [`response_body`] for HTTP).
    pub fn new(
        limits: OperationLimits,
        introspection: IntrospectionPolicy,
        max_response_bytes: usize,
        sdl: &str,
    ) -> Result<Self, async_graphql::parser::Error> {
        Ok(Self(Arc::new(Guard {
            limits,
            introspection,
            max_response_bytes,
            model: SchemaModel::from_sdl(sdl)?,
        })))
    }
}

impl ExtensionFactory for OperationGuard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardedOperation {
            guard: self.0.clone(),
            root_fields: OnceLock::new(),
        })
    }
}

/// The guard's view of one operation.
struct GuardedOperation {
    guard: Arc<Guard>,
    /// The operation's root response keys and whether each is non-null,
    /// found before execution, used after it.
    root_fields: OnceLock<HashMap<String, bool>>,
}

/// An error with `code`.
fn coded_error(message: String, code: &'static str) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

/// Sets `code` on an error that has none.
fn with_default_code(mut error: ServerError, code: &'static str) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}

fn limit_error(message: String, code: &'static str, limit: usize, actual: usize) -> ServerError {
    let mut error = coded_error(message, code);
    if let Some(extensions) = error.extensions.as_mut() {
        extensions.set("limit", limit);
        extensions.set("actual", actual);
    }
    error
}

fn app_error(error: AppError) -> ServerError {
    let graphql = error.to_graphql_error();
    let mut server_error = ServerError::new(graphql.message, None);
    server_error.extensions = graphql.extensions;
    server_error
}

/// Codes and the error cap, for every response.
fn finish(mut response: Response) -> Response {
    // Whatever is still without a code failed before execution began,
    // e.g. an unknown operation name.
    response.errors = std::mem::take(&mut response.errors)
        .into_iter()
        .map(|error| with_default_code(error, "GRAPHQL_VALIDATION_FAILED"))
        .collect();
    response::cap_errors(&mut response.errors);
    response
}

impl GuardedOperation {
    /// Everything checked between parsing and validation.
    fn check(
        &self,
        request: &Request,
        document: &ExecutableDocument,
        viewer: Option<&Viewer>,
        budget: &IntrospectionBudget,
    ) -> ServerResult<()> {
        let guard = &self.guard;
        self.check_size(document)?;
        // Further checks concern the operation that will run; without one,
        // async-graphql explains why.
        let Some(operation) =
            document::selected_operation(document, request.operation_name.as_deref())
        else {
            return Ok(());
        };
        let operation = &operation.node;
        if introspection::uses_introspection(document, operation) {
            guard
                .introspection
                .check(viewer.unwrap_or(&Viewer::Anonymous))
                .map_err(|refusal| match refusal {
                    IntrospectionRefusal::Disabled => coded_error(
                        "introspection is turned off on this server; use the published schema"
                            .to_owned(),
                        "INTROSPECTION_DISABLED",
                    ),
                    IntrospectionRefusal::NotAMember(error) => app_error(error),
                })?;
            self.charge_introspection(document, operation, &request.variables, budget)?;
        }
        inputs::check_arguments(&guard.model, document, operation, &request.variables)
            .map_err(|bad| app_error(AppError::bad_input(bad.field, bad.message)))?;
        // Each extension instance serves one operation, so this is the only
        // time it is set.
        let _ = self
            .root_fields
            .set(document::root_fields(&guard.model, document, operation));
        Ok(())
    }

    /// Refuses documents too large once fragments are expanded, or with
    /// fragment cycles.
    fn check_size(&self, document: &ExecutableDocument) -> ServerResult<()> {
        let max = self.guard.limits.max_nodes;
        let size = document::expanded_size(document).map_err(|problem| match problem {
            Unmeasurable::Cycle(name) => coded_error(
                format!("fragment `{name}` spreads itself, directly or through other fragments"),
                "GRAPHQL_VALIDATION_FAILED",
            ),
            Unmeasurable::TooDeep => coded_error(
                format!(
                    "selections and fragment spreads nest more than {} levels deep",
                    document::MAX_NESTING
                ),
                "GRAPHQL_VALIDATION_FAILED",
            ),
        })?;
        if size > max {
            return Err(limit_error(
                format!(
                    "the document has {size} fields once its fragments are expanded; the limit is {max}"
                ),
                "QUERY_TOO_LARGE",
                max,
                size,
            ));
        }
        Ok(())
    }

    /// Charges what the operation's introspection will answer with to the
    /// request's budget, or refuses it.
    fn charge_introspection(
        &self,
        document: &ExecutableDocument,
        operation: &OperationDefinition,
        variables: &Variables,
        budget: &IntrospectionBudget,
    ) -> ServerResult<()> {
        let max = self.guard.limits.max_introspection_fields;
        let spent = budget.0.load(Ordering::SeqCst);
        let cost = introspection::introspection_cost(
            &self.guard.model,
            document,
            operation,
            variables,
            max.saturating_sub(spent),
        );
        // Operations of a batch may be prepared side by side, so the budget
        // is charged, then checked.
        let within = cost.is_ok_and(|cost| {
            budget
                .0
                .fetch_add(cost, Ordering::SeqCst)
                .saturating_add(cost)
                <= max
        });
        if within {
            return Ok(());
        }
        let mut error = coded_error(
            format!(
                "introspection would answer with more than {max} fields for this request; ask for less, or read /schema.graphql"
            ),
            "INTROSPECTION_TOO_LARGE",
        );
        if let Some(extensions) = error.extensions.as_mut() {
            extensions.set("limit", max);
        }
        Err(error)
    }
}

/// Whether `request` runs a mutation: its document parses and the
/// operation it selects is one. Any other request changes nothing: it
/// reads, or async-graphql refuses it before running anything.
pub fn runs_mutation(request: &Request) -> bool {
    async_graphql::parser::parse_query(&request.query).is_ok_and(|document| {
        document::selected_operation(&document, request.operation_name.as_deref())
            .is_some_and(|operation| operation.node.ty == OperationType::Mutation)
    })
}

/// Request data of type `T`: the request's own (HTTP), else the
/// connection's (WebSocket) or the schema's.
fn request_data<'a, T: Send + Sync + 'static>(
    request: &'a Request,
    ctx: &ExtensionContext<'a>,
) -> Option<&'a T> {
    request
        .data
        .get(&TypeId::of::<T>())
        .and_then(|data| data.downcast_ref::<T>())
        .or_else(|| ctx.data_opt::<T>())
}

#[async_graphql::async_trait::async_trait]
impl Extension for GuardedOperation {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        finish(next.run(ctx).await)
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let max_bytes = self.guard.max_response_bytes;
        next.run(ctx, stream)
            .map(move |response| fit_response(finish(response), max_bytes))
            .boxed()
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        // Parsed here so the checks run before async-graphql's own
        // recursion check, which expands fragments without memoising them.
        let document = async_graphql::parser::parse_query(&request.query)
            .map_err(|error| with_default_code(error.into(), "GRAPHQL_PARSE_FAILED"))?;
        let budget = request_data::<IntrospectionBudget>(&request, ctx)
            .cloned()
            .unwrap_or_default();
        let viewer = request_data::<Viewer>(&request, ctx);
        self.check(&request, &document, viewer, &budget)?;
        request.set_parsed_query(document);
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|error| with_default_code(error, "GRAPHQL_PARSE_FAILED"))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let limits = self.guard.limits;
        let result = next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| with_default_code(error, "GRAPHQL_VALIDATION_FAILED"))
                .collect::<Vec<_>>()
        })?;
        if result.depth > limits.max_depth {
            return Err(vec![limit_error(
                format!(
                    "the query is nested {} levels deep; the limit is {}",
                    result.depth, limits.max_depth
                ),
                "QUERY_TOO_DEEP",
                limits.max_depth,
                result.depth,
            )]);
        }
        if result.complexity > limits.max_complexity {
            return Err(vec![limit_error(
                format!(
                    "the query's complexity is {}; the limit is {} (ask for smaller pages or fewer fields)",
                    result.complexity, limits.max_complexity
                ),
                "QUERY_TOO_COMPLEX",
                limits.max_complexity,
                result.complexity,
            )]);
        }
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        // Resolver errors carry their codes; the rest come from coercing
        // argument values, which is the client's input.
        response.errors = std::mem::take(&mut response.errors)
            .into_iter()
            .map(|error| with_default_code(error, "BAD_USER_INPUT"))
            .collect();
        if let Some(root_fields) = self.root_fields.get() {
            response::fill_root_holes(&mut response, root_fields);
        }
        // Tells the HTTP layer this was no request error (which it answers
        // differently); these headers are not sent.
        response
            .http_headers
            .insert(EXECUTED, HeaderValue::from_static("1"));
        response
    }
}
