//! The `Caller` extractor: resolves `Authorization: Bearer <token>` into an authenticated
//! principal with a role and a scope, or answers 401.

use axum::{extract::FromRequestParts, http::request::Parts};
use chitieu_persistence::{Scope, users};

use crate::{ApiError, AppState};

/// What a caller may do, before subtree checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Everything.
    Admin,
    /// Users, tokens, targets, metadata and approvals in its subtree; also writes and reads.
    Manager,
    /// Writes and reads figures in its subtree.
    Reporter,
    /// Reads in its subtree.
    Viewer,
}

impl Role {
    /// Parses a stored role name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "manager" => Some(Role::Manager),
            "reporter" => Some(Role::Reporter),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Reporter => "reporter",
            Role::Viewer => "viewer",
        }
    }
}

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct Caller {
    /// User id.
    pub user_id: i64,
    /// Login name, recorded as `updated_by`.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Where the role applies.
    pub scope: Scope,
}

impl Caller {
    /// The key space for this caller's idempotency keys.
    pub fn idempotency_scope(&self) -> String {
        format!("user:{}", self.user_id)
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::Unauthorized("an Authorization: Bearer token is required".into())
        })?;
    let value = header
        .to_str()
        .map_err(|_| ApiError::Unauthorized("malformed Authorization header".into()))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| ApiError::Unauthorized("malformed Authorization header".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized(
            "the Authorization header must use the Bearer scheme".into(),
        ));
    }
    Ok(token.trim())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?;
        let claims = state.jwt.verify(token)?;
        let user_id: i64 = claims
            .sub
            .parse()
            .map_err(|_| ApiError::Unauthorized("invalid or expired access token".into()))?;
        let user = users::find_by_id(state.db.conn(), user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or_else(|| ApiError::Unauthorized("invalid or expired access token".into()))?;
        let role = Role::parse(&user.role)
            .ok_or_else(|| ApiError::internal(format!("user {} has unknown role", user.id)))?;
        let scope = match (role, user.org_unit_id) {
            (Role::Admin, _) => Scope::All,
            (_, Some(unit)) => Scope::Subtree(unit),
            (_, None) => {
                return Err(ApiError::Forbidden(
                    "your account is bound to no org unit".into(),
                ));
            }
        };
        Ok(Caller {
            user_id: user.id,
            username: user.username,
            role,
            scope,
        })
    }
}
