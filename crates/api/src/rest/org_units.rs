//! Org unit reads.

use axum::{
    Json,
    extract::{Path, State},
};
use chitieu_persistence::org_units;

pub use crate::service::units::visible_unit;
use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
    dto::{
        common::{decode_cursor, page_size, split_page},
        org_units::{OrgUnitDto, OrgUnitList, OrgUnitQuery},
    },
    json::ApiQuery,
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
    authorize(&caller, Operation::Read)?;
    let limit = page_size(query.limit, 1000, 10_000)?;
    let parent = match &query.parent {
        Some(code) => Some(visible_unit(&state, caller.scope, code).await?.id),
        None => None,
    };
    let cursor = match &query.cursor {
        None => None,
        Some(c) => {
            let pos = decode_cursor(c)?;
            let (level, code) = pos
                .split_once(':')
                .and_then(|(l, c)| Some((l.parse::<i32>().ok()?, c.to_owned())))
                .ok_or_else(|| {
                    ApiError::bad_request("invalid_cursor", "the cursor is not one this API issued")
                })?;
            Some((level, code))
        }
    };
    let filter = org_units::OrgUnitFilter {
        parent,
        q: query
            .q
            .as_deref()
            .map(chitieu_domain::SearchText::parse)
            .transpose()?,
    };
    let units = org_units::list(
        state.db.conn(),
        caller.scope,
        &filter,
        cursor.as_ref(),
        limit + 1,
    )
    .await?;
    let (units, next_cursor) = split_page(units, limit, |u| format!("{}:{}", u.level, u.unit.code));
    Ok(Json(OrgUnitList {
        org_units: units.iter().map(OrgUnitDto::from).collect(),
        next_cursor,
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
    authorize(&caller, Operation::Read)?;
    let unit = visible_unit(&state, caller.scope, &code).await?;
    Ok(Json(OrgUnitDto::from(&unit)))
}
