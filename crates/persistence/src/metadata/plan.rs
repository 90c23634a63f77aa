//! What a checked import will do to each item, decided before anything is written: create it,
//! update it, or leave it as it is. Pure; [`super::write`] carries the plan out.

use chitieu_domain::{
    DataElement, DataSet, Indicator, IndicatorGroup, MinMax, Note, OrgTree, OrgUnit, Project,
    Target, ValidationRule,
};

use super::{KindCounts, MetadataBundle, MetadataSummary, existing::Existing};
use crate::{DataElementId, DataSetId, IndicatorGroupId, IndicatorId, OrgUnitId, RuleId, TargetId};
use crate::{NoteId, ProjectId};

/// What happens to one catalogue item whose stored row has ids of type `I`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step<'a, T, I> {
    /// Inserted.
    Create(&'a T),
    /// The stored row `I` is rewritten.
    Update(I, &'a T),
    /// Stored as given already.
    Same,
}

impl<'a, T: PartialEq, I: Copy> Step<'a, T, I> {
    /// The step for `item`, given the stored row of the same key, if any.
    pub(super) fn of(item: &'a T, stored: Option<(I, &T)>) -> Self {
        match stored {
            None => Self::Create(item),
            Some((_, old)) if old == item => Self::Same,
            Some((id, _)) => Self::Update(id, item),
        }
    }
}

/// What happens to one org unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum UnitChange {
    /// Inserted.
    Create,
    /// Renamed, re-kinded or moved (`moved`: under another parent).
    Update { id: OrgUnitId, moved: bool },
    /// Stored as given already.
    Same,
}

/// One org unit of the bundle and its level in the resulting tree.
#[derive(Clone, Debug)]
pub(super) struct UnitStep<'a> {
    pub unit: &'a OrgUnit,
    pub level: u32,
    pub change: UnitChange,
}

/// Everything a valid import does.
#[derive(Debug)]
pub(super) struct Plan<'a> {
    /// The whole resulting hierarchy (stored units and the bundle's).
    pub tree: OrgTree,
    /// The bundle's units, parents before children: by level, then code.
    pub units: Vec<UnitStep<'a>>,
    pub data_elements: Vec<Step<'a, DataElement, DataElementId>>,
    pub indicators: Vec<Step<'a, Indicator, IndicatorId>>,
    pub targets: Vec<Step<'a, Target, TargetId>>,
    pub validation_rules: Vec<Step<'a, ValidationRule, RuleId>>,
    /// Data sets; an update replaces their lists.
    pub data_sets: Vec<Step<'a, DataSet, DataSetId>>,
    pub indicator_groups: Vec<Step<'a, IndicatorGroup, IndicatorGroupId>>,
    /// Bounds, keyed by (element, unit) rather than an id.
    pub min_max: Vec<Step<'a, MinMax, ()>>,
    /// Projects; an update replaces their milestone lists (see `write_projects`).
    pub projects: Vec<Step<'a, Project, ProjectId>>,
    pub notes: Vec<Step<'a, Note, NoteId>>,
}

