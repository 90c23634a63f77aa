//! `GET /metrics`: Prometheus text, no token needed; it holds no figures.

use axum::{
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};

use crate::AppState;

/// Media type of the Prometheus text exposition.
const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Prometheus metrics.
///
/// Requests by method, route template and status; latency per route template; figures
/// written by kind. No figures and no org-unit codes.
#[utoipa::path(get, path = "/metrics", tag = "operations", operation_id = "get_metrics",
    responses((status = 200, description = "Prometheus text exposition (format 0.0.4)", body = String,
        content_type = "text/plain",
        example = "# TYPE chitieu_http_requests_total counter\nchitieu_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 3\n")))]
pub async fn get_metrics(State(state): State<AppState>) -> Response {
    let mut res = state.metrics.render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROMETHEUS_TEXT),
    );
    res
}
