//! Who may act on which account: the rule behind every user operation (create, disable,
//! re-enable, password reset, unlock), as a pure function.
//!
//! An admin acts on every account. A manager acts only on accounts strictly below it: in a
//! unit below its own (any role but admin), or in its own unit with a lower role (reporter,
//! viewer) — never on another manager of its unit, on an admin, or on itself (it changes its
//! own password with the current one). Reporters and viewers manage nobody.
//!
//! Whether the account lies in the caller's subtree at all is checked before (outside it, the
//! account does not exist for the caller: 404).

use chitieu_persistence::OrgUnitId;

use crate::auth::Role;

/// Whether a caller with `caller_role`, bound to `caller_unit`, may act on an account with
/// `role` bound to `unit` (known to lie in the caller's subtree). `Err` says why not.
pub fn may_act_on(
    caller_role: Role,
    caller_unit: Option<OrgUnitId>,
    role: Role,
    unit: Option<OrgUnitId>,
) -> Result<(), &'static str> {
    match caller_role {
        Role::Admin => Ok(()),
        Role::Manager => match (role, unit) {
            (Role::Admin, _) | (_, None) => Err("only an admin may act on an admin's account"),
            (Role::Reporter | Role::Viewer, _) => Ok(()),
            (Role::Manager, Some(unit)) if Some(unit) != caller_unit => Ok(()),
            (Role::Manager, Some(_)) => Err(
                "a manager acts only on reporters and viewers of its own unit and on the users of the units below it",
            ),
        },
        Role::Reporter | Role::Viewer => Err("only admins and managers manage users"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VT: Option<OrgUnitId> = Some(OrgUnitId::new(3));
    const P8: Option<OrgUnitId> = Some(OrgUnitId::new(5));

    #[test]
    fn a_manager_acts_only_strictly_below_itself() {
        use Role::*;
        assert!(may_act_on(Manager, VT, Reporter, VT).is_ok());
        assert!(may_act_on(Manager, VT, Viewer, VT).is_ok());
        assert!(may_act_on(Manager, VT, Manager, P8).is_ok(), "a unit below");
        assert!(may_act_on(Manager, VT, Reporter, P8).is_ok());
        assert!(
            may_act_on(Manager, VT, Manager, VT).is_err(),
            "a peer, or itself"
        );
        assert!(may_act_on(Manager, VT, Admin, None).is_err());
        assert!(may_act_on(Manager, VT, Admin, VT).is_err());
    }

    #[test]
    fn an_admin_acts_on_everyone_and_others_on_nobody() {
        use Role::*;
        for role in [Admin, Manager, Reporter, Viewer] {
            assert!(may_act_on(Admin, None, role, VT).is_ok());
            assert!(may_act_on(Reporter, VT, role, P8).is_err());
            assert!(may_act_on(Viewer, VT, role, P8).is_err());
        }
    }
}
