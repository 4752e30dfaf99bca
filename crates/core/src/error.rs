//! The one error type of the API and its stable codes.
//!
//! Policy: every error a client sees carries `extensions.code` from a small,
//! stable set. Messages of client-facing variants are written for the client
//! and may be shown to users. `INTERNAL` and `SERVICE_UNAVAILABLE` never carry
//! their cause to the client: the cause is logged (with the request id, which
//! the client also receives as `extensions.requestId` to quote to operators).
//!
//! | code | meaning |
//! |---|---|
//! | `UNAUTHENTICATED` | no valid session: sign in (again) |
//! | `FORBIDDEN` | signed in, but not allowed; may carry `extensions.reason` |
//! | `NOT_FOUND` | no such entity, or not visible to the viewer |
//! | `BAD_USER_INPUT` | an argument is invalid; `extensions.field` names it |
//! | `CONFLICT` | the change collides with the current state or a concurrent change; may carry `extensions.reason` |
//! | `RATE_LIMITED` | too many attempts; `extensions.retryAfterSeconds` says when to retry |
//! | `TERMS_NOT_ACCEPTED` | the member must accept the current terms first |
//! | `SERVICE_UNAVAILABLE` | a dependency (the database) is unreachable or dropped the connection; retry later |
//! | `TIMEOUT` | the work took longer than allowed (a statement timeout, the request limit); retry later |
//! | `INTERNAL` | a bug; details are in the server log under the request id |
//!
//! A domain that refuses an action for several reasons clients must tell
//! apart (an event's registration has closed, the event was cancelled)
//! sets `reason` on `FORBIDDEN` or `CONFLICT`: a stable, upper-case name
//! from the domain's own list, so the set of codes stays small and clients
//! need not parse messages.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::sync::Arc;

use async_graphql::ErrorExtensions;
use diesel::result::DatabaseErrorKind;

use crate::request;

/// An error cause, kept for the log only. Shared, so that errors can be
/// cloned (DataLoader hands one error to every waiting field).
pub type Cause = Arc<dyn StdError + Send + Sync + 'static>;

fn cause(error: impl Into<Box<dyn StdError + Send + Sync + 'static>>) -> Cause {
    Arc::from(error.into())
}

/// One rule the leak guard found in a text, as the author is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The input field the text came from.
    pub field: String,
    /// `BLOCK`, `HOLD` or `WARN`.
    pub action: &'static str,
    /// Why the rule exists, in the secretariat's words.
    pub explanation: String,
    /// The matched text with a little context (secrets are cut short).
    pub excerpt: String,
}

impl Finding {
    fn to_value(&self) -> async_graphql::Value {
        let mut object = async_graphql::indexmap::IndexMap::new();
        for (key, value) in [
            ("field", self.field.as_str()),
            ("action", self.action),
            ("explanation", self.explanation.as_str()),
            ("excerpt", self.excerpt.as_str()),
        ] {
            object.insert(
                async_graphql::Name::new(key),
                async_graphql::Value::from(value),
            );
        }
        async_graphql::Value::Object(object)
    }
}

