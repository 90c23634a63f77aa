//! The metadata bundle of `POST /api/v1/metadata` and its translation into domain types,
//! collecting every problem with its place in the bundle.

use chitieu_domain::{
    Aggregation, DataElement, DataElementCode, DomainError, Expression, GroupCode, Indicator,
    IndicatorCode, OrgUnit, OrgUnitCode, SourceText, UnitKind, UnitName, ValueType,
};
use chitieu_persistence::{
    FieldIssue,
    metadata::{FieldPath, KindCounts, List, MetadataBundle, MetadataSummary},
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    common::json_decimal,
    metadata_cycle::{self, DataSetInput, IndicatorGroupInput, MinMaxInput},
    metadata_projects::{self, NoteInput, ProjectInput},
};
use crate::FieldError;

/// An org unit to create or update.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgUnitInput {
    /// Stable code.
    #[schema(example = "VT")]
    pub code: String,
    /// Name; stored NFC-normalised.
    #[schema(example = "Thành phố Vũng Tàu")]
    pub name: String,
    /// Parent's code; absent for a root.
    #[schema(example = "BRVT")]
    pub parent: Option<String>,
    /// Kind: a lowercase word such as `city` or `ward`.
    #[schema(example = "city")]
    pub kind: String,
}

/// A data element to create or update.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataElementInput {
    /// Stable code.
    #[schema(example = "DOC_OUT_SW")]
    pub code: String,
    /// Name.
    pub name: String,
    /// `integer`, `number`, `boolean` or `text`.
    #[schema(example = "integer")]
    pub value_type: String,
    /// `sum`, `last`, `average` or `none`.
    #[schema(example = "sum")]
    pub aggregation: String,
    /// Code of the org unit that provides the figures (stored or in the bundle; else
    /// `unknown_org_unit` at `data_elements[i].owner`). Absent: not stated.
    #[schema(example = "VT")]
    pub owner: Option<String>,
    /// Where the figures come from: text, at most 2 000 characters, NFC-normalised and
    /// trimmed (line breaks allowed; empty is absent). Absent: not stated.
    #[schema(example = "Cục Thống kê tỉnh")]
    pub source: Option<String>,
}

/// An indicator to create or update.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    /// Stable code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Group code.
    pub group: Option<String>,
    /// Numerator expression, e.g. `#{DOC_OUT_SW} + #{DOC_IN_SW}`.
    pub numerator: String,
    /// Denominator expression.
    pub denominator: String,
    /// Multiplier, default 1 (100 for a percentage).
    #[schema(value_type = Option<f64>)]
    pub factor: Option<serde_json::Number>,
    /// Display decimals, default 2.
    pub decimals: Option<u32>,
    /// The data element holding the stated value (the percentage a report printed).
    pub stated_element: Option<String>,
    /// The data element holding the printed result text.
    pub result_element: Option<String>,
    /// The indicator this one is a part of (informational).
    pub part_of: Option<String>,
}

/// A target to create or update (keyed by indicator, org unit and period).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetInput {
    /// Indicator code.
    pub indicator: String,
    /// The authority setting the target; it applies to this unit's whole subtree.
    pub org_unit: String,
    /// Period the target is for.
    pub period: String,
    /// `>=`, `>`, `<=`, `<` or `==`; required unless `note` is given, absent with it.
    pub operator: Option<String>,
    /// Target value; required unless `note` is given, absent with it.
    #[schema(value_type = Option<f64>)]
    pub value: Option<serde_json::Number>,
    /// Label, e.g. `national`.
    pub label: Option<String>,
    /// A target that names no value (e.g. the agency in charge): shown, never met or not
    /// met. Comes without `operator` and `value`.
    pub note: Option<String>,
    /// The target as printed (at most 2 000 characters).
    pub printed: Option<String>,
}

/// A validation rule to create or update: `left operator right` (`check` absent or
/// `compare`), or `check: "stated_status"` with `indicator` and `stated` and none of the
/// comparison's fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidationRuleInput {
    /// Stable code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `compare` (default) or `stated_status`.
    pub check: Option<String>,
    /// Left expression (`compare`).
    pub left: Option<String>,
    /// `==`, `!=`, `<`, `<=`, `>` or `>=` (`compare`).
    pub operator: Option<String>,
    /// Right expression (`compare`).
    pub right: Option<String>,
    /// `own` (default: the unit's own figures) or `subtree` (its subtree aggregates).
    pub left_scope: Option<String>,
    /// `own` (default) or `subtree`.
    pub right_scope: Option<String>,
    /// With `==` only: the rule holds when |left − right| ≤ tolerance (≥ 0).
    #[schema(value_type = Option<f64>)]
    pub tolerance: Option<serde_json::Number>,
    /// `stated_status`: the indicator whose computed status is compared.
    pub indicator: Option<String>,
    /// `stated_status`: the stated value's expression, read from the unit's own figures.
    pub stated: Option<String>,
    /// Free text, at most 2 000 characters.
    pub description: Option<String>,
}

