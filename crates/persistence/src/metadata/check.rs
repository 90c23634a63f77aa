//! The checks of an import: a pure function of the bundle and the stored state it is compared
//! with. Every problem is reported at once, as a [`MetadataIssue`] that carries its place in
//! the bundle ([`FieldPath`]) and what is wrong as data ([`Problem`]).

use std::collections::{HashMap, HashSet};

use chitieu_domain::{
    DomainError, IndicatorCode, OrgTree, OrgUnit, OrgUnitCode, Period, RuleCheck, ValueType,
};

use super::{
    FieldPath, List, MetadataBundle,
    existing::Existing,
    plan::{Plan, plan},
    references::{KnownIndicators, References},
};
use crate::FieldIssue;

/// What is wrong with one place of a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The code appears more than once in its list.
    DuplicateCode {
        /// The repeated code.
        code: String,
    },
    /// A unit's parent is neither stored nor in the bundle.
    UnknownParent {
        /// The missing parent's code.
        parent: String,
    },
    /// A target's unit is neither stored nor in the bundle.
    UnknownOrgUnit {
        /// The missing unit's code.
        code: String,
    },
    /// The resulting hierarchy is invalid (a cycle); the error names its unit as data.
    Tree(DomainError),
    /// A data element that holds figures would change its value type.
    ValueTypeLocked {
        /// The element's code.
        code: String,
        /// Its stored type.
        stored: ValueType,
    },
    /// An expression computes with a text data element.
    NonNumericElement {
        /// The element's code.
        code: String,
    },
    /// An expression names no data element.
    UnknownDataElement {
        /// The code named.
        code: String,
    },
    /// A target's indicator is neither stored nor in the bundle.
    UnknownIndicator {
        /// The code named.
        code: String,
    },
    /// The same target (indicator, unit, period) appears twice.
    DuplicateTarget {
        /// The indicator.
        indicator: IndicatorCode,
        /// The unit that sets it.
        org_unit: OrgUnitCode,
        /// The period.
        period: Period,
    },
    /// A data set or bound names a data element that is neither stored nor in the bundle.
    UnknownElement {
        /// The code named.
        code: String,
    },
    /// A code is listed twice in one list of a data set.
    DuplicateEntry {
        /// The repeated code.
        code: String,
    },
    /// Bounds of the same data element and unit appear twice.
    DuplicateMinMax {
        /// The element.
        data_element: String,
        /// The unit.
        org_unit: String,
    },
    /// Bounds are given for a text data element.
    BoundsOnText {
        /// The element.
        code: String,
    },
    /// A note's subject names an object that is neither stored nor in the bundle.
    UnknownSubject {
        /// The subject, `kind:code`.
        subject: String,
    },
}

/// One problem at one place of a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataIssue {
    /// Where.
    pub path: FieldPath,
    /// What.
    pub problem: Problem,
}

impl MetadataIssue {
    pub(super) fn new(path: FieldPath, problem: Problem) -> Self {
        Self { path, problem }
    }

