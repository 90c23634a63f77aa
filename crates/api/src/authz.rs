//! The one authorization layer: which role may perform which operation. Subtree (object
//! level) checks are applied by passing the caller's `Scope` to every query and write.

use crate::{
    ApiError,
    auth::{Caller, Role},
};

/// Operations guarded by role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Read figures, aggregates and the catalogue.
    Read,
    /// Submit or delete figures.
    WriteData,
    /// Change metadata (org units, data elements, indicators, targets, validation rules).
    EditMetadata,
}

/// Refuses the operation unless the caller's role allows it.
pub fn authorize(caller: &Caller, op: Operation) -> Result<(), ApiError> {
    let allowed = match op {
        Operation::Read => true,
        Operation::WriteData => matches!(caller.role, Role::Admin | Role::Manager | Role::Reporter),
        Operation::EditMetadata => caller.role == Role::Admin,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "the role '{}' may not perform this operation",
            caller.role.as_str()
        )))
    }
}