/// A metadata bundle; every list is optional.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MetadataRequest {
    /// Org units.
    #[serde(default)]
    pub org_units: Vec<OrgUnitInput>,
    /// Data elements.
    #[serde(default)]
    pub data_elements: Vec<DataElementInput>,
    /// Indicators.
    #[serde(default)]
    pub indicators: Vec<IndicatorInput>,
    /// Targets.
    #[serde(default)]
    pub targets: Vec<TargetInput>,
    /// Validation rules.
    #[serde(default)]
    pub validation_rules: Vec<ValidationRuleInput>,
    /// Data sets (forms) and their reporting calendar.
    #[serde(default)]
    pub data_sets: Vec<DataSetInput>,
    /// Indicator groups with their weights.
    #[serde(default)]
    pub indicator_groups: Vec<IndicatorGroupInput>,
    /// Min–max bounds of figures, per data element and unit.
    #[serde(default)]
    pub min_max: Vec<MinMaxInput>,
    /// Projects and their milestones.
    #[serde(default)]
    pub projects: Vec<ProjectInput>,
    /// Notes about objects of the catalogue.
    #[serde(default)]
    pub notes: Vec<NoteInput>,
}

/// Counts for one kind of object.
#[derive(Debug, Serialize, ToSchema)]
pub struct KindCountsDto {
    /// New objects.
    pub created: u64,
    /// Changed objects.
    pub updated: u64,
    /// Objects already as given.
    pub unchanged: u64,
}

impl From<KindCounts> for KindCountsDto {
    fn from(k: KindCounts) -> Self {
        Self {
            created: k.created,
            updated: k.updated,
            unchanged: k.unchanged,
        }
    }
}

/// Counts per kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct ByKind {
    /// Org units.
    pub org_units: KindCountsDto,
    /// Data elements.
    pub data_elements: KindCountsDto,
    /// Indicators.
    pub indicators: KindCountsDto,
    /// Targets.
    pub targets: KindCountsDto,
    /// Validation rules.
    pub validation_rules: KindCountsDto,
    /// Data sets.
    pub data_sets: KindCountsDto,
    /// Indicator groups.
    pub indicator_groups: KindCountsDto,
    /// Min–max bounds.
    pub min_max: KindCountsDto,
    /// Projects.
    pub projects: KindCountsDto,
    /// Notes.
    pub notes: KindCountsDto,
}

/// Result of a metadata import.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetadataResponse {
    /// `success`.
    #[schema(example = "success")]
    pub status: &'static str,
    /// True when nothing was stored (`?dry_run=true`).
    pub dry_run: bool,
    /// Objects created, all kinds.
    pub created: u64,
    /// Objects updated, all kinds.
    pub updated: u64,
    /// Objects unchanged, all kinds.
    pub unchanged: u64,
    /// The same per kind.
    pub by_kind: ByKind,
    /// Always empty on success (an invalid bundle is a 422 problem listing every error).
    pub errors: Vec<FieldError>,
}

impl MetadataResponse {
    /// Builds the response from what the import did.
    pub fn new(s: &MetadataSummary, dry_run: bool) -> Self {
        let t = s.total();
        Self {
            status: "success",
            dry_run,
            created: t.created,
            updated: t.updated,
            unchanged: t.unchanged,
            by_kind: ByKind {
                org_units: s.org_units.into(),
                data_elements: s.data_elements.into(),
                indicators: s.indicators.into(),
                targets: s.targets.into(),
                validation_rules: s.validation_rules.into(),
                data_sets: s.data_sets.into(),
                indicator_groups: s.indicator_groups.into(),
                min_max: s.min_max.into(),
                projects: s.projects.into(),
                notes: s.notes.into(),
            },
            errors: Vec::new(),
        }
    }
}

/// Collects issues while translating one item.
pub(super) struct Collector<'a> {
    issues: &'a mut Vec<FieldIssue>,
    pub(super) prefix: String,
    pub(super) ok: bool,
}

impl Collector<'_> {
    pub(super) fn take<T>(&mut self, field: &str, r: Result<T, DomainError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.ok = false;
                self.issues.push(FieldIssue::new(
                    format!("{}.{field}", self.prefix),
                    e.code(),
                    e.to_string(),
                ));
                None
            }
        }
    }

    pub(super) fn take_issue<T>(&mut self, r: Result<T, FieldIssue>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(i) => {
                self.ok = false;
                self.issues.push(i);
                None
            }
        }
    }
}

pub(super) fn collector<'a>(
    issues: &'a mut Vec<FieldIssue>,
    list: &str,
    i: usize,
) -> Collector<'a> {
    Collector {
        issues,
        prefix: format!("{list}[{i}]"),
        ok: true,
    }
}

