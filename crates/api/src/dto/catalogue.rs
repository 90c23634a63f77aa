//! Catalogue bodies: data elements, indicators, targets, validation rules.

use chitieu_domain::RuleCheck;
use chitieu_persistence::catalogue::{
    StoredDataElement, StoredIndicator, StoredRule, StoredTarget,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::common::decimal_json;

/// A data element.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataElementDto {
    /// Stable code.
    #[schema(example = "DOC_OUT_SW")]
    pub code: String,
    /// Name.
    pub name: String,
    /// `integer`, `number`, `boolean` or `text`.
    pub value_type: &'static str,
    /// `sum`, `last`, `average` or `none`.
    pub aggregation: &'static str,
    /// Code of the org unit that provides the figures; `null` when not stated.
    #[schema(example = "VT", required = true, nullable = true)]
    pub owner: Option<String>,
    /// Where the figures come from; `null` when not stated.
    #[schema(required = true, nullable = true)]
    pub source: Option<String>,
}

impl From<&StoredDataElement> for DataElementDto {
    fn from(s: &StoredDataElement) -> Self {
        Self {
            owner: s.element.owner.as_ref().map(|o| o.as_str().to_owned()),
            source: s.element.source.as_ref().map(|t| t.as_str().to_owned()),
            code: s.element.code.as_str().to_owned(),
            name: s.element.name.as_str().to_owned(),
            value_type: s.element.value_type.as_str(),
            aggregation: s.element.aggregation.as_str(),
        }
    }
}

/// An indicator: `factor × numerator / denominator`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorDto {
    /// Stable code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Group code, if any.
    pub group: Option<String>,
    /// Numerator expression.
    pub numerator: String,
    /// Denominator expression.
    pub denominator: String,
    /// Multiplier (100 for a percentage).
    #[schema(value_type = f64)]
    pub factor: serde_json::Value,
    /// Decimals the value is rounded to for display.
    pub decimals: u32,
    /// The data element holding the stated value (the percentage a report printed).
    pub stated_element: Option<String>,
    /// The data element holding the printed result text.
    pub result_element: Option<String>,
    /// The indicator this one is a part of (informational).
    pub part_of: Option<String>,
}

impl From<&StoredIndicator> for IndicatorDto {
    fn from(s: &StoredIndicator) -> Self {
        let i = &s.indicator;
        Self {
            code: i.code.as_str().to_owned(),
            name: i.name.as_str().to_owned(),
            group: i.group.as_ref().map(|g| g.as_str().to_owned()),
            numerator: i.numerator.source().to_owned(),
            denominator: i.denominator.source().to_owned(),
            factor: decimal_json(i.factor),
            decimals: i.decimals,
            stated_element: (i.links.stated_element.as_ref()).map(|c| c.as_str().to_owned()),
            result_element: (i.links.result_element.as_ref()).map(|c| c.as_str().to_owned()),
            part_of: (i.links.part_of.as_ref()).map(|c| c.as_str().to_owned()),
        }
    }
}

/// A target set by an authority (an org unit) for an indicator and period.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetDto {
    /// Indicator code.
    pub indicator: String,
    /// The authority: the org unit that set it.
    pub org_unit: String,
    /// Period the target is for.
    pub period: String,
    /// `>=`, `>`, `<=`, `<` or `==`; null for a note.
    pub operator: Option<&'static str>,
    /// Target value; null for a note.
    #[schema(value_type = Option<f64>)]
    pub value: serde_json::Value,
    /// Label, e.g. `national`.
    pub label: Option<String>,
    /// A target that names no value (e.g. the agency in charge): shown, never met or not met.
    pub note: Option<String>,
    /// The target as printed.
    pub printed: Option<String>,
}

