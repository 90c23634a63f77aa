//! The reporting-cycle lists of the metadata bundle (`data_sets`, `indicator_groups`,
//! `min_max`) and their translation into domain types, every problem with its place.

use chitieu_domain::{
    Bounds, DataElementCode, DataSet, DataSetCode, DomainError, GroupCode, IndicatorGroup, MinMax,
    OrgUnitCode, PeriodType, Schedule, UnitKind, UnitName, Weight,
    data_set::{MAX_ASSIGNED_KINDS, MAX_ASSIGNED_UNITS, MAX_DATA_SET_ELEMENTS},
};
use chitieu_persistence::{FieldIssue, metadata::MetadataBundle};
use serde::Deserialize;
use utoipa::ToSchema;

use super::common::json_decimal;

/// A data set (form) to create or update; its lists replace the stored ones.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataSetInput {
    /// Stable code.
    #[schema(example = "DX_WARD_Q")]
    pub code: String,
    /// Name.
    #[schema(example = "Báo cáo chuyển đổi số quý (phường, xã)")]
    pub name: String,
    /// `month`, `quarter`, `half`, `nine_months` or `year`.
    #[schema(example = "quarter")]
    pub period_type: String,
    /// The data elements of the form (at most 10 000).
    pub data_elements: Vec<String>,
    /// Every unit of these kinds reports the set (at most 100).
    #[serde(default)]
    pub assigned_kinds: Vec<String>,
    /// These units report it too (at most 10 000).
    #[serde(default)]
    pub assigned_units: Vec<String>,
    /// Day of the period's last month when its data closes, 1–31; absent: the last day.
    #[schema(example = 14)]
    pub cutoff_day: Option<i64>,
    /// Days after the cut-off until the report is due (0–366).
    #[schema(example = 2)]
    pub due_days: i64,
    /// Days after the due date until the parent's approval is due (0–366).
    #[schema(example = 3)]
    pub approval_due_days: i64,
    /// Days after the due date when reporters can no longer change the figures (0–366).
    pub lock_after_days: Option<i64>,
}

/// An indicator group (the `group` of indicators) with its weight in the composite index.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorGroupInput {
    /// Group code.
    #[schema(example = "I")]
    pub code: String,
    /// Name.
    #[schema(example = "Chính quyền số")]
    pub name: String,
    /// Weight, 0 to 1 000 000 with at most 6 decimals.
    #[schema(value_type = f64, example = 30)]
    pub weight: serde_json::Number,
}

/// Fixed bounds of one data element's figures for one unit (the `min_max` outlier check).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinMaxInput {
    /// Data element code.
    pub data_element: String,
    /// The unit the bounds are for (that unit only).
    pub org_unit: String,
    /// Lower bound.
    #[schema(value_type = Option<f64>)]
    pub min: Option<serde_json::Number>,
    /// Upper bound.
    #[schema(value_type = Option<f64>)]
    pub max: Option<serde_json::Number>,
}

/// Records the problems of one item.
struct Item<'a> {
    issues: &'a mut Vec<FieldIssue>,
    prefix: String,
}

impl Item<'_> {
    fn take<T>(&mut self, field: &str, r: Result<T, DomainError>) -> Option<T> {
        r.map_err(|e| self.push(field, e.code(), e.to_string()))
            .ok()
    }

    fn push(&mut self, field: &str, code: &'static str, message: String) {
        let at = if field.is_empty() {
            self.prefix.clone()
        } else {
            format!("{}.{field}", self.prefix)
        };
        self.issues.push(FieldIssue::new(at, code, message));
    }

    /// Each code of a bounded list parsed; `None` when the list is too long or a code failed.
    fn list<T>(
        &mut self,
        field: &str,
        items: &[String],
        max: usize,
        parse: impl Fn(&str) -> Result<T, DomainError>,
    ) -> Option<Vec<T>> {
        if items.len() > max {
            let message = format!("{} items; at most {max}", items.len());
            self.push(field, "too_many_items", message);
            return None;
        }
        let parsed: Vec<Option<T>> = (items.iter()).map(|s| self.take(field, parse(s))).collect();
        parsed.into_iter().collect()
    }
}