    /// The stable snake_case code of the problem.
    pub fn code(&self) -> &'static str {
        match &self.problem {
            Problem::DuplicateCode { .. } => "duplicate_code",
            Problem::UnknownParent { .. } | Problem::UnknownOrgUnit { .. } => "unknown_org_unit",
            Problem::Tree(e) => e.code(),
            Problem::ValueTypeLocked { .. } => "value_type_locked",
            Problem::NonNumericElement { .. } => "non_numeric_element",
            Problem::UnknownDataElement { .. } => "unknown_data_element",
            Problem::UnknownIndicator { .. } => "unknown_indicator",
            Problem::DuplicateTarget { .. } => "duplicate_target",
            Problem::UnknownElement { .. } => "unknown_data_element",
            Problem::DuplicateEntry { .. } => "duplicate_code",
            Problem::DuplicateMinMax { .. } => "duplicate_min_max",
            Problem::BoundsOnText { .. } => "non_numeric_element",
            Problem::UnknownSubject { .. } => "unknown_subject",
        }
    }

    /// A sentence saying what is wrong.
    pub fn message(&self) -> String {
        match &self.problem {
            Problem::DuplicateCode { code } => format!(
                "code '{code}' appears more than once in {}",
                self.path.list.as_str()
            ),
            Problem::UnknownParent { parent } => {
                format!("parent org unit '{parent}' does not exist")
            }
            Problem::UnknownOrgUnit { code } => format!("org unit '{code}' does not exist"),
            Problem::Tree(e) => e.to_string(),
            Problem::ValueTypeLocked { code, stored } => format!(
                "data element '{code}' already holds values of type {stored}; its type cannot change"
            ),
            Problem::NonNumericElement { code } => {
                format!("data element '{code}' holds text and cannot be used in arithmetic")
            }
            Problem::UnknownDataElement { code } => {
                format!("#{{{code}}} does not name a data element")
            }
            Problem::UnknownIndicator { code } => format!("indicator '{code}' does not exist"),
            Problem::DuplicateTarget {
                indicator,
                org_unit,
                period,
            } => {
                format!("a target for '{indicator}' set by '{org_unit}' for {period} appears twice")
            }
            Problem::UnknownElement { code } => format!("data element '{code}' does not exist"),
            Problem::DuplicateEntry { code } => {
                format!("'{code}' appears more than once in {}", self.path)
            }
            Problem::DuplicateMinMax {
                data_element,
                org_unit,
            } => format!("bounds of '{data_element}' for '{org_unit}' appear twice"),
            Problem::BoundsOnText { code } => {
                format!("data element '{code}' holds text and cannot have numeric bounds")
            }
            Problem::UnknownSubject { subject } => {
                format!("the note's subject '{subject}' does not exist")
            }
        }
    }
}

impl From<MetadataIssue> for FieldIssue {
    fn from(issue: MetadataIssue) -> Self {
        FieldIssue::new(issue.path.to_string(), issue.code(), issue.message())
    }
}

/// Checks `bundle` against what is stored. Returns the plan of a valid import, or every
/// problem found. The list may be empty when the tree could not be checked because a unit of
/// the bundle was itself invalid (the caller holds that unit's issue).
pub(super) fn check<'a>(
    bundle: &'a MetadataBundle,
    existing: &Existing,
) -> Result<Plan<'a>, Vec<MetadataIssue>> {
    let mut issues = Vec::new();
    let tree = check_units(&mut issues, bundle, existing);
    check_elements(&mut issues, bundle, existing);
    let refs = References::new(bundle, existing);
    duplicates(
        &mut issues,
        List::Indicators,
        bundle.indicators.iter().map(|(i, x)| (*i, x.code.as_str())),
    );
    for (i, ind) in &bundle.indicators {
        refs.check(
            &mut issues,
            FieldPath::field(List::Indicators, *i, "numerator"),
            &ind.numerator,
        );
        refs.check(
            &mut issues,
            FieldPath::field(List::Indicators, *i, "denominator"),
            &ind.denominator,
        );
    }
    check_targets(&mut issues, bundle, existing);
    for (path, expr) in &bundle.loose_expressions {
        refs.check(&mut issues, *path, expr);
    }
    let rules = &bundle.validation_rules;
    duplicates(
        &mut issues,
        List::ValidationRules,
        rules.iter().map(|(i, r)| (*i, r.code.as_str())),
    );
    let indicators = KnownIndicators::new(bundle, existing);
    for (i, r) in rules {
        let at = |field| FieldPath::field(List::ValidationRules, *i, field);
        match &r.check {
            RuleCheck::Compare(c) => {
                refs.check(&mut issues, at("left"), &c.left().expression);
                refs.check(&mut issues, at("right"), &c.right().expression);
            }
            RuleCheck::StatedStatus { indicator, stated } => {
                refs.check(&mut issues, at("stated"), stated);
                indicators.check(&mut issues, at("indicator"), indicator.as_str());
            }
        }
    }
    for (i, ind) in &bundle.indicators {
        let at = |field| FieldPath::field(List::Indicators, *i, field);
        let links = &ind.links;
        for (field, code) in [
            ("stated_element", &links.stated_element),
            ("result_element", &links.result_element),
        ] {
            if let Some(code) = code {
                refs.check_known(&mut issues, at(field), code.as_str());
            }
        }
        if let Some(part_of) = &links.part_of {
            indicators.check(&mut issues, at("part_of"), part_of.as_str());
        }
    }
    super::check_cycle::check(&mut issues, bundle, existing);
    super::check_projects::check(&mut issues, bundle, existing);
    match tree {
        Some(tree) if issues.is_empty() => Ok(plan(bundle, existing, tree)),
        _ => Err(issues),
    }
}

