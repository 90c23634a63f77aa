//! Accounts: creating a user, listing them, and disabling, re-enabling, resetting or
//! unlocking one.

use chitieu_persistence::{Scope, org_units, sessions, users};

use super::{UserRef, UserView, ensure_outranks, record, single_line, subtree_root, unit_code};
use crate::{
    ApiError, AppState,
    auth::{Caller, Role, attempts, check_password_policy},
    authz::{Operation, authorize},
    service::{
        invalid,
        page::{Page, PageRequest, Paging},
        units::unit_in_scope,
    },
};

/// What a new user is made of.
#[derive(Clone, Debug)]
pub struct NewUserInput {
    /// 3–64 of `a-z 0-9 . _ -`.
    pub username: String,
    /// At least 10 characters, not a common one.
    pub password: String,
    /// Shown instead of the username.
    pub display_name: Option<String>,
    /// Role name.
    pub role: String,
    /// The unit the role is bound to (absent only for `admin`).
    pub org_unit: Option<String>,
}

/// A change to a user; absent fields stay.
#[derive(Clone, Debug, Default)]
pub struct UserChange {
    /// Disable or re-enable.
    pub disabled: Option<bool>,
    /// A new password.
    pub password: Option<String>,
    /// Forget the account's failed password checks and waits (from every address).
    pub unlock: bool,
}

fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 120;

/// A display name: blank is none; else single-line text of at most
/// [`MAX_DISPLAY_NAME_CHARS`].
fn display_name(given: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(name) = given else { return Ok(None) };
    let name = single_line("display_name", name)?;
    if name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(invalid(
            "invalid_name",
            "display_name",
            format!("a display name has at most {MAX_DISPLAY_NAME_CHARS} characters"),
        ));
    }
    Ok(Some(name).filter(|n| !n.is_empty()))
}

/// Creates a user bound to a unit of the caller's subtree, below the caller's rank: only an
/// admin grants `admin`, and a manager creates managers only in the units below its own.
pub async fn create_user(
    state: &AppState,
    caller: &Caller,
    input: NewUserInput,
) -> Result<UserView, ApiError> {
    authorize(caller, Operation::ManageUsers)?;
    if !valid_username(&input.username) {
        return Err(invalid(
            "invalid_username",
            "username",
            "a username is 3-64 of a-z 0-9 . _ -",
        ));
    }
    check_password_policy(&input.password).map_err(|m| invalid("weak_password", "password", m))?;
    let role = Role::parse(&input.role).ok_or_else(|| {
        invalid(
            "invalid_role",
            "role",
            "role must be admin, manager, reporter or viewer",
        )
    })?;
    if role == Role::Admin && caller.role() != Some(Role::Admin) {
        return Err(ApiError::Forbidden(
            "only an admin may grant the role 'admin'".into(),
        ));
    }
    // A named unit must exist in the caller's subtree even for an admin, who is bound to
    // none.
    let unit = match (&input.org_unit, role) {
        (Some(code), _) => Some(unit_in_scope(state, caller.scope, code).await?),
        (None, Role::Admin) => None,
        (None, _) => {
            return Err(invalid(
                "missing_org_unit",
                "org_unit",
                "this role is bound to an org unit",
            ));
        }
    };
    let unit_id = unit.as_ref().filter(|_| role != Role::Admin).map(|u| u.id);
    ensure_outranks(caller, role, unit_id)?;
    let display_name = display_name(input.display_name.as_deref())?;
    let taken = || ApiError::Conflict {
        code: "username_taken",
        detail: format!("the username '{}' is taken", input.username),
    };
    if users::find_by_username(state.db.conn(), &input.username)
        .await?
        .is_some()
    {
        return Err(taken());
    }
    let hash = state.passwords.hash(input.password).await?;
    let tx = state.db.write().await?;
    let created = users::create(
        &tx,
        users::NewUser {
            username: &input.username,
            password_hash: &hash,
            display_name: display_name.as_deref(),
            role: role.as_str(),
            org_unit_id: unit_id,
        },
    )
    .await
    .map_err(|e| {
        if e.is_unique_violation() {
            taken()
        } else {
            e.into()
        }
    })?;
    record(
        &tx,
        caller,
        "user.created",
        created.org_unit_id,
        serde_json::json!({ "user_id": created.id, "username": created.username, "role": created.role }),
    )
    .await?;
    tx.commit().await?;
    Ok(UserView {
        org_unit: unit
            .filter(|_| role != Role::Admin)
            .map(|u| u.unit.code.into_string()),
        user: created,
    })
}

