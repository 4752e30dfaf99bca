//! Helpers for resolvers: reaching request data without panicking.

use std::any::Any;

use async_graphql::Context;

use crate::error::AppError;
use crate::viewer::Viewer;

/// Data the gateway put into the schema or the request. Missing data is a
/// wiring bug, reported as `INTERNAL` rather than a panic.
pub fn data<'a, T: Any + Send + Sync>(ctx: &Context<'a>) -> Result<&'a T, AppError> {
    ctx.data::<T>().map_err(|err| {
        AppError::internal(format!(
            "{} missing from the GraphQL context: {}",
            std::any::type_name::<T>(),
            err.message
        ))
    })
}

/// The viewer of the current request.
pub fn viewer<'a>(ctx: &Context<'a>) -> Result<&'a Viewer, AppError> {
    data::<Viewer>(ctx)
}
