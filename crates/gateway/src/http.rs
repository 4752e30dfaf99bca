//! The HTTP surface: GraphQL over HTTP, GraphiQL, health checks and the
//! SDL.
//!
//! | route | what |
//! |---|---|
//! | `POST /graphql` | GraphQL over HTTP (JSON body; a JSON array is a batch) |
//! | `GET /graphql` | GraphiQL, for exploring the API in a browser (unless `ALUMNI_GRAPHIQL=off`) |
//! | `GET /livez` | the process is up |
//! | `GET /readyz` | the database answers; `503` while it does not |
//! | `GET /schema.graphql` | the schema in SDL, to whoever `ALUMNI_INTROSPECTION` lets introspect |
//! | `GET /graphql/ws` | GraphQL subscriptions over WebSocket (`graphql-transport-ws`; the bearer token goes in the `connection_init` payload as `{"Authorization": "Bearer …"}`; see [`crate::socket`]) |
//! | `GET /unsubscribe/{token}` | the page of a mail's unsubscribe link: a button, nothing changes |
//! | `POST /unsubscribe/{token}` | one-click unsubscribe (RFC 8058) from that kind of mail |
//! | `GET /events/{id}.ics` | one event as iCalendar (bearer token in the `Authorization` header) |
//! | `GET /events/{id}/attendees.csv` | the attendee list as CSV, UTF-8 with BOM (secretariat) |
//! | `GET /calendar/{token}.ics` | a member's personal feed of confirmed registrations (the secret token is the credential) |
//!
//! Every response carries an `x-request-id` (the caller's, or a new one);
//! every log line of the request carries it too. Every request is known by
//! its client's address (the peer, or the client a trusted reverse proxy
//! names in `X-Forwarded-For`), which per-client limits count under, and
//! has at most [`HttpLimits::request_timeout`] to be answered.
//!
//! A signed-in member's mutation sent with an `Idempotency-Key` header runs
//! at most once per key: a retry is answered with the first response,
//! marked `Idempotent-Replayed: true` (see [`crate::idempotency`]).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use alumni_core::domain::{FileRequest, FileRoute};
use alumni_core::idempotency::{Claim, EarlierRequest, IdempotencyStore, KeptResponse};
use alumni_core::{AppError, Caller, ClientAddress, DbPool, Viewer, db, request};
use alumni_membership::MembershipService;
use async_graphql::parser::types::OperationType;
use async_graphql::{BatchRequest, BatchResponse, ServerError, Variables};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, RawQuery, Request, State, WebSocketUpgrade};
use axum::http::header::{
    ALLOW, AUTHORIZATION, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, RETRY_AFTER, VARY,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use ipnet::IpNet;
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::api::AppSchema;
use crate::app::{Domains, Services};
use crate::graphiql;
use crate::graphql_http::{self, EXECUTED, MediaType};
use crate::idempotency::{self, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, KeyedRun};
use crate::limits::{
    IntrospectionBudget, IntrospectionPolicy, IntrospectionRefusal, response_body,
};
use crate::persisted::Documents;
use crate::server::Lifecycle;
use crate::socket::{self, SUBPROTOCOL, SessionWatch, SocketSettings};

/// Limits on HTTP requests and responses.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Largest body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Most operations in one batch.
    pub max_batch_size: usize,
    /// Longest a request may take before it is answered `503 TIMEOUT`.
    pub request_timeout: Duration,
    /// Longest time to receive a request's body before `408 TIMEOUT`.
    pub body_timeout: Duration,
    /// Largest response body sent, in bytes (also each WebSocket message).
    pub max_response_bytes: usize,
}

/// What the server shows of its schema.
#[derive(Debug, Clone, Copy)]
pub struct SchemaExposure {
    /// Who may introspect, and read `/schema.graphql`.
    pub introspection: IntrospectionPolicy,
    /// Whether `GET /graphql` serves GraphiQL.
    pub graphiql: bool,
}

/// Which peers may name the client they forward for.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<IpNet>);

