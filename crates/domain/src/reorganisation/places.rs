//! Moves, renames and the parents of new units; the parent changes they make.

use std::collections::{HashMap, HashSet};

use crate::code::OrgUnitCode;

use super::{Ending, ParentChange, PlanCheck, Problem, Standing};

impl<'a> PlanCheck<'a> {
    /// Explicit moves; returns the validly moved units with their move
    /// index.
    pub(super) fn check_moves(&mut self) -> HashMap<&'a OrgUnitCode, usize> {
        let plan = self.plan;
        let mut seen = HashSet::new();
        let mut moved = HashMap::new();
        for (k, mv) in plan.moves.iter().enumerate() {
            let field = format!("{}.moves[{k}].unit", self.path);
            if !seen.insert(&mv.unit) {
                self.fail(
                    field,
                    Problem::DuplicateCode,
                    format!("{} is moved twice", mv.unit),
                );
                continue;
            }
            let unit_ok = self.usable(&mv.unit, field, false);
            let parent_ok =
                self.usable(&mv.parent, format!("{}.moves[{k}].parent", self.path), true);
            if unit_ok && parent_ok {
                moved.insert(&mv.unit, k);
            }
        }
        moved
    }

    /// Renames: live units, once each.
    pub(super) fn check_renames(&mut self) {
        let plan = self.plan;
        let mut renamed = HashSet::new();
        for (k, rename) in plan.renames.iter().enumerate() {
            let field = format!("{}.renames[{k}].unit", self.path);
            if !renamed.insert(&rename.unit) {
                self.fail(
                    field,
                    Problem::DuplicateCode,
                    format!("{} is renamed twice", rename.unit),
                );
            } else {
                self.usable(&rename.unit, field, false);
            }
        }
    }

    /// New units' parents: live after this reorganisation.
    pub(super) fn check_new_parents(&mut self) {
        let plan = self.plan;
        for (k, unit) in plan.new_units.iter().enumerate() {
            if let Some(parent) = &unit.parent {
                self.usable(parent, format!("{}.new_units[{k}].parent", self.path), true);
            }
        }
    }

    /// Every parent change with the field responsible for it: explicit moves
    /// that change something, then the live children of merged units. Also
    /// reports split units' children left unplaced.
    pub(super) fn parent_changes(
        &mut self,
        moved: &HashMap<&'a OrgUnitCode, usize>,
    ) -> Vec<(ParentChange, String)> {
        let plan = self.plan;
        let state = self.state;
        let current = |u: &OrgUnitCode| state.units.get(u).and_then(|s| s.parent.clone());
        let mut changes = Vec::new();
        for (k, mv) in plan.moves.iter().enumerate() {
            if moved.get(&mv.unit) == Some(&k) && current(&mv.unit).as_ref() != Some(&mv.parent) {
                changes.push((
                    ParentChange {
                        unit: mv.unit.clone(),
                        from: current(&mv.unit),
                        to: mv.parent.clone(),
                    },
                    format!("{}.moves[{k}].parent", self.path),
                ));
            }
        }
        let children = state.live_children();
        let closing: HashSet<&'a OrgUnitCode> = self.closing.keys().copied().collect();
        let stays = |c: &&&OrgUnitCode| !moved.contains_key(**c) && !closing.contains(**c);
        for (k, merge) in plan.merges.iter().enumerate() {
            let target_live = matches!(self.standing(&merge.into), Standing::Live | Standing::New)
                && !closing.contains(&merge.into);
            for from in &merge.from {
                if !target_live || self.closing.get(from) != Some(&Ending::Merge(k)) {
                    continue;
                }
                for child in children.get(from).into_iter().flatten().filter(stays) {
                    changes.push((
                        ParentChange {
                            unit: (*child).clone(),
                            from: Some(from.clone()),
                            to: merge.into.clone(),
                        },
                        format!("{}.merges[{k}].into", self.path),
                    ));
                }
            }
        }
        for (k, split) in plan.splits.iter().enumerate() {
            if self.closing.get(&split.from) != Some(&Ending::Split(k)) {
                continue;
            }
            let unplaced: Vec<String> = children
                .get(&split.from)
                .into_iter()
                .flatten()
                .filter(stays)
                .map(|c| c.to_string())
                .collect();
            if !unplaced.is_empty() {
                self.fail(
                    format!("{}.splits[{k}].from", self.path),
                    Problem::ChildrenUnplaced,
                    format!(
                        "the children of {} must be moved explicitly: {}",
                        split.from,
                        unplaced.join(", ")
                    ),
                );
            }
        }
        changes
    }
}
