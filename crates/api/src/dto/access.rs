//! Users and API tokens.

use chitieu_persistence::{ApiTokenId, AuditEventId, UserId, api_tokens::StoredToken};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::rfc3339;
use crate::service::access::UserView;

/// `POST /api/v1/users`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// 3–64 of `a-z 0-9 . _ -`.
    #[schema(example = "p8.reporter", pattern = "^[a-z0-9._-]{3,64}$")]
    pub username: String,
    /// 10–256 characters, not a common password.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    /// Display name.
    pub display_name: Option<String>,
    /// `admin`, `manager`, `reporter` or `viewer`.
    #[schema(example = "reporter", pattern = "^(admin|manager|reporter|viewer)$")]
    pub role: String,
    /// The unit whose subtree the role applies to (required except for `admin`).
    #[schema(example = "VT-P8", pattern = "^[A-Za-z0-9_.-]{1,50}$")]
    pub org_unit: Option<String>,
}

/// A user (never its password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    /// Id.
    #[schema(value_type = i64)]
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Role.
    pub role: String,
    /// Bound org unit (absent for `admin`).
    pub org_unit: Option<String>,
    /// Disabled users cannot log in.
    pub disabled: bool,
}

impl From<&UserView> for UserDto {
    fn from(v: &UserView) -> Self {
        let u = &v.user;
        Self {
            id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role.clone(),
            org_unit: v.org_unit.clone(),
            disabled: u.disabled,
        }
    }
}

/// `PATCH /api/v1/users/{id}`: every field optional.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// Disable (true) or re-enable (false). Disabling ends the user's sessions at once.
    pub disabled: Option<bool>,
    /// A new password (reset; 10–256 characters, not a common one); ends the user's
    /// sessions.
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
    /// `true`: forget the account's failed logins and waits, from every address (audited as
    /// `auth.unlocked`); `false` or absent: nothing.
    pub unlock: Option<bool>,
}

/// `POST /api/v1/auth/password`: change one's own password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The current password.
    pub current_password: String,
    /// The new password (10–256 characters, not a common one).
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: String,
}

/// Users in the caller's subtree.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    /// By username.
    pub users: Vec<UserDto>,
    /// Cursor of the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A scope of an API token (for the document; requests carry plain strings so an unknown
/// one is answered `invalid_scope`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub enum ScopeName {
    /// Read figures and aggregates.
    #[schema(rename = "data:read")]
    DataRead,
    /// Submit figures.
    #[schema(rename = "data:write")]
    DataWrite,
}

/// `POST /api/v1/api-tokens`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiTokenRequest {
    /// What the token is for, e.g. `p8-ward-system` (1–120 characters, not only spaces).
    #[schema(example = "p8-ward-system", max_length = 120, pattern = "\\S")]
    pub name: String,
    /// The unit whose subtree the token acts on.
    #[schema(example = "VT-P8", pattern = "^[A-Za-z0-9_.-]{1,50}$")]
    pub org_unit: String,
    /// A non-empty subset of `data:read`, `data:write`.
    #[schema(example = json!(["data:write"]), min_items = 1, value_type = Vec<ScopeName>)]
    pub scopes: Vec<String>,
    /// Optional expiry (RFC 3339, in the future).
    #[schema(format = DateTime)]
    pub expires_at: Option<String>,
}

/// An API token (never its secret, except once in [`CreatedApiToken`]).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenDto {
    /// Id.
    #[schema(value_type = i64)]
    pub id: ApiTokenId,
    /// Name.
    pub name: String,
    /// The unit whose subtree it acts on.
    pub org_unit: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Creation time.
    pub created_at: String,
    /// Expiry.
    pub expires_at: Option<String>,
    /// Revocation time.
    pub revoked_at: Option<String>,
    /// Last use, to the minute.
    pub last_used_at: Option<String>,
}

impl From<&StoredToken> for ApiTokenDto {
    fn from(t: &StoredToken) -> Self {
        Self {
            id: t.id,
            name: t.name.clone(),
            org_unit: t.org_unit.clone(),
            scopes: t.scopes.clone(),
            created_at: rfc3339(t.created_at),
            expires_at: t.expires_at.map(rfc3339),
            revoked_at: t.revoked_at.map(rfc3339),
            last_used_at: t.last_used_at.map(rfc3339),
        }
    }
}

/// A newly created token: `token` is shown in this response only.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiToken {
    /// The secret to put in `Authorization: Bearer`; stored only as a hash.
    pub token: String,
    /// The token's record.
    #[serde(flatten)]
    pub record: ApiTokenDto,
}

/// API tokens in the caller's subtree.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenList {
    /// Newest first.
    pub api_tokens: Vec<ApiTokenDto>,
    /// Cursor of the next (older) page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// One audit event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventDto {
    /// Id (increasing).
    #[schema(value_type = i64)]
    pub id: AuditEventId,
    /// When (RFC 3339).
    pub at: String,
    /// `user`, `token` or `system`.
    pub actor_kind: String,
    /// Username, `token:<name>` or a system name.
    pub actor: String,
    /// What happened, e.g. `data_values.write`, `auth.login_failed`, `api_token.revoked`.
    pub action: String,
    /// The org unit concerned.
    pub org_unit: Option<String>,
    /// Details; for `data_values.write`, `changes: [[data_element, period, old, new], ...]`.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<&chitieu_persistence::audit::StoredEvent> for AuditEventDto {
    fn from(e: &chitieu_persistence::audit::StoredEvent) -> Self {
        Self {
            id: e.id,
            at: rfc3339(e.at),
            actor_kind: e.actor_kind.clone(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            org_unit: e.org_unit.clone(),
            detail: e.detail.clone(),
        }
    }
}

/// A page of the audit trail, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    /// Events.
    pub events: Vec<AuditEventDto>,
    /// Cursor of the next (older) page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