impl TrustedProxies {
    /// The client of a request from `peer`: the peer itself, unless it is a
    /// trusted proxy; then the nearest address in `X-Forwarded-For` that is
    /// not a trusted proxy (addresses further left could be forged by the
    /// client).
    pub fn client_of(&self, peer: IpAddr, forwarded_for: Option<&str>) -> ClientAddress {
        if !self.trusts(peer) {
            return ClientAddress(peer);
        }
        let hops = forwarded_for
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|hop| !hop.is_empty());
        let mut client = peer;
        for hop in hops.rev() {
            match hop.parse::<IpAddr>() {
                Ok(address) => {
                    client = address;
                    if !self.trusts(address) {
                        break;
                    }
                }
                // An entry we cannot read: stop at the last proxy we trust.
                Err(_) => break,
            }
        }
        ClientAddress(client)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&address))
    }
}

/// Everything the handlers share.
#[derive(Clone)]
pub struct AppState(Arc<StateInner>);

struct StateInner {
    schema: AppSchema,
    services: Services,
    domains: Domains,
    pool: DbPool,
    idempotency: IdempotencyStore,
    limits: HttpLimits,
    proxies: TrustedProxies,
    sockets: SocketSettings,
    session_watch: SessionWatch,
    lifecycle: Lifecycle,
    exposure: SchemaExposure,
    documents: Arc<Documents>,
    sdl: String,
}

/// What the routes are built from besides the schema and services.
#[derive(Debug, Clone)]
pub struct RouteSettings {
    /// Limits on requests.
    pub limits: HttpLimits,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub proxies: TrustedProxies,
    /// WebSocket connections.
    pub sockets: SocketSettings,
    /// What the server shows of its schema.
    pub exposure: SchemaExposure,
    /// Where requests' documents come from: sent, persisted, or trusted.
    pub documents: Arc<Documents>,
}

impl AppState {
    /// State over a finished schema and the services its requests need.
    pub fn new(
        schema: AppSchema,
        services: Services,
        domains: Domains,
        pool: DbPool,
        lifecycle: Lifecycle,
        idempotency: IdempotencyStore,
        settings: RouteSettings,
    ) -> Self {
        let sdl = schema.sdl();
        let session_watch = SessionWatch::new(
            services.membership.clone(),
            settings.sockets.session_check_interval,
        );
        Self(Arc::new(StateInner {
            schema,
            services,
            domains,
            pool,
            idempotency,
            limits: settings.limits,
            proxies: settings.proxies,
            sockets: settings.sockets,
            session_watch,
            lifecycle,
            exposure: settings.exposure,
            documents: settings.documents,
            sdl,
        }))
    }

    pub(crate) fn schema(&self) -> &AppSchema {
        &self.0.schema
    }

    pub(crate) fn services(&self) -> &Services {
        &self.0.services
    }

    pub(crate) fn domains(&self) -> &Domains {
        &self.0.domains
    }

    pub(crate) fn socket_settings(&self) -> SocketSettings {
        self.0.sockets
    }

    pub(crate) fn session_watch(&self) -> &SessionWatch {
        &self.0.session_watch
    }

    pub(crate) fn lifecycle(&self) -> &Lifecycle {
        &self.0.lifecycle
    }

    pub(crate) fn documents(&self) -> &Documents {
        &self.0.documents
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The application's routes with request ids, tracing and (if origins are
/// given) CORS.
pub fn router(state: AppState, allowed_origins: &[String]) -> Router {
    let mut router = Router::new();
    if state.0.exposure.graphiql {
        router = router.merge(graphiql::asset_routes());
    }
    let router = router
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphql/ws", get(graphql_ws))
        .merge(file_routes(&state))
        .route(
            "/unsubscribe/{token}",
            get(unsubscribe_page).post(unsubscribe),
        )
        .route("/livez", get(livez))
        .route("/readyz", get(readyz))
        .route("/schema.graphql", get(schema_sdl))
        .layer(middleware::from_fn_with_state(state.clone(), client_scope))
        .with_state(state)
        .layer(middleware::from_fn(request_scope))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<Body>| {
                    let request_id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!(
                        "request",
                        request_id,
                        method = %request.method(),
                        path = %request.uri().path(),
                    )
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, NewRequestId));
    match cors_layer(allowed_origins) {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

fn cors_layer(allowed_origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = allowed_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([AUTHORIZATION, CONTENT_TYPE, REQUEST_ID, IDEMPOTENCY_KEY])
            .expose_headers([REQUEST_ID, IDEMPOTENT_REPLAYED, RETRY_AFTER])
            .max_age(Duration::from_secs(3600)),
    )
}

/// Request ids are UUID v7, so they sort by time in logs.
#[derive(Clone, Copy)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::now_v7().to_string())
            .ok()
            .map(RequestId::new)
    }
}

