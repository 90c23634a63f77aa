//! The shared state of password-check throttling: one small row per hashed key, so every
//! instance serving the database and the command line see the same counts.
//!
//! Keys are SHA-256 hex digests computed by the API (never a username or an address as
//! such). The policy — what counts, how long a key waits — lives in the API; this module only
//! locks, reads and writes rows, inside the caller's transaction.

use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{Micros, PersistenceError, sql};

/// A key and the account it concerns (so an operator can clear every key of an account).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottleKey<'a> {
    /// SHA-256 hex of the key.
    pub key_hash: &'a str,
    /// SHA-256 hex of the account's lowercased name, when the key concerns one account.
    pub account_hash: Option<&'a str>,
}

/// The stored state of one key. An absent row reads as the default (nothing recorded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, FromQueryResult)]
pub struct ThrottleState {
    /// Failures counted (reserved attempts that did not succeed).
    pub failures: i32,
    /// No attempt is allowed before this time.
    pub blocked_until: Micros,
    /// Until this time the key is trusted (an account recently logged in from this address).
    pub trusted_until: Micros,
    /// After this time the row means nothing and may be purged.
    pub expires_at: Micros,
}

/// Locks the rows of `keys` for the rest of the transaction, creating absent ones (as
/// expired, empty rows), and returns their states in the order of `keys`. Rows are locked in
/// key order, so concurrent callers cannot deadlock. Nothing is written unless the caller
/// commits, so a rolled-back attempt leaves no row behind.
pub async fn lock(
    db: &impl ConnectionTrait,
    keys: &[ThrottleKey<'_>],
) -> Result<Vec<ThrottleState>, PersistenceError> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| keys[i].key_hash);
    let mut states = vec![ThrottleState::default(); keys.len()];
    for i in order {
        let key = keys[i];
        // An upsert that changes nothing: it takes the row lock (PostgreSQL) or the write lock
        // (SQLite) and reads the row in one statement, on both databases.
        let rows: Vec<ThrottleState> = sql::query_as(
            db,
            "INSERT INTO auth_throttle (key_hash, account_hash, failures, blocked_until, trusted_until, expires_at) \
             VALUES (?, ?, 0, 0, 0, 0) \
             ON CONFLICT (key_hash) DO UPDATE SET failures = auth_throttle.failures \
             RETURNING failures, blocked_until, trusted_until, expires_at",
            vec![key.key_hash.into(), key.account_hash.map(str::to_owned).into()],
        )
        .await?;
        states[i] = rows
            .into_iter()
            .next()
            .ok_or_else(|| PersistenceError::corrupt("auth_throttle upsert returned no row"))?;
    }
    Ok(states)
}

/// Writes the state of a key locked by [`lock`] in the same transaction.
pub async fn save(
    db: &impl ConnectionTrait,
    key_hash: &str,
    state: ThrottleState,
) -> Result<(), PersistenceError> {
    sql::execute(
        db,
        "UPDATE auth_throttle SET failures = ?, blocked_until = ?, trusted_until = ?, expires_at = ? WHERE key_hash = ?",
        vec![
            state.failures.into(),
            state.blocked_until.into(),
            state.trusted_until.into(),
            state.expires_at.into(),
            key_hash.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Forgets the failures and waits of every key of one account (an operator's unlock); trust
/// is kept. Returns how many keys held failures or a wait.
pub async fn clear_account(
    db: &impl ConnectionTrait,
    account_hash: &str,
) -> Result<u64, PersistenceError> {
    sql::execute(
        db,
        "UPDATE auth_throttle SET failures = 0, blocked_until = 0 \
         WHERE account_hash = ? AND (failures > 0 OR blocked_until > 0)",
        vec![account_hash.into()],
    )
    .await
}

/// Deletes at most `limit` rows that expired before `now`; returns how many.
pub async fn purge_expired(
    db: &impl ConnectionTrait,
    now: Micros,
    limit: u64,
) -> Result<u64, PersistenceError> {
    sql::execute(
        db,
        "DELETE FROM auth_throttle WHERE key_hash IN \
         (SELECT key_hash FROM auth_throttle WHERE expires_at < ? LIMIT ?)",
        vec![now.into(), i64::try_from(limit).unwrap_or(i64::MAX).into()],
    )
    .await
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

/// How many rows the table holds (tests and diagnostics).
pub async fn count(db: &impl ConnectionTrait) -> Result<u64, PersistenceError> {
    let rows: Vec<Count> =
        sql::query_as(db, "SELECT COUNT(*) AS n FROM auth_throttle", vec![]).await?;
    Ok(rows.first().map_or(0, |c| u64::try_from(c.n).unwrap_or(0)))
}
