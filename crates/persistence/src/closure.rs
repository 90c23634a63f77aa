//! Maintaining `org_unit_closure`, the table with one row per unit and ancestor (the unit
//! itself at depth 0), and the `level` column that follows from it.
//!
//! The rows a change needs are computed from the validated tree by pure functions
//! ([`rows_of`], [`rehung`], [`reshaped_ancestors`]); [`rehang`] then replaces the rows of
//! every unit whose chain of ancestors changed in two set-based statements.

use std::collections::{HashMap, HashSet};

use chitieu_domain::{OrgTree, OrgUnitCode};
use sea_orm::{ConnectionTrait, Value};

use crate::{OrgUnitId, PersistenceError, sql};

/// One row of `org_unit_closure`, by code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClosureRow {
    /// The ancestor (the unit itself at depth 0).
    pub ancestor: OrgUnitCode,
    /// The descendant.
    pub descendant: OrgUnitCode,
    /// Levels between the two.
    pub depth: u32,
}

/// The closure rows of `units` in `tree`: each unit with itself at depth 0, then with each of
/// its ancestors at its distance, nearest first.
pub fn rows_of(tree: &OrgTree, units: &[OrgUnitCode]) -> Vec<ClosureRow> {
    let mut rows = Vec::new();
    for unit in units {
        let chain = std::iter::once(unit.clone()).chain(tree.ancestors(unit));
        rows.extend(chain.zip(0..).map(|(ancestor, depth)| ClosureRow {
            ancestor,
            descendant: unit.clone(),
            depth,
        }));
    }
    rows
}

/// The units whose chain of ancestors a change rewrites: every new unit, and the whole
/// subtree (in the new tree) of every moved unit. Each once, in the order given, a subtree
/// root first.
pub fn rehung(tree: &OrgTree, new: &[OrgUnitCode], moved: &[OrgUnitCode]) -> Vec<OrgUnitCode> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let subtrees = moved.iter().flat_map(|m| tree.subtree(m));
    for unit in new.iter().cloned().chain(subtrees) {
        if seen.insert(unit.clone()) {
            out.push(unit);
        }
    }
    out
}

/// The units whose set of descendants a move changes: every proper ancestor of a moved unit,
/// before the move (`old_parent` gives the stored parent links) and after it (in `tree`).
/// Each once, in the order met. These are the units whose roll-ups must be rebuilt.
pub fn reshaped_ancestors(
    tree: &OrgTree,
    old_parent: impl Fn(&OrgUnitCode) -> Option<OrgUnitCode>,
    moved: &[OrgUnitCode],
) -> Vec<OrgUnitCode> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for unit in moved {
        let mut before = Vec::new();
        let mut current = old_parent(unit);
        // The stored tree has no cycle; the bound only keeps a damaged one from looping.
        while let Some(parent) = current.filter(|p| !before.contains(p)) {
            current = old_parent(&parent);
            before.push(parent);
        }
        for ancestor in before.into_iter().chain(tree.ancestors(unit)) {
            if seen.insert(ancestor.clone()) {
                out.push(ancestor);
            }
        }
    }
    out
}

