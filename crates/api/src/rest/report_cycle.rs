//! `POST /api/v1/reports/{action}`: submit, reopen, approve or return a report.

use axum::{
    Json,
    extract::{Path, State},
};
use chitieu_domain::ReportAction;

use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::report_cycle::{ReportDto, TransitionBody},
    json::ApiJson,
    service::report_cycle,
};

/// Submit, reopen, approve or return a report.
///
/// `submit` (open or returned → submitted) and `reopen` (submitted → open): an admin, a
/// manager or reporter whose subtree holds the unit, or a `data:write` token on it.
/// `approve` (submitted → approved) and `return` (submitted or approved → returned, with a
/// `reason`): a manager of a proper ancestor of the unit, or an admin. When several refusals
/// apply, the first of 403, 400 `invalid_period`, 409 `not_assigned`, 409
/// `invalid_transition`, 409 `period_not_started`, 409 `children_not_approved` (the
/// not-approved reports below in `children`) / `parent_submitted` is answered.
#[utoipa::path(post, path = "/api/v1/reports/{action}", tag = "reports", operation_id = "transition_report",
    params(("action" = String, Path, description = "`submit`, `reopen`, `approve` or `return`")),
    request_body = TransitionBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "The report after the transition", body = ReportDto),
        (status = 400, description = "A period not of the data set's type (`invalid_period`), an unknown action (`invalid_report_action`)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may not take this action on this unit", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown data set (`unknown_data_set`) or unit (`unknown_org_unit`)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_assigned`, `invalid_transition`, `period_not_started`, `children_not_approved` (with `children`), `parent_submitted`", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`return` without a reason, or a reason with another action (`invalid_reason`)", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn transition_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(action): Path<String>,
    ApiJson(body): ApiJson<TransitionBody>,
) -> Result<Json<ReportDto>, ApiError> {
    let action = ReportAction::parse(&action)?;
    let view = report_cycle::transition(&state, &caller, action, &body.into()).await?;
    Ok(Json(ReportDto::from(&view)))
}
