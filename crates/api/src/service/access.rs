//! Users, API tokens and the audit trail: the rules shared by REST, GraphQL and the command
//! line. Every function authorizes the caller first, then checks the subtree and the caller's
//! rank over the account ([`super::ranks`]), validates, and writes in one transaction
//! together with its audit event (and, for a password or a disabled account, the end of the
//! user's sessions).

use chitieu_persistence::{
    ApiTokenId, AuditEventId, ConnectionTrait, OrgUnitId, Scope, UserId, api_tokens, audit,
    now_micros, org_units, sessions, users,
};

use super::{invalid, ranks};
use crate::{
    ApiError, AppState,
    auth::{Caller, Role, Subject, attempts, check_password_policy, hash_token, new_api_token},
    authz::{Operation, authorize},
    service::units::unit_in_scope,
};

/// The scopes an API token may carry.
pub const SCOPES: [&str; 2] = ["data:read", "data:write"];

/// A user with the code of the unit its role is bound to.
#[derive(Clone, Debug)]
pub struct UserView {
    /// The stored user (its hash is never shown by any edge).
    pub user: users::StoredUser,
    /// The bound unit's code (`None` for an admin).
    pub org_unit: Option<String>,
}

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

/// What a new API token is made of.
#[derive(Clone, Debug)]
pub struct NewTokenInput {
    /// What it is for.
    pub name: String,
    /// The unit whose subtree it acts on.
    pub org_unit: String,
    /// Subset of [`SCOPES`].
    pub scopes: Vec<String>,
    /// Optional expiry (microseconds since the epoch).
    pub expires_at: Option<i64>,
}

/// The root of the caller's subtree, `None` for everything.
pub fn subtree_root(scope: Scope) -> Option<OrgUnitId> {
    match scope {
        Scope::All => None,
        Scope::Subtree(root) => Some(root),
    }
}

fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 120;

/// `field` trimmed, NFC and checked as single-line text (422 `invalid_text` naming it).
fn single_line(field: &str, s: &str) -> Result<String, ApiError> {
    chitieu_domain::text::single_line(s).map_err(|e| invalid(e.code(), field, e.to_string()))
}

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

async fn record(
    db: &impl ConnectionTrait,
    caller: &Caller,
    action: &'static str,
    org_unit_id: Option<OrgUnitId>,
    detail: serde_json::Value,
) -> Result<(), ApiError> {
    audit::record(
        db,
        &caller.actor(),
        vec![audit::NewEvent {
            action,
            org_unit_id,
            detail: detail.to_string(),
        }],
    )
    .await?;
    Ok(())
}

/// Refuses unless the caller outranks an account with `role` bound to `unit` (an account of
/// the caller's subtree): see [`ranks::may_act_on`].
fn ensure_outranks(caller: &Caller, role: Role, unit: Option<OrgUnitId>) -> Result<(), ApiError> {
    let caller_role = caller
        .role()
        .ok_or_else(|| ApiError::Forbidden("API tokens do not manage users".into()))?;
    ranks::may_act_on(caller_role, subtree_root(caller.scope), role, unit)
        .map_err(|why| ApiError::Forbidden(why.into()))
}

