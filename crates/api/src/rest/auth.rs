//! Login, refresh and logout, over [`crate::service::sessions`].

use std::net::SocketAddr;

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::StatusCode,
};

use crate::{
    ApiError, AppState,
    dto::auth::{LoginRequest, RefreshRequest, TokenResponse},
    json::ApiJson,
    service::sessions::{self, Tokens},
};

/// Largest body of a login, refresh, logout or password change (a name of 64 characters and
/// passwords of 256 fit many times over, even written as JSON escapes).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

fn token_body(tokens: Tokens) -> Json<TokenResponse> {
    Json(TokenResponse {
        access_token: tokens.access_token,
        token_type: "Bearer",
        expires_in: tokens.expires_in,
        refresh_token: tokens.refresh_token,
    })
}

/// Log in with a username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", operation_id = "create_session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong username or password", body = crate::Problem, content_type = "application/problem+json"),
        (status = 400, description = "Malformed body", body = crate::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 16 KiB (`payload_too_large`)", body = crate::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins for this account from this address, for this address, or for this account; see Retry-After", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let tokens = sessions::login(&state, &body.username, body.password, peer.ip()).await?;
    Ok(token_body(tokens))
}

/// Exchange a refresh token for new tokens; each refresh token works once.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", operation_id = "refresh_session",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Unknown, used, revoked or expired refresh token, or one issued before a password change or reset", body = crate::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 16 KiB (`payload_too_large`)", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    Ok(token_body(
        sessions::refresh(&state, &body.refresh_token).await?,
    ))
}

/// Revoke the session a refresh token belongs to.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", operation_id = "delete_session",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Logged out (also for an unknown token)"),
        (status = 413, description = "Body over 16 KiB (`payload_too_large`)", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    sessions::logout(&state, &body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}