/// An error of the API, mapped to a stable `extensions.code`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// No valid session.
    #[error("{0}")]
    Unauthenticated(Cow<'static, str>),
    /// Signed in, but the viewer may not do this.
    #[error("{message}")]
    Forbidden {
        /// What is not allowed, for people.
        message: String,
        /// Which refusal this is, for clients (`extensions.reason`).
        reason: Option<&'static str>,
    },
    /// The entity does not exist or is not visible to the viewer.
    #[error("{entity} not found")]
    NotFound {
        /// What was looked for, e.g. `"Member"`.
        entity: &'static str,
    },
    /// An argument is invalid.
    #[error("{field}: {message}")]
    BadUserInput {
        /// The argument or input field at fault, as named in the schema.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The change collides with the current state or with a concurrent change.
    #[error("{message}")]
    Conflict {
        /// What collides, for people.
        message: String,
        /// Which refusal this is, for clients (`extensions.reason`).
        reason: Option<&'static str>,
    },
    /// The leak guard refused a text (`CONTENT_BLOCKED`), or the author
    /// must confirm its warnings first (`WARNINGS_NOT_CONFIRMED`).
    #[error("{message}")]
    Screened {
        /// What to do, for people.
        message: String,
        /// Whether a rule blocks the text (else it only needs confirming).
        blocked: bool,
        /// What matched, where (`extensions.findings`).
        findings: Vec<Finding>,
    },
    /// Too many attempts.
    #[error("too many attempts; try again in {retry_after_seconds} seconds")]
    RateLimited {
        /// Seconds until another attempt may succeed.
        retry_after_seconds: u64,
    },
    /// The member must accept the current terms first.
    #[error("accept the current terms of use to continue")]
    TermsNotAccepted,
    /// A dependency is unreachable.
    #[error("the service is temporarily unavailable; try again shortly")]
    ServiceUnavailable(#[source] Cause),
    /// The work took longer than allowed.
    #[error("the request took too long; try again shortly")]
    Timeout(#[source] Cause),
    /// A bug or an unexpected state.
    #[error("internal error")]
    Internal(#[source] Cause),
}

impl AppError {
    /// Invalid argument `field`.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The viewer may not do this; no reason for clients to tell apart.
    pub fn forbidden(message: impl Into<String>) -> Self {
        AppError::Forbidden {
            message: message.into(),
            reason: None,
        }
    }

    /// The change collides with the current state; no reason for clients
    /// to tell apart.
    pub fn conflict(message: impl Into<String>) -> Self {
        AppError::Conflict {
            message: message.into(),
            reason: None,
        }
    }

    /// An unexpected failure; `cause` goes to the log only.
    pub fn internal(error: impl Into<Box<dyn StdError + Send + Sync + 'static>>) -> Self {
        AppError::Internal(cause(error))
    }

    /// A dependency is unreachable; `cause` goes to the log only.
    pub fn unavailable(error: impl Into<Box<dyn StdError + Send + Sync + 'static>>) -> Self {
        AppError::ServiceUnavailable(cause(error))
    }

    /// The stable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Unauthenticated(_) => "UNAUTHENTICATED",
            AppError::Forbidden { .. } => "FORBIDDEN",
            AppError::NotFound { .. } => "NOT_FOUND",
            AppError::BadUserInput { .. } => "BAD_USER_INPUT",
            AppError::Conflict { .. } => "CONFLICT",
            AppError::Screened { blocked: true, .. } => "CONTENT_BLOCKED",
            AppError::Screened { blocked: false, .. } => "WARNINGS_NOT_CONFIRMED",
            AppError::RateLimited { .. } => "RATE_LIMITED",
            AppError::TermsNotAccepted => "TERMS_NOT_ACCEPTED",
            AppError::ServiceUnavailable(_) => "SERVICE_UNAVAILABLE",
            AppError::Timeout(_) => "TIMEOUT",
            AppError::Internal(_) => "INTERNAL",
        }
    }

    /// The argument at fault, for `BAD_USER_INPUT`.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::BadUserInput { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The refusal's stable `extensions.reason`, where the domain gave one.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            AppError::Forbidden { reason, .. } | AppError::Conflict { reason, .. } => *reason,
            _ => None,
        }
    }

    /// Writes the cause of server-side failures to the log. Called once, when
    /// the error leaves the service layer for a client.
    fn log_cause(&self) {
        match self {
            AppError::Internal(cause) => {
                tracing::error!(error = %ErrorChain(cause.as_ref()), "internal error");
            }
            AppError::ServiceUnavailable(cause) => {
                tracing::warn!(error = %ErrorChain(cause.as_ref()), "service unavailable");
            }
            AppError::Timeout(cause) => {
                tracing::warn!(error = %ErrorChain(cause.as_ref()), "timed out");
            }
            _ => {}
        }
    }

    /// The error as GraphQL sees it: client-safe message plus extensions.
    pub fn to_graphql_error(&self) -> async_graphql::Error {
        self.log_cause();
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            if let Some(reason) = self.reason() {
                ext.set("reason", reason);
            }
            match self {
                AppError::BadUserInput { field, .. } => ext.set("field", field.as_str()),
                AppError::RateLimited {
                    retry_after_seconds,
                } => ext.set("retryAfterSeconds", *retry_after_seconds),
                AppError::Screened { findings, .. } => ext.set(
                    "findings",
                    async_graphql::Value::List(findings.iter().map(Finding::to_value).collect()),
                ),
                AppError::Internal(_) | AppError::ServiceUnavailable(_) | AppError::Timeout(_) => {
                    if let Some(request_id) = request::current_request_id() {
                        ext.set("requestId", request_id);
                    }
                }
                _ => {}
            }
        })
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(error: AppError) -> Self {
        error.to_graphql_error()
    }
}