/// Tells handlers which client a request comes from, and answers `503
/// TIMEOUT` when the request takes longer than allowed (a WebSocket only
/// needs its upgrade answered in time).
async fn client_scope(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(ClientAddress::LOCAL.0, |info| info.0.ip());
    let forwarded_for = request
        .headers()
        .get(X_FORWARDED_FOR)
        .and_then(|value| value.to_str().ok());
    let client = state.0.proxies.client_of(peer, forwarded_for);
    request.extensions_mut().insert(client);
    let limit = state.0.limits.request_timeout;
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout_ms = limit.as_millis(), "request timed out");
            request_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "TIMEOUT",
                format!(
                    "the request took longer than {} ms; try again",
                    limit.as_millis()
                ),
            )
        }
    }
}

/// Makes the request id available to audit records and error reports.
async fn request_scope(request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    request::scope(request_id, next.run(request)).await
}

async fn livez() -> impl IntoResponse {
    axum::Json(json!({ "status": "live" }))
}

async fn readyz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(Duration::from_secs(3), db::ping(&state.0.pool)).await {
        Ok(Ok(())) => axum::Json(json!({ "status": "ready" })).into_response(),
        outcome => {
            let reason = match outcome {
                Ok(Err(error)) => error.to_string(),
                _ => "database check timed out".to_owned(),
            };
            tracing::warn!(%reason, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({ "status": "unavailable", "database": "unreachable" })),
            )
                .into_response()
        }
    }
}

/// The SDL is the schema, so it is shown to whoever may introspect.
async fn schema_sdl(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let policy = state.0.exposure.introspection;
    // The database is asked about the caller only when it matters.
    let refusal = match policy.check(&Viewer::Anonymous) {
        Err(IntrospectionRefusal::NotAMember(_)) => {
            match authenticate(&state.0.services.membership, &headers).await {
                Ok(viewer) => policy.check(&viewer).err(),
                Err(error) => return app_error(error),
            }
        }
        outcome => outcome.err(),
    };
    match refusal {
        None => (
            [(CONTENT_TYPE, "text/plain; charset=utf-8")],
            state.0.sdl.clone(),
        )
            .into_response(),
        Some(IntrospectionRefusal::Disabled) => not_found(),
        Some(IntrospectionRefusal::NotAMember(error)) => app_error(error),
    }
}

