//! Who may do what: the caller itself, users, API tokens and the audit trail.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chitieu_persistence::{ApiTokenId, UserId, api_tokens::StoredToken, audit::StoredEvent};

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
    numbers::JsonValue,
    paging::{Page, connection},
};
use crate::{
    auth::Principal,
    dto::common::{parse_rfc3339, rfc3339},
    service::{
        access::{self, NewTokenInput, NewUserInput, UserChange, UserRef, UserView},
        page::PageRequest,
        tree,
    },
};

/// The caller: a person with a role, or a machine with scopes.
#[derive(SimpleObject)]
pub struct Me {
    /// `user` or `token`.
    pub kind: String,
    /// Username, or the token's name.
    pub name: String,
    /// The user's role (absent for a token).
    pub role: Option<String>,
    /// The token's scopes (empty for a user).
    pub scopes: Vec<String>,
    /// Code of the unit whose subtree the caller acts on (absent for an admin).
    pub org_unit: Option<String>,
}

/// A user (never its password).
#[derive(SimpleObject, Clone)]
pub struct User {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: Option<String>,
    /// `admin`, `manager`, `reporter` or `viewer`.
    pub role: String,
    /// The unit the role is bound to (absent for an admin).
    pub org_unit: Option<String>,
    /// Disabled users cannot log in.
    pub disabled: bool,
}

impl From<&UserView> for User {
    fn from(v: &UserView) -> Self {
        Self {
            id: v.user.id.get(),
            username: v.user.username.clone(),
            display_name: v.user.display_name.clone(),
            role: v.user.role.clone(),
            org_unit: v.org_unit.clone(),
            disabled: v.user.disabled,
        }
    }
}

/// An API token (its secret is shown once, by `createApiToken`).
#[derive(SimpleObject, Clone)]
pub struct ApiToken {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The unit whose subtree it acts on.
    pub org_unit: String,
    /// `data:read` and/or `data:write`.
    pub scopes: Vec<String>,
    /// Creation time (RFC 3339).
    pub created_at: String,
    /// Expiry.
    pub expires_at: Option<String>,
    /// Revocation time.
    pub revoked_at: Option<String>,
    /// Last use, to the minute.
    pub last_used_at: Option<String>,
}

impl From<&StoredToken> for ApiToken {
    fn from(t: &StoredToken) -> Self {
        Self {
            id: t.id.get(),
            name: t.name.clone(),
            org_unit: t.org_unit.clone(),
            scopes: t.scopes.clone(),
            created_at: rfc3339(t.created_at),
            expires_at: t.expires_at.map(rfc3339),
            revoked_at: t.revoked_at.map(rfc3339),
            last_used_at: t.last_used_at.map(rfc3339),
        }
    }
}

/// A new token and its secret, shown only here.
#[derive(SimpleObject)]
pub struct CreatedApiToken {
    /// Put it in `Authorization: Bearer`; only its hash is stored.
    pub secret: String,
    /// The token's record.
    pub token: ApiToken,
}

/// One audit event.
#[derive(SimpleObject, Clone)]
pub struct AuditEvent {
    /// Id (increasing).
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// `user`, `token` or `system`.
    pub actor_kind: String,
    /// Username, `token:<name>` or a system name.
    pub actor: String,
    /// E.g. `data_values.write`, `auth.login_failed`, `auth.refused`, `api_token.revoked`.
    pub action: String,
    /// The org unit concerned.
    pub org_unit: Option<String>,
    /// Details; for `data_values.write`, `changes: [[dataElement, period, old, new], …]`.
    pub detail: JsonValue,
}

impl From<&StoredEvent> for AuditEvent {
    fn from(e: &StoredEvent) -> Self {
        Self {
            id: e.id.get(),
            at: rfc3339(e.at),
            actor_kind: e.actor_kind.clone(),
            actor: e.actor.clone(),
            action: e.action.clone(),
            org_unit: e.org_unit.clone(),
            detail: JsonValue(e.detail.clone()),
        }
    }
}

