//! The API's own description: `GET /openapi.json` (the document built from the router, the
//! same as the checked-in `openapi/openapi.json`) and `GET /docs` (the Scalar API reference,
//! served entirely by this binary: see [`crate::pages`]).

use std::sync::Arc;

use axum::{
    Extension,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};

/// The OpenAPI document rendered as JSON, once, when the router is built.
#[derive(Debug)]
pub struct ApiDocs {
    json: String,
}

impl ApiDocs {
    /// Renders `openapi` as JSON.
    pub fn new(openapi: &utoipa::openapi::OpenApi) -> Self {
        let json = serde_json::to_string(openapi).unwrap_or_default();
        Self { json }
    }
}

/// This OpenAPI document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", operation_id = "get_openapi",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", body = Object, content_type = "application/json")))]
pub async fn get_openapi(Extension(docs): Extension<Arc<ApiDocs>>) -> Response {
    let mut res = docs.json.clone().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// Human-readable API documentation.
///
/// The Scalar API reference of this OpenAPI document. The page and its scripts come from
/// this server only (no CDN), so it works on a network without internet access.
#[utoipa::path(get, path = "/docs", tag = "operations", operation_id = "get_docs",
    responses((status = 200, description = "The API reference as a web page", body = String, content_type = "text/html")))]
pub async fn get_docs() -> Response {
    crate::pages::docs()
}
