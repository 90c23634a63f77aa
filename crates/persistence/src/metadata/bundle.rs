//! The bundle an import receives, the place of each item in it, and what an import did.

use std::collections::HashSet;
use std::fmt;

use chitieu_domain::{
    DataElement, DataSet, Expression, Indicator, IndicatorGroup, MinMax, Note, OrgUnit, Project,
    Target, ValidationRule,
};

/// A parsed metadata bundle. Each item keeps its position in the submitted list.
#[derive(Clone, Debug, Default)]
pub struct MetadataBundle {
    /// Org units, by position.
    pub org_units: Vec<(usize, OrgUnit)>,
    /// Data elements, by position.
    pub data_elements: Vec<(usize, DataElement)>,
    /// Indicators, by position.
    pub indicators: Vec<(usize, Indicator)>,
    /// Targets, by position.
    pub targets: Vec<(usize, Target)>,
    /// Validation rules, by position.
    pub validation_rules: Vec<(usize, ValidationRule)>,
    /// Data sets (forms), by position.
    pub data_sets: Vec<(usize, DataSet)>,
    /// Indicator groups with their weights, by position.
    pub indicator_groups: Vec<(usize, IndicatorGroup)>,
    /// Min–max bounds, by position.
    pub min_max: Vec<(usize, MinMax)>,
    /// Projects with their milestones, by position.
    pub projects: Vec<(usize, Project)>,
    /// Notes, by position.
    pub notes: Vec<(usize, Note)>,
    /// Codes of items that failed to parse but did name a valid code: references to them are
    /// not reported a second time as unknown.
    pub declared: Declared,
    /// Expressions of items that failed for another reason, by field: their references are
    /// still checked so that every problem is reported at once.
    pub loose_expressions: Vec<(FieldPath, Expression)>,
}

/// Codes declared by bundle items that were themselves invalid.
#[derive(Clone, Debug, Default)]
pub struct Declared {
    /// Org unit codes.
    pub org_units: HashSet<String>,
    /// Data element codes.
    pub data_elements: HashSet<String>,
    /// Indicator codes.
    pub indicators: HashSet<String>,
    /// Project codes.
    pub projects: HashSet<String>,
}

/// The lists of a bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum List {
    /// `org_units`.
    OrgUnits,
    /// `data_elements`.
    DataElements,
    /// `indicators`.
    Indicators,
    /// `targets`.
    Targets,
    /// `validation_rules`.
    ValidationRules,
    /// `data_sets`.
    DataSets,
    /// `indicator_groups`.
    IndicatorGroups,
    /// `min_max`.
    MinMax,
    /// `projects`.
    Projects,
    /// `notes`.
    Notes,
}

impl List {
    /// The list's name in the bundle.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrgUnits => "org_units",
            Self::DataElements => "data_elements",
            Self::Indicators => "indicators",
            Self::Targets => "targets",
            Self::ValidationRules => "validation_rules",
            Self::DataSets => "data_sets",
            Self::IndicatorGroups => "indicator_groups",
            Self::MinMax => "min_max",
            Self::Projects => "projects",
            Self::Notes => "notes",
        }
    }
}

/// A place in a bundle: a list, an item of it, a field of that item. Displayed as the field
/// pointers of the API: `org_units`, `targets[1]`, `indicators[2].numerator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldPath {
    /// The list.
    pub list: List,
    /// The item's position in the list, if the place is an item.
    pub index: Option<usize>,
    /// The field of the item, if the place is a field.
    pub field: Option<&'static str>,
}

impl FieldPath {
    /// The whole list.
    pub fn list(list: List) -> Self {
        Self {
            list,
            index: None,
            field: None,
        }
    }

    /// One item of a list.
    pub fn item(list: List, index: usize) -> Self {
        Self {
            list,
            index: Some(index),
            field: None,
        }
    }

    /// One field of one item.
    pub fn field(list: List, index: usize, field: &'static str) -> Self {
        Self {
            list,
            index: Some(index),
            field: Some(field),
        }
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.list.as_str())?;
        if let Some(i) = self.index {
            write!(f, "[{i}]")?;
            if let Some(field) = self.field {
                write!(f, ".{field}")?;
            }
        }
        Ok(())
    }
}

/// Counts for one kind of object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindCounts {
    /// Objects that did not exist before.
    pub created: u64,
    /// Objects that existed and changed.
    pub updated: u64,
    /// Objects that existed unchanged.
    pub unchanged: u64,
}

/// What an import did, per kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetadataSummary {
    /// Org units.
    pub org_units: KindCounts,
    /// Data elements.
    pub data_elements: KindCounts,
    /// Indicators.
    pub indicators: KindCounts,
    /// Targets.
    pub targets: KindCounts,
    /// Validation rules.
    pub validation_rules: KindCounts,
    /// Data sets.
    pub data_sets: KindCounts,
    /// Indicator groups.
    pub indicator_groups: KindCounts,
    /// Min–max bounds.
    pub min_max: KindCounts,
    /// Projects.
    pub projects: KindCounts,
    /// Notes.
    pub notes: KindCounts,
}

impl MetadataSummary {
    /// Totals over all kinds.
    pub fn total(&self) -> KindCounts {
        let all = [
            self.org_units,
            self.data_elements,
            self.indicators,
            self.targets,
            self.validation_rules,
            self.data_sets,
            self.indicator_groups,
            self.min_max,
            self.projects,
            self.notes,
        ];
        all.iter().fold(KindCounts::default(), |acc, k| KindCounts {
            created: acc.created + k.created,
            updated: acc.updated + k.updated,
            unchanged: acc.unchanged + k.unchanged,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_display_like_the_api_field_pointers() {
        assert_eq!(FieldPath::list(List::OrgUnits).to_string(), "org_units");
        assert_eq!(FieldPath::item(List::Targets, 1).to_string(), "targets[1]");
        assert_eq!(
            FieldPath::field(List::Indicators, 2, "numerator").to_string(),
            "indicators[2].numerator"
        );
    }

    #[test]
    fn totals_add_every_kind() {
        let one = |n| KindCounts {
            created: n,
            updated: 1,
            unchanged: 0,
        };
        let s = MetadataSummary {
            org_units: one(1),
            data_elements: one(2),
            indicators: one(3),
            targets: one(4),
            validation_rules: one(5),
            data_sets: one(6),
            indicator_groups: one(7),
            min_max: one(8),
            projects: one(9),
            notes: one(10),
        };
        assert_eq!(
            s.total(),
            KindCounts {
                created: 55,
                updated: 10,
                unchanged: 0
            }
        );
    }
}
