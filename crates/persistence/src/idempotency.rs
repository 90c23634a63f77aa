//! Idempotency records: the first response to a keyed request, kept so that a retry returns
//! it instead of applying the request twice.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::{
    PersistenceError, entities::idempotency_record, error::is_unique_violation, now_micros, sql,
};

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

/// The response remembered for `key` in `scope`, if any and not expired.
pub async fn find(
    db: &impl ConnectionTrait,
    scope: &str,
    key: &str,
) -> Result<Option<Remembered>, PersistenceError> {
    let found = idempotency_record::Entity::find_by_id((scope.to_owned(), key.to_owned()))
        .one(db)
        .await?;
    Ok(found
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
    idempotency_record::Entity::delete_many()
        .filter(idempotency_record::Column::Scope.eq(scope))
        .filter(idempotency_record::Column::Key.eq(key))
        .filter(idempotency_record::Column::CreatedAt.lt(now_micros() - RETENTION_MICROS))
        .exec(db)
        .await?;
    let model = idempotency_record::ActiveModel {
        scope: Set(scope.to_owned()),
        key: Set(key.to_owned()),
        request_hash: Set(response.request_hash.clone()),
        status_code: Set(i32::from(response.status)),
        response_body: Set(response.body.clone()),
        created_at: Set(now_micros()),
    };
    match model.insert(db).await {
        Ok(_) => Ok(true),
        Err(e) if is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
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