async fn unit_code(
    db: &impl ConnectionTrait,
    unit: Option<OrgUnitId>,
) -> Result<Option<String>, ApiError> {
    let Some(unit) = unit else { return Ok(None) };
    Ok(org_units::find_by_ids(db, &[unit])
        .await?
        .into_iter()
        .next()
        .map(|u| u.unit.code.into_string()))
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

/// Users bound to the caller's subtree (every user for an admin), by username: at most
/// `limit` after the username `after`. A manager also sees the accounts it may not act on
/// (itself, the other managers of its unit): listing changes nothing.
pub async fn list_users(
    state: &AppState,
    caller: &Caller,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<UserView>, ApiError> {
    authorize(caller, Operation::ManageUsers)?;
    let rows = users::list(state.db.conn(), subtree_root(caller.scope), after, limit).await?;
    Ok(rows
        .into_iter()
        .map(|(user, org_unit)| UserView { user, org_unit })
        .collect())
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

/// How a user is named in a request.
#[derive(Clone, Copy, Debug)]
pub enum UserRef<'a> {
    /// By id.
    Id(UserId),
    /// By login name.
    Username(&'a str),
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

/// Changes the caller's own password after checking the current one. The check is throttled
/// per user like a login (a reserved attempt before any hashing), whatever the edge, so
/// neither bursts nor GraphQL aliases can guess at speed. Every session of the user ends,
/// this one included: the caller logs in again with the new password.
pub async fn change_own_password(
    state: &AppState,
    caller: &Caller,
    current: String,
    new: String,
) -> Result<(), ApiError> {
    let Some(id) = caller.user_id() else {
        return Err(ApiError::Forbidden("an API token has no password".into()));
    };
    // The new password's policy first: it needs no secret, and a weak one costs no hashing.
    check_password_policy(&new).map_err(|m| invalid("weak_password", "new_password", m))?;
    let user = users::find_by_id(state.db.conn(), id)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("invalid or expired access token".into()))?;
    let reservation = attempts::reserve(
        state,
        Subject::OwnPassword {
            account: &user.username,
        },
        "too many wrong current passwords",
    )
    .await?;
    if !state
        .passwords
        .verify(current, Some(user.password_hash))
        .await?
    {
        // The reservation stays counted as a failure.
        let tx = state.db.write().await?;
        record(
            &tx,
            caller,
            "auth.password_check_failed",
            user.org_unit_id,
            serde_json::json!({ "user_id": id }),
        )
        .await?;
        tx.commit().await?;
        return Err(ApiError::Unauthorized("wrong current password".into()));
    }
    let hash = state.passwords.hash(new).await?;
    let tx = state.db.write().await?;
    reservation.succeeded(state, &tx).await?;
    users::set_password_hash(&tx, id, &hash).await?;
    sessions::revoke_user(&tx, id).await?;
    record(
        &tx,
        caller,
        "user.password_changed",
        user.org_unit_id,
        serde_json::json!({ "user_id": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Creates an API token for a unit of the caller's subtree; returns the secret (shown once)
/// and the stored record.
pub async fn create_api_token(
    state: &AppState,
    caller: &Caller,
    input: NewTokenInput,
) -> Result<(String, api_tokens::StoredToken), ApiError> {
    authorize(caller, Operation::ManageTokens)?;
    let Some(creator) = caller.user_id() else {
        return Err(ApiError::Forbidden(
            "API tokens cannot create tokens".into(),
        ));
    };
    let name = single_line("name", &input.name)?;
    if name.is_empty() || name.chars().count() > 120 {
        return Err(invalid(
            "invalid_name",
            "name",
            "a token name has 1-120 characters",
        ));
    }
    let mut scopes: Vec<String> = Vec::new();
    for s in &input.scopes {
        if !SCOPES.contains(&s.as_str()) {
            return Err(invalid(
                "invalid_scope",
                "scopes",
                format!("unknown scope '{s}'; use data:read and/or data:write"),
            ));
        }
        if !scopes.contains(s) {
            scopes.push(s.clone());
        }
    }
    if scopes.is_empty() {
        return Err(invalid(
            "invalid_scope",
            "scopes",
            "give at least one scope",
        ));
    }
    scopes.sort();
    if input.expires_at.is_some_and(|at| at <= now_micros()) {
        return Err(invalid(
            "invalid_timestamp",
            "expires_at",
            "expires_at lies in the past",
        ));
    }
    let unit = unit_in_scope(state, caller.scope, &input.org_unit).await?;
    let token = new_api_token();
    let tx = state.db.write().await?;
    let stored = api_tokens::create(
        &tx,
        api_tokens::NewToken {
            name: &name,
            token_hash: &hash_token(&token),
            org_unit_id: unit.id,
            scopes: &scopes,
            created_by: creator,
            expires_at: input.expires_at,
        },
    )
    .await?;
    record(
        &tx,
        caller,
        "api_token.created",
        Some(unit.id),
        serde_json::json!({ "token_id": stored.id, "name": stored.name, "scopes": stored.scopes }),
    )
    .await?;
    tx.commit().await?;
    Ok((token, stored))
}

/// API tokens of the caller's subtree, newest first (never their secrets): at most `limit`
/// with ids below `before`.
pub async fn list_api_tokens(
    state: &AppState,
    caller: &Caller,
    before: Option<ApiTokenId>,
    limit: u64,
) -> Result<Vec<api_tokens::StoredToken>, ApiError> {
    authorize(caller, Operation::ManageTokens)?;
    Ok(api_tokens::list(state.db.conn(), subtree_root(caller.scope), before, limit).await?)
}

/// Revokes a token of the caller's subtree; it stops working at once.
pub async fn revoke_api_token(
    state: &AppState,
    caller: &Caller,
    id: ApiTokenId,
) -> Result<api_tokens::StoredToken, ApiError> {
    authorize(caller, Operation::ManageTokens)?;
    let unknown = || ApiError::not_found("unknown_api_token", format!("no API token {id}"));
    let token = api_tokens::find_by_id(state.db.conn(), id)
        .await?
        .ok_or_else(unknown)?;
    if !org_units::in_scope(state.db.conn(), caller.scope, token.org_unit_id).await? {
        return Err(unknown());
    }
    let tx = state.db.write().await?;
    api_tokens::revoke(&tx, id).await?;
    record(
        &tx,
        caller,
        "api_token.revoked",
        Some(token.org_unit_id),
        serde_json::json!({ "token_id": id, "name": token.name }),
    )
    .await?;
    let revoked = api_tokens::find_by_id(&tx, id).await?.unwrap_or(token);
    tx.commit().await?;
    Ok(revoked)
}

/// One page of the caller's audit trail, newest first: events with ids below `before`.
pub async fn audit_page(
    state: &AppState,
    caller: &Caller,
    before: Option<AuditEventId>,
    limit: u64,
) -> Result<Vec<audit::StoredEvent>, ApiError> {
    authorize(caller, Operation::ReadAudit)?;
    Ok(audit::list(state.db.conn(), subtree_root(caller.scope), before, limit).await?)
}