/// The plan for a bundle that passed every check, whose units form `tree`.
pub(super) fn plan<'a>(bundle: &'a MetadataBundle, existing: &Existing, tree: OrgTree) -> Plan<'a> {
    let mut units: Vec<UnitStep<'a>> = bundle
        .org_units
        .iter()
        .map(|(_, u)| UnitStep {
            unit: u,
            level: tree.level(&u.code).unwrap_or(1),
            change: match existing.units.get(u.code.as_str()) {
                None => UnitChange::Create,
                Some(old) => {
                    let moved = old.parent != u.parent;
                    if moved || old.name != u.name.as_str() || old.kind != u.kind.as_str() {
                        UnitChange::Update { id: old.id, moved }
                    } else {
                        UnitChange::Same
                    }
                }
            },
        })
        .collect();
    units.sort_by(|a, b| (a.level, a.unit.code.as_str()).cmp(&(b.level, b.unit.code.as_str())));
    let (projects, notes) = super::check_projects::steps(bundle, existing);
    Plan {
        projects,
        notes,
        tree,
        units,
        data_elements: (bundle.data_elements.iter())
            .map(|(_, e)| {
                let old = existing.data_elements.get(e.code.as_str());
                Step::of(e, old.map(|o| (o.id, &o.element)))
            })
            .collect(),
        indicators: (bundle.indicators.iter())
            .map(|(_, i)| {
                let old = existing.indicators.get(i.code.as_str());
                Step::of(i, old.map(|o| (o.id, &o.indicator)))
            })
            .collect(),
        targets: (bundle.targets.iter())
            .map(|(_, t)| {
                let key = (t.indicator.clone(), t.org_unit.clone(), t.period);
                let old = existing.targets.get(&key);
                Step::of(t, old.map(|o| (o.id, &o.target)))
            })
            .collect(),
        validation_rules: (bundle.validation_rules.iter())
            .map(|(_, r)| {
                let old = existing.validation_rules.get(r.code.as_str());
                Step::of(r, old.map(|o| (o.id, &o.rule)))
            })
            .collect(),
        data_sets: (bundle.data_sets.iter())
            .map(|(_, d)| match existing.data_sets.get(d.code.as_str()) {
                None => Step::Create(d),
                Some(old) if old.data_set().same_as(d) => Step::Same,
                Some(old) => Step::Update(old.id, d),
            })
            .collect(),
        indicator_groups: (bundle.indicator_groups.iter())
            .map(|(_, g)| {
                let old = existing.indicator_groups.get(g.code.as_str());
                Step::of(g, old.map(|o| (o.id, &o.group)))
            })
            .collect(),
        min_max: (bundle.min_max.iter())
            .map(|(_, m)| {
                let key = (
                    m.data_element.as_str().to_owned(),
                    m.org_unit.as_str().to_owned(),
                );
                Step::of(m, existing.min_max.get(&key).map(|o| ((), o)))
            })
            .collect(),
    }
}

impl Plan<'_> {
    /// What the import does, counted per kind.
    pub fn summary(&self) -> MetadataSummary {
        MetadataSummary {
            org_units: counts(self.units.iter().map(|u| match u.change {
                UnitChange::Create => Counted::Created,
                UnitChange::Update { .. } => Counted::Updated,
                UnitChange::Same => Counted::Unchanged,
            })),
            data_elements: counts(self.data_elements.iter().map(Step::counted)),
            indicators: counts(self.indicators.iter().map(Step::counted)),
            targets: counts(self.targets.iter().map(Step::counted)),
            validation_rules: counts(self.validation_rules.iter().map(Step::counted)),
            data_sets: counts(self.data_sets.iter().map(Step::counted)),
            indicator_groups: counts(self.indicator_groups.iter().map(Step::counted)),
            min_max: counts(self.min_max.iter().map(Step::counted)),
            projects: counts(self.projects.iter().map(Step::counted)),
            notes: counts(self.notes.iter().map(Step::counted)),
        }
    }

    /// The units the plan inserts, parents first.
    pub fn new_units(&self) -> impl Iterator<Item = &OrgUnit> {
        (self.units.iter())
            .filter(|u| u.change == UnitChange::Create)
            .map(|u| u.unit)
    }

    /// The stored units the plan moves under another parent, parents first.
    pub fn moved_units(&self) -> impl Iterator<Item = &OrgUnit> {
        (self.units.iter())
            .filter(|u| matches!(u.change, UnitChange::Update { moved: true, .. }))
            .map(|u| u.unit)
    }
}

enum Counted {
    Created,
    Updated,
    Unchanged,
}

impl<T, I> Step<'_, T, I> {
    fn counted(&self) -> Counted {
        match self {
            Self::Create(_) => Counted::Created,
            Self::Update(..) => Counted::Updated,
            Self::Same => Counted::Unchanged,
        }
    }
}

fn counts(steps: impl Iterator<Item = Counted>) -> KindCounts {
    let mut k = KindCounts::default();
    for step in steps {
        match step {
            Counted::Created => k.created += 1,
            Counted::Updated => k.updated += 1,
            Counted::Unchanged => k.unchanged += 1,
        }
    }
    k
}
