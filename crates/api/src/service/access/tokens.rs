//! API tokens: creating one (its secret shown once), listing and revoking them.

use chitieu_persistence::{ApiTokenId, api_tokens, now_micros, org_units};

use super::{record, single_line, subtree_root};
use crate::{
    ApiError, AppState,
    auth::{Caller, hash_token, new_api_token},
    authz::{Operation, authorize},
    service::{
        invalid,
        page::{Page, PageRequest, Paging},
        units::unit_in_scope,
    },
};

/// The scopes an API token may carry.
pub const SCOPES: [&str; 2] = ["data:read", "data:write"];

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

/// API tokens of the caller's subtree, newest first (never their secrets).
pub async fn list_api_tokens(
    state: &AppState,
    caller: &Caller,
    page: PageRequest<'_>,
) -> Result<Page<api_tokens::StoredToken>, ApiError> {
    authorize(caller, Operation::ManageTokens)?;
    let paging: Paging<ApiTokenId> = page.open()?;
    let rows = api_tokens::list(
        state.db.conn(),
        subtree_root(caller.scope),
        paging.after,
        paging.fetch(),
    )
    .await?;
    Ok(paging.finish(rows, |t| t.id))
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
