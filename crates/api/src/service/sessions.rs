//! Sessions: logging in with a username and password, refreshing, logging out. A login's
//! attempt is reserved in `auth_throttle` before any hashing ([`attempts::reserve`]); then
//! what it writes — the throttle settled, the audit event, the refresh token — is one
//! transaction. A refresh token is single use: reusing one revokes its family.

use std::net::IpAddr;

use chitieu_persistence::{
    ConnectionTrait, audit, now_micros,
    sessions::{self as rows, RefreshCheck},
    users,
};

use crate::{
    ApiError, AppState,
    auth::{Subject, attempts, hash_token, new_refresh_token},
};

/// Longest login name (the contract's usernames have 3–64 characters).
pub const MAX_USERNAME_CHARS: usize = 64;

/// What a login or a refresh issues.
#[derive(Clone, Debug)]
pub struct Tokens {
    /// JWT access token.
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Opaque single-use refresh token (shown once; only its hash is stored).
    pub refresh_token: String,
}

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized("wrong username or password".into())
}

/// Issues an access token and a refresh token in `family`, both in the user's session epoch.
async fn issue(
    state: &AppState,
    db: &impl ConnectionTrait,
    user: &users::StoredUser,
    family: &str,
) -> Result<Tokens, ApiError> {
    let refresh = new_refresh_token();
    let ttl = i64::try_from(state.config.refresh_token_ttl.as_micros()).unwrap_or(i64::MAX);
    rows::store(
        db,
        user.id,
        user.session_epoch,
        family,
        &hash_token(&refresh),
        now_micros().saturating_add(ttl),
    )
    .await?;
    Ok(Tokens {
        access_token: state.jwt.issue(user.id, user.session_epoch)?,
        expires_in: state.jwt.ttl_seconds(),
        refresh_token: refresh,
    })
}

/// Logs in from `address`: 429 while the account or the address waits, 401 for a wrong
/// password, an unknown or a disabled user (in the same time, and audited as
/// `auth.login_failed`), else a new session (`auth.login`).
pub async fn login(
    state: &AppState,
    username: &str,
    password: String,
    address: IpAddr,
) -> Result<Tokens, ApiError> {
    // The attempt is reserved (counted as a failure) before anything else, so concurrent
    // guesses cannot all pass the limit.
    let reservation = attempts::reserve(
        state,
        Subject::Login {
            account: username,
            address,
        },
        "too many failed logins",
    )
    .await?;
    let address = address.to_string();
    let user = users::find_by_username(state.db.conn(), username).await?;
    let usable = user.as_ref().filter(|u| !u.disabled);
    // Always verify, so unknown and known users take the same time.
    let ok = state
        .passwords
        .verify(password, usable.map(|u| u.password_hash.clone()))
        .await?;
    let Some(user) = usable.filter(|_| ok) else {
        // The reservation stays counted as a failure.
        let actor = audit::Actor {
            kind: audit::ActorKind::User(user.as_ref().map(|u| u.id)),
            label: username.chars().take(MAX_USERNAME_CHARS).collect(),
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
    reservation.succeeded(state, &tx).await?;
    audit::record(&tx, &actor, vec![event]).await?;
    let family = uuid::Uuid::new_v4().to_string();
    let tokens = issue(state, &tx, user, &family).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// Exchanges a refresh token for new tokens in the same family. 401 for an unknown, used,
/// revoked or expired token, or one of an earlier session epoch or a disabled user; reusing
/// a used token also revokes its family.
pub async fn refresh(state: &AppState, refresh_token: &str) -> Result<Tokens, ApiError> {
    let tx = state.db.write().await?;
    let check = rows::consume(&tx, &hash_token(refresh_token)).await?;
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
            let tokens = issue(state, &tx, &user, &family_id).await?;
            tx.commit().await?;
            Ok(tokens)
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

/// Revokes the session (the whole family) a refresh token belongs to; an unknown token is
/// fine.
pub async fn logout(state: &AppState, refresh_token: &str) -> Result<(), ApiError> {
    let tx = state.db.write().await?;
    if let Some(family) = rows::family_of(&tx, &hash_token(refresh_token)).await? {
        rows::revoke_family(&tx, &family).await?;
    }
    tx.commit().await?;
    Ok(())
}
