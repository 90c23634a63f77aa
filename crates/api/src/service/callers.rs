//! Who a credential stands for, as the database has it now: an API token by its secret or
//! its id, a user by id (its role and unit giving the scope). The `Caller` extractor, the
//! WebSocket's re-authorization and the command line all resolve callers here.

use chitieu_persistence::{ApiTokenId, Scope, UserId, api_tokens, now_micros, users};
use subtle::ConstantTimeEq;

use crate::{
    ApiError, AppState,
    auth::{Caller, Principal, Role, hash_token},
};

/// The caller an API token's secret stands for, or `None` when it is unknown, revoked or
/// expired. Records the token's use (at most once a minute).
pub async fn by_api_token(state: &AppState, token: &str) -> Result<Option<Caller>, ApiError> {
    let hash = hash_token(token);
    let Some(stored) = api_tokens::find_by_hash(state.db.conn(), &hash).await? else {
        return Ok(None);
    };
    // The row was found by its hash; compare again in constant time all the same.
    let same: bool = stored.token_hash.as_bytes().ct_eq(hash.as_bytes()).into();
    if !same || !stored.is_active(now_micros()) {
        return Ok(None);
    }
    // A write, so through the one write path; skipped (no transaction at all) within the
    // minute after the last recorded use.
    if api_tokens::needs_touch(&stored, now_micros()) {
        let tx = state.db.write().await?;
        api_tokens::touch(&tx, &stored).await?;
        tx.commit().await?;
    }
    Ok(Some(token_caller(&stored)))
}

/// The caller an API token stands for by id, while it is neither revoked nor expired.
pub async fn by_api_token_id(state: &AppState, id: ApiTokenId) -> Result<Option<Caller>, ApiError> {
    Ok(api_tokens::find_by_id(state.db.conn(), id)
        .await?
        .filter(|t| t.is_active(now_micros()))
        .map(|t| token_caller(&t)))
}

fn token_caller(stored: &api_tokens::StoredToken) -> Caller {
    Caller {
        principal: Principal::Token {
            id: stored.id,
            name: stored.name.clone(),
            read: stored.scopes.iter().any(|s| s == "data:read"),
            write: stored.scopes.iter().any(|s| s == "data:write"),
        },
        scope: Scope::Subtree(stored.org_unit_id),
        expires_at: None,
    }
}

/// The caller acting as this user in its current session epoch, or `None` when the user
/// does not exist or is disabled.
pub async fn by_user_id(state: &AppState, user_id: UserId) -> Result<Option<Caller>, ApiError> {
    let user = users::find_by_id(state.db.conn(), user_id).await?;
    user_caller(user)
}

/// The id of the user with this login name (the command line's `--as`), if any.
pub async fn user_id_by_name(state: &AppState, username: &str) -> Result<Option<UserId>, ApiError> {
    Ok(users::find_by_username(state.db.conn(), username)
        .await?
        .map(|u| u.id))
}

fn user_caller(user: Option<users::StoredUser>) -> Result<Option<Caller>, ApiError> {
    let Some(user) = user.filter(|u| !u.disabled) else {
        return Ok(None);
    };
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
    Ok(Some(Caller {
        principal: Principal::User {
            id: user.id,
            username: user.username,
            role,
            session_epoch: user.session_epoch,
        },
        scope,
        expires_at: None,
    }))
}