/// Access reads.
#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    /// Who is calling, with what rights and where.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<Me> {
        let (state, caller) = state_and_caller(ctx)?;
        let org_unit = tree::scope_root_code(state, caller).await.map_err(gql)?;
        Ok(match &caller.principal {
            Principal::User { username, role, .. } => Me {
                kind: "user".into(),
                name: username.clone(),
                role: Some(role.as_str().to_owned()),
                scopes: Vec::new(),
                org_unit,
            },
            Principal::Token {
                name, read, write, ..
            } => Me {
                kind: "token".into(),
                name: name.clone(),
                role: None,
                scopes: [(*read, "data:read"), (*write, "data:write")]
                    .iter()
                    .filter(|(has, _)| *has)
                    .map(|(_, s)| (*s).to_owned())
                    .collect(),
                org_unit,
            },
        })
    }

    /// Users of the caller's subtree, by username (managers and admins).
    #[graphql(complexity = "super::paging::cost(first, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<User>> {
        let (state, caller) = state_and_caller(ctx)?;
        let page = PageRequest::graphql(first, after.as_deref());
        let page = access::list_users(state, caller, page).await.map_err(gql)?;
        Ok(connection(page, |x| User::from(x)))
    }

    /// API tokens of the caller's subtree, newest first (managers and admins).
    #[graphql(complexity = "super::paging::cost(first, child_complexity)")]
    async fn api_tokens(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<ApiToken>> {
        let (state, caller) = state_and_caller(ctx)?;
        let page = PageRequest::graphql(first, after.as_deref());
        let page = access::list_api_tokens(state, caller, page)
            .await
            .map_err(gql)?;
        Ok(connection(page, |x| ApiToken::from(x)))
    }

    /// The audit trail of the caller's subtree (everything for an admin), newest first.
    #[graphql(complexity = "super::paging::cost(first, child_complexity)")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<AuditEvent>> {
        let (state, caller) = state_and_caller(ctx)?;
        let page = PageRequest::graphql(first, after.as_deref());
        let page = access::audit_page(state, caller, page).await.map_err(gql)?;
        Ok(connection(page, |x| AuditEvent::from(x)))
    }
}

/// A new user.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// 3–64 of `a-z 0-9 . _ -`.
    pub username: String,
    /// At least 10 characters, not a common one.
    pub password: String,
    /// Display name.
    pub display_name: Option<String>,
    /// `admin`, `manager`, `reporter` or `viewer`.
    pub role: String,
    /// The unit the role is bound to (not for `admin`).
    pub org_unit: Option<String>,
}

/// A new API token.
#[derive(InputObject)]
pub struct CreateApiTokenInput {
    /// What it is for, e.g. `p8-ward-system`.
    pub name: String,
    /// The unit whose subtree it acts on.
    pub org_unit: String,
    /// A non-empty subset of `data:read`, `data:write`.
    pub scopes: Vec<String>,
    /// Expiry (RFC 3339, in the future).
    pub expires_at: Option<String>,
}

/// Access writes.
#[derive(Default)]
pub struct AccessMutation;

#[Object]
impl AccessMutation {
    /// Creates a user bound to a unit of the caller's subtree; only an admin grants `admin`.
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> GqlResult<User> {
        let (state, caller) = state_and_caller(ctx)?;
        let view = access::create_user(
            state,
            caller,
            NewUserInput {
                username: input.username,
                password: input.password,
                display_name: input.display_name,
                role: input.role,
                org_unit: input.org_unit,
            },
        )
        .await
        .map_err(gql)?;
        Ok(User::from(&view))
    }

    /// Disables, re-enables, resets the password of or unlocks (`unlock: true` forgets the
    /// account's failed logins and waits) a user of the caller's subtree whom the caller
    /// outranks; disabling and a reset end the user's sessions at once.
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        id: i64,
        disabled: Option<bool>,
        password: Option<String>,
        unlock: Option<bool>,
    ) -> GqlResult<User> {
        let (state, caller) = state_and_caller(ctx)?;
        let view = access::update_user(
            state,
            caller,
            UserRef::Id(UserId::new(id)),
            UserChange {
                disabled,
                password,
                unlock: unlock.unwrap_or(false),
            },
        )
        .await
        .map_err(gql)?;
        Ok(User::from(&view))
    }

    /// Changes the caller's own password; every session of the caller ends, this one
    /// included. Wrong current passwords are throttled (`too_many_requests`).
    async fn change_own_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> GqlResult<bool> {
        let (state, caller) = state_and_caller(ctx)?;
        access::change_own_password(state, caller, current_password, new_password)
            .await
            .map_err(gql)?;
        Ok(true)
    }

    /// Creates an API token for a unit of the caller's subtree; the secret is shown once.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        input: CreateApiTokenInput,
    ) -> GqlResult<CreatedApiToken> {
        let (state, caller) = state_and_caller(ctx)?;
        let expires_at = input
            .expires_at
            .as_deref()
            .map(|t| parse_rfc3339("expiresAt", t))
            .transpose()
            .map_err(gql)?;
        let (secret, stored) = access::create_api_token(
            state,
            caller,
            NewTokenInput {
                name: input.name,
                org_unit: input.org_unit,
                scopes: input.scopes,
                expires_at,
            },
        )
        .await
        .map_err(gql)?;
        Ok(CreatedApiToken {
            secret,
            token: ApiToken::from(&stored),
        })
    }

    /// Revokes an API token of the caller's subtree; it stops working at once.
    async fn revoke_api_token(&self, ctx: &Context<'_>, id: i64) -> GqlResult<ApiToken> {
        let (state, caller) = state_and_caller(ctx)?;
        let stored = access::revoke_api_token(state, caller, ApiTokenId::new(id))
            .await
            .map_err(gql)?;
        Ok(ApiToken::from(&stored))
    }
}
