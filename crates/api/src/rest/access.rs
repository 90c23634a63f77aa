//! Users and API tokens: `POST/GET /api/v1/users`, `POST/GET /api/v1/api-tokens`,
//! `DELETE /api/v1/api-tokens/{id}`.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use chitieu_persistence::{Scope, api_tokens, audit, now_micros, org_units, sessions, users};

use super::org_units::unit_in_scope;
use crate::{
    ApiError, AppState, FieldError,
    auth::{Caller, Role, check_password_policy, hash_token, new_api_token},
    authz::{Operation, authorize},
    dto::{
        access::{
            ApiTokenDto, ApiTokenList, AuditEventDto, AuditList, ChangePasswordRequest,
            CreateApiTokenRequest, CreateUserRequest, CreatedApiToken, UpdateUserRequest, UserDto,
            UserList,
        },
        common::{decode_cursor, decode_id_cursor, page_size, parse_rfc3339, split_page},
    },
    json::{ApiJson, ApiQuery},
};

const SCOPES: [&str; 2] = ["data:read", "data:write"];

fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::Validation {
        code,
        detail: message.clone(),
        errors: vec![FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message,
        }],
    }
}

/// Records one event by the caller (its own statement; the caller holds the writer lock).
async fn record(
    state: &AppState,
    caller: &Caller,
    action: &'static str,
    org_unit_id: Option<i64>,
    detail: String,
) -> Result<(), ApiError> {
    audit::record(
        state.db.conn(),
        &caller.actor(),
        vec![audit::NewEvent {
            action,
            org_unit_id,
            detail,
        }],
    )
    .await?;
    Ok(())
}

fn subtree_root(scope: Scope) -> Option<i64> {
    match scope {
        Scope::All => None,
        Scope::Subtree(root) => Some(root),
    }
}

fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// Create a user bound to an org unit of the caller's subtree.
#[utoipa::path(post, path = "/api/v1/users", tag = "access", operation_id = "create_user",
    request_body = CreateUserRequest, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = UserDto),
        (status = 403, description = "Not allowed (role, subtree, or granting admin)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`org_unit` names no unit (`unknown_org_unit`)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Username taken", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid username, password, role or unit", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserDto>), ApiError> {
    authorize(&caller, Operation::ManageUsers)?;
    if !valid_username(&body.username) {
        return Err(invalid(
            "invalid_username",
            "username",
            "a username is 3-64 of a-z 0-9 . _ -",
        ));
    }
    check_password_policy(&body.password).map_err(|m| invalid("weak_password", "password", m))?;
    let role = Role::parse(&body.role).ok_or_else(|| {
        invalid(
            "invalid_role",
            "role",
            "role must be admin, manager, reporter or viewer",
        )
    })?;
    if role == Role::Admin && caller.role() != Some(Role::Admin) {
        return Err(ApiError::Forbidden(
            "only an admin may grant the role 'admin'".into(),
        ));
    }
    let unit = match (&body.org_unit, role) {
        (Some(code), _) => Some(unit_in_scope(&state, caller.scope, code).await?),
        (None, Role::Admin) => None,
        (None, _) => {
            return Err(invalid(
                "missing_org_unit",
                "org_unit",
                "this role is bound to an org unit",
            ));
        }
    };
    let display_name = body
        .display_name
        .as_deref()
        .map(|d| chitieu_domain::text::nfc(d.trim()))
        .filter(|d| !d.is_empty());
    let taken = || ApiError::Conflict {
        code: "username_taken",
        detail: format!("the username '{}' is taken", body.username),
    };
    if users::find_by_username(state.db.conn(), &body.username)
        .await?
        .is_some()
    {
        return Err(taken());
    }
    let hash = state.passwords.hash(body.password.clone()).await?;
    let _guard = state.write_guard().await;
    let created = users::create(
        state.db.conn(),
        users::NewUser {
            username: &body.username,
            password_hash: &hash,
            display_name: display_name.as_deref(),
            role: role.as_str(),
            org_unit_id: if role == Role::Admin {
                None
            } else {
                unit.as_ref().map(|u| u.id)
            },
        },
    )
    .await
    .map_err(|e| {
        if e.is_unique_violation() {
            taken()
        } else {
            e.into()
        }
    })?;
    let detail = serde_json::json!({
        "user_id": created.id, "username": created.username, "role": created.role })
    .to_string();
    record(&state, &caller, "user.created", created.org_unit_id, detail).await?;
    let code = if role == Role::Admin {
        None
    } else {
        unit.map(|u| u.unit.code.into_string())
    };
    Ok((StatusCode::CREATED, Json(UserDto::new(&created, code))))
}

