//! Users, API tokens and the audit trail: the rules shared by REST, GraphQL and the command
//! line. Every function authorizes the caller first, then checks the subtree and the caller's
//! rank over the account ([`super::ranks`]), validates, and writes in one transaction
//! together with its audit event (and, for a password or a disabled account, the end of the
//! user's sessions). One file per job: `users.rs` (create, list, change), `password.rs`
//! (one's own password), `tokens.rs` (API tokens) and `audit.rs` (the trail).

mod audit;
mod password;
mod tokens;
mod users;

use chitieu_persistence::{
    ConnectionTrait, OrgUnitId, Scope, UserId, audit as audit_rows, org_units, users as user_rows,
};

pub use self::{
    audit::audit_page,
    password::change_own_password,
    tokens::{NewTokenInput, SCOPES, create_api_token, list_api_tokens, revoke_api_token},
    users::{
        MAX_DISPLAY_NAME_CHARS, NewUserInput, UserChange, create_user, find_managed_user,
        list_users, update_user,
    },
};
use super::{invalid, ranks};
use crate::{
    ApiError,
    auth::{Caller, Role},
};

/// A user with the code of the unit its role is bound to.
#[derive(Clone, Debug)]
pub struct UserView {
    /// The stored user (its hash is never shown by any edge).
    pub user: user_rows::StoredUser,
    /// The bound unit's code (`None` for an admin).
    pub org_unit: Option<String>,
}

/// How a user is named in a request.
#[derive(Clone, Copy, Debug)]
pub enum UserRef<'a> {
    /// By id.
    Id(UserId),
    /// By login name.
    Username(&'a str),
}

/// The root of the caller's subtree, `None` for everything.
pub fn subtree_root(scope: Scope) -> Option<OrgUnitId> {
    match scope {
        Scope::All => None,
        Scope::Subtree(root) => Some(root),
    }
}

/// `field` trimmed, NFC and checked as single-line text (422 `invalid_text` naming it).
pub(super) fn single_line(field: &str, s: &str) -> Result<String, ApiError> {
    chitieu_domain::text::single_line(s).map_err(|e| invalid(e.code(), field, e.to_string()))
}

pub(super) async fn record(
    db: &impl ConnectionTrait,
    caller: &Caller,
    action: &'static str,
    org_unit_id: Option<OrgUnitId>,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    audit_rows::record(
        db,
        &caller.actor(),
        vec![audit_rows::NewEvent {
            action,
            org_unit_id,
            detail: detail.to_string(),
        }],
    )
    .await?;
    Ok(())
}

/// Refuses unless the caller outranks an account with `role` bound to `unit` (an account of
/// the caller's subtree): see [`ranks::may_act_on`].
pub(super) fn ensure_outranks(
    caller: &Caller,
    role: Role,
    unit: Option<OrgUnitId>,
) -> Result<(), ApiError> {
    let caller_role = caller
        .role()
        .ok_or_else(|| ApiError::Forbidden("API tokens do not manage users".into()))?;
    ranks::may_act_on(caller_role, subtree_root(caller.scope), role, unit)
        .map_err(|why| ApiError::Forbidden(why.into()))
}

pub(super) async fn unit_code(
    db: &impl ConnectionTrait,
    unit: Option<OrgUnitId>,
) -> Result<Option<String>, ApiError> {
    let Some(unit) = unit else { return Ok(None) };
    Ok(org_units::find_by_ids(db, &[unit])
        .await?
        .into_iter()
        .next()
        .map(|u| u.unit.code.into_string()))
}
