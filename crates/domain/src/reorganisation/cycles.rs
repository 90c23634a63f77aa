//! Cycles the parent changes would create, and the resulting tree.

use std::collections::{HashMap, HashSet};

use crate::code::OrgUnitCode;
use crate::org_unit::OrgTree;

use super::{Issue, NewUnit, ParentChange, PlanCheck, Problem, Walk};

impl<'a> PlanCheck<'a> {
    /// Cycles the parent changes would create; each reported once, at the
    /// first responsible field.
    pub(super) fn check_cycles(&mut self, changes: &[(ParentChange, String)]) {
        let plan = self.plan;
        let mut parent: HashMap<&OrgUnitCode, Option<&OrgUnitCode>> = self
            .state
            .units
            .iter()
            .map(|(c, s)| (c, s.parent.as_ref()))
            .collect();
        for unit in &plan.new_units {
            parent.entry(&unit.code).or_insert(unit.parent.as_ref());
        }
        for (change, _) in changes {
            parent.insert(&change.unit, Some(&change.to));
        }
        let mut reported: HashSet<&OrgUnitCode> = HashSet::new();
        // Units known to reach a root: a walk stops there, so all walks
        // together take linear time however deep the tree.
        let mut rooted: HashSet<&OrgUnitCode> = HashSet::new();
        for (change, _) in changes {
            let start = &change.unit;
            if reported.contains(start) || rooted.contains(start) {
                continue;
            }
            // Walk up from the changed unit; a new cycle passes through a
            // changed unit, so it is found from one of them.
            let mut path: Vec<&OrgUnitCode> = vec![start];
            let mut seen: HashSet<&OrgUnitCode> = HashSet::from([start]);
            let mut current = parent.get(start).copied().flatten();
            let outcome = loop {
                match current {
                    None => break Walk::Rooted,
                    Some(up) if rooted.contains(up) => break Walk::Rooted,
                    Some(up) if up == start => break Walk::Cycle,
                    Some(up) if !seen.insert(up) => break Walk::CycleAbove,
                    Some(up) => {
                        path.push(up);
                        current = parent.get(up).copied().flatten();
                    }
                }
            };
            match outcome {
                Walk::Rooted => rooted.extend(path),
                Walk::CycleAbove => {}
                Walk::Cycle => {
                    reported.extend(path.iter().copied());
                    let on_path: HashSet<&OrgUnitCode> = path.iter().copied().collect();
                    let field = changes
                        .iter()
                        .find(|(c, _)| on_path.contains(&c.unit))
                        .map_or_else(|| self.path.clone(), |(_, f)| f.clone());
                    let names: Vec<String> = path.iter().map(|u| u.to_string()).collect();
                    self.cycle_found = true;
                    self.fail(
                        field,
                        Problem::Cycle,
                        format!(
                            "{} would be its own ancestor ({})",
                            start,
                            names.join(" → ")
                        ),
                    );
                }
            }
        }
    }

    /// The final validation of the whole resulting tree by [`OrgTree`].
    pub(super) fn check_tree(&mut self, new_units: &[NewUnit], changes: &[(ParentChange, String)]) {
        let moved: HashMap<&OrgUnitCode, &OrgUnitCode> =
            changes.iter().map(|(c, _)| (&c.unit, &c.to)).collect();
        let stored = self.state.order.iter().filter_map(|code| {
            let state = self.state.units.get(code)?;
            let parent = moved
                .get(code)
                .map(|p| (*p).clone())
                .or_else(|| state.parent.clone());
            Some((code.clone(), parent))
        });
        let created = new_units.iter().map(|u| (u.code.clone(), u.parent.clone()));
        if let Err(error) = OrgTree::build(stored.chain(created)) {
            self.issues.push(Issue {
                field: self.path.clone(),
                error,
            });
        }
    }
}
