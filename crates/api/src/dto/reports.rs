//! Attainment, aggregate and validation bodies.

use chitieu_persistence::{
    attainment::{AttainmentRow, TargetResult},
    validation::Violation,
};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::{common::Num, data_values::ViolationDto};
use crate::service::reports::{AggregateRow, AttainmentReport};

/// A target as checked for a row.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetResultDto {
    /// The authority that set it (an org unit code).
    pub set_by: String,
    /// Label, e.g. `national`.
    pub label: Option<String>,
    /// Operator; null for a note.
    pub operator: Option<String>,
    /// Target value; null for a note.
    #[schema(value_type = Option<f64>)]
    pub value: Option<Num>,
    /// The target's period.
    pub period: String,
    /// Met by the exact (unrounded) value; null without data, and always for a note.
    pub met: Option<bool>,
    /// A target that names no value (never met or not met); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The target as printed; absent when not given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub printed: Option<String>,
}

impl From<&TargetResult> for TargetResultDto {
    fn from(t: &TargetResult) -> Self {
        Self {
            set_by: t.set_by.as_str().to_owned(),
            label: t.label.clone(),
            operator: t.operator.map(|o| o.as_str().to_owned()),
            value: t.value.map(Num),
            period: t.period.to_string(),
            met: t.met,
            note: t.note.clone(),
            printed: t.printed.clone(),
        }
    }
}

/// One indicator for one org unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttainmentRowDto {
    /// Indicator code.
    pub indicator: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period.
    pub period: String,
    /// Numerator summed over the subtree.
    #[schema(value_type = Option<f64>)]
    pub numerator: Option<Num>,
    /// Denominator summed over the subtree.
    #[schema(value_type = Option<f64>)]
    pub denominator: Option<Num>,
    /// factor × numerator / denominator, rounded to the indicator's decimals.
    #[schema(value_type = Option<f64>)]
    pub value: Option<Num>,
    /// Applicable targets, highest authority first.
    pub targets: Vec<TargetResultDto>,
    /// `met`, `not_met`, `no_target` or `no_data`.
    pub status: &'static str,
    /// Why a row without a value has none, when figure states say so: every reference
    /// (numerator and denominator) that holds no number in the subtree over the period
    /// holds a figure state there. `no_source` when any of them has no source, else
    /// `pending`; `null` otherwise (always `null` on a row with a value).
    #[schema(required = true, nullable = true)]
    pub data_state: Option<super::common::FigureStateDto>,
}

fn opt(d: Option<rust_decimal::Decimal>) -> Option<Num> {
    d.map(Num)
}

impl AttainmentRowDto {
    /// Builds the row for `period`.
    pub fn new(r: &AttainmentRow, period: &str) -> Self {
        Self {
            indicator: r.indicator.clone(),
            org_unit: r.org_unit.as_str().to_owned(),
            period: period.to_owned(),
            numerator: opt(r.numerator),
            denominator: opt(r.denominator),
            value: opt(r.ratio.map(|x| x.rounded(r.decimals))),
            targets: r.targets.iter().map(TargetResultDto::from).collect(),
            status: r.status.as_str(),
            data_state: r.data_state.map(Into::into),
        }
    }
}

/// `GET /api/v1/attainment`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttainmentResponse {
    /// The unit asked for.
    pub org_unit: String,
    /// The period asked for (canonical form).
    pub period: String,
    /// The unit's rows, then each child's with `breakdown=children`.
    pub rows: Vec<AttainmentRowDto>,
}

impl From<&AttainmentReport> for AttainmentResponse {
    fn from(r: &AttainmentReport) -> Self {
        let period = r.period.to_string();
        Self {
            org_unit: r.org_unit.unit.code.as_str().to_owned(),
            rows: r
                .rows
                .iter()
                .map(|x| AttainmentRowDto::new(x, &period))
                .collect(),
            period,
        }
    }
}

/// Query of `GET /api/v1/attainment`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; parsed by hand to keep repeated keys
pub struct AttainmentParams {
    /// Org unit code.
    pub org_unit: String,
    /// Period, e.g. `2023-01/2023-09`.
    pub period: String,
    /// Indicator code; repeat for several (default: all).
    pub indicator: Option<Vec<String>>,
    /// Only indicators of this group.
    pub group: Option<String>,
    /// `self` (default) or `children`.
    pub breakdown: Option<String>,
}

/// One aggregated element.
#[derive(Debug, Serialize, ToSchema)]
pub struct AggregateRowDto {
    /// Data element code.
    pub data_element: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period.
    pub period: String,
    /// Aggregate over the subtree and period; null without data.
    #[schema(value_type = Option<f64>)]
    pub value: Option<Num>,
}

impl AggregateRowDto {
    /// Builds the row for `period`.
    pub fn new(r: &AggregateRow, period: &str) -> Self {
        Self {
            data_element: r.data_element.clone(),
            org_unit: r.org_unit.clone(),
            period: period.to_owned(),
            value: opt(r.value),
        }
    }
}

/// `GET /api/v1/aggregates`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AggregatesResponse {
    /// The unit's rows, then each child's with `breakdown=children`.
    pub rows: Vec<AggregateRowDto>,
}

/// Query of `GET /api/v1/aggregates`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; parsed by hand to keep repeated keys
pub struct AggregatesParams {
    /// Data element code; repeat for several.
    pub data_element: Vec<String>,
    /// Org unit code.
    pub org_unit: String,
    /// Period.
    pub period: String,
    /// `self` (default) or `children`.
    pub breakdown: Option<String>,
}

/// `GET /api/v1/validation`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValidationResponse {
    /// Every broken rule, per unit holding figures and stored period.
    pub violations: Vec<ViolationDto>,
}

impl ValidationResponse {
    /// Builds the response.
    pub fn new(v: &[Violation]) -> Self {
        Self {
            violations: v.iter().map(ViolationDto::from).collect(),
        }
    }
}

/// Query of `GET /api/v1/validation`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; parsed by hand to keep repeated keys
pub struct ValidationParams {
    /// Org unit code (its whole subtree is checked).
    pub org_unit: String,
    /// Period: stored figures whose period lies inside it are checked.
    pub period: String,
}