pub(super) fn duplicates<'a>(
    issues: &mut Vec<MetadataIssue>,
    list: List,
    items: impl Iterator<Item = (usize, &'a str)>,
) {
    let mut seen = HashSet::new();
    for (i, code) in items {
        if !seen.insert(code) {
            let problem = Problem::DuplicateCode {
                code: code.to_owned(),
            };
            issues.push(MetadataIssue::new(
                FieldPath::field(list, i, "code"),
                problem,
            ));
        }
    }
}

/// Checks the units and builds the resulting tree; `None` when it cannot be built.
fn check_units(
    issues: &mut Vec<MetadataIssue>,
    bundle: &MetadataBundle,
    existing: &Existing,
) -> Option<OrgTree> {
    let units = &bundle.org_units;
    duplicates(
        issues,
        List::OrgUnits,
        units.iter().map(|(i, u)| (*i, u.code.as_str())),
    );
    let known: HashSet<&str> = units.iter().map(|(_, u)| u.code.as_str()).collect();
    let mut parents_ok = bundle.declared.org_units.is_empty();
    for (i, u) in units {
        if let Some(parent) = &u.parent
            && !existing.units.contains_key(parent.as_str())
            && !known.contains(parent.as_str())
            && !bundle.declared.org_units.contains(parent.as_str())
        {
            parents_ok = false;
            let problem = Problem::UnknownParent {
                parent: parent.to_string(),
            };
            issues.push(MetadataIssue::new(
                FieldPath::field(List::OrgUnits, *i, "parent"),
                problem,
            ));
        }
    }
    if !parents_ok {
        return None;
    }
    match OrgTree::build(resulting_links(units, existing)) {
        Ok(tree) => Some(tree),
        Err(e) => {
            // The tree names the unit as data; the bundle's units come first, so a cycle (which
            // needs at least one of them) is named by one of them.
            let at = (e.org_unit())
                .and_then(|code| units.iter().find(|(_, u)| u.code.as_str() == code))
                .map_or(FieldPath::list(List::OrgUnits), |(i, _)| {
                    FieldPath::field(List::OrgUnits, *i, "parent")
                });
            issues.push(MetadataIssue::new(at, Problem::Tree(e)));
            None
        }
    }
}

/// Every unit's parent after the import, each unit once: the bundle's units in bundle order,
/// then the other stored units by code (a deterministic order, so the same cycle is always named alike).
fn resulting_links(
    units: &[(usize, OrgUnit)],
    existing: &Existing,
) -> Vec<(OrgUnitCode, Option<OrgUnitCode>)> {
    let in_bundle: HashSet<&str> = units.iter().map(|(_, u)| u.code.as_str()).collect();
    let mut stored: Vec<_> = (existing.units.values())
        .filter(|u| !in_bundle.contains(u.code.as_str()))
        .map(|u| (u.code.clone(), u.parent.clone()))
        .collect();
    stored.sort_by(|a, b| a.0.cmp(&b.0));
    // A code listed twice (already reported) is one unit, at its first place, with its last
    // parent: the tree then says what else is wrong.
    let mut links: Vec<(OrgUnitCode, Option<OrgUnitCode>)> = Vec::with_capacity(units.len());
    let mut place: HashMap<&str, usize> = HashMap::with_capacity(units.len());
    for (_, u) in units {
        match place.get(u.code.as_str()) {
            Some(&at) => links[at].1.clone_from(&u.parent),
            None => {
                place.insert(u.code.as_str(), links.len());
                links.push((u.code.clone(), u.parent.clone()));
            }
        }
    }
    links.extend(stored);
    links
}

