//! Reorganisations: merges, splits, moves and renames of org units, checked
//! as a whole (contract v2, "Reorganisations: a dated tree with lineage").
//!
//! [`check`] takes the bundle's reorganisations and a view of the stored
//! tree, applies the reorganisations in order of `effective`, then code, and
//! returns either **every** problem, each with a field path into the bundle
//! (`reorganisations[0].splits[1].into`) and a stable code ([`Problem`]), or
//! the [`Applied`] changes of each reorganisation:
//!
//! * a unit merged or split away ends the month before `effective`;
//! * merging into an existing unit is allowed; the live children of a
//!   merged unit move to the unit it merged into; those of a split unit must
//!   be moved explicitly (`children_unplaced` otherwise);
//! * a split's shares are exact decimals in (0, 1] summing to exactly 1;
//! * refused: a cycle, a unit with two successors that are not one split
//!   (`multiple_successors`), a unit closed by an earlier reorganisation
//!   closed again (`already_closed`), a merge into itself, unknown units,
//!   and any use of a closed unit as a place in the live tree (`unit_closed`).
//!
//! Each merge and split yields [`LineageEdge`]s (share 1 for a merge), which
//! [`crate::lineage::Lineage`] traverses. The resulting tree is validated
//! once more by [`OrgTree::build`].
//!
//! Later reorganisations are checked against the tree as the earlier ones
//! leave it, applying what was valid in those, so one mistake is reported
//! once and does not cascade. Re-sending a recorded reorganisation is the
//! caller's business (compare with [`Plan`]'s `==`, and pass only new ones);
//! [`TreeView`] may carry the last recorded one so that a new reorganisation
//! cannot be slipped in before it (`reorganisation_out_of_order`).
//!
//! The files: `plan.rs` (a reorganisation as the bundle states it), `tree.rs` (the stored
//! tree it applies to), `outcome.rs` (problems, issues and the applied changes), and the check
//! of one reorganisation, `check.rs` (where each unit stands, the order of the checks),
//! `endings.rs` (new units, merges and splits), `places.rs` (moves, renames, parents) and
//! `cycles.rs` (cycles and the resulting tree).

mod check;
mod cycles;
mod endings;
mod outcome;
mod places;
mod plan;
mod tree;

use std::collections::HashMap;

use crate::code::ReorganisationCode;
use crate::error::DomainError;

use check::{Ending, PlanCheck, Standing, Walk};
pub use outcome::{Applied, Closure, Issue, ParentChange, Problem};
pub use plan::{Merge, Move, NewUnit, Plan, Rename, Split, SplitPart};
use tree::UnitState;
pub use tree::{ExistingUnit, TreeView};

/// Check and apply a bundle's reorganisations, in order of `effective`, then
/// code. `Ok` holds each one's changes in that order; `Err` every issue,
/// grouped by reorganisation in bundle order, each group in the order found.
pub fn check(plans: &[Plan], tree: &TreeView) -> Result<Vec<Applied>, Vec<Issue>> {
    let mut issues: Vec<(usize, Issue)> = Vec::new();
    let mut first_with_code: HashMap<&ReorganisationCode, usize> = HashMap::new();
    for (i, plan) in plans.iter().enumerate() {
        if first_with_code.contains_key(&plan.code) {
            issues.push((
                i,
                issue(
                    format!("reorganisations[{i}].code"),
                    Problem::DuplicateCode,
                    format!("reorganisation {} is listed twice", plan.code),
                ),
            ));
        } else {
            first_with_code.insert(&plan.code, i);
        }
    }
    let mut order: Vec<usize> = first_with_code.values().copied().collect();
    order.sort_by(|&a, &b| {
        (plans[a].effective, &plans[a].code).cmp(&(plans[b].effective, &plans[b].code))
    });
    let mut state = tree.clone();
    let mut applied = Vec::with_capacity(order.len());
    for i in order {
        let mut checker = PlanCheck::new(&plans[i], format!("reorganisations[{i}]"), &state);
        // The final tree check only means something while everything so
        // far was sound; after an issue the bundle is refused anyway.
        let result = checker.run(issues.is_empty());
        let (found, cycle_found) = (checker.issues, checker.cycle_found);
        apply(&mut state, &plans[i], &result, cycle_found);
        issues.extend(found.into_iter().map(|x| (i, x)));
        applied.push(result);
    }
    if issues.is_empty() {
        Ok(applied)
    } else {
        issues.sort_by_key(|(i, _)| *i);
        Err(issues.into_iter().map(|(_, x)| x).collect())
    }
}

