//! User accounts.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

use crate::{PersistenceError, entities::app_user, now_micros};

/// A stored user. The password hash never leaves the API's auth module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredUser {
    /// Internal id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// PHC-format argon2id hash.
    pub password_hash: String,
    /// Display name.
    pub display_name: Option<String>,
    /// `admin`, `manager`, `reporter` or `viewer`.
    pub role: String,
    /// The unit whose subtree the role applies to (none for `admin`).
    pub org_unit_id: Option<i64>,
    /// A disabled user cannot log in and its tokens stop working.
    pub disabled: bool,
    /// Carried by every token issued to the user; incremented by a password change or reset
    /// and by disabling, which ends every session issued before.
    pub session_epoch: i64,
}

impl From<app_user::Model> for StoredUser {
    fn from(m: app_user::Model) -> Self {
        Self {
            id: m.id,
            username: m.username,
            password_hash: m.password_hash,
            display_name: m.display_name,
            role: m.role,
            org_unit_id: m.org_unit_id,
            disabled: m.disabled,
            session_epoch: m.session_epoch,
        }
    }
}

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
    pub org_unit_id: Option<i64>,
}

/// How many users exist.
pub async fn count(db: &impl ConnectionTrait) -> Result<u64, PersistenceError> {
    Ok(app_user::Entity::find().count(db).await?)
}

/// The user with this login name.
pub async fn find_by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> Result<Option<StoredUser>, PersistenceError> {
    Ok(app_user::Entity::find()
        .filter(app_user::Column::Username.eq(username))
        .one(db)
        .await?
        .map(StoredUser::from))
}

/// The user with this id.
pub async fn find_by_id(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<StoredUser>, PersistenceError> {
    Ok(app_user::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(StoredUser::from))
}

/// Creates a user and returns it.
pub async fn create(
    db: &impl ConnectionTrait,
    user: NewUser<'_>,
) -> Result<StoredUser, PersistenceError> {
    let now = now_micros();
    let model = app_user::ActiveModel {
        username: Set(user.username.to_owned()),
        password_hash: Set(user.password_hash.to_owned()),
        display_name: Set(user.display_name.map(str::to_owned)),
        role: Set(user.role.to_owned()),
        org_unit_id: Set(user.org_unit_id),
        disabled: Set(false),
        session_epoch: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    Ok(model.insert(db).await?.into())
}

/// Users bound to units inside the subtree of `root` (all users with `None`), with the code
/// of their unit, by username.
pub async fn list(
    db: &impl ConnectionTrait,
    root: Option<i64>,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<(StoredUser, Option<String>)>, PersistenceError> {
    let mut sql = String::from(
        "SELECT a.id, a.username, a.password_hash, a.display_name, a.role, a.org_unit_id, a.disabled, a.session_epoch, u.code \
         FROM app_user a LEFT JOIN org_unit u ON u.id = a.org_unit_id WHERE a.username > ?",
    );
    let mut values: Vec<sea_orm::Value> = vec![after.unwrap_or("").into()];
    if let Some(r) = root {
        sql.push_str(" AND a.org_unit_id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?)");
        values.push(r.into());
    }
    sql.push_str(" ORDER BY a.username LIMIT ?");
    values.push((limit as i64).into());
    let rows = crate::sql::query(db, &sql, values).await?;
    rows.iter()
        .map(|r| {
            Ok((
                StoredUser {
                    id: crate::sql::get(r, 0)?,
                    username: crate::sql::get(r, 1)?,
                    password_hash: crate::sql::get(r, 2)?,
                    display_name: crate::sql::get(r, 3)?,
                    role: crate::sql::get(r, 4)?,
                    org_unit_id: crate::sql::get(r, 5)?,
                    disabled: crate::sql::get(r, 6)?,
                    session_epoch: crate::sql::get(r, 7)?,
                },
                crate::sql::get(r, 8)?,
            ))
        })
        .collect()
}

/// Sets the disabled flag. Disabling also increments the session epoch, so every token
/// issued before stops working at once.
pub async fn set_disabled(
    db: &impl ConnectionTrait,
    id: i64,
    disabled: bool,
) -> Result<(), PersistenceError> {
    let sql = if disabled {
        "UPDATE app_user SET disabled = ?, session_epoch = session_epoch + 1, updated_at = ? WHERE id = ?"
    } else {
        "UPDATE app_user SET disabled = ?, updated_at = ? WHERE id = ?"
    };
    crate::sql::execute(
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
    id: i64,
    hash: &str,
) -> Result<(), PersistenceError> {
    crate::sql::execute(
        db,
        "UPDATE app_user SET password_hash = ?, session_epoch = session_epoch + 1, updated_at = ? WHERE id = ?",
        vec![hash.into(), now_micros().into(), id.into()],
    )
    .await?;
    Ok(())
}
