//! Org unit reads.

use axum::{
    Json,
    extract::{Path, State},
};
use chitieu_domain::OrgUnitCode;
use chitieu_persistence::{Scope, org_units};

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

/// Resolves an org unit code the caller may see, or 404 (a unit outside the caller's subtree
/// is reported as unknown, so its existence does not leak).
pub async fn visible_unit(
    state: &AppState,
    scope: Scope,
    code: &str,
) -> Result<org_units::StoredOrgUnit, ApiError> {
    resolve_unit(state, scope, code, false).await
}

/// Resolves an org unit code the caller acts on: 404 when unknown, 403 when outside the
/// caller's subtree (the caller named it to change something there).
pub async fn unit_in_scope(
    state: &AppState,
    scope: Scope,
    code: &str,
) -> Result<org_units::StoredOrgUnit, ApiError> {
    resolve_unit(state, scope, code, true).await
}

async fn resolve_unit(
    state: &AppState,
    scope: Scope,
    code: &str,
    forbid_outside: bool,
) -> Result<org_units::StoredOrgUnit, ApiError> {
    let unknown = || {
        ApiError::not_found(
            "unknown_org_unit",
            format!("org unit '{code}' does not exist"),
        )
    };
    let parsed = OrgUnitCode::parse(code).map_err(|_| unknown())?;
    let unit = org_units::find_by_code(state.db.conn(), &parsed)
        .await?
        .ok_or_else(unknown)?;
    if !org_units::in_scope(state.db.conn(), scope, unit.id).await? {
        return Err(if forbid_outside {
            ApiError::Forbidden(format!("org unit '{code}' lies outside your subtree"))
        } else {
            unknown()
        });
    }
    Ok(unit)
}

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
        q: query.q.clone(),
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
