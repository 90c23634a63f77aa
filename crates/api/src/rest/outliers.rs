//! `GET /api/v1/outliers`: figures far from their history, or outside their bounds.

use axum::{
    Json,
    extract::{RawQuery, State},
};

use super::reports::Params;
use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::outliers::{OutlierDto, OutliersParams, OutliersResponse},
    service::outliers::{self, OutlierQuery},
};

/// Outliers of a unit's subtree.
///
/// Every stored integer or number figure whose period lies inside `period`, of a unit in the
/// subtree, is compared with the same unit and element's figures of periods of the same
/// length whose end lies in the 36 months ending with the period's last month (the figure
/// itself included): `z_score`, `modified_z_score`, or the `min_max` bounds of the metadata
/// bundle. Only flagged figures are listed, largest score first, at most 500.
#[utoipa::path(get, path = "/api/v1/outliers", tag = "aggregates", operation_id = "get_outliers",
    params(OutliersParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Flagged figures", body = OutliersResponse),
        (status = 400, description = "Invalid query", body = crate::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown org unit or data element", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_outliers(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<OutliersResponse>, ApiError> {
    let p = Params::parse(
        raw,
        &[
            "org_unit",
            "period",
            "data_element",
            "algorithm",
            "threshold",
        ],
    )?;
    let query = OutlierQuery {
        org_unit: p.required("org_unit")?,
        period: p.required("period")?,
        data_elements: p.all("data_element"),
        algorithm: p.one("algorithm")?,
        threshold: p.one("threshold")?,
    };
    let found = outliers::outliers(&state, &caller, &query).await?;
    Ok(Json(OutliersResponse {
        outliers: found.iter().map(OutlierDto::from).collect(),
    }))
}