/// Gives new units (already inserted, at their level) their closure rows, and re-hangs the
/// subtree of every moved unit (whose `parent_id` is already updated): the closure rows of
/// every unit in [`rehung`] are replaced by those of `tree`, then the levels of the moved
/// subtrees recomputed. `ids` holds the id of every unit in `tree`.
pub(crate) async fn rehang(
    db: &impl ConnectionTrait,
    tree: &OrgTree,
    ids: &HashMap<String, OrgUnitId>,
    new: &[OrgUnitCode],
    moved: &[OrgUnitCode],
) -> Result<(), PersistenceError> {
    let id = |code: &OrgUnitCode| {
        ids.get(code.as_str())
            .copied()
            .ok_or_else(|| PersistenceError::corrupt(format!("org unit {code} has no id")))
    };
    let units = rehung(tree, new, moved);
    let mut rows = Vec::new();
    for row in rows_of(tree, &units) {
        rows.push(vec![
            Value::from(id(&row.ancestor)?),
            id(&row.descendant)?.into(),
            (row.depth as i32).into(),
        ]);
    }
    // Only units that existed before have rows to drop.
    let fresh: HashSet<&OrgUnitCode> = new.iter().collect();
    let old_ids = units
        .iter()
        .filter(|u| !fresh.contains(u))
        .map(id)
        .collect::<Result<Vec<_>, _>>()?;
    sql::execute_in(
        db,
        "DELETE FROM org_unit_closure WHERE descendant_id",
        &old_ids,
        "",
    )
    .await?;
    sql::insert_rows(
        db,
        "org_unit_closure",
        &["ancestor_id", "descendant_id", "depth"],
        rows,
        "",
    )
    .await?;
    sql::execute_in(
        db,
        "UPDATE org_unit SET level = \
         (SELECT COUNT(*) FROM org_unit_closure c WHERE c.descendant_id = org_unit.id) WHERE id",
        &old_ids,
        "",
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn c(s: &str) -> OrgUnitCode {
        OrgUnitCode::parse(s).unwrap()
    }

    fn tree(pairs: &[(&str, Option<&str>)]) -> OrgTree {
        OrgTree::build(pairs.iter().map(|(u, p)| (c(u), p.map(c)))).unwrap()
    }

    fn triples(rows: &[ClosureRow]) -> Vec<(&str, &str, u32)> {
        rows.iter()
            .map(|r| (r.ancestor.as_str(), r.descendant.as_str(), r.depth))
            .collect()
    }

    /// VN ── BRVT ─┬─ VT ─┬─ VT-P1
    ///             │      └─ VT-P8
    ///             └─ BR
    fn sample() -> OrgTree {
        tree(&[
            ("VN", None),
            ("BRVT", Some("VN")),
            ("VT", Some("BRVT")),
            ("BR", Some("BRVT")),
            ("VT-P1", Some("VT")),
            ("VT-P8", Some("VT")),
        ])
    }

    #[test]
    fn a_unit_has_a_row_for_itself_and_each_ancestor() {
        let rows = rows_of(&sample(), &[c("VT-P1"), c("VN")]);
        assert_eq!(
            triples(&rows),
            [
                ("VT-P1", "VT-P1", 0),
                ("VT", "VT-P1", 1),
                ("BRVT", "VT-P1", 2),
                ("VN", "VT-P1", 3),
                ("VN", "VN", 0),
            ]
        );
    }

    #[test]
    fn the_rows_of_every_unit_are_the_full_closure() {
        let t = sample();
        let all = t.topological_order();
        let rows = rows_of(&t, &all);
        // One row per unit and ancestor-or-self: 1 + 2 + 3 + 3 + 4 + 4.
        assert_eq!(rows.len(), 17);
        for r in &rows {
            assert!(t.is_in_subtree(&r.descendant, &r.ancestor), "{r:?}");
            assert_eq!(
                t.level(&r.descendant).unwrap() - t.level(&r.ancestor).unwrap(),
                r.depth
            );
        }
    }

    #[test]
    fn a_move_rehangs_the_whole_subtree_and_new_units_once() {
        let t = sample();
        let units = rehung(&t, &[c("VT-P8"), c("BR")], &[c("VT"), c("BRVT")]);
        let names: Vec<&str> = units.iter().map(OrgUnitCode::as_str).collect();
        assert_eq!(names, ["VT-P8", "BR", "VT", "VT-P1", "BRVT"]);
        assert!(rehung(&t, &[], &[]).is_empty());
    }

    #[test]
    fn a_move_reshapes_the_ancestors_before_and_after() {
        // VT moved from under BRVT (old) to under BR (new tree).
        let t = tree(&[
            ("VN", None),
            ("BRVT", Some("VN")),
            ("BR", Some("BRVT")),
            ("VT", Some("BR")),
        ]);
        let old: HashMap<&str, &str> = [("BRVT", "VN"), ("BR", "BRVT"), ("VT", "BRVT")].into();
        let old_parent = |u: &OrgUnitCode| old.get(u.as_str()).map(|p| c(p));
        let reshaped = reshaped_ancestors(&t, old_parent, &[c("VT")]);
        let names: Vec<&str> = reshaped.iter().map(OrgUnitCode::as_str).collect();
        assert_eq!(names, ["BRVT", "VN", "BR"]);
    }

    #[test]
    fn a_damaged_stored_chain_does_not_loop() {
        let t = tree(&[("A", None), ("B", Some("A"))]);
        let old_parent = |u: &OrgUnitCode| Some(if u.as_str() == "X" { c("Y") } else { c("X") });
        let reshaped = reshaped_ancestors(&t, old_parent, &[c("B")]);
        let names: Vec<&str> = reshaped.iter().map(OrgUnitCode::as_str).collect();
        assert_eq!(names, ["X", "Y", "A"]);
    }
}
