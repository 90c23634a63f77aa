//! Org unit reads.

use axum::{
    Json,
    extract::{Path, State},
};

use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::org_units::{OrgUnitDto, OrgUnitList, OrgUnitQuery},
    json::ApiQuery,
    service::{page::PageRequest, tree},
};

/// List org units in the caller's subtree.
#[utoipa::path(get, path = "/api/v1/org-units", tag = "org-units", operation_id = "list_org_units",
    params(OrgUnitQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Org units by level then code", body = OrgUnitList),
        (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`parent` names no unit you can see (`unknown_org_unit`)", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_org_units(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<OrgUnitQuery>,
) -> Result<Json<OrgUnitList>, ApiError> {
    let filter = tree::UnitQuery {
        q: query.q.as_deref(),
        parent: query.parent.as_deref(),
    };
    let page = PageRequest::rest(query.limit, query.cursor.as_deref());
    let page = tree::units(&state, &caller, filter, page).await?;
    Ok(Json(OrgUnitList {
        next_cursor: page.next_cursor(),
        org_units: page.items.iter().map(OrgUnitDto::from).collect(),
    }))
}

/// One org unit.
#[utoipa::path(get, path = "/api/v1/org-units/{code}", tag = "org-units", operation_id = "get_org_unit",
    params(("code" = String, Path, description = "Org unit code")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The unit", body = OrgUnitDto),
        (status = 404, description = "Unknown or outside your subtree", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_org_unit(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<OrgUnitDto>, ApiError> {
    let unit = tree::unit(&state, &caller, &code).await?;
    Ok(Json(OrgUnitDto::from(&unit)))
}
