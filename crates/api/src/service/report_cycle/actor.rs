//! The caller as the report rules see it: its role or token scopes, and where the report's
//! unit lies from the caller's unit.

use chitieu_domain::{Actor, Reach};
use chitieu_persistence::{ConnectionTrait, OrgUnitId, Scope, report_cycle::facts};

use crate::{
    ApiError,
    auth::{Caller, Principal, Role},
};

/// Where `unit` lies from the caller's unit: the whole tree (`Scope::All`) holds every unit
/// strictly below its top.
pub async fn reach(
    db: &impl ConnectionTrait,
    caller: &Caller,
    unit: OrgUnitId,
) -> Result<Reach, ApiError> {
    Ok(match caller.scope {
        Scope::All => Reach::Below,
        Scope::Subtree(top) => Reach::from_depth(facts::depth_below(db, top, unit).await?),
    })
}

/// The caller acting on a report of a unit at `reach`.
pub fn actor(caller: &Caller, reach: Reach) -> Actor {
    match &caller.principal {
        Principal::User { role, .. } => match role {
            Role::Admin => Actor::Admin,
            Role::Manager => Actor::Manager(reach),
            Role::Reporter => Actor::Reporter(reach),
            Role::Viewer => Actor::Viewer,
        },
        Principal::Token { write, .. } => Actor::Token {
            data_write: *write,
            reach,
        },
    }
}