impl MetadataRequest {
    /// Translates the bundle into domain types; items that fail are reported in `issues`.
    pub fn into_bundle(self) -> (MetadataBundle, Vec<FieldIssue>) {
        let mut issues = Vec::new();
        let mut b = MetadataBundle::default();
        for (i, u) in self.org_units.into_iter().enumerate() {
            let mut c = collector(&mut issues, "org_units", i);
            let code = c.take("code", OrgUnitCode::parse(&u.code));
            let name = c.take("name", UnitName::parse(&u.name));
            let kind = c.take("kind", UnitKind::parse(&u.kind));
            let parent = c.take(
                "parent",
                u.parent.as_deref().map(OrgUnitCode::parse).transpose(),
            );
            match (code, name, kind, parent) {
                (Some(code), Some(name), Some(kind), Some(parent)) if c.ok => {
                    b.org_units.push((
                        i,
                        OrgUnit {
                            code,
                            name,
                            kind,
                            parent,
                        },
                    ));
                }
                (Some(code), ..) => {
                    b.declared.org_units.insert(code.into_string());
                }
                _ => {}
            }
        }
        for (i, e) in self.data_elements.into_iter().enumerate() {
            let mut c = collector(&mut issues, "data_elements", i);
            let code = c.take("code", DataElementCode::parse(&e.code));
            let name = c.take("name", UnitName::parse(&e.name));
            let vt = c.take("value_type", ValueType::parse(&e.value_type));
            let agg = c.take("aggregation", Aggregation::parse(&e.aggregation));
            let owner = c.take(
                "owner",
                e.owner.as_deref().map(OrgUnitCode::parse).transpose(),
            );
            let source = c.take(
                "source",
                e.source.as_deref().map(SourceText::parse).transpose(),
            );
            let element = match (&code, name, vt, agg, owner, source) {
                (Some(code), Some(name), Some(vt), Some(agg), Some(owner), Some(source)) => c
                    .take("aggregation", DataElement::new(code.clone(), name, vt, agg))
                    .map(|el| el.with_provenance(owner, source.flatten())),
                _ => None,
            };
            match (element, code) {
                (Some(el), _) => b.data_elements.push((i, el)),
                (None, Some(code)) => {
                    b.declared.data_elements.insert(code.into_string());
                }
                _ => {}
            }
        }
        for (i, x) in self.indicators.into_iter().enumerate() {
            let mut c = collector(&mut issues, "indicators", i);
            let prefix = c.prefix.clone();
            let code = c.take("code", IndicatorCode::parse(&x.code));
            let name = c.take("name", UnitName::parse(&x.name));
            let group = c.take(
                "group",
                x.group.as_deref().map(GroupCode::parse).transpose(),
            );
            let num = c.take("numerator", Expression::parse(&x.numerator));
            let den = c.take("denominator", Expression::parse(&x.denominator));
            let factor = match &x.factor {
                None => Some(Decimal::ONE),
                Some(n) => c.take_issue(json_decimal(&format!("{prefix}.factor"), n)),
            };
            let decimals = x.decimals.unwrap_or(2);
            let indicator = match (&code, name, group, num, den, factor) {
                (Some(code), Some(name), Some(group), Some(num), Some(den), Some(factor)) => c
                    .take(
                        "factor",
                        Indicator::new(code.clone(), name, group, num, den, factor, decimals),
                    ),
                (_, _, _, num, den, _) => {
                    for (field, expr) in [("numerator", num), ("denominator", den)] {
                        if let Some(expr) = expr {
                            let path = FieldPath::field(List::Indicators, i, field);
                            b.loose_expressions.push((path, expr));
                        }
                    }
                    None
                }
            };
            let links = super::metadata_rules::indicator_links(
                &mut c,
                x.stated_element.as_deref(),
                x.result_element.as_deref(),
                x.part_of.as_deref(),
            );
            let indicator = indicator.zip(links).map(|(mut ind, links)| {
                ind.links = links;
                ind
            });
            match (indicator, code) {
                (Some(ind), _) => b.indicators.push((i, ind)),
                (None, Some(code)) => {
                    b.declared.indicators.insert(code.into_string());
                }
                _ => {}
            }
        }
        for (i, t) in self.targets.into_iter().enumerate() {
            let mut c = collector(&mut issues, "targets", i);
            if let Some(target) = super::metadata_rules::target(&mut c, &t) {
                b.targets.push((i, target));
            }
        }
        for (i, r) in self.validation_rules.into_iter().enumerate() {
            let mut c = collector(&mut issues, "validation_rules", i);
            let (rule, loose) = super::metadata_rules::rule(&mut c, &r);
            match rule {
                Some(rule) => b.validation_rules.push((i, rule)),
                None => {
                    for (field, expr) in loose {
                        let path = FieldPath::field(List::ValidationRules, i, field);
                        b.loose_expressions.push((path, expr));
                    }
                }
            }
        }
        metadata_cycle::translate(
            self.data_sets,
            self.indicator_groups,
            self.min_max,
            &mut b,
            &mut issues,
        );
        metadata_projects::translate(self.projects, self.notes, &mut b, &mut issues);
        (b, issues)
    }
}
