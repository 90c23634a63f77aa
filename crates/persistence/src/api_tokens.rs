//! API tokens: issued for one org unit and a subset of scopes; only their SHA-256 is stored.

use sea_orm::{ConnectionTrait, QueryResult};

use crate::{
    Micros, PersistenceError, now_micros,
    sql::{self, get},
};

/// `last_used_at` is written at most this often per token.
pub const LAST_USED_RESOLUTION_MICROS: i64 = 60 * 1_000_000;

/// A stored token (never its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredToken {
    /// Id.
    pub id: i64,
    /// Name given at creation.
    pub name: String,
    /// SHA-256 of the secret, hex.
    pub token_hash: String,
    /// The unit whose subtree it acts on (id and code).
    pub org_unit_id: i64,
    /// Its code.
    pub org_unit: String,
    /// Scopes, e.g. `["data:read", "data:write"]`.
    pub scopes: Vec<String>,
    /// The user who created it.
    pub created_by: i64,
    /// Creation time.
    pub created_at: Micros,
    /// Expiry, if any.
    pub expires_at: Option<Micros>,
    /// Revocation time, if revoked.
    pub revoked_at: Option<Micros>,
    /// Last use (to the minute).
    pub last_used_at: Option<Micros>,
}

impl StoredToken {
    /// Usable now: neither revoked nor expired.
    pub fn is_active(&self, now: Micros) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| e > now)
    }
}

const COLUMNS: &str = "t.id, t.name, t.token_hash, t.org_unit_id, u.code, t.scopes, t.created_by, \
     t.created_at, t.expires_at, t.revoked_at, t.last_used_at";

fn decode(row: &QueryResult) -> Result<StoredToken, PersistenceError> {
    let scopes: String = get(row, 5)?;
    Ok(StoredToken {
        id: get(row, 0)?,
        name: get(row, 1)?,
        token_hash: get(row, 2)?,
        org_unit_id: get(row, 3)?,
        org_unit: get(row, 4)?,
        scopes: scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        created_by: get(row, 6)?,
        created_at: get(row, 7)?,
        expires_at: get(row, 8)?,
        revoked_at: get(row, 9)?,
        last_used_at: get(row, 10)?,
    })
}

/// A token to create.
#[derive(Clone, Debug)]
pub struct NewToken<'a> {
    /// Name.
    pub name: &'a str,
    /// SHA-256 of the secret.
    pub token_hash: &'a str,
    /// Org unit id.
    pub org_unit_id: i64,
    /// Scopes.
    pub scopes: &'a [String],
    /// Creator.
    pub created_by: i64,
    /// Expiry.
    pub expires_at: Option<Micros>,
}

/// Stores a token and returns it.
pub async fn create(
    db: &impl ConnectionTrait,
    t: NewToken<'_>,
) -> Result<StoredToken, PersistenceError> {
    sql::execute(
        db,
        "INSERT INTO api_token (name, token_hash, org_unit_id, scopes, created_by, created_at, expires_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        vec![
            t.name.into(),
            t.token_hash.into(),
            t.org_unit_id.into(),
            t.scopes.join(",").into(),
            t.created_by.into(),
            now_micros().into(),
            t.expires_at.into(),
        ],
    )
    .await?;
    find_by_hash(db, t.token_hash)
        .await?
        .ok_or_else(|| PersistenceError::corrupt("token vanished after insert"))
}

/// The token with this hash (active or not).
pub async fn find_by_hash(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<StoredToken>, PersistenceError> {
    let rows = sql::query(
        db,
        &format!("SELECT {COLUMNS} FROM api_token t JOIN org_unit u ON u.id = t.org_unit_id WHERE t.token_hash = ?"),
        vec![token_hash.into()],
    )
    .await?;
    rows.first().map(decode).transpose()
}

/// The token with this id.
pub async fn find_by_id(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<StoredToken>, PersistenceError> {
    let rows = sql::query(
        db,
        &format!("SELECT {COLUMNS} FROM api_token t JOIN org_unit u ON u.id = t.org_unit_id WHERE t.id = ?"),
        vec![id.into()],
    )
    .await?;
    rows.first().map(decode).transpose()
}

/// Tokens for units inside the subtree of `root` (all with `None`), newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    root: Option<i64>,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<StoredToken>, PersistenceError> {
    let mut filter = String::from(" WHERE t.id < ?");
    let mut values: Vec<sea_orm::Value> = vec![before.unwrap_or(i64::MAX).into()];
    if let Some(r) = root {
        filter.push_str(
            " AND t.org_unit_id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?)",
        );
        values.push(r.into());
    }
    values.push((limit as i64).into());
    let rows = sql::query(
        db,
        &format!("SELECT {COLUMNS} FROM api_token t JOIN org_unit u ON u.id = t.org_unit_id{filter} ORDER BY t.id DESC LIMIT ?"),
        values,
    )
    .await?;
    rows.iter().map(decode).collect()
}

/// Revokes a token (idempotent).
pub async fn revoke(db: &impl ConnectionTrait, id: i64) -> Result<(), PersistenceError> {
    sql::execute(
        db,
        "UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        vec![now_micros().into(), id.into()],
    )
    .await?;
    Ok(())
}

/// Whether a use now should be recorded: at most once per [`LAST_USED_RESOLUTION_MICROS`].
pub fn needs_touch(token: &StoredToken, now: Micros) -> bool {
    token
        .last_used_at
        .is_none_or(|t| now - t >= LAST_USED_RESOLUTION_MICROS)
}

/// Records a use (see [`needs_touch`]).
pub async fn touch(db: &impl ConnectionTrait, token: &StoredToken) -> Result<(), PersistenceError> {
    let now = now_micros();
    if !needs_touch(token, now) {
        return Ok(());
    }
    sql::execute(
        db,
        "UPDATE api_token SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
        vec![now.into(), token.id.into(), (now - LAST_USED_RESOLUTION_MICROS).into()],
    )
    .await?;
    Ok(())
}
