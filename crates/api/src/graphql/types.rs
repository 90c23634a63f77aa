//! GraphQL objects, built from the read side's domain results (never from sea-orm models).

use async_graphql::{Enum, SimpleObject};
use chitieu_persistence::{
    attainment::{AttainmentRow, TargetResult},
    validation::Violation,
};
use rust_decimal::Decimal;

use super::numbers::ExactFloat;
use crate::service::reports::{AggregateRow, Breakdown};

/// Numbers come out exact: typed `Float`, printed as the exact decimal.
fn f(d: Decimal) -> ExactFloat {
    ExactFloat(d)
}

/// Which rows a report has.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
#[graphql(name = "Breakdown")]
pub enum BreakdownGql {
    /// Only the unit asked for.
    #[default]
    SelfOnly,
    /// The unit asked for, then each direct child.
    Children,
}

impl From<BreakdownGql> for Breakdown {
    fn from(b: BreakdownGql) -> Self {
        match b {
            BreakdownGql::SelfOnly => Breakdown::SelfOnly,
            BreakdownGql::Children => Breakdown::Children,
        }
    }
}

/// Attainment status.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum AttainmentStatus {
    /// Every applicable target is met.
    Met,
    /// At least one applicable target is not met.
    NotMet,
    /// Data, but no applicable target.
    NoTarget,
    /// No value (no data or a zero denominator).
    NoData,
}

impl From<chitieu_domain::Status> for AttainmentStatus {
    fn from(s: chitieu_domain::Status) -> Self {
        match s {
            chitieu_domain::Status::Met => Self::Met,
            chitieu_domain::Status::NotMet => Self::NotMet,
            chitieu_domain::Status::NoTarget => Self::NoTarget,
            chitieu_domain::Status::NoData => Self::NoData,
        }
    }
}

/// A target as checked for one row.
#[derive(SimpleObject)]
pub struct TargetCheck {
    /// Code of the authority (org unit) that set the target.
    pub set_by: String,
    /// Label, e.g. `national`.
    pub label: Option<String>,
    /// Operator: `>=`, `>`, `<=`, `<` or `==`; null for a note.
    pub operator: Option<String>,
    /// Target value; null for a note.
    pub value: Option<ExactFloat>,
    /// The target's period.
    pub period: String,
    /// Whether the exact value meets it; null without data, and always for a note.
    pub met: Option<bool>,
    /// A target that names no value (never met or not met).
    pub note: Option<String>,
    /// The target as printed.
    pub printed: Option<String>,
}

impl From<&TargetResult> for TargetCheck {
    fn from(t: &TargetResult) -> Self {
        Self {
            set_by: t.set_by.as_str().to_owned(),
            label: t.label.clone(),
            operator: t.operator.map(|o| o.as_str().to_owned()),
            value: t.value.map(f),
            period: t.period.to_string(),
            met: t.met,
            note: t.note.clone(),
            printed: t.printed.clone(),
        }
    }
}

/// One indicator for one org unit.
#[derive(SimpleObject)]
#[graphql(name = "AttainmentRow")]
pub struct AttainmentRowGql {
    /// Indicator code.
    pub indicator: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period.
    pub period: String,
    /// Numerator summed over the subtree.
    pub numerator: Option<ExactFloat>,
    /// Denominator summed over the subtree.
    pub denominator: Option<ExactFloat>,
    /// factor × numerator / denominator, rounded to the indicator's decimals.
    pub value: Option<ExactFloat>,
    /// Applicable targets, highest authority first.
    pub targets: Vec<TargetCheck>,
    /// Overall status.
    pub status: AttainmentStatus,
    /// Why a row without a value has none, when figure states say so (see REST's
    /// `data_state`): `NO_SOURCE` if any missing reference has no source, else `PENDING`.
    pub data_state: Option<super::data::FigureStateGql>,
}

impl AttainmentRowGql {
    /// Builds the row for `period`.
    pub fn new(r: &AttainmentRow, period: &str) -> Self {
        Self {
            indicator: r.indicator.clone(),
            org_unit: r.org_unit.as_str().to_owned(),
            period: period.to_owned(),
            numerator: r.numerator.map(f),
            denominator: r.denominator.map(f),
            value: r.ratio.map(|x| f(x.rounded(r.decimals))),
            targets: r.targets.iter().map(TargetCheck::from).collect(),
            status: r.status.into(),
            data_state: r.data_state.map(Into::into),
        }
    }
}

/// One data element aggregated for one org unit.
#[derive(SimpleObject)]
#[graphql(name = "AggregateRow")]
pub struct AggregateRowGql {
    /// Data element code.
    pub data_element: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period.
    pub period: String,
    /// The aggregate; null without data.
    pub value: Option<ExactFloat>,
}

impl AggregateRowGql {
    /// Builds the row for `period`.
    pub fn new(r: &AggregateRow, period: &str) -> Self {
        Self {
            data_element: r.data_element.clone(),
            org_unit: r.org_unit.clone(),
            period: period.to_owned(),
            value: r.value.map(f),
        }
    }
}

/// A validation rule broken by one unit's figures for one period.
#[derive(SimpleObject, Clone, serde::Serialize, serde::Deserialize)]
#[graphql(name = "Violation")]
pub struct ViolationGql {
    /// Rule code.
    pub rule: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period of the figures.
    pub period: String,
    /// Left side's value.
    pub left: ExactFloat,
    /// Operator.
    pub operator: String,
    /// Right side's value.
    pub right: ExactFloat,
    /// Explanation.
    pub message: String,
}

impl From<&Violation> for ViolationGql {
    fn from(v: &Violation) -> Self {
        Self {
            rule: v.rule.clone(),
            org_unit: v.org_unit.clone(),
            period: v.period.to_string(),
            left: f(v.left),
            operator: v.operator.as_str().to_owned(),
            right: f(v.right),
            message: v.message.clone(),
        }
    }
}
