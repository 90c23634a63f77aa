//! What a bundle's items may name: the data elements its expressions reference (stored or
//! in the bundle, by type) and the indicators its targets, rules and links name.

use std::collections::{HashMap, HashSet};

use chitieu_domain::{Expression, ValueType};

use super::{
    FieldPath, MetadataBundle,
    check::{MetadataIssue, Problem},
    existing::Existing,
};

/// What the expressions of a bundle may name: stored elements and the bundle's, by type.
pub(super) struct References<'a> {
    types: HashMap<&'a str, ValueType>,
    declared: &'a HashSet<String>,
}

impl<'a> References<'a> {
    pub(super) fn new(bundle: &'a MetadataBundle, existing: &'a Existing) -> Self {
        let mut types: HashMap<&str, ValueType> = (existing.data_elements.iter())
            .map(|(c, e)| (c.as_str(), e.element.value_type))
            .collect();
        for (_, e) in &bundle.data_elements {
            types.insert(e.code.as_str(), e.value_type);
        }
        Self {
            types,
            declared: &bundle.declared.data_elements,
        }
    }

    /// A data element named outside an expression (any type).
    pub(super) fn check_known(&self, issues: &mut Vec<MetadataIssue>, path: FieldPath, code: &str) {
        if !self.types.contains_key(code) && !self.declared.contains(code) {
            let problem = Problem::UnknownElement {
                code: code.to_owned(),
            };
            issues.push(MetadataIssue::new(path, problem));
        }
    }

    pub(super) fn check(
        &self,
        issues: &mut Vec<MetadataIssue>,
        path: FieldPath,
        expr: &Expression,
    ) {
        for code in expr.references() {
            let problem = match self.types.get(code.as_str()) {
                Some(ValueType::Text) => Problem::NonNumericElement {
                    code: code.to_string(),
                },
                Some(_) => continue,
                None if self.declared.contains(code.as_str()) => continue,
                None => Problem::UnknownDataElement {
                    code: code.to_string(),
                },
            };
            issues.push(MetadataIssue::new(path, problem));
        }
    }
}

/// The indicators a bundle may name: stored, in the bundle, or declared by an invalid item.
pub(super) struct KnownIndicators<'a> {
    in_bundle: HashSet<&'a str>,
    bundle: &'a MetadataBundle,
    existing: &'a Existing,
}

impl<'a> KnownIndicators<'a> {
    pub(super) fn new(bundle: &'a MetadataBundle, existing: &'a Existing) -> Self {
        let in_bundle = (bundle.indicators.iter())
            .map(|(_, x)| x.code.as_str())
            .collect();
        Self {
            in_bundle,
            bundle,
            existing,
        }
    }

    pub(super) fn check(&self, issues: &mut Vec<MetadataIssue>, path: FieldPath, code: &str) {
        let known = self.existing.indicators.contains_key(code)
            || self.in_bundle.contains(code)
            || self.bundle.declared.indicators.contains(code);
        if !known {
            let problem = Problem::UnknownIndicator {
                code: code.to_owned(),
            };
            issues.push(MetadataIssue::new(path, problem));
        }
    }
}
