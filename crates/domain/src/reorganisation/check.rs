//! The check of one reorganisation against the tree before it: where each unit stands, and
//! the order of the checks.

use std::collections::{HashMap, HashSet};

use crate::code::OrgUnitCode;
use crate::period::Month;

use super::{Applied, Issue, Plan, Problem, TreeView, UnitState, issue};

/// Where a unit stands for this reorganisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Standing {
    /// Neither stored nor created here.
    Unknown,
    /// Created by this reorganisation.
    New,
    /// Stored and live.
    Live,
    /// Stored and ended, with its last month.
    Closed(Month),
}

/// How a walk up the tree from a changed unit ended.
pub(super) enum Walk {
    /// At a root, or at a unit known to reach one.
    Rooted,
    /// Back at the unit it started from.
    Cycle,
    /// In a cycle that does not pass through its start.
    CycleAbove,
}

/// The entry of a plan that ends a unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Ending {
    /// `merges[k]`.
    Merge(usize),
    /// `splits[k]`.
    Split(usize),
}

/// The check of one reorganisation against the tree before it.
pub(super) struct PlanCheck<'a> {
    pub(super) plan: &'a Plan,
    pub(super) path: String,
    pub(super) state: &'a TreeView,
    pub(super) issues: Vec<Issue>,
    /// Units created here (valid ones), by code.
    pub(super) new_units: HashSet<&'a OrgUnitCode>,
    /// Units ended here, with the entry that ends them.
    pub(super) closing: HashMap<&'a OrgUnitCode, Ending>,
    /// Whether a cycle was found (its moves are then not carried on).
    pub(super) cycle_found: bool,
}

impl<'a> PlanCheck<'a> {
    pub(super) fn new(plan: &'a Plan, path: String, state: &'a TreeView) -> PlanCheck<'a> {
        PlanCheck {
            plan,
            path,
            state,
            issues: Vec::new(),
            new_units: HashSet::new(),
            closing: HashMap::new(),
            cycle_found: false,
        }
    }

    pub(super) fn fail(&mut self, field: String, problem: Problem, message: String) {
        self.issues.push(issue(field, problem, message));
    }

    pub(super) fn standing(&self, code: &OrgUnitCode) -> Standing {
        match self.state.units.get(code) {
            Some(UnitState {
                last_month: Some(m),
                ..
            }) if *m < self.plan.effective => Standing::Closed(*m),
            Some(_) => Standing::Live,
            None if self.new_units.contains(code) => Standing::New,
            None => Standing::Unknown,
        }
    }

    /// Check that `code` can hold a place in the live tree after this
    /// reorganisation (a target, a parent, a moved or renamed unit). `new_ok`
    /// says whether a unit created here is acceptable.
    pub(super) fn usable(&mut self, code: &OrgUnitCode, field: String, new_ok: bool) -> bool {
        match self.standing(code) {
            Standing::Unknown => {
                self.fail(field, Problem::UnknownUnit, format!("no org unit {code}"));
                false
            }
            Standing::Closed(m) => {
                self.fail(
                    field,
                    Problem::UnitClosed,
                    format!("{code} was closed after {m}"),
                );
                false
            }
            _ if self.closing.contains_key(code) => {
                self.fail(
                    field,
                    Problem::UnitClosed,
                    format!("{code} is merged or split away by this same reorganisation"),
                );
                false
            }
            Standing::New if !new_ok => {
                self.fail(
                    field,
                    Problem::DuplicateCode,
                    format!("{code} is new here: new_units already places and names it"),
                );
                false
            }
            Standing::New | Standing::Live => true,
        }
    }

    pub(super) fn run(&mut self, validate_tree: bool) -> Applied {
        let plan = self.plan;
        let p = self.path.clone();
        let last_month = match Month::from_index(plan.effective.index() - 1) {
            Ok(m) => m,
            Err(_) => {
                self.fail(
                    format!("{p}.effective"),
                    Problem::InvalidEffective,
                    format!("{} has no month before it", plan.effective),
                );
                plan.effective
            }
        };
        if let Some((month, code)) = &self.state.last_applied
            && (plan.effective, &plan.code) <= (*month, code)
        {
            self.fail(
                format!("{p}.effective"),
                Problem::OutOfOrder,
                format!(
                    "{} ({}) comes before or at the last recorded reorganisation {code} ({month})",
                    plan.code, plan.effective
                ),
            );
        }
        let new_units = self.check_new_units();
        let closed = self.check_closures(last_month);
        let lineage = self.check_targets();
        let moved = self.check_moves();
        self.check_renames();
        self.check_new_parents();
        let parent_changes = self.parent_changes(&moved);
        self.check_cycles(&parent_changes);
        if validate_tree && self.issues.is_empty() {
            self.check_tree(&new_units, &parent_changes);
        }
        Applied {
            code: plan.code.clone(),
            effective: plan.effective,
            new_units,
            closed,
            parent_changes: parent_changes.into_iter().map(|(c, _)| c).collect(),
            renames: plan.renames.clone(),
            lineage,
        }
    }
}