fn check_elements(issues: &mut Vec<MetadataIssue>, bundle: &MetadataBundle, existing: &Existing) {
    let elements = &bundle.data_elements;
    duplicates(
        issues,
        List::DataElements,
        elements.iter().map(|(i, e)| (*i, e.code.as_str())),
    );
    let bundle_units: HashSet<&str> = (bundle.org_units.iter())
        .map(|(_, u)| u.code.as_str())
        .collect();
    for (i, e) in elements {
        if let Some(old) = existing.data_elements.get(e.code.as_str())
            && old.element.value_type != e.value_type
            && existing.elements_with_values.contains(e.code.as_str())
        {
            let problem = Problem::ValueTypeLocked {
                code: e.code.to_string(),
                stored: old.element.value_type,
            };
            let path = FieldPath::field(List::DataElements, *i, "value_type");
            issues.push(MetadataIssue::new(path, problem));
        }
        if let Some(owner) = &e.owner {
            let code = owner.as_str();
            let known = existing.units.contains_key(code)
                || bundle_units.contains(code)
                || bundle.declared.org_units.contains(code);
            if !known {
                let problem = Problem::UnknownOrgUnit {
                    code: code.to_owned(),
                };
                let path = FieldPath::field(List::DataElements, *i, "owner");
                issues.push(MetadataIssue::new(path, problem));
            }
        }
    }
}

