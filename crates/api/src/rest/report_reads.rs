//! `GET /api/v1/reports` and `GET /api/v1/completeness`: which reports are expected, in
//! which state, and how complete and timely they are.

use axum::{
    Json,
    extract::{RawQuery, State},
};

use super::reports::Params;
use crate::dto::report_cycle::ReportDto;
use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::report_reads::{CompletenessParams, CompletenessResponse, ReportsParams, ReportsResponse},
    service::report_reads::{self, ReportBreakdown, ReportScope},
};

fn scope(p: &Params) -> Result<ReportScope, ApiError> {
    Ok(ReportScope {
        data_set: p.required("data_set")?,
        org_unit: p.required("org_unit")?,
        period: p.required("period")?,
    })
}

/// The expected reports of a data set for a unit (its children, or its subtree) over a
/// period, untouched ones `open`.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", operation_id = "list_reports",
    params(ReportsParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Expected reports", body = ReportsResponse),
        (status = 400, description = "Invalid query, or more than 10 000 reports (`too_many_rows`)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown org unit or data set", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_reports(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<ReportsResponse>, ApiError> {
    let p = Params::parse(raw, &["data_set", "org_unit", "period", "breakdown"])?;
    let breakdown = p
        .one("breakdown")?
        .as_deref()
        .map_or(Ok(ReportBreakdown::SelfOnly), ReportBreakdown::parse)?;
    let reports = report_reads::list(&state, &caller, &scope(&p)?, breakdown).await?;
    Ok(Json(ReportsResponse {
        reports: reports.iter().map(ReportDto::from).collect(),
    }))
}

/// Completeness and timeliness of a data set's reports over a unit's subtree (and each
/// child's), with the missing reports.
#[utoipa::path(get, path = "/api/v1/completeness", tag = "reports", operation_id = "get_completeness",
    params(CompletenessParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Completeness rows and missing reports", body = CompletenessResponse),
        (status = 400, description = "Invalid query", body = crate::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown org unit or data set", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_completeness(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<CompletenessResponse>, ApiError> {
    let p = Params::parse(
        raw,
        &[
            "data_set",
            "org_unit",
            "period",
            "breakdown",
            "missing_limit",
        ],
    )?;
    let children = match p.one("breakdown")?.as_deref() {
        None | Some("self") => false,
        Some("children") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                "invalid_breakdown",
                format!("breakdown must be 'self' or 'children', not '{other}'"),
            ));
        }
    };
    let missing_limit = p
        .one("missing_limit")?
        .map(|s| {
            s.parse::<u32>().map_err(|_| {
                ApiError::bad_request(
                    "invalid_limit",
                    format!("missing_limit must be a whole number from 0 to 5000, not '{s}'"),
                )
            })
        })
        .transpose()?;
    let report =
        report_reads::completeness(&state, &caller, &scope(&p)?, children, missing_limit).await?;
    Ok(Json(CompletenessResponse::from(&report)))
}