/// Build an issue.
fn issue(field: String, problem: Problem, message: String) -> Issue {
    Issue {
        field,
        error: DomainError::Reorganisation { problem, message },
    }
}

/// Carry a reorganisation's valid effects into the tree for the next one.
fn apply(state: &mut TreeView, plan: &Plan, result: &Applied, skip_moves: bool) {
    for unit in &result.new_units {
        state.insert(unit.code.clone(), unit.parent.clone(), None);
    }
    for closure in &result.closed {
        if let Some(u) = state.units.get_mut(&closure.unit) {
            u.last_month.get_or_insert(closure.last_month);
        }
    }
    if !skip_moves {
        for change in &result.parent_changes {
            if let Some(u) = state.units.get_mut(&change.unit) {
                u.parent = Some(change.to.clone());
            }
        }
    }
    let key = (plan.effective, plan.code.clone());
    if state.last_applied.as_ref().is_none_or(|last| *last < key) {
        state.last_applied = Some(key);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::{HashMap, HashSet};

    use rust_decimal::Decimal;

    use crate::code::{OrgUnitCode, ReorganisationCode};
    use crate::error::DomainError;
    use crate::org_unit::{OrgTree, UnitKind, UnitName};
    use crate::period::Month;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn c(s: &str) -> OrgUnitCode {
        OrgUnitCode::parse(s).unwrap()
    }

    fn month(s: &str) -> Month {
        let (y, m) = s.split_once('-').unwrap();
        Month::new(y.parse().unwrap(), m.parse().unwrap()).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn plan(code: &str, effective: &str) -> Plan {
        Plan {
            code: ReorganisationCode::parse(code).unwrap(),
            effective: month(effective),
            new_units: Vec::new(),
            merges: Vec::new(),
            splits: Vec::new(),
            moves: Vec::new(),
            renames: Vec::new(),
        }
    }

    fn new_unit(code: &str, parent: Option<&str>) -> NewUnit {
        NewUnit {
            code: c(code),
            name: UnitName::parse(&format!("Đơn vị {code}")).unwrap(),
            kind: UnitKind::parse("ward").unwrap(),
            parent: parent.map(c),
        }
    }

    fn merge(into: &str, from: &[&str]) -> Merge {
        Merge {
            into: c(into),
            from: from.iter().map(|s| c(s)).collect(),
        }
    }

    fn split(from: &str, into: &[(&str, &str)]) -> Split {
        Split {
            from: c(from),
            into: into
                .iter()
                .map(|(u, s)| SplitPart {
                    unit: c(u),
                    share: dec(s),
                })
                .collect(),
        }
    }

    fn mv(unit: &str, parent: &str) -> Move {
        Move {
            unit: c(unit),
            parent: c(parent),
        }
    }

    /// VN ─┬─ HCM ── HCM-Q1
    ///     └─ BRVT ── VT ─┬─ VT-P1 ── TDP-1
    ///                    ├─ VT-P2
    ///                    ├─ VT-TNHI
    ///                    ├─ VT-LS
    ///                    ├─ X ─┬─ X-C1
    ///                    │     └─ X-C2
    ///                    └─ OLD (closed after 2020-12)
    fn tree() -> TreeView {
        let unit = |code: &str, parent: Option<&str>, last: Option<&str>| ExistingUnit {
            code: c(code),
            parent: parent.map(c),
            last_month: last.map(month),
        };
        TreeView::new(
            [
                unit("VN", None, None),
                unit("HCM", Some("VN"), None),
                unit("HCM-Q1", Some("HCM"), None),
                unit("BRVT", Some("VN"), None),
                unit("VT", Some("BRVT"), None),
                unit("VT-P1", Some("VT"), None),
                unit("TDP-1", Some("VT-P1"), None),
                unit("VT-P2", Some("VT"), None),
                unit("VT-TNHI", Some("VT"), None),
                unit("VT-LS", Some("VT"), None),
                unit("X", Some("VT"), None),
                unit("X-C1", Some("X"), None),
                unit("X-C2", Some("X"), None),
                unit("OLD", Some("VT"), Some("2020-12")),
            ],
            None,
        )
    }

    fn problems(plans: &[Plan]) -> Vec<(String, &'static str)> {
        match check(plans, &tree()) {
            Ok(applied) => panic!("expected issues, got {applied:?}"),
            Err(issues) => issues
                .into_iter()
                .map(|i| (i.field, i.error.code()))
                .collect(),
        }
    }

    fn at(field: &str, code: &'static str) -> (String, &'static str) {
        (format!("reorganisations[0].{field}"), code)
    }

    fn contract_plan() -> Plan {
        let mut p = plan("NQ-2025-VT", "2025-07");
        p.new_units = vec![
            new_unit("HCM-VT", Some("HCM")),
            new_unit("A", Some("VT")),
            new_unit("B", Some("VT")),
        ];
        p.merges = vec![merge("HCM-VT", &["VT-P1", "VT-P2", "VT-TNHI"])];
        p.splits = vec![split("X", &[("A", "0.6"), ("B", "0.4")])];
        p.moves = vec![mv("VT-LS", "HCM"), mv("X-C1", "A"), mv("X-C2", "B")];
        p.renames = vec![Rename {
            unit: c("HCM"),
            name: UnitName::parse("Thành phố Hồ Chí Minh").unwrap(),
        }];
        p
    }

    #[test]
    fn the_contract_example_applies() {
        let applied = check(&[contract_plan()], &tree()).unwrap();
        assert_eq!(applied.len(), 1);
        let a = &applied[0];
        assert_eq!(a.code.as_str(), "NQ-2025-VT");
        let new: Vec<&str> = a.new_units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(new, ["HCM-VT", "A", "B"]);
        let closed: Vec<(String, String)> = a
            .closed
            .iter()
            .map(|x| (x.unit.to_string(), x.last_month.to_string()))
            .collect();
        assert_eq!(
            closed,
            [
                ("VT-P1".into(), "2025-06".into()),
                ("VT-P2".into(), "2025-06".into()),
                ("VT-TNHI".into(), "2025-06".into()),
                ("X".into(), "2025-06".into()),
            ]
        );
        let changes: Vec<(String, Option<String>, String)> = a
            .parent_changes
            .iter()
            .map(|p| {
                (
                    p.unit.to_string(),
                    p.from.as_ref().map(|f| f.to_string()),
                    p.to.to_string(),
                )
            })
            .collect();
        assert_eq!(
            changes,
            [
                ("VT-LS".into(), Some("VT".into()), "HCM".into()),
                ("X-C1".into(), Some("X".into()), "A".into()),
                ("X-C2".into(), Some("X".into()), "B".into()),
                // The merged ward's child follows it automatically.
                ("TDP-1".into(), Some("VT-P1".into()), "HCM-VT".into()),
            ]
        );
        let lineage: Vec<(String, String, String)> = a
            .lineage
            .iter()
            .map(|e| {
                assert_eq!(e.reorganisation.as_str(), "NQ-2025-VT");
                assert_eq!(e.effective, month("2025-07"));
                (
                    e.predecessor.to_string(),
                    e.successor.to_string(),
                    e.share.to_string(),
                )
            })
            .collect();
        assert_eq!(
            lineage,
            [
                ("VT-P1".into(), "HCM-VT".into(), "1".into()),
                ("VT-P2".into(), "HCM-VT".into(), "1".into()),
                ("VT-TNHI".into(), "HCM-VT".into(), "1".into()),
                ("X".into(), "A".into(), "0.6".into()),
                ("X".into(), "B".into(), "0.4".into()),
            ]
        );
        assert_eq!(a.renames.len(), 1);
    }

    #[test]
    fn merge_problems_are_all_listed_with_their_fields() {
        let mut p = plan("R", "2025-07");
        p.merges = vec![
            merge("VT-P1", &["VT-P1"]),
            merge("NOPE", &["VT-P2"]),
            merge("HCM", &["VT-P2", "GHOST"]),
            merge("HCM", &["OLD"]),
            merge("HCM", &[]),
            merge("VT-TNHI", &["VT-LS", "VT-LS"]),
            merge("OLD", &["X"]),
            merge("VT-P2", &["HCM-Q1"]),
        ];
        assert_eq!(
            problems(&[p]),
            vec![
                at("merges[0].from[0]", "merge_into_itself"),
                at("merges[4].from", "empty_merge"),
                at("merges[2].from[0]", "multiple_successors"),
                at("merges[2].from[1]", "unknown_org_unit"),
                at("merges[3].from[0]", "already_closed"),
                at("merges[5].from[1]", "duplicate_code"),
                at("merges[1].into", "unknown_org_unit"),
                at("merges[6].into", "unit_closed"),
                at("merges[7].into", "unit_closed"),
            ]
        );
    }

    #[test]
    fn split_problems_are_all_listed_with_their_fields() {
        let mut p = plan("R", "2025-07");
        p.splits = vec![
            split("X", &[("VT-LS", "0.5"), ("VT-TNHI", "0.4")]),
            split("VT-P2", &[("VT-P2", "1")]),
            split("VT-P1", &[("OLD", "0"), ("HCM", "1")]),
            split("HCM-Q1", &[]),
            split("VT-TNHI", &[("HCM", "0.5"), ("HCM", "0.5")]),
        ];
        assert_eq!(
            problems(&[p]),
            vec![
                at("splits[0].into[1].unit", "unit_closed"),
                at("splits[0].into", "shares_not_one"),
                at("splits[1].into[0].unit", "split_into_itself"),
                at("splits[2].into[0].unit", "unit_closed"),
                at("splits[2].into[0].share", "invalid_share"),
                at("splits[3].into", "empty_split"),
                at("splits[4].into[1].unit", "duplicate_code"),
                at("splits[0].from", "children_unplaced"),
                at("splits[2].from", "children_unplaced"),
            ]
        );
        let err = check(
            &[{
                let mut p = plan("R", "2025-07");
                p.splits = vec![split("X", &[("VT-LS", "0.6"), ("VT-TNHI", "0.4")])];
                p
            }],
            &tree(),
        )
        .unwrap_err();
        assert_eq!(err.len(), 1);
        assert!(
            err[0].error.to_string().contains("X-C1, X-C2"),
            "{}",
            err[0].error
        );
    }

    #[test]
    fn shares_must_be_exactly_one() {
        let with = |shares: &[(&str, &str)]| {
            let mut p = plan("R", "2025-07");
            p.splits = vec![split("VT-P2", shares)];
            check(&[p], &tree()).map(|_| ()).map_err(|issues| {
                issues
                    .into_iter()
                    .map(|i| i.error.code())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(with(&[("VT-LS", "0.6"), ("VT-TNHI", "0.4")]), Ok(()));
        assert_eq!(with(&[("VT-LS", "0.60"), ("VT-TNHI", "0.400")]), Ok(()));
        assert_eq!(with(&[("VT-LS", "1")]), Ok(()));
        assert_eq!(
            with(&[
                ("VT-LS", "0.3333333333333333333333333333"),
                ("VT-TNHI", "0.6666666666666666666666666667")
            ]),
            Ok(())
        );
        assert_eq!(
            with(&[("VT-LS", "0.333333"), ("VT-TNHI", "0.666666")]),
            Err(vec!["shares_not_one"])
        );
        assert_eq!(
            with(&[("VT-LS", "1.5"), ("VT-TNHI", "-0.5")]),
            Err(vec!["invalid_share", "invalid_share"])
        );
        assert_eq!(
            with(&[
                ("VT-LS", "79228162514264337593543950335"),
                ("VT-TNHI", "79228162514264337593543950335")
            ]),
            Err(vec!["invalid_share", "invalid_share", "shares_not_one"])
        );
    }

    #[test]
    fn moves_renames_and_new_units_need_live_places() {
        let mut p = plan("R", "2025-07");
        p.new_units = vec![
            new_unit("VT", Some("HCM")),
            new_unit("N1", Some("OLD")),
            new_unit("N1", Some("HCM")),
            new_unit("N2", Some("GHOST")),
            new_unit("N3", Some("VT-P2")),
        ];
        p.merges = vec![merge("HCM", &["VT-P2"])];
        p.moves = vec![
            mv("VT-P2", "HCM"),
            mv("VT-LS", "OLD"),
            mv("VT-LS", "HCM"),
            mv("N1", "HCM"),
            mv("GHOST", "HCM"),
        ];
        p.renames = vec![
            Rename {
                unit: c("OLD"),
                name: UnitName::parse("Cũ").unwrap(),
            },
            Rename {
                unit: c("HCM"),
                name: UnitName::parse("TP HCM").unwrap(),
            },
            Rename {
                unit: c("HCM"),
                name: UnitName::parse("Thành phố Hồ Chí Minh").unwrap(),
            },
        ];
        assert_eq!(
            problems(&[p]),
            vec![
                at("new_units[0].code", "duplicate_code"),
                at("new_units[2].code", "duplicate_code"),
                at("moves[0].unit", "unit_closed"),
                at("moves[1].parent", "unit_closed"),
                at("moves[2].unit", "duplicate_code"),
                at("moves[3].unit", "duplicate_code"),
                at("moves[4].unit", "unknown_org_unit"),
                at("renames[0].unit", "unit_closed"),
                at("renames[2].unit", "duplicate_code"),
                at("new_units[1].parent", "unit_closed"),
                at("new_units[3].parent", "unknown_org_unit"),
                at("new_units[4].parent", "unit_closed"),
            ]
        );
    }

    #[test]
    fn cycles_are_refused_once_each() {
        let mut p = plan("R", "2025-07");
        p.moves = vec![mv("BRVT", "VT")];
        assert_eq!(
            problems(&[p]),
            vec![at("moves[0].parent", "org_unit_cycle")]
        );

        let mut p = plan("R", "2025-07");
        p.moves = vec![
            mv("VT-P1", "VT-P2"),
            mv("VT-P2", "VT-P1"),
            mv("HCM", "HCM-Q1"),
        ];
        assert_eq!(
            problems(&[p]),
            vec![
                at("moves[0].parent", "org_unit_cycle"),
                at("moves[2].parent", "org_unit_cycle"),
            ]
        );

        // Merging a unit into its own child would put the child under itself.
        let mut p = plan("R", "2025-07");
        p.merges = vec![merge("VT-P1", &["VT"])];
        let issues = check(&[p], &tree()).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].field, "reorganisations[0].merges[0].into");
        assert_eq!(issues[0].error.code(), "org_unit_cycle");
        assert!(
            issues[0].error.to_string().contains("VT-P1"),
            "{}",
            issues[0].error
        );
        // ... unless the child is moved out of the way first.
        let mut p = plan("R", "2025-07");
        p.merges = vec![merge("VT-P1", &["VT"])];
        p.moves = vec![mv("VT-P1", "BRVT")];
        let applied = check(&[p], &tree()).unwrap();
        let moved: Vec<&str> = applied[0]
            .parent_changes
            .iter()
            .map(|c| c.unit.as_str())
            .collect();
        assert_eq!(moved, ["VT-P1", "VT-P2", "VT-TNHI", "VT-LS", "X"]);
    }

    #[test]
    fn reorganisations_apply_in_order_of_effective_then_code() {
        let first = contract_plan();
        let mut later = plan("NQ-2026", "2026-01");
        later.merges = vec![merge("HCM-Q1", &["HCM-VT"])];
        let mut same_month = plan("NQ-2026-B", "2026-01");
        same_month.moves = vec![mv("HCM-Q1", "BRVT")];
        let applied = check(&[same_month, later, first], &tree()).unwrap();
        let order: Vec<&str> = applied.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(order, ["NQ-2025-VT", "NQ-2026", "NQ-2026-B"]);
        // HCM-VT, created by the first, closes in the second, and its child
        // TDP-1 (inherited from VT-P1) follows it.
        let second = &applied[1];
        assert_eq!(second.closed[0].unit.as_str(), "HCM-VT");
        assert_eq!(second.closed[0].last_month, month("2025-12"));
        assert_eq!(second.parent_changes[0].unit.as_str(), "TDP-1");
        assert_eq!(second.parent_changes[0].to.as_str(), "HCM-Q1");

        // A unit closed by an earlier reorganisation of the bundle is closed.
        let mut again = plan("NQ-2026", "2026-01");
        again.merges = vec![merge("VT-P1", &["VT-LS"])];
        assert_eq!(
            problems(&[contract_plan(), again]),
            vec![(
                "reorganisations[1].merges[0].into".to_owned(),
                "unit_closed"
            )]
        );
    }

    #[test]
    fn bundle_and_history_order() {
        let p = plan("R", "2025-07");
        assert_eq!(
            problems(&[p.clone(), p]),
            vec![("reorganisations[1].code".to_owned(), "duplicate_code")]
        );
        let recorded = |p: Plan| {
            let view = TreeView::new(
                [ExistingUnit {
                    code: c("VN"),
                    parent: None,
                    last_month: None,
                }],
                Some((month("2025-07"), ReorganisationCode::parse("NQ").unwrap())),
            );
            check(&[p], &view).map(|_| ()).map_err(|issues| {
                issues
                    .into_iter()
                    .map(|i| (i.field, i.error.code()))
                    .collect::<Vec<_>>()
            })
        };
        let out_of_order = Err(vec![at("effective", "reorganisation_out_of_order")]);
        assert_eq!(recorded(plan("Z", "2025-06")), out_of_order);
        assert_eq!(recorded(plan("A", "2025-07")), out_of_order);
        assert_eq!(recorded(plan("NQ", "2025-07")), out_of_order);
        assert_eq!(recorded(plan("Z", "2025-07")), Ok(()));
        assert_eq!(recorded(plan("A", "2025-08")), Ok(()));
        assert_eq!(
            problems(&[plan("R", "1000-01")]),
            vec![at("effective", "invalid_period")]
        );
        assert!(check(&[], &tree()).unwrap().is_empty());
    }

    #[test]
    fn one_mistake_is_reported_once() {
        // The first creates HCM-VT but gives it an unknown parent; the second
        // builds on HCM-VT and is otherwise sound.
        let mut first = plan("R1", "2025-07");
        first.new_units = vec![new_unit("HCM-VT", Some("GHOST"))];
        let mut second = plan("R2", "2025-08");
        second.merges = vec![merge("HCM-VT", &["VT-P1"])];
        assert_eq!(
            problems(&[second, first]),
            vec![(
                "reorganisations[1].new_units[0].parent".to_owned(),
                "unknown_org_unit"
            )]
        );
    }

    #[test]
    fn deep_trees_are_handled_iteratively() {
        let n = 20_000;
        let units = (0..n).map(|i| ExistingUnit {
            code: c(&format!("U{i}")),
            parent: (i > 0).then(|| c(&format!("U{}", i - 1))),
            last_month: None,
        });
        let view = TreeView::new(units, None);
        // Every unit of the bottom half moves under the root: many long walks.
        let mut p = plan("R", "2025-07");
        p.moves = (n / 2..n).map(|i| mv(&format!("U{i}"), "U0")).collect();
        p.merges = vec![merge(&format!("U{}", n - 2), &[&format!("U{}", n - 1)])];
        p.moves.pop();
        let applied = check(&[p], &view).unwrap();
        assert_eq!(applied[0].parent_changes.len(), n / 2 - 1);
        // And the bottom moved under itself is one cycle.
        let mut p = plan("R", "2025-07");
        p.moves = vec![mv("U0", &format!("U{}", n - 1))];
        let issues = check(&[p], &view).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].error.code(), "org_unit_cycle");
    }

    #[test]
    fn the_resulting_tree_is_validated_by_org_tree() {
        let broken = TreeView::new(
            [ExistingUnit {
                code: c("A"),
                parent: Some(c("MISSING")),
                last_month: None,
            }],
            None,
        );
        let issues = check(&[plan("R", "2025-07")], &broken).unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].field, "reorganisations[0]");
        assert_eq!(issues[0].error.code(), "unknown_parent");
    }

    #[test]
    fn problem_codes_are_stable() {
        let all = [
            (Problem::UnknownUnit, "unknown_org_unit"),
            (Problem::DuplicateCode, "duplicate_code"),
            (Problem::MultipleSuccessors, "multiple_successors"),
            (Problem::AlreadyClosed, "already_closed"),
            (Problem::UnitClosed, "unit_closed"),
            (Problem::CreatedAndClosed, "created_and_closed"),
            (Problem::MergeIntoItself, "merge_into_itself"),
            (Problem::SplitIntoItself, "split_into_itself"),
            (Problem::EmptyMerge, "empty_merge"),
            (Problem::EmptySplit, "empty_split"),
            (Problem::InvalidShare, "invalid_share"),
            (Problem::SharesNotOne, "shares_not_one"),
            (Problem::ChildrenUnplaced, "children_unplaced"),
            (Problem::Cycle, "org_unit_cycle"),
            (Problem::OutOfOrder, "reorganisation_out_of_order"),
            (Problem::InvalidEffective, "invalid_period"),
        ];
        for (problem, code) in all {
            assert_eq!(problem.code(), code);
            assert_eq!(problem.to_string(), code);
            let err = DomainError::Reorganisation {
                problem,
                message: "m".into(),
            };
            assert_eq!(err.code(), code);
        }
        let mut p = plan("R", "2025-07");
        p.new_units = vec![new_unit("N", Some("HCM"))];
        p.merges = vec![merge("HCM", &["N"])];
        assert_eq!(
            problems(&[p]),
            vec![at("merges[0].from[0]", "created_and_closed")]
        );
    }

    /// A random stored tree of `n` units (U0 a root, each other unit under
    /// an earlier one; some leaves already closed) and a random plan over
    /// those codes plus an unknown one.
    fn arb_case() -> impl Strategy<Value = (Vec<ExistingUnit>, Plan)> {
        (3usize..10).prop_flat_map(|n| {
            let parents = prop::collection::vec(any::<prop::sample::Index>(), n - 1);
            let closed = prop::collection::vec(any::<bool>(), n);
            let unit = 0..=n; // n is an unknown code
            let share = prop::sample::select(vec!["0.25", "0.5", "0.75", "1", "0.3"]);
            let merges = prop::collection::vec(
                (unit.clone(), prop::collection::vec(unit.clone(), 0..3)),
                0..3,
            );
            let splits = prop::collection::vec(
                (
                    unit.clone(),
                    prop::collection::vec((unit.clone(), share), 0..3),
                ),
                0..2,
            );
            let moves = prop::collection::vec((unit.clone(), unit.clone()), 0..3);
            let new_units = prop::collection::vec(proptest::option::of(unit), 0..2);
            (parents, closed, merges, splits, moves, new_units).prop_map(
                move |(parents, closed, merges, splits, moves, new_units)| {
                    let name = |i: usize| format!("U{i}");
                    let mut units = vec![ExistingUnit {
                        code: c("U0"),
                        parent: None,
                        last_month: None,
                    }];
                    for (i, p) in parents.iter().enumerate() {
                        units.push(ExistingUnit {
                            code: c(&name(i + 1)),
                            parent: Some(c(&name(p.index(i + 1)))),
                            last_month: None,
                        });
                    }
                    // Close some leaves.
                    let has_children: Vec<bool> = (0..n)
                        .map(|i| units.iter().any(|u| u.parent == Some(c(&name(i)))))
                        .collect();
                    for i in 0..n {
                        if closed[i] && !has_children[i] && i % 3 == 0 && i > 0 {
                            units[i].last_month = Some(month("2020-12"));
                        }
                    }
                    let mut p = plan("R", "2025-07");
                    p.new_units = new_units
                        .iter()
                        .enumerate()
                        .map(|(k, parent)| new_unit(&format!("N{k}"), parent.map(name).as_deref()))
                        .collect();
                    p.merges = merges
                        .iter()
                        .map(|(into, from)| Merge {
                            into: c(&name(*into)),
                            from: from.iter().map(|f| c(&name(*f))).collect(),
                        })
                        .collect();
                    p.splits = splits
                        .iter()
                        .map(|(from, into)| Split {
                            from: c(&name(*from)),
                            into: into
                                .iter()
                                .map(|(u, s)| SplitPart {
                                    unit: c(&name(*u)),
                                    share: dec(s),
                                })
                                .collect(),
                        })
                        .collect();
                    p.moves = moves
                        .iter()
                        .map(|(u, to)| mv(&name(*u), &name(*to)))
                        .collect();
                    (units, p)
                },
            )
        })
    }

    proptest! {
        // About one random plan in ten is accepted; check enough of them.
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn an_accepted_plan_leaves_a_sound_tree((units, p) in arb_case()) {
            let view = TreeView::new(units.clone(), None);
            let Ok(applied) = check(std::slice::from_ref(&p), &view) else {
                return Ok(());
            };
            let a = &applied[0];
            // Replay the changes on a plain model of the tree.
            let mut parent: HashMap<OrgUnitCode, Option<OrgUnitCode>> =
                units.iter().map(|u| (u.code.clone(), u.parent.clone())).collect();
            let mut closed: HashSet<OrgUnitCode> = units
                .iter()
                .filter(|u| u.last_month.is_some())
                .map(|u| u.code.clone())
                .collect();
            for u in &a.new_units {
                parent.insert(u.code.clone(), u.parent.clone());
            }
            for x in &a.closed {
                prop_assert_eq!(x.last_month, month("2025-06"));
                prop_assert!(closed.insert(x.unit.clone()), "closed twice");
            }
            for change in &a.parent_changes {
                parent.insert(change.unit.clone(), Some(change.to.clone()));
            }
            prop_assert!(OrgTree::build(parent.clone()).is_ok());
            for (unit, p) in &parent {
                if !closed.contains(unit)
                    && let Some(p) = p
                {
                    prop_assert!(!closed.contains(p), "{} lives under closed {}", unit, p);
                }
            }
            // Every unit closed here has successors whose shares sum to 1.
            for x in &a.closed {
                let total: Decimal = a
                    .lineage
                    .iter()
                    .filter(|e| e.predecessor == x.unit)
                    .map(|e| e.share)
                    .sum();
                prop_assert_eq!(total, Decimal::ONE);
                for e in a.lineage.iter().filter(|e| e.predecessor == x.unit) {
                    prop_assert!(!closed.contains(&e.successor));
                }
            }
        }
    }
}
