//! The API's own description: `GET /openapi.json` (the document built from the router, the
//! same as the checked-in `openapi/openapi.json`) and `GET /docs` (Scalar, human-readable).

use std::sync::Arc;

use axum::{
    Extension,
    http::{HeaderValue, header},
    response::{Html, IntoResponse, Response},
};
use utoipa_scalar::Scalar;

/// The rendered documents, built once when the router is.
#[derive(Debug)]
pub struct ApiDocs {
    json: String,
    html: String,
}

impl ApiDocs {
    /// Renders `openapi` as JSON and as the Scalar page.
    pub fn new(openapi: &utoipa::openapi::OpenApi) -> Self {
        let json = serde_json::to_string(openapi).unwrap_or_default();
        let html = Scalar::new(openapi.clone()).title("chitieu API").to_html();
        Self { json, html }
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
/// A Scalar page rendered from this OpenAPI document (the page's script loads from a CDN
/// in the browser).
#[utoipa::path(get, path = "/docs", tag = "operations", operation_id = "get_docs",
    responses((status = 200, description = "The API reference as a web page", body = String, content_type = "text/html")))]
pub async fn get_docs(Extension(docs): Extension<Arc<ApiDocs>>) -> Html<String> {
    Html(docs.html.clone())
}