fn item<'a>(issues: &'a mut Vec<FieldIssue>, list: &str, i: usize) -> Item<'a> {
    Item {
        issues,
        prefix: format!("{list}[{i}]"),
    }
}

/// Translates the three lists into `bundle`, adding the problems to `issues`.
pub(super) fn translate(
    data_sets: Vec<DataSetInput>,
    groups: Vec<IndicatorGroupInput>,
    bounds: Vec<MinMaxInput>,
    bundle: &mut MetadataBundle,
    issues: &mut Vec<FieldIssue>,
) {
    for (i, d) in data_sets.into_iter().enumerate() {
        if let Some(set) = data_set(&mut item(issues, "data_sets", i), &d) {
            bundle.data_sets.push((i, set));
        }
    }
    for (i, g) in groups.into_iter().enumerate() {
        let mut c = item(issues, "indicator_groups", i);
        let code = c.take("code", GroupCode::parse(&g.code));
        let name = c.take("name", UnitName::parse(&g.name));
        let weight = c.take("weight", Weight::parse(&g.weight.to_string()));
        if let (Some(code), Some(name), Some(weight)) = (code, name, weight) {
            let group = IndicatorGroup { code, name, weight };
            bundle.indicator_groups.push((i, group));
        }
    }
    for (i, m) in bounds.into_iter().enumerate() {
        let mut c = item(issues, "min_max", i);
        let data_element = c.take("data_element", DataElementCode::parse(&m.data_element));
        let org_unit = c.take("org_unit", OrgUnitCode::parse(&m.org_unit));
        let mut number = |field: &str, n: &Option<serde_json::Number>| match n {
            None => Some(None),
            Some(n) => match json_decimal(&format!("{}.{field}", c.prefix), n) {
                Ok(d) => Some(Some(d)),
                Err(issue) => {
                    c.issues.push(issue);
                    None
                }
            },
        };
        let (min, max) = (number("min", &m.min), number("max", &m.max));
        let bounds = match (min, max) {
            (Some(min), Some(max)) => c.take("", Bounds::new(min, max)),
            _ => None,
        };
        if let (Some(data_element), Some(org_unit), Some(bounds)) = (data_element, org_unit, bounds)
        {
            let bound = MinMax {
                data_element,
                org_unit,
                bounds,
            };
            bundle.min_max.push((i, bound));
        }
    }
}

fn data_set(c: &mut Item<'_>, d: &DataSetInput) -> Option<DataSet> {
    let code = c.take("code", DataSetCode::parse(&d.code));
    let name = c.take("name", UnitName::parse(&d.name));
    let period_type = c.take("period_type", PeriodType::parse(&d.period_type));
    let schedule = Schedule::new(
        d.cutoff_day,
        d.due_days,
        d.approval_due_days,
        d.lock_after_days,
    )
    .map_err(|e| {
        let field = match &e {
            DomainError::InvalidSchedule { field, .. } => *field,
            _ => "",
        };
        c.push(field, e.code(), e.to_string());
    })
    .ok();
    let elements = c.list(
        "data_elements",
        &d.data_elements,
        MAX_DATA_SET_ELEMENTS,
        DataElementCode::parse,
    );
    let kinds = c.list(
        "assigned_kinds",
        &d.assigned_kinds,
        MAX_ASSIGNED_KINDS,
        UnitKind::parse,
    );
    let units = c.list(
        "assigned_units",
        &d.assigned_units,
        MAX_ASSIGNED_UNITS,
        OrgUnitCode::parse,
    );
    Some(DataSet {
        code: code?,
        name: name?,
        period_type: period_type?,
        schedule: schedule?,
        data_elements: elements?,
        assigned_kinds: kinds?,
        assigned_units: units?,
    })
}
