//! The checks of a bundle's reporting-cycle items: data sets, indicator groups and min–max
//! bounds. Pure, like [`super::check`], which calls them with the rest of the bundle.

use std::collections::HashSet;

use chitieu_domain::{ValueType, data_set::DataSetList};

use super::{
    FieldPath, List, MetadataBundle,
    check::{MetadataIssue, Problem, duplicates},
    existing::Existing,
};

/// What the bundle's cycle items may name: stored or bundled elements and units.
struct Known<'a> {
    bundle: &'a MetadataBundle,
    existing: &'a Existing,
    units: HashSet<&'a str>,
}

impl<'a> Known<'a> {
    fn new(bundle: &'a MetadataBundle, existing: &'a Existing) -> Self {
        Self {
            bundle,
            existing,
            units: bundle
                .org_units
                .iter()
                .map(|(_, u)| u.code.as_str())
                .collect(),
        }
    }

    /// The element's type; `Some(None)` when it is declared by an invalid item; `None` when
    /// it is unknown.
    fn element(&self, code: &str) -> Option<Option<ValueType>> {
        let in_bundle = (self.bundle.data_elements.iter()).find(|(_, e)| e.code.as_str() == code);
        if let Some((_, e)) = in_bundle {
            return Some(Some(e.value_type));
        }
        if let Some(e) = self.existing.data_elements.get(code) {
            return Some(Some(e.element.value_type));
        }
        (self.bundle.declared.data_elements.contains(code)).then_some(None)
    }

    fn unit(&self, code: &str) -> bool {
        self.existing.units.contains_key(code)
            || self.units.contains(code)
            || self.bundle.declared.org_units.contains(code)
    }
}

