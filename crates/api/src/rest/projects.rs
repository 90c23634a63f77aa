//! `GET /api/v1/projects` and `PUT /api/v1/projects/{code}/milestones/{milestone}`.

use axum::{
    Json,
    extract::{Path, State},
};

use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::projects::{MilestoneBody, MilestoneDto, ProjectDto, ProjectList, ProjectsParams},
    json::{ApiJson, ApiQuery},
    service::projects,
};

/// The projects of a unit's subtree with their milestones and flags.
#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", operation_id = "list_projects",
    params(ProjectsParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "Projects by code", body = ProjectList),
        (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown org unit, or outside your subtree (`unknown_org_unit`)", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_projects(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ProjectsParams>,
) -> Result<Json<ProjectList>, ApiError> {
    let list = projects::list(&state, &caller, query.org_unit.as_deref()).await?;
    Ok(Json(ProjectList {
        projects: list.iter().map(ProjectDto::from).collect(),
    }))
}

/// Record a milestone's progress (it replaces the recorded one): a user with write access
/// (reporter, manager, admin) or a `data:write` token on the project's unit subtree.
#[utoipa::path(put, path = "/api/v1/projects/{code}/milestones/{milestone}", tag = "projects",
    operation_id = "record_milestone",
    params(("code" = String, Path, description = "Project code"),
           ("milestone" = String, Path, description = "Milestone code")),
    request_body = MilestoneBody, security(("bearer" = [])),
    responses(
        (status = 200, description = "The milestone with its progress and flags", body = MilestoneDto),
        (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json"),
        (status = 403, description = "No write access, or the project's unit lies outside your subtree", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown project (`unknown_project`) or milestone (`unknown_milestone`)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_milestone`: each field's problem (`invalid_milestone_status`, `invalid_period`, `invalid_milestone_progress`, `invalid_text`)", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn record_milestone(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, milestone)): Path<(String, String)>,
    ApiJson(body): ApiJson<MilestoneBody>,
) -> Result<Json<MilestoneDto>, ApiError> {
    let request = body.into_request(code, milestone);
    let view = projects::record_milestone(&state, &caller, &request).await?;
    Ok(Json(MilestoneDto::from(&view)))
}