/// `POST /graphql`: queries and mutations, one or a batch.
async fn graphql_post(
    State(state): State<AppState>,
    Extension(client): Extension<ClientAddress>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(media) = MediaType::negotiate(&headers) else {
        return not_acceptable();
    };
    let limits = state.0.limits;
    let key = match idempotency::requested_key(&headers) {
        Ok(key) => key,
        Err(message) => {
            return request_error(StatusCode::BAD_REQUEST, "IDEMPOTENCY_KEY_INVALID", message);
        }
    };
    if let Err(error) = graphql_http::check_content_type(&headers) {
        return refused(error);
    }
    let bytes = match read_body(body, &limits).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let (operations, batched) = match graphql_http::parse_body(&bytes) {
        Ok(graphql_http::Body::Single(params)) => (vec![params], false),
        Ok(graphql_http::Body::Batch(operations)) => (operations, true),
        Err(error) => return refused(error),
    };
    if batched && operations.len() > limits.max_batch_size {
        return request_error(
            StatusCode::BAD_REQUEST,
            "BATCH_TOO_LARGE",
            format!(
                "the batch holds {} operations; the limit is {}",
                operations.len(),
                limits.max_batch_size
            ),
        );
    }
    let mut requests = Vec::with_capacity(operations.len());
    for params in &operations {
        match state.0.documents.resolve(params) {
            Ok(document) => requests.push(graphql_request(&document, params)),
            Err(error) => return refused_operation(media, error),
        }
    }
    let mut batch = if batched {
        BatchRequest::Batch(requests)
    } else {
        BatchRequest::Single(requests.remove(0))
    };
    let viewer = match authenticate(&state.0.services.membership, &headers).await {
        Ok(viewer) => viewer,
        Err(error) => return app_error(error),
    };
    let claim = match &key {
        Some(key) => idempotency::claim(&state.0.idempotency, &viewer, key, &batch).await,
        None => Ok(None),
    };
    let attempt = match claim {
        Ok(None) => None,
        Ok(Some(Claim::Granted(attempt))) => Some(attempt),
        Ok(Some(Claim::Held(earlier))) => return answer_held(earlier, media),
        Err(error) => return app_error(error),
    };
    attach(&state, &mut batch, &viewer, client);
    let keyed = attempt.map(|attempt| KeyedRun::start(attempt, &mut batch));
    let response = state.0.schema.execute_batch(batch).await;
    let (status, body) = match answer(&response, media, limits.max_response_bytes) {
        Ok(answer) => answer,
        Err(error) => return app_error(AppError::internal(error)),
    };
    if let Some(keyed) = keyed {
        keyed
            .settle(&state.0.idempotency, Some((status, &body[..])))
            .await;
    }
    (
        status,
        [
            (CONTENT_TYPE, media.content_type()),
            (CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// `GET /graphql`: GraphiQL for a browser asking for a page, otherwise a
/// query from the query string (`query`, `operationName`, `variables`,
/// `extensions`, `documentId`). Only queries run, so that answers may be
/// cached: anonymous results publicly for a minute, signed-in results by
/// the browser alone.
async fn graphql_get(
    State(state): State<AppState>,
    Extension(client): Extension<ClientAddress>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    let params = match graphql_http::parse_query_string(raw.as_deref()) {
        Ok(params) => params,
        Err(error) => return refused(error),
    };
    // A browser navigating here gets GraphiQL, with the parameters filling
    // its panes rather than running.
    if graphql_http::wants_html(&headers) {
        return if state.0.exposure.graphiql {
            graphiql::page().await
        } else {
            not_found()
        };
    }
    let Some(media) = MediaType::negotiate(&headers) else {
        return not_acceptable();
    };
    let document = match state.0.documents.resolve(&params) {
        Ok(document) => document,
        Err(error) => return refused_operation(media, error),
    };
    let mut request = graphql_request(&document, &params);
    let operation = request
        .parsed_query()
        .ok()
        .and_then(|parsed| graphql_http::operation_type(parsed, params.operation_name.as_deref()));
    if matches!(
        operation,
        Some(OperationType::Mutation | OperationType::Subscription)
    ) {
        let mut response = request_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "GET runs queries only: send mutations with POST, subscriptions over /graphql/ws"
                .to_owned(),
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let viewer = match authenticate(&state.0.services.membership, &headers).await {
        Ok(viewer) => viewer,
        Err(error) => return app_error(error),
    };
    let mut batch = BatchRequest::Single(request);
    attach(&state, &mut batch, &viewer, client);
    let response = state.0.schema.execute_batch(batch).await;
    let limits = state.0.limits;
    let (status, body) = match answer(&response, media, limits.max_response_bytes) {
        Ok(answer) => answer,
        Err(error) => return app_error(AppError::internal(error)),
    };
    let succeeded = match &response {
        BatchResponse::Single(response) => response.errors.is_empty(),
        BatchResponse::Batch(_) => false,
    };
    let cache = match viewer {
        Viewer::Anonymous if succeeded => "public, max-age=60",
        Viewer::Anonymous => "no-store",
        _ => "private, no-cache",
    };
    (
        status,
        [
            (CONTENT_TYPE, media.content_type()),
            (CACHE_CONTROL, cache),
            (VARY, "Accept, Authorization"),
        ],
        body,
    )
        .into_response()
}

/// The GraphQL request for a resolved document and its parameters.
fn graphql_request(document: &str, params: &graphql_http::Params) -> async_graphql::Request {
    let mut request = async_graphql::Request::new(document);
    request.operation_name = params.operation_name.clone();
    if let Some(variables) = &params.variables {
        request.variables = Variables::from_json(serde_json::Value::Object(variables.clone()));
    }
    request
}

/// Adds what each operation of a request needs: the domains' data for the
/// viewer, the caller (whose allowances are per HTTP request, so shared by
/// a batch) and one introspection budget for the whole request.
fn attach(state: &AppState, batch: &mut BatchRequest, viewer: &Viewer, client: ClientAddress) {
    let caller = Caller::new(client);
    let budget = IntrospectionBudget::default();
    for request in batch.iter_mut() {
        state.0.domains.attach(&mut request.data, viewer, true);
        request.data.insert(caller.clone());
        request.data.insert(budget.clone());
    }
}

/// The status and body of a GraphQL result in the client's media type:
/// under `application/graphql-response+json` an operation that never
/// executed is a request error (`400`, no `data`).
fn answer(
    response: &BatchResponse,
    media: MediaType,
    max_bytes: usize,
) -> serde_json::Result<(StatusCode, Vec<u8>)> {
    let strict = media == MediaType::GraphqlResponse;
    let body = response_body(response, max_bytes, strict)?;
    let status = match response {
        BatchResponse::Single(single) if strict && !single.http_headers.contains_key(EXECUTED) => {
            StatusCode::BAD_REQUEST
        }
        _ => StatusCode::OK,
    };
    Ok((status, body))
}

/// A request refused before GraphQL could read it.
fn refused(error: graphql_http::RequestError) -> Response {
    request_error(error.status, error.code, error.message)
}

/// An operation refused before it ran. Malformed parameters are `400`
/// whatever the media type; a document that could not be found or may not
/// run is a GraphQL request error, with the status the client's media type
/// gives one (`200` under `application/json`, where Apollo's persisted
/// queries expect `PERSISTED_QUERY_NOT_FOUND`).
fn refused_operation(media: MediaType, error: graphql_http::RequestError) -> Response {
    let status = match (media, error.code) {
        (MediaType::Json, code) if code != "BAD_REQUEST" => StatusCode::OK,
        _ => error.status,
    };
    let mut response = request_error(status, error.code, error.message);
    if let Ok(value) = HeaderValue::from_str(media.content_type()) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

fn not_acceptable() -> Response {
    request_error(
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        "ask for application/graphql-response+json or application/json".to_owned(),
    )
}

/// The answer to a request whose key an earlier request holds.
fn answer_held(earlier: EarlierRequest, media: MediaType) -> Response {
    match earlier {
        EarlierRequest::Completed(kept) => replay(kept, media),
        EarlierRequest::Running => {
            let mut response = request_error_with(
                StatusCode::CONFLICT,
                "IDEMPOTENCY_KEY_IN_USE",
                format!(
                    "a request with this Idempotency-Key is still running; send it again in {IN_USE_RETRY_SECONDS} second"
                ),
                json!({ "retryAfterSeconds": IN_USE_RETRY_SECONDS }),
            );
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(IN_USE_RETRY_SECONDS));
            response
        }
        EarlierRequest::OutcomeUnknown => request_error(
            StatusCode::CONFLICT,
            "IDEMPOTENCY_OUTCOME_UNKNOWN",
            "the request first sent with this Idempotency-Key ended without a known outcome: \
             it may or may not have taken effect. Reload what it changes, and if it is still \
             needed, send it with a new key"
                .to_owned(),
        ),
        EarlierRequest::Different => request_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "IDEMPOTENCY_KEY_REUSED",
            "this Idempotency-Key was sent with a different request (document, variables or \
             operation name); use a new key for each operation"
                .to_owned(),
        ),
    }
}

/// How long a client waits before asking again for a key in use: most
/// mutations finish well within a second.
const IN_USE_RETRY_SECONDS: u64 = 1;

/// A kept response, as it was first answered.
fn replay(kept: KeptResponse, media: MediaType) -> Response {
    let status = match StatusCode::from_u16(kept.status) {
        Ok(status) => status,
        Err(error) => return app_error(AppError::internal(error)),
    };
    (
        status,
        [
            (CONTENT_TYPE, HeaderValue::from_static(media.content_type())),
            (IDEMPOTENT_REPLAYED, HeaderValue::from_static("true")),
        ],
        kept.body,
    )
        .into_response()
}

/// The request body, within the size limit and the body timeout (a client
/// trickling its body must not hold a connection for the whole request
/// timeout).
async fn read_body(body: Body, limits: &HttpLimits) -> Result<Bytes, Response> {
    let limit = limits.max_body_bytes;
    let read = tokio::time::timeout(limits.body_timeout, axum::body::to_bytes(body, limit));
    let Ok(read) = read.await else {
        return Err(request_error(
            StatusCode::REQUEST_TIMEOUT,
            "TIMEOUT",
            format!(
                "the request body did not arrive within {} ms",
                limits.body_timeout.as_millis()
            ),
        ));
    };
    read.map_err(|error| {
        let too_large = std::error::Error::source(&error)
            .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
        if too_large {
            request_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!("the request body exceeds the limit of {limit} bytes"),
            )
        } else {
            request_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the request body could not be read".to_owned(),
            )
        }
    })
}

/// The viewer behind the `Authorization` header. A header that is not a
/// bearer token counts as a rejected session, like an unknown token.
async fn authenticate(
    membership: &MembershipService,
    headers: &HeaderMap,
) -> Result<Viewer, AppError> {
    use alumni_core::viewer::SessionRejection;

    match headers.get(AUTHORIZATION) {
        None => Ok(Viewer::Anonymous),
        Some(value) => match value.to_str() {
            Ok(value) => authenticate_credentials(membership, value).await,
            Err(_) => Ok(Viewer::RejectedSession(SessionRejection::Unknown)),
        },
    }
}

/// The viewer behind an `Authorization` value (`Bearer <token>`).
pub(crate) async fn authenticate_credentials(
    membership: &MembershipService,
    credentials: &str,
) -> Result<Viewer, AppError> {
    use alumni_core::viewer::SessionRejection;

    let token = credentials
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match token {
        Some(token) => membership.authenticate(token).await,
        None => Ok(Viewer::RejectedSession(SessionRejection::Unknown)),
    }
}

/// `GET /graphql/ws`: upgrades to a `graphql-transport-ws` connection (see
/// [`crate::socket`]), whose messages are bounded like request bodies.
async fn graphql_ws(State(state): State<AppState>, upgrade: WebSocketUpgrade) -> Response {
    let offered = upgrade.requested_protocols().any(|protocol| {
        protocol
            .as_bytes()
            .eq_ignore_ascii_case(SUBPROTOCOL.as_bytes())
    });
    if !offered {
        return request_error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            format!("ask for the `{SUBPROTOCOL}` WebSocket subprotocol"),
        );
    }
    let max_message = state.0.limits.max_body_bytes;
    upgrade
        .protocols([SUBPROTOCOL])
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .on_upgrade(move |socket| socket::serve(socket, state))
}

/// The files every domain serves (calendars, CSV exports), each at its own
/// path.
/// The page a mail's unsubscribe link opens: a button that posts to the
/// same address. A `GET` changes nothing, since mail scanners follow links.
async fn unsubscribe_page() -> Response {
    unsubscribe_html(
        StatusCode::OK,
        "配信の停止",
        "<form method=\"post\"><p>この種類のメールの配信を停止しますか？お知らせはアプリで引き続きご覧いただけます。</p>\
         <button type=\"submit\" name=\"List-Unsubscribe\" value=\"One-Click\">配信を停止する</button></form>",
    )
}

/// One-click unsubscribe (RFC 8058): the mail client posts here, and that
/// kind of mail stops for the token's member.
async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    // Tokens the network issues are short; anything longer is not one.
    let outcome = if token.len() > 100 {
        Err(AppError::NotFound {
            entity: "UnsubscribeToken",
        })
    } else {
        state.0.services.notify.unsubscribe(&token).await
    };
    match outcome {
        Ok(()) => unsubscribe_html(
            StatusCode::OK,
            "配信を停止しました",
            "<p>この種類のメールの配信を停止しました。設定はいつでも変更できます。</p>",
        ),
        Err(AppError::NotFound { .. }) => unsubscribe_html(
            StatusCode::NOT_FOUND,
            "リンクが無効です",
            "<p>この配信停止のリンクは無効です。設定画面から変更してください。</p>",
        ),
        Err(error) => {
            tracing::warn!(%error, "unsubscribing failed");
            unsubscribe_html(
                StatusCode::SERVICE_UNAVAILABLE,
                "ただいま処理できません",
                "<p>しばらくしてからもう一度お試しください。</p>",
            )
        }
    }
}