/// Users bound to the caller's subtree.
#[utoipa::path(get, path = "/api/v1/users", tag = "access", operation_id = "list_users",
    params(crate::dto::catalogue::PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "Users", body = UserList),
        (status = 403, description = "Not allowed", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<crate::dto::catalogue::PageQuery>,
) -> Result<Json<UserList>, ApiError> {
    authorize(&caller, Operation::ManageUsers)?;
    let limit = page_size(q.limit, 1000, 10_000)?;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let rows = users::list(
        state.db.conn(),
        subtree_root(caller.scope),
        after.as_deref(),
        limit + 1,
    )
    .await?;
    let (rows, next_cursor) = split_page(rows, limit, |(u, _)| u.username.clone());
    Ok(Json(UserList {
        users: rows
            .iter()
            .map(|(u, code)| UserDto::new(u, code.clone()))
            .collect(),
        next_cursor,
    }))
}

/// Disable, re-enable or reset the password of a user of the caller's subtree.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "access", operation_id = "update_user",
    params(("id" = i64, Path, description = "User id")),
    request_body = UpdateUserRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = UserDto),
        (status = 403, description = "Not allowed (role, an admin's account, or yourself)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in your subtree", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Weak password", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UpdateUserRequest>,
) -> Result<Json<UserDto>, ApiError> {
    authorize(&caller, Operation::ManageUsers)?;
    let unknown = || ApiError::not_found("unknown_user", format!("no user {id}"));
    let db = state.db.conn();
    let user = users::find_by_id(db, id).await?.ok_or_else(unknown)?;
    let visible = match (caller.scope, user.org_unit_id) {
        (Scope::All, _) => true,
        (scope, Some(unit)) => org_units::in_scope(db, scope, unit).await?,
        (_, None) => false,
    };
    if !visible {
        return Err(unknown());
    }
    if user.role == Role::Admin.as_str() && caller.role() != Some(Role::Admin) {
        return Err(ApiError::Forbidden(
            "only an admin may change an admin's account".into(),
        ));
    }
    if caller.user_id() == Some(id) && body.disabled == Some(true) {
        return Err(ApiError::Forbidden(
            "you cannot disable your own account".into(),
        ));
    }
    let hash = match &body.password {
        Some(p) => {
            check_password_policy(p).map_err(|m| invalid("weak_password", "password", m))?;
            Some(state.passwords.hash(p.clone()).await?)
        }
        None => None,
    };
    let _guard = state.write_guard().await;
    if let Some(disabled) = body.disabled {
        users::set_disabled(db, id, disabled).await?;
    }
    if let Some(hash) = &hash {
        users::set_password_hash(db, id, hash).await?;
    }
    if body.disabled == Some(true) || hash.is_some() {
        sessions::revoke_user(db, id).await?;
    }
    audit::record(db, &caller.actor(), vec![audit::NewEvent {
        action: "user.updated",
        org_unit_id: user.org_unit_id,
        detail: serde_json::json!({ "user_id": id, "disabled": body.disabled, "password_reset": hash.is_some() }).to_string(),
    }])
    .await?;
    let user = users::find_by_id(db, id).await?.ok_or_else(unknown)?;
    let code = match user.org_unit_id {
        Some(unit) => org_units::find_by_ids(db, &[unit])
            .await?
            .into_iter()
            .next()
            .map(|u| u.unit.code.into_string()),
        None => None,
    };
    Ok(Json(UserDto::new(&user, code)))
}

/// Change one's own password; other sessions end.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", operation_id = "update_own_password",
    request_body = ChangePasswordRequest, security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed"),
        (status = 401, description = "Wrong current password", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Weak new password", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change_own_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
    let Some(id) = caller.user_id() else {
        return Err(ApiError::Forbidden("an API token has no password".into()));
    };
    let db = state.db.conn();
    let user = users::find_by_id(db, id)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("invalid or expired access token".into()))?;
    if !state
        .passwords
        .verify(body.current_password, Some(user.password_hash))
        .await?
    {
        return Err(ApiError::Unauthorized("wrong current password".into()));
    }
    check_password_policy(&body.new_password)
        .map_err(|m| invalid("weak_password", "new_password", m))?;
    let hash = state.passwords.hash(body.new_password).await?;
    let _guard = state.write_guard().await;
    users::set_password_hash(db, id, &hash).await?;
    sessions::revoke_user(db, id).await?;
    audit::record(
        db,
        &caller.actor(),
        vec![audit::NewEvent {
            action: "user.password_changed",
            org_unit_id: user.org_unit_id,
            detail: serde_json::json!({ "user_id": id }).to_string(),
        }],
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Create an API token for one org unit of the caller's subtree and a subset of scopes.
#[utoipa::path(post, path = "/api/v1/api-tokens", tag = "access", operation_id = "create_api_token",
    request_body = CreateApiTokenRequest, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `token` is shown only here", body = CreatedApiToken),
        (status = 403, description = "Not allowed (role or subtree)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "`org_unit` names no unit (`unknown_org_unit`)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name, scopes or expiry", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_api_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<CreateApiTokenRequest>,
) -> Result<(StatusCode, Json<CreatedApiToken>), ApiError> {
    authorize(&caller, Operation::ManageTokens)?;
    let Some(creator) = caller.user_id() else {
        return Err(ApiError::Forbidden(
            "API tokens cannot create tokens".into(),
        ));
    };
    let name = chitieu_domain::text::nfc(body.name.trim());
    if name.is_empty() || name.chars().count() > 120 {
        return Err(invalid(
            "invalid_name",
            "name",
            "a token name has 1-120 characters",
        ));
    }
    let mut scopes: Vec<String> = Vec::new();
    for s in &body.scopes {
        if !SCOPES.contains(&s.as_str()) {
            return Err(invalid(
                "invalid_scope",
                "scopes",
                format!("unknown scope '{s}'; use data:read and/or data:write"),
            ));
        }
        if !scopes.contains(s) {
            scopes.push(s.clone());
        }
    }
    if scopes.is_empty() {
        return Err(invalid(
            "invalid_scope",
            "scopes",
            "give at least one scope",
        ));
    }
    scopes.sort();
    let expires_at = match &body.expires_at {
        None => None,
        Some(t) => {
            let at = parse_rfc3339("expires_at", t)
                .map_err(|e| invalid("invalid_timestamp", "expires_at", e.to_string()))?;
            if at <= now_micros() {
                return Err(invalid(
                    "invalid_timestamp",
                    "expires_at",
                    "expires_at lies in the past",
                ));
            }
            Some(at)
        }
    };
    let unit = unit_in_scope(&state, caller.scope, &body.org_unit).await?;
    let token = new_api_token();
    let _guard = state.write_guard().await;
    let stored = api_tokens::create(
        state.db.conn(),
        api_tokens::NewToken {
            name: &name,
            token_hash: &hash_token(&token),
            org_unit_id: unit.id,
            scopes: &scopes,
            created_by: creator,
            expires_at,
        },
    )
    .await?;
    audit::record(state.db.conn(), &caller.actor(), vec![audit::NewEvent {
        action: "api_token.created",
        org_unit_id: Some(unit.id),
        detail: serde_json::json!({ "token_id": stored.id, "name": stored.name, "scopes": stored.scopes }).to_string(),
    }])
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiToken {
            token,
            record: ApiTokenDto::from(&stored),
        }),
    ))
}

