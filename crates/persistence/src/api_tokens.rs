//! API tokens: issued for one org unit and a subset of scopes; only their SHA-256 is stored.

use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{ApiTokenId, Micros, OrgUnitId, PersistenceError, UserId, now_micros, sql};

/// `last_used_at` is written at most this often per token.
pub const LAST_USED_RESOLUTION_MICROS: i64 = 60 * 1_000_000;

/// A stored token (never its secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredToken {
    /// Id.
    pub id: ApiTokenId,
    /// Name given at creation.
    pub name: String,
    /// SHA-256 of the secret, hex.
    pub token_hash: String,
    /// The unit whose subtree it acts on (id and code).
    pub org_unit_id: OrgUnitId,
    /// Its code.
    pub org_unit: String,
    /// Scopes, e.g. `["data:read", "data:write"]`.
    pub scopes: Vec<String>,
    /// The user who created it.
    pub created_by: UserId,
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

/// The columns of [`TokenRow`]: `api_token` aliased `t`, its unit `u`.
const COLUMNS: &str = "t.id, t.name, t.token_hash, t.org_unit_id, u.code AS org_unit, t.scopes, \
     t.created_by, t.created_at, t.expires_at, t.revoked_at, t.last_used_at";

/// A row of [`COLUMNS`]; `scopes` is comma-separated.
#[derive(FromQueryResult)]
struct TokenRow {
    id: ApiTokenId,
    name: String,
    token_hash: String,
    org_unit_id: OrgUnitId,
    org_unit: String,
    scopes: String,
    created_by: UserId,
    created_at: Micros,
    expires_at: Option<Micros>,
    revoked_at: Option<Micros>,
    last_used_at: Option<Micros>,
}

impl From<TokenRow> for StoredToken {
    fn from(row: TokenRow) -> Self {
        StoredToken {
            id: row.id,
            name: row.name,
            token_hash: row.token_hash,
            org_unit_id: row.org_unit_id,
            org_unit: row.org_unit,
            scopes: row
                .scopes
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            created_by: row.created_by,
            created_at: row.created_at,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            last_used_at: row.last_used_at,
        }
    }
}

async fn find_one(
    db: &impl ConnectionTrait,
    condition: &str,
    value: sea_orm::Value,
) -> Result<Option<StoredToken>, PersistenceError> {
    let rows: Vec<TokenRow> = sql::query_as(
        db,
        &format!(
            "SELECT {COLUMNS} FROM api_token t JOIN org_unit u ON u.id = t.org_unit_id WHERE {condition}"
        ),
        vec![value],
    )
    .await?;
    Ok(rows.into_iter().next().map(StoredToken::from))
}

/// A token to create.
#[derive(Clone, Debug)]
pub struct NewToken<'a> {
    /// Name.
    pub name: &'a str,
    /// SHA-256 of the secret.
    pub token_hash: &'a str,
    /// Org unit id.
    pub org_unit_id: OrgUnitId,
    /// Scopes.
    pub scopes: &'a [String],
    /// Creator.
    pub created_by: UserId,
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
    find_one(db, "t.token_hash = ?", token_hash.into()).await
}

/// The token with this id.
pub async fn find_by_id(
    db: &impl ConnectionTrait,
    id: ApiTokenId,
) -> Result<Option<StoredToken>, PersistenceError> {
    find_one(db, "t.id = ?", id.into()).await
}

/// Tokens for units inside the subtree of `root` (all with `None`), newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    root: Option<OrgUnitId>,
    before: Option<ApiTokenId>,
    limit: u64,
) -> Result<Vec<StoredToken>, PersistenceError> {
    let mut filter = String::from(" WHERE t.id < ?");
    let mut values: Vec<sea_orm::Value> = vec![before.map_or(i64::MAX, ApiTokenId::get).into()];
    if let Some(r) = root {
        filter.push_str(
            " AND t.org_unit_id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?)",
        );
        values.push(r.into());
    }
    values.push((limit as i64).into());
    let rows: Vec<TokenRow> = sql::query_as(
        db,
        &format!("SELECT {COLUMNS} FROM api_token t JOIN org_unit u ON u.id = t.org_unit_id{filter} ORDER BY t.id DESC LIMIT ?"),
        values,
    )
    .await?;
    Ok(rows.into_iter().map(StoredToken::from).collect())
}

/// Revokes a token (idempotent).
pub async fn revoke(db: &impl ConnectionTrait, id: ApiTokenId) -> Result<(), PersistenceError> {
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
