//! Liveness and readiness.

use axum::{Json, extract::State};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{ApiError, AppState};

/// Health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
}

/// The process runs.
#[utoipa::path(get, path = "/healthz", tag = "operations", operation_id = "get_healthz",
    responses((status = 200, description = "The process runs", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", tag = "operations", operation_id = "get_readyz",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database does not answer within `CHITIEU_DATABASE_TIMEOUT`", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    // The check is bounded by the database timeout and shared with concurrent callers.
    state
        .db
        .ping()
        .await
        .map_err(|_| ApiError::Unavailable("the database does not answer".into()))?;
    Ok(Json(Health { status: "ok" }))
}
