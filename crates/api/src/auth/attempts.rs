//! Reserved password checks, against the shared `auth_throttle` table (the policy is in
//! `throttle.rs`). A check reserves its attempt — counted as a failure — in one short
//! transaction *before* any hashing; only [`Reservation::succeeded`] takes the count back.
//! Every instance and the command line see the same rows.

use chitieu_persistence::{
    ConnectionTrait,
    auth_throttle::{self, ThrottleKey},
    now_micros,
};

use super::throttle::{self, Decision, Key, Subject};
use crate::{ApiError, AppState};

/// Most expired rows deleted after each reservation (a reservation creates at most three).
const PURGE_BATCH: u64 = 100;

/// A reserved attempt, counted as a failure until [`Reservation::succeeded`].
#[derive(Debug)]
#[must_use = "an attempt stays counted as a failure unless it succeeded"]
pub struct Reservation {
    /// The keys the attempt counted against.
    counted: Vec<Key>,
}

/// The stored form of `keys`.
fn with_keys(keys: &[Key]) -> Vec<ThrottleKey<'_>> {
    keys.iter()
        .map(|k| ThrottleKey {
            key_hash: &k.hash,
            account_hash: k.account_hash.as_deref(),
        })
        .collect()
}

/// Reserves one password check for `subject`, or answers 429 `too_many_requests` (with
/// `Retry-After`) while one of its keys waits. `refused` explains a refusal.
pub async fn reserve(
    state: &AppState,
    subject: Subject<'_>,
    refused: &str,
) -> Result<Reservation, ApiError> {
    let keys = throttle::keys(subject);
    let limits = &state.config.login_limits;
    let tx = state.db.write().await?;
    let stored = auth_throttle::lock(&tx, &with_keys(&keys)).await?;
    // The time once the rows are ours: a reservation that waited for the lock must not
    // count from before the one it waited for.
    let now = now_micros();
    let kinds: Vec<_> = keys.iter().map(|k| k.kind).zip(stored).collect();
    match throttle::reserve(limits, &kinds, now) {
        Decision::Refused { retry_after } => {
            tx.rollback().await?;
            Err(ApiError::TooManyRequests {
                detail: format!("{refused}; retry in {retry_after} s"),
                retry_after,
            })
        }
        Decision::Allowed(states) => {
            let mut counted = Vec::with_capacity(keys.len());
            for (key, new) in keys.into_iter().zip(states) {
                if let Some(new) = new {
                    auth_throttle::save(&tx, &key.hash, new).await?;
                    counted.push(key);
                }
            }
            auth_throttle::purge_expired(&tx, now, PURGE_BATCH).await?;
            tx.commit().await?;
            Ok(Reservation { counted })
        }
    }
}

impl Reservation {
    /// The password was right: takes back what the reservation counted. Runs in the caller's
    /// transaction, under the writer guard, together with what the success writes.
    pub async fn succeeded(
        self,
        state: &AppState,
        db: &impl ConnectionTrait,
    ) -> Result<(), ApiError> {
        let stored = auth_throttle::lock(db, &with_keys(&self.counted)).await?;
        let now = now_micros();
        for (key, s) in self.counted.iter().zip(stored) {
            let new = throttle::succeeded(&state.config.login_limits, key.kind, s, now);
            auth_throttle::save(db, &key.hash, new).await?;
        }
        Ok(())
    }
}

/// Forgets every failure and wait of an account (an operator's unlock), in the caller's
/// transaction; returns how many keys held any.
pub async fn unlock(db: &impl ConnectionTrait, account: &str) -> Result<u64, ApiError> {
    Ok(auth_throttle::clear_account(db, &throttle::account_hash(account)).await?)
}
