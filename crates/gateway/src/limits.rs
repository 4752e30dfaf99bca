//! Per-operation limits, and codes for the errors GraphQL itself raises.
//!
//! async-graphql computes the depth and complexity of every operation while
//! validating it; this extension refuses operations over the configured
//! limits with `QUERY_TOO_DEEP` / `QUERY_TOO_COMPLEX` (and the numbers in
//! `extensions`), so a client can tell which limit it hit.
//!
//! It also gives every error a stable `extensions.code`, as the API promises:
//! a document that does not parse is `GRAPHQL_PARSE_FAILED`; one that does
//! not validate against the schema is `GRAPHQL_VALIDATION_FAILED`; an
//! argument value GraphQL cannot coerce at execution is `BAD_USER_INPUT`.
//! Errors raised by our own resolvers already carry their code.

use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextRequest,
    NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};

/// Limits on one operation.
#[derive(Debug, Clone, Copy)]
pub struct OperationLimits {
    /// Deepest selection nesting.
    pub max_depth: usize,
    /// Highest complexity.
    pub max_complexity: usize,
}

impl ExtensionFactory for OperationLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
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
    let mut error = ServerError::new(message, None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", code);
    extensions.set("limit", limit);
    extensions.set("actual", actual);
    error
}

#[async_graphql::async_trait::async_trait]
impl Extension for OperationLimits {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut response = next.run(ctx).await;
        // Whatever is still without a code failed before execution began,
        // e.g. an unknown operation name.
        response.errors = std::mem::take(&mut response.errors)
            .into_iter()
            .map(|error| with_default_code(error, "GRAPHQL_VALIDATION_FAILED"))
            .collect();
        response
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
        let result = next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| with_default_code(error, "GRAPHQL_VALIDATION_FAILED"))
                .collect::<Vec<_>>()
        })?;
        if result.depth > self.max_depth {
            return Err(vec![limit_error(
                format!(
                    "the query is nested {} levels deep; the limit is {}",
                    result.depth, self.max_depth
                ),
                "QUERY_TOO_DEEP",
                self.max_depth,
                result.depth,
            )]);
        }
        if result.complexity > self.max_complexity {
            return Err(vec![limit_error(
                format!(
                    "the query's complexity is {}; the limit is {} (ask for smaller pages or fewer fields)",
                    result.complexity, self.max_complexity
                ),
                "QUERY_TOO_COMPLEX",
                self.max_complexity,
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
        response
    }
}