/// Displays an error with its whole `source()` chain, for logs.
pub struct ErrorChain<'a>(pub &'a (dyn StdError + 'static));

impl std::fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

/// How PostgreSQL words the errors of a connection it ends, a server that
/// is going away or coming up, and a cancelled statement (SQLSTATE 57P01,
/// 57P02, 57P03, 57014). diesel reports them only as "unknown" with the
/// server's message, so they are recognised by it; the server must speak
/// English (`lc_messages` C or en, the default), as managed PostgreSQL does.
const CONNECTION_LOST: [&str; 5] = [
    "terminating connection",
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
    "server closed the connection",
];
const STATEMENT_CANCELLED: &str = "canceling statement due to";
const DEADLOCK: &str = "deadlock detected";

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::Error as E;
        match error {
            E::NotFound => AppError::NotFound { entity: "record" },
            E::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            )
            | E::BrokenTransactionManager => AppError::unavailable(error),
            E::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => AppError::conflict(
                "the data changed while this request was being processed; try again",
            ),
            E::DatabaseError(DatabaseErrorKind::Unknown, ref info) => {
                let message = info.message();
                if CONNECTION_LOST.iter().any(|lost| message.starts_with(lost)) {
                    AppError::unavailable(error)
                } else if message.starts_with(STATEMENT_CANCELLED) {
                    AppError::Timeout(cause(error))
                } else if message.starts_with(DEADLOCK) {
                    AppError::conflict(
                        "the data changed while this request was being processed; try again",
                    )
                } else {
                    AppError::internal(error)
                }
            }
            other => AppError::internal(other),
        }
    }
}

/// Errors from checking a connection out of the pool.
pub type PoolError = deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>;

