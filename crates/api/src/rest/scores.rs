//! `GET /api/v1/scores`: the composite index of a unit (and its children, ranked).

use axum::{
    Json,
    extract::{RawQuery, State},
};

use super::reports::Params;
use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::scores::{ScoresParams, ScoresResponse},
    service::scores::{self, ScoresQuery},
};

/// The composite index: per group of indicators, the attainment statuses counted and
/// weighted; with `breakdown=children` each child ranked (1 = best, ties share a rank).
#[utoipa::path(get, path = "/api/v1/scores", tag = "reports", operation_id = "get_scores",
    params(ScoresParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "The unit's row, then each child's", body = ScoresResponse),
        (status = 400, description = "Invalid query (`invalid_period`, `invalid_breakdown`, …)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown org unit, or outside your subtree (`unknown_org_unit`)", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_scores(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<ScoresResponse>, ApiError> {
    let p = Params::parse(raw, &["org_unit", "period", "breakdown"])?;
    let query = ScoresQuery {
        org_unit: p.required("org_unit")?,
        period: p.required("period")?,
        breakdown: p.breakdown()?,
    };
    let report = scores::scores(&state, &caller, &query).await?;
    Ok(Json(ScoresResponse::from(&report)))
}