fn unsubscribe_html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"
    );
    (
        status,
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response()
}

fn file_routes(state: &AppState) -> Router<AppState> {
    let mut router = Router::new();
    for domain in state.0.domains.iter() {
        for file in domain.files() {
            let route = file.clone();
            router = router.route(
                file.path,
                get(
                    move |State(state): State<AppState>,
                          Path(parameter): Path<String>,
                          Query(query): Query<Vec<(String, String)>>,
                          headers: HeaderMap| {
                        let route = route.clone();
                        async move {
                            let request = FileRequest {
                                viewer: Viewer::Anonymous,
                                parameter,
                                query,
                            };
                            serve_file(&state, &route, request, &headers).await
                        }
                    },
                ),
            );
        }
    }
    router
}

/// One file: the viewer from the bearer token where the route reads it,
/// the domain's answer, or its error with the HTTP status its code implies.
async fn serve_file(
    state: &AppState,
    route: &FileRoute,
    mut request: FileRequest,
    headers: &HeaderMap,
) -> Response {
    if route.signed_in {
        match authenticate(&state.0.services.membership, headers).await {
            Ok(viewer) => request.viewer = viewer,
            Err(error) => return app_error(error),
        }
    }
    match (route.serve)(request).await {
        Ok(file) => (
            [
                (CONTENT_TYPE, file.content_type.to_owned()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", file.name),
                ),
            ],
            file.body,
        )
            .into_response(),
        Err(error) => app_error(error),
    }
}