/// Checks the data sets, indicator groups and bounds of `bundle`, adding every problem.
pub(super) fn check(issues: &mut Vec<MetadataIssue>, bundle: &MetadataBundle, existing: &Existing) {
    let known = Known::new(bundle, existing);
    duplicates(
        issues,
        List::DataSets,
        bundle.data_sets.iter().map(|(i, d)| (*i, d.code.as_str())),
    );
    for (i, set) in &bundle.data_sets {
        for (list, code) in set.repeated() {
            let path = FieldPath::field(List::DataSets, *i, list.as_str());
            issues.push(MetadataIssue::new(path, Problem::DuplicateEntry { code }));
        }
        let path = FieldPath::field(List::DataSets, *i, DataSetList::DataElements.as_str());
        for code in &set.data_elements {
            if known.element(code.as_str()).is_none() {
                let code = code.to_string();
                issues.push(MetadataIssue::new(path, Problem::UnknownElement { code }));
            }
        }
        let path = FieldPath::field(List::DataSets, *i, DataSetList::AssignedUnits.as_str());
        for code in &set.assigned_units {
            if !known.unit(code.as_str()) {
                let code = code.to_string();
                issues.push(MetadataIssue::new(path, Problem::UnknownOrgUnit { code }));
            }
        }
    }
    duplicates(
        issues,
        List::IndicatorGroups,
        (bundle.indicator_groups.iter()).map(|(i, g)| (*i, g.code.as_str())),
    );
    let mut keys = HashSet::new();
    for (i, m) in &bundle.min_max {
        match known.element(m.data_element.as_str()) {
            None => issues.push(MetadataIssue::new(
                FieldPath::field(List::MinMax, *i, "data_element"),
                Problem::UnknownElement {
                    code: m.data_element.to_string(),
                },
            )),
            Some(Some(ValueType::Text)) => issues.push(MetadataIssue::new(
                FieldPath::field(List::MinMax, *i, "data_element"),
                Problem::BoundsOnText {
                    code: m.data_element.to_string(),
                },
            )),
            Some(_) => {}
        }
        if !known.unit(m.org_unit.as_str()) {
            issues.push(MetadataIssue::new(
                FieldPath::field(List::MinMax, *i, "org_unit"),
                Problem::UnknownOrgUnit {
                    code: m.org_unit.to_string(),
                },
            ));
        }
        if !keys.insert((&m.data_element, &m.org_unit)) {
            issues.push(MetadataIssue::new(
                FieldPath::item(List::MinMax, *i),
                Problem::DuplicateMinMax {
                    data_element: m.data_element.to_string(),
                    org_unit: m.org_unit.to_string(),
                },
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chitieu_domain::{
        Aggregation, Bounds, DataElement, DataElementCode, DataSet, DataSetCode, GroupCode,
        IndicatorGroup, MinMax, OrgUnitCode, PeriodType, Schedule, UnitKind, UnitName, Weight,
    };
    use rust_decimal::Decimal;

    use super::*;
    use crate::{DataElementId, catalogue::StoredDataElement};

    fn element(code: &str, value_type: ValueType) -> DataElement {
        let aggregation = match value_type {
            ValueType::Text => Aggregation::None,
            _ => Aggregation::Sum,
        };
        let code = DataElementCode::parse(code).unwrap();
        DataElement::new(code, UnitName::parse("E").unwrap(), value_type, aggregation).unwrap()
    }

    fn stored() -> Existing {
        let mut existing = Existing::default();
        for (n, (code, t)) in [("IN", ValueType::Integer), ("NOTE", ValueType::Text)]
            .into_iter()
            .enumerate()
        {
            let e = StoredDataElement {
                id: DataElementId::new(n as i64 + 1),
                element: element(code, t),
            };
            existing.data_elements.insert(code.to_owned(), e);
        }
        existing
    }

    fn set(code: &str, elements: &[&str], units: &[&str]) -> DataSet {
        DataSet {
            code: DataSetCode::parse(code).unwrap(),
            name: UnitName::parse("Form").unwrap(),
            period_type: PeriodType::Quarter,
            schedule: Schedule::new(Some(14), 2, 3, None).unwrap(),
            data_elements: (elements.iter())
                .map(|c| DataElementCode::parse(c).unwrap())
                .collect(),
            assigned_kinds: vec![UnitKind::parse("ward").unwrap()],
            assigned_units: units
                .iter()
                .map(|c| OrgUnitCode::parse(c).unwrap())
                .collect(),
        }
    }

    fn bound(element: &str, unit: &str) -> MinMax {
        MinMax {
            data_element: DataElementCode::parse(element).unwrap(),
            org_unit: OrgUnitCode::parse(unit).unwrap(),
            bounds: Bounds::new(Some(Decimal::ZERO), None).unwrap(),
        }
    }

    fn found(bundle: &MetadataBundle) -> Vec<(String, &'static str, String)> {
        let mut issues = Vec::new();
        check(&mut issues, bundle, &stored());
        (issues.iter())
            .map(|i| (i.path.to_string(), i.code(), i.message()))
            .collect()
    }

    #[test]
    fn data_sets_name_known_elements_and_units_once() {
        let mut bundle = MetadataBundle {
            data_elements: vec![(0, element("NEW", ValueType::Number))],
            data_sets: vec![
                (0, set("DS", &["IN", "NEW", "GONE", "IN"], &["NOWHERE"])),
                (1, set("DS", &["IN"], &["DECLARED"])),
            ],
            ..MetadataBundle::default()
        };
        bundle.declared.org_units.insert("DECLARED".to_owned());
        let got = found(&bundle);
        let codes: Vec<(&str, &str)> = got.iter().map(|(p, c, _)| (p.as_str(), *c)).collect();
        assert_eq!(
            codes,
            [
                ("data_sets[1].code", "duplicate_code"),
                ("data_sets[0].data_elements", "duplicate_code"),
                ("data_sets[0].data_elements", "unknown_data_element"),
                ("data_sets[0].assigned_units", "unknown_org_unit"),
            ]
        );
        assert_eq!(
            got[1].2,
            "'IN' appears more than once in data_sets[0].data_elements"
        );
        assert_eq!(got[2].2, "data element 'GONE' does not exist");
    }

    #[test]
    fn groups_and_bounds_are_checked() {
        let group = |code| IndicatorGroup {
            code: GroupCode::parse(code).unwrap(),
            name: UnitName::parse("G").unwrap(),
            weight: Weight::parse("30").unwrap(),
        };
        let bundle = MetadataBundle {
            indicator_groups: vec![(0, group("I")), (1, group("I"))],
            min_max: vec![
                (0, bound("IN", "X")),
                (1, bound("NOTE", "X")),
                (2, bound("MISSING", "X")),
                (3, bound("IN", "X")),
            ],
            org_units: vec![],
            ..MetadataBundle::default()
        };
        let got = found(&bundle);
        let codes: Vec<(&str, &str)> = got.iter().map(|(p, c, _)| (p.as_str(), *c)).collect();
        assert_eq!(
            codes,
            [
                ("indicator_groups[1].code", "duplicate_code"),
                ("min_max[0].org_unit", "unknown_org_unit"),
                ("min_max[1].data_element", "non_numeric_element"),
                ("min_max[1].org_unit", "unknown_org_unit"),
                ("min_max[2].data_element", "unknown_data_element"),
                ("min_max[2].org_unit", "unknown_org_unit"),
                ("min_max[3].org_unit", "unknown_org_unit"),
                ("min_max[3]", "duplicate_min_max"),
            ]
        );
    }
}
