//! The `Caller` extractor: resolves `Authorization: Bearer <token>` — a user's JWT access
//! token or a machine's `ctk_` API token — into an authenticated principal with a role and a
//! scope, or answers 401. Tokens are read from this header only, never from a URL. What a
//! credential stands for is looked up through [`crate::service::callers`].

use axum::{extract::FromRequestParts, http::request::Parts};
use chitieu_persistence::{ApiTokenId, Scope, UserId, audit, now_micros};

use crate::{ApiError, AppState, service::callers};

/// Prefix of API tokens.
pub const API_TOKEN_PREFIX: &str = "ctk_";

/// What a caller may do, before subtree checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Everything.
    Admin,
    /// Users, tokens, targets, metadata and approvals in its subtree; also writes and reads.
    Manager,
    /// Writes and reads figures in its subtree.
    Reporter,
    /// Reads in its subtree.
    Viewer,
}

impl Role {
    /// Parses a role name.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "manager" => Some(Role::Manager),
            "reporter" => Some(Role::Reporter),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Reporter => "reporter",
            Role::Viewer => "viewer",
        }
    }
}

/// Who is calling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// A person, with a role.
    User {
        /// User id.
        id: UserId,
        /// Login name.
        username: String,
        /// Role.
        role: Role,
        /// The session epoch the caller's token was issued in (the current one for the
        /// command line); the caller stays valid only while the user's epoch is this one.
        session_epoch: i64,
    },
    /// A machine, with scopes.
    Token {
        /// Token id.
        id: ApiTokenId,
        /// Token name.
        name: String,
        /// May read figures and aggregates (`data:read`).
        read: bool,
        /// May submit figures (`data:write`).
        write: bool,
    },
}

/// An authenticated caller.
#[derive(Clone, Debug)]
pub struct Caller {
    /// Who.
    pub principal: Principal,
    /// Where it may act.
    pub scope: Scope,
    /// When the credential it was resolved from stops being valid (seconds since the epoch):
    /// an access token's `exp`. `None` for API tokens (their expiry is read from the
    /// database) and for callers the command line acts as.
    pub expires_at: Option<u64>,
}

impl Caller {
    /// How the caller is recorded as `updated_by`: the username, or `token:<name>`.
    pub fn label(&self) -> String {
        match &self.principal {
            Principal::User { username, .. } => username.clone(),
            Principal::Token { name, .. } => format!("token:{name}"),
        }
    }

    /// The key space for this caller's idempotency keys.
    pub fn idempotency_scope(&self) -> String {
        match &self.principal {
            Principal::User { id, .. } => format!("user:{id}"),
            Principal::Token { id, .. } => format!("token:{id}"),
        }
    }

    /// The user's role; `None` for an API token.
    pub fn role(&self) -> Option<Role> {
        match &self.principal {
            Principal::User { role, .. } => Some(*role),
            Principal::Token { .. } => None,
        }
    }

    /// The caller as recorded in the audit trail.
    pub fn actor(&self) -> audit::Actor {
        match &self.principal {
            Principal::User { id, username, .. } => audit::Actor {
                kind: audit::ActorKind::User(Some(*id)),
                label: username.clone(),
            },
            Principal::Token { id, name, .. } => audit::Actor {
                kind: audit::ActorKind::Token(*id),
                label: format!("token:{name}"),
            },
        }
    }

    /// The user's id; `None` for an API token.
    pub fn user_id(&self) -> Option<UserId> {
        match &self.principal {
            Principal::User { id, .. } => Some(*id),
            Principal::Token { .. } => None,
        }
    }
}