fn check_targets(issues: &mut Vec<MetadataIssue>, bundle: &MetadataBundle, existing: &Existing) {
    let units: HashSet<&str> = bundle
        .org_units
        .iter()
        .map(|(_, u)| u.code.as_str())
        .collect();
    let indicators: HashSet<&str> = (bundle.indicators.iter())
        .map(|(_, x)| x.code.as_str())
        .collect();
    let mut keys = HashSet::new();
    for (i, t) in &bundle.targets {
        let code = t.indicator.as_str();
        let indicator_known = existing.indicators.contains_key(code)
            || indicators.contains(code)
            || bundle.declared.indicators.contains(code);
        if !indicator_known {
            let problem = Problem::UnknownIndicator {
                code: code.to_owned(),
            };
            issues.push(MetadataIssue::new(
                FieldPath::field(List::Targets, *i, "indicator"),
                problem,
            ));
        }
        let unit = t.org_unit.as_str();
        let unit_known = existing.units.contains_key(unit)
            || units.contains(unit)
            || bundle.declared.org_units.contains(unit);
        if !unit_known {
            let problem = Problem::UnknownOrgUnit {
                code: t.org_unit.to_string(),
            };
            issues.push(MetadataIssue::new(
                FieldPath::field(List::Targets, *i, "org_unit"),
                problem,
            ));
        }
        if !keys.insert((&t.indicator, &t.org_unit, t.period)) {
            let problem = Problem::DuplicateTarget {
                indicator: t.indicator.clone(),
                org_unit: t.org_unit.clone(),
                period: t.period,
            };
            issues.push(MetadataIssue::new(
                FieldPath::item(List::Targets, *i),
                problem,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chitieu_domain::{
        Aggregation, Comparison, DataElement, DataElementCode, Expression, Indicator, RuleCode,
        Target, UnitKind, UnitName, ValidationRule,
    };
    use rust_decimal::Decimal;

    use super::*;
    use crate::{
        DataElementId, IndicatorId, OrgUnitId, TargetId,
        catalogue::{StoredDataElement, StoredIndicator, StoredTarget},
        metadata::{
            existing::ExistingUnit,
            plan::{Step, UnitChange},
        },
    };

    fn c(s: &str) -> OrgUnitCode {
        OrgUnitCode::parse(s).unwrap()
    }

    fn unit(code: &str, parent: Option<&str>) -> OrgUnit {
        OrgUnit {
            code: c(code),
            name: UnitName::parse(&format!("Unit {code}")).unwrap(),
            kind: UnitKind::parse("ward").unwrap(),
            parent: parent.map(c),
        }
    }

    fn element(code: &str, value_type: ValueType) -> DataElement {
        let aggregation = match value_type {
            ValueType::Text => Aggregation::None,
            _ => Aggregation::Sum,
        };
        let name = UnitName::parse(code).unwrap();
        DataElement::new(
            DataElementCode::parse(code).unwrap(),
            name,
            value_type,
            aggregation,
        )
        .unwrap()
    }

    fn expr(s: &str) -> Expression {
        Expression::parse(s).unwrap()
    }

    fn indicator(code: &str, numerator: &str, denominator: &str) -> Indicator {
        let name = UnitName::parse(code).unwrap();
        let (num, den) = (expr(numerator), expr(denominator));
        Indicator::new(
            IndicatorCode::parse(code).unwrap(),
            name,
            None,
            num,
            den,
            Decimal::ONE,
            2,
        )
        .unwrap()
    }

    fn target(indicator: &str, org_unit: &str, value: Decimal) -> Target {
        Target {
            indicator: IndicatorCode::parse(indicator).unwrap(),
            org_unit: c(org_unit),
            period: Period::parse("2023").unwrap(),
            goal: chitieu_domain::Goal::compare(Comparison::Ge, value).unwrap(),
            label: None,
            printed: None,
        }
    }

    fn rule(code: &str, left: &str, right: &str) -> ValidationRule {
        let side = |source| chitieu_domain::RuleSide {
            expression: expr(source),
            scope: chitieu_domain::SideScope::Own,
        };
        let check =
            chitieu_domain::RuleComparison::new(side(left), Comparison::Le, side(right), None)
                .unwrap();
        ValidationRule {
            code: RuleCode::parse(code).unwrap(),
            name: UnitName::parse(code).unwrap(),
            check: RuleCheck::Compare(check),
            description: None,
        }
    }

    fn listed<T>(items: Vec<T>) -> Vec<(usize, T)> {
        items.into_iter().enumerate().collect()
    }

    fn units_bundle(units: Vec<OrgUnit>) -> MetadataBundle {
        MetadataBundle {
            org_units: listed(units),
            ..MetadataBundle::default()
        }
    }

    /// Stored: VN ── BRVT ── VT ─┬─ VT-P1
    ///                           └─ VT-P8
    /// and the elements IN (integer, holding figures), OUT (integer), NOTE (text).
    fn stored() -> Existing {
        let mut existing = Existing::default();
        let links = [
            ("VN", None),
            ("BRVT", Some("VN")),
            ("VT", Some("BRVT")),
            ("VT-P1", Some("VT")),
            ("VT-P8", Some("VT")),
        ];
        for (n, (code, parent)) in links.into_iter().enumerate() {
            let u = unit(code, parent);
            let stored = ExistingUnit {
                id: OrgUnitId::new(n as i64 + 1),
                code: u.code,
                name: u.name.into_string(),
                kind: u.kind.as_str().to_owned(),
                parent: u.parent,
            };
            existing.units.insert(code.to_owned(), stored);
        }
        let elements = [
            ("IN", ValueType::Integer),
            ("OUT", ValueType::Integer),
            ("NOTE", ValueType::Text),
        ];
        for (n, (code, value_type)) in elements.into_iter().enumerate() {
            let stored = StoredDataElement {
                id: DataElementId::new(n as i64 + 1),
                element: element(code, value_type),
            };
            existing.data_elements.insert(code.to_owned(), stored);
        }
        existing.elements_with_values.insert("IN".to_owned());
        existing
    }

    fn issues(bundle: &MetadataBundle, existing: &Existing) -> Vec<(String, &'static str)> {
        let found = check(bundle, existing).unwrap_err();
        found
            .iter()
            .map(|i| (i.path.to_string(), i.code()))
            .collect()
    }

    fn pair(field: &str, code: &'static str) -> (String, &'static str) {
        (field.to_owned(), code)
    }

    #[test]
    fn a_valid_bundle_is_planned_parents_first() {
        let mut renamed = unit("VT", Some("BRVT"));
        renamed.name = UnitName::parse("Thành phố Vũng Tàu").unwrap();
        let bundle = units_bundle(vec![
            unit("VT-P2", Some("VT")),
            renamed,
            unit("VN", None),
            unit("VT-P2-A", Some("VT-P2")),
        ]);
        let plan = check(&bundle, &stored()).unwrap();
        let steps: Vec<(&str, u32, UnitChange)> = (plan.units.iter())
            .map(|s| (s.unit.code.as_str(), s.level, s.change))
            .collect();
        let vt = UnitChange::Update {
            id: OrgUnitId::new(3),
            moved: false,
        };
        assert_eq!(
            steps,
            [
                ("VN", 1, UnitChange::Same),
                ("VT", 3, vt),
                ("VT-P2", 4, UnitChange::Create),
                ("VT-P2-A", 5, UnitChange::Create),
            ]
        );
        let counts = plan.summary().org_units;
        assert_eq!(
            (counts.created, counts.updated, counts.unchanged),
            (2, 1, 1)
        );
        assert_eq!(plan.tree.len(), 7);
        assert_eq!(plan.moved_units().count(), 0);
    }

    #[test]
    fn a_new_parent_is_a_move() {
        let bundle = units_bundle(vec![unit("VT-P1", Some("BRVT"))]);
        let plan = check(&bundle, &stored()).unwrap();
        let moved = UnitChange::Update {
            id: OrgUnitId::new(4),
            moved: true,
        };
        assert_eq!(plan.units[0].change, moved);
        assert_eq!(plan.units[0].level, 3);
        let moved: Vec<&str> = plan.moved_units().map(|u| u.code.as_str()).collect();
        assert_eq!(moved, ["VT-P1"]);
    }

    #[test]
    fn a_code_listed_twice_is_reported_at_its_second_place() {
        let mut bundle = units_bundle(vec![unit("A", None), unit("B", None), unit("A", None)]);
        bundle.data_elements = listed(vec![element("E", ValueType::Integer); 2]);
        bundle.indicators = listed(vec![indicator("I", "#{E}", "1"); 2]);
        bundle.validation_rules = listed(vec![rule("R", "#{E}", "1"); 2]);
        let found = check(&bundle, &Existing::default()).unwrap_err();
        let got: Vec<(String, &str)> = found
            .iter()
            .map(|i| (i.path.to_string(), i.code()))
            .collect();
        assert_eq!(
            got,
            [
                pair("org_units[2].code", "duplicate_code"),
                pair("data_elements[1].code", "duplicate_code"),
                pair("indicators[1].code", "duplicate_code"),
                pair("validation_rules[1].code", "duplicate_code"),
            ]
        );
        assert_eq!(
            found[0].message(),
            "code 'A' appears more than once in org_units"
        );
    }

    #[test]
    fn an_unknown_parent_is_reported_and_the_tree_not_built() {
        let bundle = units_bundle(vec![unit("A", None), unit("B", Some("NOWHERE"))]);
        let found = check(&bundle, &stored()).unwrap_err();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path.to_string(), "org_units[1].parent");
        assert_eq!(found[0].code(), "unknown_org_unit");
        assert_eq!(
            found[0].message(),
            "parent org unit 'NOWHERE' does not exist"
        );
    }

    #[test]
    fn a_parent_declared_by_an_invalid_item_is_not_reported_again() {
        let mut bundle = units_bundle(vec![unit("B", Some("BAD"))]);
        bundle.declared.org_units.insert("BAD".to_owned());
        // Nothing new to say, yet nothing may be written: the invalid item's issue stands.
        assert_eq!(check(&bundle, &stored()).unwrap_err(), []);
    }

    #[test]
    fn a_cycle_through_stored_units_is_refused_at_the_moved_unit() {
        let bundle = units_bundle(vec![unit("A", None), unit("VN", Some("VT-P1"))]);
        let found = check(&bundle, &stored()).unwrap_err();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path.to_string(), "org_units[1].parent");
        assert_eq!(found[0].code(), "org_unit_cycle");
        assert_eq!(
            found[0].problem,
            Problem::Tree(DomainError::OrgTreeCycle { code: "VN".into() })
        );
    }

    #[test]
    fn a_unit_whose_code_prefixes_the_wrong_one_is_not_blamed() {
        // `VT` is listed first and its code is a prefix of `VT-P1`, the unit on the cycle.
        let bundle = units_bundle(vec![unit("VT", Some("BRVT")), unit("VT-P1", Some("VT-P1"))]);
        let found = check(&bundle, &stored()).unwrap_err();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path.to_string(), "org_units[1].parent");
        assert_eq!(
            found[0].message(),
            "org unit \"VT-P1\" is its own ancestor (cycle in the hierarchy)"
        );
        let bundle = units_bundle(vec![
            unit("VT", Some("BRVT")),
            unit("VT-P1", Some("VT-P8")),
            unit("VT-P8", Some("VT-P1")),
        ]);
        assert_eq!(
            issues(&bundle, &stored()),
            [pair("org_units[1].parent", "org_unit_cycle")]
        );
    }

    #[test]
    fn expressions_name_numeric_elements_that_exist() {
        let mut bundle = MetadataBundle {
            data_elements: listed(vec![element("NEW", ValueType::Number)]),
            indicators: listed(vec![indicator(
                "I",
                "#{IN} + #{NEW}",
                "#{NOTE} + #{MISSING}",
            )]),
            validation_rules: listed(vec![rule("R", "#{GONE}", "#{BAD}")]),
            ..MetadataBundle::default()
        };
        bundle.declared.data_elements.insert("BAD".to_owned());
        let path = FieldPath::field(List::Indicators, 3, "numerator");
        bundle
            .loose_expressions
            .push((path, expr("#{ALSO_MISSING}")));
        let found = check(&bundle, &stored()).unwrap_err();
        let got: Vec<(String, &str)> = found
            .iter()
            .map(|i| (i.path.to_string(), i.code()))
            .collect();
        assert_eq!(
            got,
            [
                pair("indicators[0].denominator", "non_numeric_element"),
                pair("indicators[0].denominator", "unknown_data_element"),
                pair("indicators[3].numerator", "unknown_data_element"),
                pair("validation_rules[0].left", "unknown_data_element"),
            ]
        );
        assert_eq!(
            found[1].message(),
            "#{MISSING} does not name a data element"
        );
        assert_eq!(
            found[0].message(),
            "data element 'NOTE' holds text and cannot be used in arithmetic"
        );
    }

    #[test]
    fn the_type_of_an_element_with_figures_is_locked() {
        let bundle = MetadataBundle {
            data_elements: listed(vec![
                element("OUT", ValueType::Number),
                element("IN", ValueType::Number),
                element("IN2", ValueType::Text),
            ]),
            ..MetadataBundle::default()
        };
        let found = check(&bundle, &stored()).unwrap_err();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path.to_string(), "data_elements[1].value_type");
        assert_eq!(found[0].code(), "value_type_locked");
        assert_eq!(
            found[0].message(),
            "data element 'IN' already holds values of type integer; its type cannot change"
        );
    }

    #[test]
    fn targets_name_an_indicator_and_a_unit_once() {
        let mut bundle = MetadataBundle {
            org_units: listed(vec![unit("NEWU", Some("VN"))]),
            data_elements: listed(vec![]),
            indicators: listed(vec![indicator("I", "#{IN}", "#{OUT}")]),
            targets: listed(vec![
                target("I", "NEWU", Decimal::ONE),
                target("NOPE", "NOWHERE", Decimal::ONE),
                target("I", "NEWU", Decimal::TWO),
                target("DECLARED", "VT", Decimal::ONE),
            ]),
            ..MetadataBundle::default()
        };
        bundle.declared.indicators.insert("DECLARED".to_owned());
        let found = check(&bundle, &stored()).unwrap_err();
        let got: Vec<(String, &str)> = found
            .iter()
            .map(|i| (i.path.to_string(), i.code()))
            .collect();
        assert_eq!(
            got,
            [
                pair("targets[1].indicator", "unknown_indicator"),
                pair("targets[1].org_unit", "unknown_org_unit"),
                pair("targets[2]", "duplicate_target"),
            ]
        );
        assert_eq!(found[1].message(), "org unit 'NOWHERE' does not exist");
        assert_eq!(
            found[2].message(),
            "a target for 'I' set by 'NEWU' for 2023 appears twice"
        );
    }

    #[test]
    fn stored_catalogue_items_are_updated_only_when_they_changed() {
        let mut existing = stored();
        let ind = indicator("I", "#{IN}", "#{OUT}");
        let stored_indicator = StoredIndicator {
            id: IndicatorId::new(7),
            indicator: ind.clone(),
        };
        existing.indicators.insert("I".to_owned(), stored_indicator);
        let old = target("I", "VT", Decimal::new(900, 1));
        let key = (old.indicator.clone(), old.org_unit.clone(), old.period);
        let stored_target = StoredTarget {
            id: TargetId::new(5),
            target: old,
        };
        existing.targets.insert(key, stored_target);
        let bundle = MetadataBundle {
            data_elements: listed(vec![
                element("OUT", ValueType::Number),
                element("IN", ValueType::Integer),
            ]),
            indicators: listed(vec![ind, indicator("J", "#{IN}", "1")]),
            // 90 and 90.0 are the same target value.
            targets: listed(vec![
                target("I", "VT", Decimal::from(90)),
                target("I", "VN", Decimal::ONE),
            ]),
            ..MetadataBundle::default()
        };
        let plan = check(&bundle, &existing).unwrap();
        assert!(
            matches!(plan.data_elements[..], [Step::Update(id, _), Step::Same] if id == DataElementId::new(2))
        );
        assert!(matches!(plan.indicators[..], [Step::Same, Step::Create(_)]));
        assert!(matches!(plan.targets[..], [Step::Same, Step::Create(_)]));
        let s = plan.summary();
        assert_eq!(
            (
                s.data_elements.updated,
                s.indicators.created,
                s.targets.unchanged
            ),
            (1, 1, 1)
        );
        assert_eq!(s.total().created, 2);

        let bundle = MetadataBundle {
            targets: listed(vec![target("I", "VT", Decimal::from(95))]),
            ..MetadataBundle::default()
        };
        let plan = check(&bundle, &existing).unwrap();
        assert!(matches!(plan.targets[..], [Step::Update(id, _)] if id == TargetId::new(5)));
    }

    #[test]
    fn issues_become_the_field_issues_of_the_api() {
        let bundle = units_bundle(vec![unit("B", Some("NOWHERE"))]);
        let issue = check(&bundle, &stored()).unwrap_err().remove(0);
        assert_eq!(
            FieldIssue::from(issue),
            FieldIssue::new(
                "org_units[0].parent",
                "unknown_org_unit",
                "parent org unit 'NOWHERE' does not exist"
            )
        );
    }
}
