//! Data sets (forms), indicator groups and min–max bounds as the metadata bundle declares
//! them (contract v2, "Data sets (forms) and the reporting calendar", "Outliers").
//!
//! A [`DataSet`]'s lists are sets: their order carries no meaning, so two data sets with the
//! same items in another order are the same ([`DataSet::same_as`]); a code listed twice in
//! one list is a mistake that [`DataSet::repeated`] finds.

use std::collections::HashSet;

use crate::calendar::Schedule;
use crate::code::{DataElementCode, DataSetCode, GroupCode, OrgUnitCode};
use crate::org_unit::{UnitKind, UnitName};
use crate::outliers::Bounds;
use crate::period_type::PeriodType;
use crate::score::Weight;

/// Most data elements in one data set.
pub const MAX_DATA_SET_ELEMENTS: usize = 10_000;
/// Most unit kinds a data set is assigned to.
pub const MAX_ASSIGNED_KINDS: usize = 100;
/// Most units a data set is assigned to by code.
pub const MAX_ASSIGNED_UNITS: usize = 10_000;

/// A data set: a form reported once per assigned unit and period of its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataSet {
    /// Its code.
    pub code: DataSetCode,
    /// Its name.
    pub name: UnitName,
    /// The type of its periods.
    pub period_type: PeriodType,
    /// Its calendar.
    pub schedule: Schedule,
    /// The data elements the form holds.
    pub data_elements: Vec<DataElementCode>,
    /// Every unit of these kinds reports it.
    pub assigned_kinds: Vec<UnitKind>,
    /// These units report it too, whatever their kind.
    pub assigned_units: Vec<OrgUnitCode>,
}

/// Which list of a data set a code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataSetList {
    /// `data_elements`.
    DataElements,
    /// `assigned_kinds`.
    AssignedKinds,
    /// `assigned_units`.
    AssignedUnits,
}

impl DataSetList {
    /// The list's field name in the bundle.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DataElements => "data_elements",
            Self::AssignedKinds => "assigned_kinds",
            Self::AssignedUnits => "assigned_units",
        }
    }
}

fn sorted<T: Ord + Clone>(items: &[T]) -> Vec<T> {
    let mut v = items.to_vec();
    v.sort();
    v.dedup();
    v
}

fn first_repeat<'a, T: Eq + std::hash::Hash>(items: &'a [T]) -> impl Iterator<Item = &'a T> + 'a {
    let mut seen = HashSet::new();
    items.iter().filter(move |x| !seen.insert(*x))
}

impl DataSet {
    /// Whether `other` declares the same data set: the same fields and the same items in its
    /// lists, in any order.
    pub fn same_as(&self, other: &DataSet) -> bool {
        self.code == other.code
            && self.name == other.name
            && self.period_type == other.period_type
            && self.schedule == other.schedule
            && sorted(&self.data_elements) == sorted(&other.data_elements)
            && sorted(&self.assigned_kinds) == sorted(&other.assigned_kinds)
            && sorted(&self.assigned_units) == sorted(&other.assigned_units)
    }

    /// Every code listed more than once in one of the lists (at its second and later places),
    /// with its list.
    pub fn repeated(&self) -> Vec<(DataSetList, String)> {
        let elements = first_repeat(&self.data_elements)
            .map(|c| (DataSetList::DataElements, c.as_str().to_owned()));
        let kinds = first_repeat(&self.assigned_kinds)
            .map(|k| (DataSetList::AssignedKinds, k.as_str().to_owned()));
        let units = first_repeat(&self.assigned_units)
            .map(|c| (DataSetList::AssignedUnits, c.as_str().to_owned()));
        elements.chain(kinds).chain(units).collect()
    }

    /// Whether a unit of `kind` and `code` is expected to report this data set.
    pub fn is_assigned(&self, code: &OrgUnitCode, kind: &UnitKind) -> bool {
        self.assigned_kinds.contains(kind) || self.assigned_units.contains(code)
    }
}

/// An indicator group: its name and its weight in the composite index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndicatorGroup {
    /// The group's code (the `group` of its indicators).
    pub code: GroupCode,
    /// Its name.
    pub name: UnitName,
    /// Its weight.
    pub weight: Weight,
}

/// Fixed bounds of one data element's figures for one unit (the `min_max` outlier check).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinMax {
    /// The data element.
    pub data_element: DataElementCode,
    /// The unit the bounds are for (that unit only).
    pub org_unit: OrgUnitCode,
    /// The bounds.
    pub bounds: Bounds,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn set(elements: &[&str], kinds: &[&str], units: &[&str]) -> DataSet {
        DataSet {
            code: DataSetCode::parse("DS").unwrap(),
            name: UnitName::parse("Báo cáo quý").unwrap(),
            period_type: PeriodType::Quarter,
            schedule: Schedule::new(Some(14), 2, 3, None).unwrap(),
            data_elements: elements
                .iter()
                .map(|c| DataElementCode::parse(c).unwrap())
                .collect(),
            assigned_kinds: kinds.iter().map(|k| UnitKind::parse(k).unwrap()).collect(),
            assigned_units: units
                .iter()
                .map(|c| OrgUnitCode::parse(c).unwrap())
                .collect(),
        }
    }

    #[test]
    fn the_order_of_the_lists_does_not_matter() {
        let a = set(&["A", "B"], &["ward", "commune"], &["X"]);
        let b = set(&["B", "A"], &["commune", "ward"], &["X"]);
        assert!(a.same_as(&b));
        assert!(!a.same_as(&set(&["A"], &["ward", "commune"], &["X"])));
        let mut later = a.clone();
        later.schedule = Schedule::new(Some(14), 3, 3, None).unwrap();
        assert!(!a.same_as(&later));
    }

    #[test]
    fn repeated_codes_are_found_per_list() {
        let s = set(&["A", "B", "A", "A"], &["ward", "ward"], &["X", "Y"]);
        assert_eq!(
            s.repeated(),
            [
                (DataSetList::DataElements, "A".to_owned()),
                (DataSetList::DataElements, "A".to_owned()),
                (DataSetList::AssignedKinds, "ward".to_owned()),
            ]
        );
        assert!(set(&["A"], &[], &[]).repeated().is_empty());
    }

    #[test]
    fn a_unit_is_assigned_by_kind_or_by_code() {
        let s = set(&[], &["ward"], &["VT-UB"]);
        let code = |c| OrgUnitCode::parse(c).unwrap();
        let kind = |k| UnitKind::parse(k).unwrap();
        assert!(s.is_assigned(&code("VT-P1"), &kind("ward")));
        assert!(s.is_assigned(&code("VT-UB"), &kind("city")));
        assert!(!s.is_assigned(&code("VT"), &kind("city")));
    }
}
