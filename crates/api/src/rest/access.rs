//! Users and API tokens: `POST/GET /api/v1/users`, `POST/GET /api/v1/api-tokens`,
//! `DELETE /api/v1/api-tokens/{id}`.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};

use chitieu_persistence::{ApiTokenId, UserId};

use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::{
        access::{
            ApiTokenDto, ApiTokenList, AuditEventDto, AuditList, ChangePasswordRequest,
            CreateApiTokenRequest, CreateUserRequest, CreatedApiToken, UpdateUserRequest, UserDto,
            UserList,
        },
        common::parse_rfc3339,
    },
    json::{ApiJson, ApiQuery},
    service::{access, invalid, page::PageRequest},
};

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
    let view = access::create_user(
        &state,
        &caller,
        access::NewUserInput {
            username: body.username,
            password: body.password,
            display_name: body.display_name,
            role: body.role,
            org_unit: body.org_unit,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(UserDto::from(&view))))
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
    let page = PageRequest::rest(q.limit, q.cursor.as_deref());
    let page = access::list_users(&state, &caller, page).await?;
    Ok(Json(UserList {
        next_cursor: page.next_cursor(),
        users: page.items.iter().map(UserDto::from).collect(),
    }))
}

/// Disable, re-enable, reset the password of or unlock a user of the caller's subtree.
///
/// The caller must outrank the user: an admin acts on everyone; a manager on the users of the
/// units below its own and on the reporters and viewers of its own unit. Disabling and a reset
/// end the user's sessions at once; `unlock` forgets the account's failed logins.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "access", operation_id = "update_user",
    params(("id" = i64, Path, description = "User id")),
    request_body = UpdateUserRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = UserDto),
        (status = 403, description = "Not allowed (role; an account the caller does not outrank: an admin, a manager of the same unit, oneself; disabling oneself)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in your subtree", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Weak password", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<UserId>,
    ApiJson(body): ApiJson<UpdateUserRequest>,
) -> Result<Json<UserDto>, ApiError> {
    let change = access::UserChange {
        disabled: body.disabled,
        password: body.password,
        unlock: body.unlock.unwrap_or(false),
    };
    let view = access::update_user(&state, &caller, access::UserRef::Id(id), change).await?;
    Ok(Json(UserDto::from(&view)))
}

/// Change one's own password; every session ends, this one included (log in again).
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", operation_id = "update_own_password",
    request_body = ChangePasswordRequest, security(("bearer" = [])),
    responses(
        (status = 204, description = "Changed; every access and refresh token of the user is now refused"),
        (status = 401, description = "Wrong current password", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Weak new password", body = crate::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 16 KiB (`payload_too_large`)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong current passwords (`too_many_requests`), or the caller's rate limit used up (`rate_limited`); see Retry-After", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change_own_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ChangePasswordRequest>,
) -> Result<StatusCode, ApiError> {
    access::change_own_password(&state, &caller, body.current_password, body.new_password).await?;
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
    let expires_at = body
        .expires_at
        .as_deref()
        .map(|t| {
            parse_rfc3339("expires_at", t)
                .map_err(|e| invalid("invalid_timestamp", "expires_at", e.to_string()))
        })
        .transpose()?;
    let (token, stored) = access::create_api_token(
        &state,
        &caller,
        access::NewTokenInput {
            name: body.name,
            org_unit: body.org_unit,
            scopes: body.scopes,
            expires_at,
        },
    )
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
    let page = PageRequest::rest(q.limit, q.cursor.as_deref());
    let page = access::list_api_tokens(&state, &caller, page).await?;
    Ok(Json(ApiTokenList {
        next_cursor: page.next_cursor(),
        api_tokens: page.items.iter().map(ApiTokenDto::from).collect(),
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
    Path(id): Path<ApiTokenId>,
) -> Result<StatusCode, ApiError> {
    access::revoke_api_token(&state, &caller, id).await?;
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
    ApiQuery(q): ApiQuery<crate::dto::catalogue::PageQuery>,
) -> Result<Json<AuditList>, ApiError> {
    let page = PageRequest::rest(q.limit, q.cursor.as_deref());
    let page = access::audit_page(&state, &caller, page).await?;
    Ok(Json(AuditList {
        next_cursor: page.next_cursor(),
        events: page.items.iter().map(AuditEventDto::from).collect(),
    }))
}
