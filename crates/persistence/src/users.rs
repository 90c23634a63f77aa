//! User accounts.

use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{OrgUnitId, PersistenceError, UserId, now_micros, sql};

/// A stored user. The password hash never leaves the API's auth module.
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct StoredUser {
    /// Internal id.
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// PHC-format argon2id hash.
    pub password_hash: String,
    /// Display name.
    pub display_name: Option<String>,
    /// `admin`, `manager`, `reporter` or `viewer`.
    pub role: String,
    /// The unit whose subtree the role applies to (none for `admin`).
    pub org_unit_id: Option<OrgUnitId>,
    /// A disabled user cannot log in and its tokens stop working.
    pub disabled: bool,
    /// Carried by every token issued to the user; incremented by a password change or reset
    /// and by disabling, which ends every session issued before.
    pub session_epoch: i64,
}

/// The columns of [`StoredUser`], of `app_user` aliased `a`.
const COLUMNS: &str = "a.id, a.username, a.password_hash, a.display_name, a.role, a.org_unit_id, \
     a.disabled, a.session_epoch";

/// A user to create.
#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    /// Login name (already validated).
    pub username: &'a str,
    /// PHC-format hash.
    pub password_hash: &'a str,
    /// Display name.
    pub display_name: Option<&'a str>,
    /// Role name.
    pub role: &'a str,
    /// Bound org unit.
    pub org_unit_id: Option<OrgUnitId>,
}

#[derive(FromQueryResult)]
struct Count {
    n: i64,
}

/// How many users exist.
pub async fn count(db: &impl ConnectionTrait) -> Result<u64, PersistenceError> {
    let rows: Vec<Count> = sql::query_as(db, "SELECT COUNT(*) AS n FROM app_user", vec![]).await?;
    Ok(rows.first().map_or(0, |c| u64::try_from(c.n).unwrap_or(0)))
}

async fn find_one(
    db: &impl ConnectionTrait,
    condition: &str,
    value: sea_orm::Value,
) -> Result<Option<StoredUser>, PersistenceError> {
    let rows: Vec<StoredUser> = sql::query_as(
        db,
        &format!("SELECT {COLUMNS} FROM app_user a WHERE {condition}"),
        vec![value],
    )
    .await?;
    Ok(rows.into_iter().next())
}

/// The user with this login name.
pub async fn find_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<StoredUser>, PersistenceError> {
    find_one(db, "a.username = ?", username.into()).await
}

/// The user with this id.
pub async fn find_by_id(
    db: &impl ConnectionTrait,
    id: UserId,
) -> Result<Option<StoredUser>, PersistenceError> {
    find_one(db, "a.id = ?", id.into()).await
}

/// Creates a user and returns it.
pub async fn create(
    db: &impl ConnectionTrait,
    user: NewUser<'_>,
) -> Result<StoredUser, PersistenceError> {
    let now = now_micros();
    let rows: Vec<StoredUser> = sql::query_as(
        db,
        "INSERT INTO app_user (username, password_hash, display_name, role, org_unit_id, disabled, \
         session_epoch, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?) \
         RETURNING id, username, password_hash, display_name, role, org_unit_id, disabled, session_epoch",
        vec![
            user.username.into(),
            user.password_hash.into(),
            user.display_name.map(str::to_owned).into(),
            user.role.into(),
            user.org_unit_id.into(),
            false.into(),
            now.into(),
            now.into(),
        ],
    )
    .await?;
    rows.into_iter()
        .next()
        .ok_or_else(|| PersistenceError::corrupt("app_user insert returned no row"))
}

/// A user with the code of the unit its role is bound to.
#[derive(FromQueryResult)]
struct ListedUser {
    #[sea_orm(nested)]
    user: StoredUser,
    org_unit: Option<String>,
}

/// Users bound to units inside the subtree of `root` (all users with `None`), with the code
/// of their unit, by username.
pub async fn list(
    db: &impl ConnectionTrait,
    root: Option<OrgUnitId>,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<(StoredUser, Option<String>)>, PersistenceError> {
    let mut sql = format!(
        "SELECT {COLUMNS}, u.code AS org_unit \
         FROM app_user a LEFT JOIN org_unit u ON u.id = a.org_unit_id WHERE a.username > ?",
    );
    let mut values: Vec<sea_orm::Value> = vec![after.unwrap_or("").into()];
    if let Some(r) = root {
        sql.push_str(" AND a.org_unit_id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?)");
        values.push(r.into());
    }
    sql.push_str(" ORDER BY a.username LIMIT ?");
    values.push((limit as i64).into());
    let rows: Vec<ListedUser> = sql::query_as(db, &sql, values).await?;
    Ok(rows.into_iter().map(|r| (r.user, r.org_unit)).collect())
}

/// Sets the disabled flag. Disabling also increments the session epoch, so every token
/// issued before stops working at once.
pub async fn set_disabled(
    db: &impl ConnectionTrait,
    id: UserId,
    disabled: bool,
) -> Result<(), PersistenceError> {
    let sql = if disabled {
        "UPDATE app_user SET disabled = ?, session_epoch = session_epoch + 1, updated_at = ? WHERE id = ?"
    } else {
        "UPDATE app_user SET disabled = ?, updated_at = ? WHERE id = ?"
    };
    sql::execute(
        db,
        sql,
        vec![disabled.into(), now_micros().into(), id.into()],
    )
    .await?;
    Ok(())
}

/// Replaces the password hash and increments the session epoch: every token issued before
/// stops working at once.
pub async fn set_password_hash(
    db: &impl ConnectionTrait,
    id: UserId,
    hash: &str,
) -> Result<(), PersistenceError> {
    sql::execute(
        db,
        "UPDATE app_user SET password_hash = ?, session_epoch = session_epoch + 1, updated_at = ? WHERE id = ?",
        vec![hash.into(), now_micros().into(), id.into()],
    )
    .await?;
    Ok(())
}