impl From<PoolError> for AppError {
    fn from(error: PoolError) -> Self {
        match error {
            PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_) => {
                AppError::internal(error)
            }
            PoolError::Timeout(_) | PoolError::Backend(_) | PoolError::Closed => {
                AppError::unavailable(error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::Value;

    fn extensions(error: &AppError) -> async_graphql::ErrorExtensionValues {
        let graphql = error.to_graphql_error();
        graphql.extensions.expect("every error has extensions")
    }

    fn code_of(error: &AppError) -> String {
        match extensions(error).get("code") {
            Some(Value::String(code)) => code.clone(),
            other => panic!("code missing: {other:?}"),
        }
    }

    #[test]
    fn unauthenticated_maps_to_its_code() {
        let error = AppError::Unauthenticated("sign in".into());
        assert_eq!(code_of(&error), "UNAUTHENTICATED");
        assert_eq!(error.to_graphql_error().message, "sign in");
    }

    #[test]
    fn screened_texts_carry_their_findings() {
        let finding = Finding {
            field: "input.bio".into(),
            action: "BLOCK",
            explanation: "project code names stay inside".into(),
            excerpt: "now on Falcon".into(),
        };
        let blocked = AppError::Screened {
            message: "refused".into(),
            blocked: true,
            findings: vec![finding.clone()],
        };
        assert_eq!(code_of(&blocked), "CONTENT_BLOCKED");
        let Some(Value::List(findings)) = extensions(&blocked).get("findings").cloned() else {
            panic!("findings missing");
        };
        assert_eq!(findings, vec![finding.to_value()]);
        let warned = AppError::Screened {
            message: "confirm".into(),
            blocked: false,
            findings: vec![finding],
        };
        assert_eq!(code_of(&warned), "WARNINGS_NOT_CONFIRMED");
    }

    #[test]
    fn forbidden_maps_to_its_code() {
        let error = AppError::forbidden("secretariat only");
        assert_eq!(code_of(&error), "FORBIDDEN");
        assert_eq!(extensions(&error).get("reason"), None);
    }

    #[test]
    fn forbidden_carries_its_reason() {
        let error = AppError::Forbidden {
            message: "this event is for alumni only".into(),
            reason: Some("OUTSIDE_AUDIENCE"),
        };
        assert_eq!(code_of(&error), "FORBIDDEN");
        assert_eq!(
            extensions(&error).get("reason"),
            Some(&Value::from("OUTSIDE_AUDIENCE"))
        );
        assert_eq!(error.reason(), Some("OUTSIDE_AUDIENCE"));
        assert_eq!(
            error.to_graphql_error().message,
            "this event is for alumni only"
        );
    }

    #[test]
    fn not_found_names_the_entity() {
        let error = AppError::NotFound { entity: "Member" };
        assert_eq!(code_of(&error), "NOT_FOUND");
        assert_eq!(error.to_graphql_error().message, "Member not found");
    }

    #[test]
    fn bad_user_input_names_the_field() {
        let error = AppError::bad_input("password", "must be at least 12 characters");
        let ext = extensions(&error);
        assert_eq!(code_of(&error), "BAD_USER_INPUT");
        assert_eq!(ext.get("field"), Some(&Value::String("password".into())));
    }

    #[test]
    fn conflict_maps_to_its_code() {
        let error = AppError::conflict("taken");
        assert_eq!(code_of(&error), "CONFLICT");
        assert_eq!(extensions(&error).get("reason"), None);
        assert_eq!(error.reason(), None);
    }

    #[test]
    fn conflict_carries_its_reason() {
        let error = AppError::Conflict {
            message: "registration for this event has closed".into(),
            reason: Some("REGISTRATION_CLOSED"),
        };
        assert_eq!(code_of(&error), "CONFLICT");
        assert_eq!(
            extensions(&error).get("reason"),
            Some(&Value::from("REGISTRATION_CLOSED"))
        );
        assert_eq!(error.to_string(), "registration for this event has closed");
    }

    #[test]
    fn only_refusals_carry_a_reason() {
        for error in [
            AppError::NotFound { entity: "Event" },
            AppError::bad_input("capacity", "too large"),
            AppError::TermsNotAccepted,
            AppError::internal("bug"),
        ] {
            assert_eq!(error.reason(), None);
            assert_eq!(extensions(&error).get("reason"), None, "{error:?}");
        }
    }

    #[test]
    fn rate_limited_says_when_to_retry() {
        let error = AppError::RateLimited {
            retry_after_seconds: 60,
        };
        assert_eq!(code_of(&error), "RATE_LIMITED");
        assert_eq!(
            extensions(&error).get("retryAfterSeconds"),
            Some(&Value::Number(60.into()))
        );
    }

    #[test]
    fn terms_not_accepted_maps_to_its_code() {
        assert_eq!(code_of(&AppError::TermsNotAccepted), "TERMS_NOT_ACCEPTED");
    }

    #[test]
    fn service_unavailable_hides_its_cause() {
        let error = AppError::unavailable("connection refused to 10.0.0.5:5432");
        assert_eq!(code_of(&error), "SERVICE_UNAVAILABLE");
        assert!(!error.to_graphql_error().message.contains("10.0.0.5"));
    }

    #[test]
    fn internal_hides_its_cause_and_carries_the_request_id() {
        let error = AppError::internal("relation \"membership.members\" does not exist");
        let graphql = request::with_request_id("req-42".into(), || error.to_graphql_error());
        assert_eq!(graphql.message, "internal error");
        let ext = graphql.extensions.unwrap();
        assert_eq!(ext.get("code"), Some(&Value::from("INTERNAL")));
        assert_eq!(ext.get("requestId"), Some(&Value::from("req-42")));
    }

    #[test]
    fn lost_database_connections_are_service_unavailable() {
        for kind in [
            DatabaseErrorKind::ClosedConnection,
            DatabaseErrorKind::UnableToSendCommand,
        ] {
            let error = diesel::result::Error::DatabaseError(kind, Box::new("gone".to_owned()));
            assert_eq!(AppError::from(error).code(), "SERVICE_UNAVAILABLE");
        }
        let broken = diesel::result::Error::BrokenTransactionManager;
        assert_eq!(AppError::from(broken).code(), "SERVICE_UNAVAILABLE");
    }

    fn unknown_database_error(message: &str) -> diesel::result::Error {
        diesel::result::Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new(message.to_owned()),
        )
    }

    #[test]
    fn connections_the_server_ends_are_service_unavailable() {
        for message in [
            "terminating connection due to administrator command",
            "terminating connection because of crash of another server process",
            "the database system is shutting down",
            "the database system is starting up",
        ] {
            let error = AppError::from(unknown_database_error(message));
            assert_eq!(error.code(), "SERVICE_UNAVAILABLE", "{message}");
        }
    }

    #[test]
    fn cancelled_statements_are_timeouts() {
        let error = AppError::from(unknown_database_error(
            "canceling statement due to statement timeout",
        ));
        assert_eq!(code_of(&error), "TIMEOUT");
        assert!(!error.to_graphql_error().message.contains("statement"));
    }

    #[test]
    fn deadlocks_are_conflicts() {
        let error = AppError::from(unknown_database_error("deadlock detected"));
        assert_eq!(error.code(), "CONFLICT");
    }

    #[test]
    fn serialization_failures_are_conflicts() {
        let error = diesel::result::Error::DatabaseError(
            DatabaseErrorKind::SerializationFailure,
            Box::new("could not serialize access".to_owned()),
        );
        assert_eq!(AppError::from(error).code(), "CONFLICT");
    }

    #[test]
    fn other_database_errors_are_internal() {
        let error = diesel::result::Error::DatabaseError(
            DatabaseErrorKind::CheckViolation,
            Box::new("violates check constraint".to_owned()),
        );
        assert_eq!(AppError::from(error).code(), "INTERNAL");
        assert_eq!(
            AppError::from(diesel::result::Error::NotFound).code(),
            "NOT_FOUND"
        );
    }

    #[test]
    fn pool_errors_map_by_cause() {
        let timeout = PoolError::Timeout(deadpool::managed::TimeoutType::Wait);
        assert_eq!(AppError::from(timeout).code(), "SERVICE_UNAVAILABLE");
        let refused =
            PoolError::Backend(diesel_async::pooled_connection::PoolError::ConnectionError(
                diesel::ConnectionError::BadConnection("connection refused".into()),
            ));
        assert_eq!(AppError::from(refused).code(), "SERVICE_UNAVAILABLE");
        assert_eq!(
            AppError::from(PoolError::Closed).code(),
            "SERVICE_UNAVAILABLE"
        );
        assert_eq!(
            AppError::from(PoolError::NoRuntimeSpecified).code(),
            "INTERNAL"
        );
    }
}
