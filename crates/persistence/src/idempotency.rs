//! Idempotency records: the first response to a keyed request, kept so that a retry returns
//! it instead of applying the request twice.

use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{PersistenceError, now_micros, sql};

/// How long a record is kept: 48 hours (the contract promises at least 24).
pub const RETENTION_MICROS: i64 = 48 * 3600 * 1_000_000;

/// A remembered response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remembered {
    /// SHA-256 (hex) of the request that produced it.
    pub request_hash: String,
    /// HTTP status.
    pub status: u16,
    /// Response body (JSON text).
    pub body: String,
}

#[derive(FromQueryResult)]
struct RecordRow {
    request_hash: String,
    status_code: i32,
    response_body: String,
    created_at: i64,
}

/// The response remembered for `key` in `scope`, if any and not expired.
pub async fn find(
    db: &impl ConnectionTrait,
    scope: &str,
    key: &str,
) -> Result<Option<Remembered>, PersistenceError> {
    let found: Vec<RecordRow> = sql::query_as(
        db,
        "SELECT request_hash, status_code, response_body, created_at FROM idempotency_record \
         WHERE scope = ? AND \"key\" = ?",
        vec![scope.into(), key.into()],
    )
    .await?;
    Ok(found
        .into_iter()
        .next()
        .filter(|m| m.created_at >= now_micros() - RETENTION_MICROS)
        .map(|m| Remembered {
            request_hash: m.request_hash,
            status: u16::try_from(m.status_code).unwrap_or(500),
            body: m.response_body,
        }))
}

/// Remembers a response. Returns `false` when another request with the same key got there
/// first (the caller should then roll back and answer with the remembered response).
pub async fn remember(
    db: &impl ConnectionTrait,
    scope: &str,
    key: &str,
    response: &Remembered,
) -> Result<bool, PersistenceError> {
    // An expired record of the same key is replaced.
    sql::execute(
        db,
        "DELETE FROM idempotency_record WHERE scope = ? AND \"key\" = ? AND created_at < ?",
        vec![
            scope.into(),
            key.into(),
            (now_micros() - RETENTION_MICROS).into(),
        ],
    )
    .await?;
    let inserted = sql::execute(
        db,
        "INSERT INTO idempotency_record (scope, \"key\", request_hash, status_code, response_body, created_at) \
         VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            scope.into(),
            key.into(),
            response.request_hash.clone().into(),
            i32::from(response.status).into(),
            response.body.clone().into(),
            now_micros().into(),
        ],
    )
    .await;
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

/// Deletes at most `limit` expired records in one statement; returns how many it deleted.
/// Several instances may purge at the same time: a record another one deleted first is
/// simply not counted.
pub async fn purge_expired(db: &impl ConnectionTrait, limit: u64) -> Result<u64, PersistenceError> {
    sql::execute(
        db,
        "DELETE FROM idempotency_record WHERE (scope, \"key\") IN \
         (SELECT scope, \"key\" FROM idempotency_record WHERE created_at < ? LIMIT ?)",
        vec![
            (now_micros() - RETENTION_MICROS).into(),
            i64::try_from(limit).unwrap_or(i64::MAX).into(),
        ],
    )
    .await
}
