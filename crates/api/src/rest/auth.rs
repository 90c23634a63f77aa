//! Login, refresh and logout.

use std::net::SocketAddr;

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::StatusCode,
};
use chitieu_persistence::{audit, now_micros, sessions, sessions::RefreshCheck, users};

use crate::{
    ApiError, AppState,
    auth::{Subject, attempts, hash_token, new_refresh_token},
    dto::auth::{LoginRequest, MAX_USERNAME_CHARS, RefreshRequest, TokenResponse},
    json::ApiJson,
};

/// Largest body of a login, refresh, logout or password change (a name of 64 characters and
/// passwords of 256 fit many times over, even written as JSON escapes).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized("wrong username or password".into())
}

/// Issues an access token and a refresh token in `family`, both in the user's session epoch.
async fn issue(
    state: &AppState,
    db: &impl chitieu_persistence::ConnectionTrait,
    user: &users::StoredUser,
    family: &str,
) -> Result<TokenResponse, ApiError> {
    let refresh = new_refresh_token();
    let ttl = i64::try_from(state.config.refresh_token_ttl.as_micros()).unwrap_or(i64::MAX);
    sessions::store(
        db,
        user.id,
        user.session_epoch,
        family,
        &hash_token(&refresh),
        now_micros().saturating_add(ttl),
    )
    .await?;
    Ok(TokenResponse {
        access_token: state.jwt.issue(user.id, user.session_epoch)?,
        token_type: "Bearer",
        expires_in: state.jwt.ttl_seconds(),
        refresh_token: refresh,
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
    // The attempt is reserved (counted as a failure) before anything else, so concurrent
    // guesses cannot all pass the limit.
    let reservation = attempts::reserve(
        &state,
        Subject::Login {
            account: &body.username,
            address: peer.ip(),
        },
        "too many failed logins",
    )
    .await?;
    let address = peer.ip().to_string();
    let user = users::find_by_username(state.db.conn(), &body.username).await?;
    let usable = user.as_ref().filter(|u| !u.disabled);
    // Always verify, so unknown and known users take the same time.
    let ok = state
        .passwords
        .verify(body.password, usable.map(|u| u.password_hash.clone()))
        .await?;
    let Some(user) = usable.filter(|_| ok) else {
        // The reservation stays counted as a failure.
        let actor = audit::Actor {
            kind: audit::ActorKind::User(user.as_ref().map(|u| u.id)),
            label: body.username.chars().take(MAX_USERNAME_CHARS).collect(),
        };
        let event = audit::NewEvent {
            action: "auth.login_failed",
            org_unit_id: user.as_ref().and_then(|u| u.org_unit_id),
            detail: serde_json::json!({ "address": address }).to_string(),
        };
        let tx = state.db.write().await?;
        audit::record(&tx, &actor, vec![event]).await?;
        tx.commit().await?;
        return Err(invalid_credentials());
    };
    let actor = audit::Actor {
        kind: audit::ActorKind::User(Some(user.id)),
        label: user.username.clone(),
    };
    let event = audit::NewEvent {
        action: "auth.login",
        org_unit_id: user.org_unit_id,
        detail: serde_json::json!({ "address": address }).to_string(),
    };
    let tx = state.db.write().await?;
    reservation.succeeded(&state, &tx).await?;
    audit::record(&tx, &actor, vec![event]).await?;
    let family = uuid::Uuid::new_v4().to_string();
    let tokens = issue(&state, &tx, user, &family).await?;
    tx.commit().await?;
    Ok(Json(tokens))
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
    let tx = state.db.write().await?;
    let check = sessions::consume(&tx, &hash_token(&body.refresh_token)).await?;
    match check {
        RefreshCheck::Valid {
            user_id,
            family_id,
            session_epoch,
        } => {
            // Only an enabled user still in the epoch the token was issued in.
            let Some(user) = users::find_by_id(&tx, user_id)
                .await?
                .filter(|u| !u.disabled && u.session_epoch == session_epoch)
            else {
                tx.rollback().await?;
                return Err(ApiError::Unauthorized("invalid refresh token".into()));
            };
            let tokens = issue(&state, &tx, &user, &family_id).await?;
            tx.commit().await?;
            Ok(Json(tokens))
        }
        RefreshCheck::Reused => {
            // The family is revoked: keep that.
            tx.commit().await?;
            Err(ApiError::Unauthorized(
                "this refresh token was already used; the session has been revoked".into(),
            ))
        }
        RefreshCheck::Invalid => {
            tx.rollback().await?;
            Err(ApiError::Unauthorized("invalid refresh token".into()))
        }
    }
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
    let tx = state.db.write().await?;
    if let Some(family) = sessions::family_of(&tx, &hash_token(&body.refresh_token)).await? {
        sessions::revoke_family(&tx, &family).await?;
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