fn unauthorized() -> ApiError {
    ApiError::Unauthorized("invalid, expired or revoked token".into())
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::Unauthorized("an Authorization: Bearer token is required".into())
        })?;
    let value = header
        .to_str()
        .map_err(|_| ApiError::Unauthorized("malformed Authorization header".into()))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| ApiError::Unauthorized("malformed Authorization header".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized(
            "the Authorization header must use the Bearer scheme".into(),
        ));
    }
    Ok(token.trim())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    /// Authenticates, then takes one request from the caller's rate limit.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = resolve(parts, state).await?;
        if let Some(slot) = parts.extensions.get::<super::refusals::ActorSlot>() {
            slot.fill(&caller);
        }
        Ok(caller)
    }
}

async fn resolve(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    Caller::from_token(state, bearer(parts)?).await
}

impl Caller {
    /// The caller a bearer token (an access token or a `ctk_` API token) stands for, or 401.
    /// Every authenticated request (REST, GraphQL, WebSocket) takes one from the caller's
    /// rate limit here.
    pub async fn from_token(state: &AppState, token: &str) -> Result<Caller, ApiError> {
        let caller = if token.starts_with(API_TOKEN_PREFIX) {
            callers::by_api_token(state, token)
                .await?
                .ok_or_else(unauthorized)?
        } else {
            let expired = || ApiError::Unauthorized("invalid or expired access token".into());
            let claims = state.jwt.verify(token)?;
            let user_id: UserId = claims.sub.parse().map_err(|_| expired())?;
            // A token from an earlier session epoch (before a password change or reset, or
            // before the user was disabled) is refused like an expired one.
            let mut caller = Caller::of_user(state, user_id)
                .await?
                .filter(|c| c.session_epoch() == Some(claims.epoch))
                .ok_or_else(expired)?;
            caller.expires_at = Some(claims.exp);
            caller
        };
        caller.charge(state)?;
        Ok(caller)
    }

    /// The caller as the database has it now, for connections that outlive one request (each
    /// WebSocket operation, each subscription event): its user exists and is enabled (with
    /// its current role and unit), or its API token is neither revoked nor expired; else 401.
    pub async fn reauthorize(&self, state: &AppState) -> Result<Caller, ApiError> {
        // An access token that expired since the connection opened ends its rights too.
        if self
            .expires_at
            .is_some_and(|exp| exp <= u64::try_from(now_micros() / 1_000_000).unwrap_or(0))
        {
            return Err(unauthorized());
        }
        let current = match &self.principal {
            // Still enabled, and still in the session epoch it was resolved in (no password
            // change or reset, no disabling since).
            Principal::User {
                id, session_epoch, ..
            } => Caller::of_user(state, *id)
                .await?
                .filter(|now| now.session_epoch() == Some(*session_epoch))
                .map(|mut now| {
                    now.expires_at = self.expires_at;
                    now
                }),
            Principal::Token { id, .. } => callers::by_api_token_id(state, *id).await?,
        };
        current.ok_or_else(unauthorized)
    }

    /// Whether the caller may still act (see [`Caller::reauthorize`]).
    pub async fn still_valid(&self, state: &AppState) -> Result<bool, ApiError> {
        match self.reauthorize(state).await {
            Ok(_) => Ok(true),
            Err(ApiError::Unauthorized(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Takes one request from the caller's rate limit, or 429.
    pub fn charge(&self, state: &AppState) -> Result<(), ApiError> {
        state
            .rate_limiter
            .check(&self.idempotency_scope())
            .map_err(|retry_after| ApiError::RateLimited { retry_after })
    }

    /// The user's session epoch; `None` for an API token.
    pub fn session_epoch(&self) -> Option<i64> {
        match &self.principal {
            Principal::User { session_epoch, .. } => Some(*session_epoch),
            Principal::Token { .. } => None,
        }
    }

    /// The caller acting as this user in its current session epoch, or `None` when the user
    /// does not exist or is disabled (also used by the command line, which acts as a named
    /// user).
    pub async fn of_user(state: &AppState, user_id: UserId) -> Result<Option<Caller>, ApiError> {
        callers::by_user_id(state, user_id).await
    }
}
