//! New units, and the units a merge or split ends with their successors.

use std::collections::HashSet;

use rust_decimal::Decimal;

use crate::code::OrgUnitCode;
use crate::lineage::LineageEdge;
use crate::period::Month;

use super::{Closure, Ending, NewUnit, PlanCheck, Problem, Standing};

impl<'a> PlanCheck<'a> {
    /// New units: codes not stored and not repeated.
    pub(super) fn check_new_units(&mut self) -> Vec<NewUnit> {
        let plan = self.plan;
        let mut valid = Vec::new();
        for (k, unit) in plan.new_units.iter().enumerate() {
            let field = format!("{}.new_units[{k}].code", self.path);
            if self.state.units.contains_key(&unit.code) {
                self.fail(
                    field,
                    Problem::DuplicateCode,
                    format!("org unit {} already exists", unit.code),
                );
            } else if !self.new_units.insert(&unit.code) {
                self.fail(
                    field,
                    Problem::DuplicateCode,
                    format!("new unit {} is listed twice", unit.code),
                );
            } else {
                valid.push(unit.clone());
            }
        }
        valid
    }

    /// Units merged or split away: each known, live, and ended once.
    pub(super) fn check_closures(&mut self, last_month: Month) -> Vec<Closure> {
        let plan = self.plan;
        let mut closed = Vec::new();
        let mut ending: Vec<(&'a OrgUnitCode, String, Ending)> = Vec::new();
        for (k, merge) in plan.merges.iter().enumerate() {
            if merge.from.is_empty() {
                self.fail(
                    format!("{}.merges[{k}].from", self.path),
                    Problem::EmptyMerge,
                    format!("nothing is merged into {}", merge.into),
                );
            }
            for (l, unit) in merge.from.iter().enumerate() {
                let field = format!("{}.merges[{k}].from[{l}]", self.path);
                if unit == &merge.into {
                    self.fail(
                        field,
                        Problem::MergeIntoItself,
                        format!("{unit} is merged into itself"),
                    );
                } else {
                    ending.push((unit, field, Ending::Merge(k)));
                }
            }
        }
        for (k, split) in plan.splits.iter().enumerate() {
            ending.push((
                &split.from,
                format!("{}.splits[{k}].from", self.path),
                Ending::Split(k),
            ));
        }
        for (unit, field, by) in ending {
            match self.standing(unit) {
                Standing::Unknown => {
                    self.fail(field, Problem::UnknownUnit, format!("no org unit {unit}"));
                }
                Standing::New => self.fail(
                    field,
                    Problem::CreatedAndClosed,
                    format!("{unit} is created and ended by the same reorganisation"),
                ),
                Standing::Closed(m) => self.fail(
                    field,
                    Problem::AlreadyClosed,
                    format!("{unit} was already closed after {m}"),
                ),
                Standing::Live => match self.closing.get(unit) {
                    Some(first) if *first == by => self.fail(
                        field,
                        Problem::DuplicateCode,
                        format!("{unit} is listed twice"),
                    ),
                    Some(_) => self.fail(
                        field,
                        Problem::MultipleSuccessors,
                        format!(
                            "{unit} is merged or split away twice: two successors that are not one split"
                        ),
                    ),
                    None => {
                        self.closing.insert(unit, by);
                        closed.push(Closure {
                            unit: unit.clone(),
                            last_month,
                        });
                    }
                },
            }
        }
        closed
    }

    /// Merge and split targets and shares; returns the lineage edges.
    pub(super) fn check_targets(&mut self) -> Vec<LineageEdge> {
        let plan = self.plan;
        let edge = |from: &OrgUnitCode, to: &OrgUnitCode, share: Decimal| LineageEdge {
            predecessor: from.clone(),
            successor: to.clone(),
            share,
            reorganisation: plan.code.clone(),
            effective: plan.effective,
        };
        let mut lineage = Vec::new();
        for (k, merge) in plan.merges.iter().enumerate() {
            let field = format!("{}.merges[{k}].into", self.path);
            if self.usable(&merge.into, field, true) {
                for from in &merge.from {
                    if from != &merge.into {
                        lineage.push(edge(from, &merge.into, Decimal::ONE));
                    }
                }
            }
        }
        for (k, split) in plan.splits.iter().enumerate() {
            let base = format!("{}.splits[{k}].into", self.path);
            if split.into.is_empty() {
                self.fail(
                    base.clone(),
                    Problem::EmptySplit,
                    format!("{} is split into nothing", split.from),
                );
                continue;
            }
            let mut seen: HashSet<&OrgUnitCode> = HashSet::new();
            let mut sum = Some(Decimal::ZERO);
            for (l, part) in split.into.iter().enumerate() {
                let field = format!("{base}[{l}].unit");
                if part.unit == split.from {
                    self.fail(
                        field,
                        Problem::SplitIntoItself,
                        format!("{} is split into itself", split.from),
                    );
                } else if !seen.insert(&part.unit) {
                    self.fail(
                        field,
                        Problem::DuplicateCode,
                        format!("{} takes two parts of {}", part.unit, split.from),
                    );
                } else if self.usable(&part.unit, field, true) {
                    lineage.push(edge(&split.from, &part.unit, part.share));
                }
                if part.share <= Decimal::ZERO || part.share > Decimal::ONE {
                    self.fail(
                        format!("{base}[{l}].share"),
                        Problem::InvalidShare,
                        format!("share {} is not in (0, 1]", part.share),
                    );
                }
                sum = sum.and_then(|s| s.checked_add(part.share));
            }
            if sum != Some(Decimal::ONE) {
                let total = sum.map_or_else(|| "more than 7.9e28".to_owned(), |s| s.to_string());
                self.fail(
                    base,
                    Problem::SharesNotOne,
                    format!("the shares of {} sum to {total}, not exactly 1", split.from),
                );
            }
        }
        lineage
    }
}
