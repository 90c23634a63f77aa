//! Resolving org unit codes against the caller's subtree.

use chitieu_domain::OrgUnitCode;
use chitieu_persistence::{Scope, org_units};

use crate::{ApiError, AppState};

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

/// Resolves an org unit whose targets apply to the caller's subtree: a unit inside it or an
/// ancestor of its root; 404 otherwise (a sibling's existence does not leak).
pub async fn target_authority(
    state: &AppState,
    scope: Scope,
    code: &str,
) -> Result<org_units::StoredOrgUnit, ApiError> {
    let unknown = || unknown_unit(code);
    let parsed = OrgUnitCode::parse(code).map_err(|_| unknown())?;
    let unit = org_units::find_by_code(state.db.conn(), &parsed)
        .await?
        .ok_or_else(unknown)?;
    if !org_units::in_scope_or_above(state.db.conn(), scope, unit.id).await? {
        return Err(unknown());
    }
    Ok(unit)
}

fn unknown_unit(code: &str) -> ApiError {
    ApiError::not_found(
        "unknown_org_unit",
        format!("org unit '{code}' does not exist"),
    )
}

async fn resolve_unit(
    state: &AppState,
    scope: Scope,
    code: &str,
    forbid_outside: bool,
) -> Result<org_units::StoredOrgUnit, ApiError> {
    let unknown = || unknown_unit(code);
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
