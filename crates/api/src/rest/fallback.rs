//! Unknown routes and wrong methods answer problem+json too.

use axum::http::{Method, Uri};

use crate::{
    ApiError,
    bounded::{MAX_ECHOED, truncated},
    metrics::method_label,
};

/// 404 `not_found` for any unknown path (echoed cut short).
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(
        "not_found",
        format!("no route for {}", truncated(uri.path(), MAX_ECHOED)),
    )
}

/// 405 `method_not_allowed`. A method outside the standard set is not echoed.
pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    let method = match method_label(&method) {
        "other" => "this method",
        standard => standard,
    };
    ApiError::MethodNotAllowed(format!(
        "{method} is not allowed on {}",
        truncated(uri.path(), MAX_ECHOED)
    ))
}