fn not_found() -> Response {
    request_error(StatusCode::NOT_FOUND, "NOT_FOUND", "not found".to_owned())
}

/// A request refused before GraphQL execution, in the GraphQL error shape.
fn request_error(status: StatusCode, code: &'static str, message: String) -> Response {
    request_error_with(status, code, message, json!({}))
}

/// [`request_error`] with further `extensions` (a JSON object).
fn request_error_with(
    status: StatusCode,
    code: &'static str,
    message: String,
    mut extensions: serde_json::Value,
) -> Response {
    if let Some(fields) = extensions.as_object_mut() {
        fields.insert("code".to_owned(), json!(code));
    }
    let body = json!({ "errors": [{ "message": message, "extensions": extensions }] });
    (status, axum::Json(body)).into_response()
}

/// An error answered outside GraphQL execution (authentication could not
/// reach the database, or a calendar or CSV route refused), in the GraphQL
/// error shape with the HTTP status its code implies.
fn app_error(error: AppError) -> Response {
    let status = match error {
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden { .. } | AppError::TermsNotAccepted => StatusCode::FORBIDDEN,
        AppError::NotFound { .. } => StatusCode::NOT_FOUND,
        AppError::BadUserInput { .. } => StatusCode::BAD_REQUEST,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::Screened { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::ServiceUnavailable(_) | AppError::Timeout(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let graphql = error.to_graphql_error();
    let mut server_error = ServerError::new(graphql.message, None);
    server_error.extensions = graphql.extensions;
    (status, axum::Json(json!({ "errors": [server_error] }))).into_response()
}
