//! Changing one's own password.

use chitieu_persistence::{sessions, users};

use super::record;
use crate::{
    ApiError, AppState,
    auth::{Caller, Subject, attempts, check_password_policy},
    service::invalid,
};

/// Changes the caller's own password after checking the current one. The check is throttled
/// per user like a login (a reserved attempt before any hashing), whatever the edge, so
/// neither bursts nor GraphQL aliases can guess at speed. Every session of the user ends,
/// this one included: the caller logs in again with the new password.
pub async fn change_own_password(
    state: &AppState,
    caller: &Caller,
    current: String,
    new: String,
) -> Result<(), ApiError> {
    let Some(id) = caller.user_id() else {
        return Err(ApiError::Forbidden("an API token has no password".into()));
    };
    // The new password's policy first: it needs no secret, and a weak one costs no hashing.
    check_password_policy(&new).map_err(|m| invalid("weak_password", "new_password", m))?;
    let user = users::find_by_id(state.db.conn(), id)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("invalid or expired access token".into()))?;
    let reservation = attempts::reserve(
        state,
        Subject::OwnPassword {
            account: &user.username,
        },
        "too many wrong current passwords",
    )
    .await?;
    if !state
        .passwords
        .verify(current, Some(user.password_hash))
        .await?
    {
        // The reservation stays counted as a failure.
        let tx = state.db.write().await?;
        record(
            &tx,
            caller,
            "auth.password_check_failed",
            user.org_unit_id,
            serde_json::json!({ "user_id": id }),
        )
        .await?;
        tx.commit().await?;
        return Err(ApiError::Unauthorized("wrong current password".into()));
    }
    let hash = state.passwords.hash(new).await?;
    let tx = state.db.write().await?;
    reservation.succeeded(state, &tx).await?;
    users::set_password_hash(&tx, id, &hash).await?;
    sessions::revoke_user(&tx, id).await?;
    record(
        &tx,
        caller,
        "user.password_changed",
        user.org_unit_id,
        serde_json::json!({ "user_id": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