impl From<&StoredTarget> for TargetDto {
    fn from(s: &StoredTarget) -> Self {
        let t = &s.target;
        Self {
            indicator: t.indicator.as_str().to_owned(),
            org_unit: t.org_unit.as_str().to_owned(),
            period: t.period.to_string(),
            operator: t.goal.comparison().map(|(o, _)| o.as_str()),
            value: (t.goal.comparison()).map_or(serde_json::Value::Null, |(_, v)| decimal_json(v)),
            label: t.label.clone(),
            note: t.goal.note().map(str::to_owned),
            printed: t.printed.clone(),
        }
    }
}

/// A validation rule, evaluated at every unit and stored period where the unit holds a
/// figure its own-scope expressions read: `left operator right` (`check: compare`), or a
/// stated value's attainment status against the indicator's computed one
/// (`check: stated_status`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationRuleDto {
    /// Stable code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `compare` or `stated_status`.
    #[schema(example = "compare")]
    pub check: &'static str,
    /// Left expression; null for `stated_status`.
    pub left: Option<String>,
    /// `==`, `!=`, `<`, `<=`, `>` or `>=`; null for `stated_status`.
    pub operator: Option<&'static str>,
    /// Right expression; null for `stated_status`.
    pub right: Option<String>,
    /// `own` (the unit's own figures) or `subtree` (its subtree aggregates); null for
    /// `stated_status`.
    pub left_scope: Option<&'static str>,
    /// `own` or `subtree`; null for `stated_status`.
    pub right_scope: Option<&'static str>,
    /// With `==`: holds when |left − right| ≤ tolerance.
    #[schema(value_type = Option<f64>)]
    pub tolerance: serde_json::Value,
    /// `stated_status`: the indicator's code.
    pub indicator: Option<String>,
    /// `stated_status`: the stated value's expression.
    pub stated: Option<String>,
    /// Free text.
    pub description: Option<String>,
}

impl From<&StoredRule> for ValidationRuleDto {
    fn from(s: &StoredRule) -> Self {
        let r = &s.rule;
        let mut dto = Self {
            code: r.code.as_str().to_owned(),
            name: r.name.as_str().to_owned(),
            check: r.check.kind(),
            left: None,
            operator: None,
            right: None,
            left_scope: None,
            right_scope: None,
            tolerance: serde_json::Value::Null,
            indicator: None,
            stated: None,
            description: r.description.clone(),
        };
        match &r.check {
            RuleCheck::Compare(c) => {
                dto.left = Some(c.left().expression.source().to_owned());
                dto.operator = Some(c.operator().as_str());
                dto.right = Some(c.right().expression.source().to_owned());
                dto.left_scope = Some(c.left().scope.as_str());
                dto.right_scope = Some(c.right().scope.as_str());
                dto.tolerance = c.tolerance().map_or(serde_json::Value::Null, decimal_json);
            }
            RuleCheck::StatedStatus { indicator, stated } => {
                dto.indicator = Some(indicator.as_str().to_owned());
                dto.stated = Some(stated.source().to_owned());
            }
        }
        dto
    }
}

/// A page of data elements.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataElementList {
    /// By code.
    pub data_elements: Vec<DataElementDto>,
    /// Cursor of the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A page of indicators.
#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorList {
    /// By code.
    pub indicators: Vec<IndicatorDto>,
    /// Cursor of the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A page of targets.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetList {
    /// In creation order.
    pub targets: Vec<TargetDto>,
    /// Cursor of the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A page of validation rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationRuleList {
    /// By code.
    pub validation_rules: Vec<ValidationRuleDto>,
    /// Cursor of the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Paging of a catalogue list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size (default 1000, at most 10000).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<u64>,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// Query of `GET /api/v1/indicators`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IndicatorQuery {
    /// Only indicators of this group.
    pub group: Option<String>,
    /// Page size (default 1000, at most 10000).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<u64>,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// Query of `GET /api/v1/targets`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetQuery {
    /// Only targets of this indicator.
    pub indicator: Option<String>,
    /// Only targets set by this org unit.
    pub org_unit: Option<String>,
    /// Page size (default 1000, at most 10000).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<u64>,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}
