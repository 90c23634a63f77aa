//! The one authorization layer: which principal may perform which operation. REST handlers
//! and GraphQL resolvers both call [`authorize`]; subtree (object level) checks are applied
//! by passing the caller's `Scope` to every query and write.

use crate::{
    ApiError,
    auth::{Caller, Principal, Role},
};

/// Operations guarded by role or token scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Read figures, aggregates and the catalogue (tokens: `data:read`).
    Read,
    /// Submit or delete figures (tokens: `data:write`).
    WriteData,
    /// Change metadata (org units, data elements, indicators, targets, validation rules).
    EditMetadata,
    /// Create and list users in one's subtree.
    ManageUsers,
    /// Create, list and revoke API tokens in one's subtree.
    ManageTokens,
    /// Read the audit trail of one's subtree.
    ReadAudit,
}

/// Refuses the operation unless the caller's role or token scopes allow it.
pub fn authorize(caller: &Caller, op: Operation) -> Result<(), ApiError> {
    let allowed = match &caller.principal {
        Principal::Token { read, write, .. } => match op {
            Operation::Read => *read,
            Operation::WriteData => *write,
            _ => false,
        },
        Principal::User { role, .. } => match op {
            Operation::Read => true,
            Operation::WriteData => matches!(role, Role::Admin | Role::Manager | Role::Reporter),
            Operation::EditMetadata => *role == Role::Admin,
            Operation::ManageUsers | Operation::ManageTokens | Operation::ReadAudit => {
                matches!(role, Role::Admin | Role::Manager)
            }
        },
    };
    if allowed {
        return Ok(());
    }
    Err(ApiError::Forbidden(match &caller.principal {
        Principal::Token { .. } => "this API token's scopes do not allow this operation".into(),
        Principal::User { role, .. } => {
            format!(
                "the role '{}' may not perform this operation",
                role.as_str()
            )
        }
    }))
}
