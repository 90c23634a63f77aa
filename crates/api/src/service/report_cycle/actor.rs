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

#[cfg(test)]
mod tests {
    use chitieu_persistence::{ApiTokenId, UserId};

    use super::*;

    fn user(role: Role) -> Caller {
        Caller {
            principal: Principal::User {
                id: UserId::new(1),
                username: "u".into(),
                role,
                session_epoch: 0,
            },
            scope: Scope::Subtree(OrgUnitId::new(1)),
            expires_at: None,
        }
    }

    fn token(write: bool) -> Caller {
        Caller {
            principal: Principal::Token {
                id: ApiTokenId::new(1),
                name: "t".into(),
                read: true,
                write,
            },
            scope: Scope::Subtree(OrgUnitId::new(1)),
            expires_at: None,
        }
    }

    #[test]
    fn roles_and_scopes_become_report_actors() {
        assert_eq!(actor(&user(Role::Admin), Reach::Outside), Actor::Admin);
        assert_eq!(
            actor(&user(Role::Manager), Reach::Below),
            Actor::Manager(Reach::Below)
        );
        assert_eq!(
            actor(&user(Role::Reporter), Reach::Own),
            Actor::Reporter(Reach::Own)
        );
        assert_eq!(actor(&user(Role::Viewer), Reach::Own), Actor::Viewer);
        let writer = actor(&token(true), Reach::Own);
        assert_eq!(
            writer,
            Actor::Token {
                data_write: true,
                reach: Reach::Own
            }
        );
        assert!(writer.may(chitieu_domain::ReportAction::Submit));
        assert!(!writer.may(chitieu_domain::ReportAction::Approve));
        assert!(!actor(&token(false), Reach::Own).may(chitieu_domain::ReportAction::Submit));
    }
}
