//! Unknown routes and wrong methods answer problem+json too.

use axum::http::{Method, Uri};

use crate::ApiError;

/// 404 `not_found` for any unknown path.
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found("not_found", format!("no route for {}", uri.path()))
}

/// 405 `method_not_allowed`.
pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!("{method} is not allowed on {}", uri.path()))
}