/// Users bound to the caller's subtree (every user for an admin), by username. A manager
/// also sees the accounts it may not act on (itself, the other managers of its unit):
/// listing changes nothing.
pub async fn list_users(
    state: &AppState,
    caller: &Caller,
    page: PageRequest<'_>,
) -> Result<Page<UserView>, ApiError> {
    authorize(caller, Operation::ManageUsers)?;
    let paging: Paging<String> = page.open()?;
    let rows = users::list(
        state.db.conn(),
        subtree_root(caller.scope),
        paging.after.as_deref(),
        paging.fetch(),
    )
    .await?;
    let rows = rows
        .into_iter()
        .map(|(user, org_unit)| UserView { user, org_unit })
        .collect();
    Ok(paging.finish(rows, |u| u.user.username.clone()))
}

/// A user the caller manages, found by id or by username; 404 outside the subtree.
pub async fn find_managed_user(
    state: &AppState,
    caller: &Caller,
    user: UserRef<'_>,
) -> Result<users::StoredUser, ApiError> {
    authorize(caller, Operation::ManageUsers)?;
    let db = state.db.conn();
    let (found, name) = match user {
        UserRef::Id(id) => (users::find_by_id(db, id).await?, id.to_string()),
        UserRef::Username(u) => (users::find_by_username(db, u).await?, format!("'{u}'")),
    };
    let unknown = || ApiError::not_found("unknown_user", format!("no user {name}"));
    let user = found.ok_or_else(unknown)?;
    let visible = match (caller.scope, user.org_unit_id) {
        (Scope::All, _) => true,
        (scope, Some(unit)) => org_units::in_scope(db, scope, unit).await?,
        (_, None) => false,
    };
    if visible { Ok(user) } else { Err(unknown()) }
}

/// Disables, re-enables, resets the password of or unlocks a user of the caller's subtree
/// whom the caller outranks ([`ranks::may_act_on`]). Disabling and a reset end the user's
/// sessions at once: the session epoch moves, so every access and refresh token issued before
/// is refused. An unlock forgets the account's failed password checks (`auth.unlocked`).
pub async fn update_user(
    state: &AppState,
    caller: &Caller,
    user: UserRef<'_>,
    change: UserChange,
) -> Result<UserView, ApiError> {
    let user = find_managed_user(state, caller, user).await?;
    let id = user.id;
    let role = Role::parse(&user.role)
        .ok_or_else(|| ApiError::internal(format!("user {id} has unknown role")))?;
    ensure_outranks(caller, role, user.org_unit_id)?;
    if caller.user_id() == Some(id) && change.disabled == Some(true) {
        return Err(ApiError::Forbidden(
            "you cannot disable your own account".into(),
        ));
    }
    let hash = match change.password {
        Some(p) => {
            check_password_policy(&p).map_err(|m| invalid("weak_password", "password", m))?;
            Some(state.passwords.hash(p).await?)
        }
        None => None,
    };
    let tx = state.db.write().await?;
    if let Some(disabled) = change.disabled {
        users::set_disabled(&tx, id, disabled).await?;
    }
    if let Some(hash) = &hash {
        users::set_password_hash(&tx, id, hash).await?;
    }
    if change.disabled == Some(true) || hash.is_some() {
        sessions::revoke_user(&tx, id).await?;
    }
    if change.disabled.is_some() || hash.is_some() || !change.unlock {
        let action = match change.disabled {
            Some(true) => "user.disabled",
            Some(false) => "user.enabled",
            None => "user.updated",
        };
        record(
            &tx,
            caller,
            action,
            user.org_unit_id,
            serde_json::json!({ "user_id": id, "username": user.username, "disabled": change.disabled, "password_reset": hash.is_some() }),
        )
        .await?;
    }
    if change.unlock {
        let cleared = attempts::unlock(&tx, &user.username).await?;
        record(
            &tx,
            caller,
            "auth.unlocked",
            user.org_unit_id,
            serde_json::json!({ "user_id": id, "username": user.username, "keys_cleared": cleared }),
        )
        .await?;
    }
    let user = users::find_by_id(&tx, id)
        .await?
        .ok_or_else(|| ApiError::not_found("unknown_user", format!("no user {id}")))?;
    let org_unit = unit_code(&tx, user.org_unit_id).await?;
    tx.commit().await?;
    Ok(UserView { user, org_unit })
}
