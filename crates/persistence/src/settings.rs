//! Small key/value settings kept in the database, such as the generated JWT signing secret.

use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{PersistenceError, sql};

#[derive(FromQueryResult)]
struct SettingRow {
    value: String,
}

/// The value stored under `key`, if any.
pub async fn get(db: &impl ConnectionTrait, key: &str) -> Result<Option<String>, PersistenceError> {
    let rows: Vec<SettingRow> = sql::query_as(
        db,
        "SELECT value FROM app_setting WHERE key = ?",
        vec![key.into()],
    )
    .await?;
    Ok(rows.into_iter().next().map(|r| r.value))
}

/// Returns the value under `key`, storing `make()` first when there is none. Safe against
/// concurrent callers: whoever writes first wins and everyone reads that value.
pub async fn get_or_insert(
    db: &impl ConnectionTrait,
    key: &str,
    make: impl FnOnce() -> String,
) -> Result<String, PersistenceError> {
    if let Some(v) = get(db, key).await? {
        return Ok(v);
    }
    sql::execute(
        db,
        "INSERT INTO app_setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
        vec![key.into(), make().into()],
    )
    .await?;
    get(db, key)
        .await?
        .ok_or_else(|| PersistenceError::corrupt(format!("setting {key} vanished")))
}

/// Stores `value` under `key`, replacing what was there.
pub async fn set(
    db: &impl ConnectionTrait,
    key: &str,
    value: &str,
) -> Result<(), PersistenceError> {
    sql::execute(
        db,
        "INSERT INTO app_setting (key, value) VALUES (?, ?) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        vec![key.into(), value.into()],
    )
    .await?;
    Ok(())
}