/// API tokens of the caller's subtree (never their secrets).
#[utoipa::path(get, path = "/api/v1/api-tokens", tag = "access", operation_id = "list_api_tokens",
    params(crate::dto::catalogue::PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "Tokens", body = ApiTokenList),
        (status = 403, description = "Not allowed", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_api_tokens(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<crate::dto::catalogue::PageQuery>,
) -> Result<Json<ApiTokenList>, ApiError> {
    authorize(&caller, Operation::ManageTokens)?;
    let limit = page_size(q.limit, 1000, 10_000)?;
    let before = decode_id_cursor(q.cursor.as_deref())?;
    let tokens = api_tokens::list(
        state.db.conn(),
        subtree_root(caller.scope),
        before,
        limit + 1,
    )
    .await?;
    let (tokens, next_cursor) = split_page(tokens, limit, |t| t.id.to_string());
    Ok(Json(ApiTokenList {
        api_tokens: tokens.iter().map(ApiTokenDto::from).collect(),
        next_cursor,
    }))
}

/// Revoke an API token; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/api-tokens/{id}", tag = "access", operation_id = "delete_api_token",
    params(("id" = i64, Path, description = "Token id")), security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such token in your subtree", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_api_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    authorize(&caller, Operation::ManageTokens)?;
    let unknown = || ApiError::not_found("unknown_api_token", format!("no API token {id}"));
    let token = api_tokens::find_by_id(state.db.conn(), id)
        .await?
        .ok_or_else(unknown)?;
    if !org_units::in_scope(state.db.conn(), caller.scope, token.org_unit_id).await? {
        return Err(unknown());
    }
    let _guard = state.write_guard().await;
    api_tokens::revoke(state.db.conn(), id).await?;
    audit::record(
        state.db.conn(),
        &caller.actor(),
        vec![audit::NewEvent {
            action: "api_token.revoked",
            org_unit_id: Some(token.org_unit_id),
            detail: serde_json::json!({ "token_id": id, "name": token.name }).to_string(),
        }],
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit trail of the caller's subtree (every event for an admin), newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "access", operation_id = "list_audit_events",
    params(crate::dto::catalogue::PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "Events", body = AuditList),
        (status = 403, description = "Not allowed", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_audit_events(
    State(state): State<AppState>,
    caller: Caller,
    crate::json::ApiQuery(q): crate::json::ApiQuery<crate::dto::catalogue::PageQuery>,
) -> Result<Json<AuditList>, ApiError> {
    authorize(&caller, Operation::ReadAudit)?;
    let limit = crate::dto::common::page_size(q.limit, 1000, 10_000)?;
    let before = crate::dto::common::decode_id_cursor(q.cursor.as_deref())?;
    let events = audit::list(
        state.db.conn(),
        subtree_root(caller.scope),
        before,
        limit + 1,
    )
    .await?;
    let (events, next_cursor) = crate::dto::common::split_page(events, limit, |e| e.id.to_string());
    Ok(Json(AuditList {
        events: events.iter().map(AuditEventDto::from).collect(),
        next_cursor,
    }))
}
