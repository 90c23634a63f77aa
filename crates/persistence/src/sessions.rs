//! Refresh tokens: opaque, stored only as SHA-256 hashes, single use, grouped in families so
//! that replaying a used token revokes every token descended from the same login.

use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{Micros, PersistenceError, RefreshTokenId, UserId, now_micros, sql};

/// The outcome of presenting a refresh token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshCheck {
    /// Valid: it is now marked used; issue a successor in `family_id`.
    Valid {
        /// The user it belongs to.
        user_id: UserId,
        /// The family to continue.
        family_id: String,
        /// The user's session epoch when the token was issued; the token is good only while
        /// the user's epoch is still this one.
        session_epoch: i64,
    },
    /// Already used: the whole family has now been revoked.
    Reused,
    /// Unknown, expired or revoked.
    Invalid,
}

/// Stores a new refresh token (by hash), issued in the user's `session_epoch`.
pub async fn store(
    db: &impl ConnectionTrait,
    user_id: UserId,
    session_epoch: i64,
    family_id: &str,
    token_hash: &str,
    expires_at: Micros,
) -> Result<(), PersistenceError> {
    sql::execute(
        db,
        "INSERT INTO refresh_token (user_id, family_id, token_hash, expires_at, created_at, session_epoch) VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            user_id.into(),
            family_id.into(),
            token_hash.into(),
            expires_at.into(),
            now_micros().into(),
            session_epoch.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A row of `refresh_token` as [`consume`] checks it.
#[derive(FromQueryResult)]
struct RefreshRow {
    id: RefreshTokenId,
    user_id: UserId,
    family_id: String,
    expires_at: Micros,
    used_at: Option<Micros>,
    revoked_at: Option<Micros>,
    session_epoch: i64,
}

/// Consumes the token with this hash. Run inside a transaction together with `store` of the
/// successor.
pub async fn consume(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<RefreshCheck, PersistenceError> {
    let rows: Vec<RefreshRow> = sql::query_as(
        db,
        "SELECT id, user_id, family_id, expires_at, used_at, revoked_at, session_epoch FROM refresh_token WHERE token_hash = ?",
        vec![token_hash.into()],
    )
    .await?;
    let Some(RefreshRow {
        id,
        user_id,
        family_id,
        expires_at,
        used_at,
        revoked_at,
        session_epoch,
    }) = rows.into_iter().next()
    else {
        return Ok(RefreshCheck::Invalid);
    };
    let now = now_micros();
    if used_at.is_some() {
        revoke_family(db, &family_id).await?;
        return Ok(RefreshCheck::Reused);
    }
    if revoked_at.is_some() || expires_at <= now {
        return Ok(RefreshCheck::Invalid);
    }
    // Guarded update: of two concurrent uses only one sees a row change.
    let changed = sql::execute(
        db,
        "UPDATE refresh_token SET used_at = ? WHERE id = ? AND used_at IS NULL",
        vec![now.into(), id.into()],
    )
    .await?;
    if changed == 0 {
        revoke_family(db, &family_id).await?;
        return Ok(RefreshCheck::Reused);
    }
    Ok(RefreshCheck::Valid {
        user_id,
        family_id,
        session_epoch,
    })
}

/// Revokes every token of a family (logout, or reuse detected).
pub async fn revoke_family(
    db: &impl ConnectionTrait,
    family_id: &str,
) -> Result<(), PersistenceError> {
    sql::execute(
        db,
        "UPDATE refresh_token SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
        vec![now_micros().into(), family_id.into()],
    )
    .await?;
    Ok(())
}

#[derive(FromQueryResult)]
struct Family {
    family_id: String,
}

/// The family of the token with this hash, if it exists.
pub async fn family_of(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<String>, PersistenceError> {
    let rows: Vec<Family> = sql::query_as(
        db,
        "SELECT family_id FROM refresh_token WHERE token_hash = ?",
        vec![token_hash.into()],
    )
    .await?;
    Ok(rows.into_iter().next().map(|r| r.family_id))
}

/// Revokes every refresh token of a user (disabled account, password reset).
pub async fn revoke_user(
    db: &impl ConnectionTrait,
    user_id: UserId,
) -> Result<(), PersistenceError> {
    sql::execute(
        db,
        "UPDATE refresh_token SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
        vec![now_micros().into(), user_id.into()],
    )
    .await?;
    Ok(())
}
