//! Data value sets (submission) and data value reads.

use chitieu_persistence::{changes::Change, data_values::StoredDataValue, validation::Violation};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::common::{FigureStateDto, decimal_json, double_option, figure_json, rfc3339};
use crate::{
    ApiError,
    service::submit::{
        Conflict, FigureInput, MAX_VALUES_PER_SET, SetInput, SubmitResult, SubmittedValue,
        check_size,
    },
};

/// One figure in a data value set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataValueInput {
    /// Data element code.
    #[schema(example = "DOC_OUT_SW")]
    pub data_element: String,
    /// The value: a JSON number for integer/number elements (read exactly; |integer| ≤ 10^15,
    /// |number| ≤ 10^12 with at most 6 decimals), a boolean, or a string for text. `null`
    /// deletes the stored value.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = submitted_value_schema, required = true)]
    pub value: Option<Option<serde_json::Value>>,
    /// Optional comment.
    pub comment: Option<String>,
    /// Overrides the set's org unit.
    pub org_unit: Option<String>,
    /// Overrides the set's period.
    pub period: Option<String>,
    /// A figure state in place of the value: `no_source` (no system or body provides the
    /// figure) or `pending` (being compiled). The entry then carries no value (absent or
    /// `null`), else it is the conflict `state_with_value`; any other state is
    /// `invalid_state`. Stored, counted and audited like a value; sums, rules and outliers
    /// skip it.
    #[schema(example = "no_source")]
    pub state: Option<String>,
}

/// A submitted value: a number, a boolean or a string by the element's value type; `null`
/// deletes.
fn submitted_value_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![
            Type::Number,
            Type::Boolean,
            Type::String,
            Type::Null,
        ]))
        .description(Some(
            "A JSON number for integer/number elements, a boolean, or a string for text; `null` deletes the stored value. \
             Numbers are read exactly as written, never through a double: an `integer` is a plain integer literal with |v| ≤ 10^15; \
             a `number` has at most 6 decimals and |v| ≤ 10^12 (exponent form allowed when exact, `1e3` is 1000). \
             A number beyond these bounds refuses the set with the conflict `value_out_of_range`; more decimals than allowed, `invalid_value` (never rounded).",
        ))
        .examples([serde_json::json!(1582)])
        .build()
}

/// `POST /api/v1/data-value-sets` (JSON).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"org_unit": "VT-P1", "period": "2023-01/2023-09",
    "data_values": [{"data_element": "DOC_OUT_SW", "value": 1582, "comment": null}]}))]
pub struct DataValueSetRequest {
    /// Default org unit of every entry.
    pub org_unit: Option<String>,
    /// Default period of every entry.
    pub period: Option<String>,
    /// The figures, at most 100 000.
    #[schema(value_type = Vec<DataValueInput>)]
    pub data_values: SetValues,
}

/// The figures of a set as read: at most [`MAX_VALUES_PER_SET`] are built; any further ones
/// are only counted (parsed and dropped), so an oversized set costs no more memory than a
/// full one before it is refused.
#[derive(Debug, Default)]
pub struct SetValues {
    kept: Vec<DataValueInput>,
    total: usize,
}

impl<'de> Deserialize<'de> for SetValues {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Bounded;
        impl<'de> serde::de::Visitor<'de> for Bounded {
            type Value = SetValues;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of data values")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<SetValues, A::Error> {
                let mut kept = Vec::new();
                while kept.len() < MAX_VALUES_PER_SET {
                    match seq.next_element()? {
                        Some(v) => kept.push(v),
                        None => {
                            let total = kept.len();
                            return Ok(SetValues { kept, total });
                        }
                    }
                }
                let mut total = kept.len();
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {
                    total += 1;
                }
                Ok(SetValues { kept, total })
            }
        }
        d.deserialize_seq(Bounded)
    }
}

impl DataValueSetRequest {
    /// The neutral set; 413 when it has more than [`MAX_VALUES_PER_SET`] values.
    pub fn into_set(self) -> Result<SetInput, ApiError> {
        let DataValueSetRequest {
            org_unit,
            period,
            data_values,
        } = self;
        check_size(data_values.total)?;
        Ok(SetInput {
            org_unit,
            period,
            values: data_values
                .kept
                .into_iter()
                .map(|v| FigureInput {
                    data_element: v.data_element,
                    value: match v.value {
                        None => SubmittedValue::Missing,
                        Some(v) => SubmittedValue::Json(v.unwrap_or(serde_json::Value::Null)),
                    },
                    comment: v.comment,
                    org_unit: v.org_unit,
                    period: v.period,
                    state: v.state,
                })
                .collect(),
        })
    }
}

/// A refused row.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConflictDto {
    /// Position in `data_values` (CSV: data row counted from 0).
    pub index: usize,
    /// Stable code, e.g. `overlapping_period`.
    pub code: String,
    /// Explanation.
    pub message: String,
}

impl From<&Conflict> for ConflictDto {
    fn from(c: &Conflict) -> Self {
        Self {
            index: c.index,
            code: c.code.clone(),
            message: c.message.clone(),
        }
    }
}

/// A validation rule broken by stored figures.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ViolationDto {
    /// Rule code.
    pub rule: String,
    /// Org unit holding the figures.
    pub org_unit: String,
    /// Period of the figures.
    pub period: String,
    /// Left side's value.
    #[schema(value_type = f64)]
    pub left: serde_json::Value,
    /// Operator.
    pub operator: String,
    /// Right side's value.
    #[schema(value_type = f64)]
    pub right: serde_json::Value,
    /// Explanation.
    pub message: String,
}

impl From<&Violation> for ViolationDto {
    fn from(v: &Violation) -> Self {
        Self {
            rule: v.rule.clone(),
            org_unit: v.org_unit.clone(),
            period: v.period.to_string(),
            left: decimal_json(v.left),
            operator: v.operator.as_str().to_owned(),
            right: decimal_json(v.right),
            message: v.message.clone(),
        }
    }
}

/// Result of a data value set (200, or 409 with `status: error`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportSummary {
    /// `success`, `warning` (stored, but rules are broken) or `error` (nothing stored).
    #[schema(example = "success")]
    pub status: String,
    /// True when nothing was stored because of `?dry_run=true`.
    pub dry_run: bool,
    /// New values.
    pub imported: u64,
    /// Changed values.
    pub updated: u64,
    /// Values already as given.
    pub unchanged: u64,
    /// Deleted values.
    pub deleted: u64,
    /// Refused rows (only with `status: error`).
    pub conflicts: Vec<ConflictDto>,
    /// Validation rules the stored figures now break.
    pub violations: Vec<ViolationDto>,
}

impl From<&SubmitResult> for ImportSummary {
    fn from(r: &SubmitResult) -> Self {
        Self {
            status: r.status.as_str().to_owned(),
            dry_run: r.dry_run,
            imported: r.imported,
            updated: r.updated,
            unchanged: r.unchanged,
            deleted: r.deleted,
            conflicts: r.conflicts.iter().map(ConflictDto::from).collect(),
            violations: r.violations.iter().map(ViolationDto::from).collect(),
        }
    }
}

/// Query of `POST /api/v1/data-value-sets`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DryRunQuery {
    /// Check and answer exactly as a real request would, storing nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// A stored figure, or in an incremental pull (`updated_since`) also a deletion marker.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"data_element": "DOC_OUT_SW", "org_unit": "VT-P1", "period": "2023-01/2023-09",
    "value": 1582, "state": null, "comment": null, "updated_at": "2023-10-05T08:30:00.123456Z", "updated_by": "token:p1-system"}))]
pub struct DataValueDto {
    /// Data element code.
    pub data_element: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period (canonical form).
    pub period: String,
    /// Number, boolean or string by the element's value type; `null` on a deletion marker
    /// and on a figure state.
    #[schema(schema_with = stored_value_schema)]
    pub value: serde_json::Value,
    /// The figure state in place of a value (`value` is then `null`); `null` otherwise.
    #[schema(required = true, nullable = true)]
    pub state: Option<FigureStateDto>,
    /// Comment.
    pub comment: Option<String>,
    /// Last change (RFC 3339, UTC); for a deletion marker, when it was deleted.
    pub updated_at: String,
    /// Who made the last change (or the deletion).
    pub updated_by: String,
    /// Present, and `true`, only on a deletion marker of an incremental pull: the figure was
    /// deleted and `value` is `null`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[schema(default = false)]
    pub deleted: bool,
}

/// A stored value in a response: a number, a boolean or a string; `null` on a deletion.
fn stored_value_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![
            Type::Number,
            Type::Boolean,
            Type::String,
            Type::Null,
        ]))
        .description(Some(
            "Number, boolean or string by the element's value type; `null` on a deletion marker and on a figure state. \
             Numbers are the exact stored decimal (at most 6 decimals), never rounded to a double.",
        ))
        .build()
}

impl From<&StoredDataValue> for DataValueDto {
    fn from(v: &StoredDataValue) -> Self {
        Self {
            data_element: v.data_element.clone(),
            org_unit: v.org_unit.clone(),
            period: v.period.to_string(),
            value: figure_json(&v.figure),
            state: v.figure.state().map(Into::into),
            comment: v.comment.clone(),
            updated_at: rfc3339(v.updated_at),
            updated_by: v.updated_by.clone(),
            deleted: false,
        }
    }
}

impl From<&Change> for DataValueDto {
    fn from(c: &Change) -> Self {
        Self {
            data_element: c.data_element.clone(),
            org_unit: c.org_unit.clone(),
            period: c.period.to_string(),
            value: c
                .figure
                .as_ref()
                .map_or(serde_json::Value::Null, figure_json),
            state: c
                .figure
                .as_ref()
                .and_then(chitieu_domain::Figure::state)
                .map(Into::into),
            comment: c.comment.clone(),
            updated_at: rfc3339(c.key.at),
            updated_by: c.changed_by.clone(),
            deleted: c.figure.is_none(),
        }
    }
}

/// A page of stored figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataValueList {
    /// Figures in storage order; with `updated_since`, changes (deletions included) in the
    /// order they were made.
    pub data_values: Vec<DataValueDto>,
    /// Cursor of the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Query of `GET /api/v1/data-values`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DataValueQuery {
    /// Org unit code (the unit itself, or its subtree with `children=true`).
    pub org_unit: Option<String>,
    /// Include every unit below `org_unit`.
    #[serde(default)]
    pub children: bool,
    /// Only figures whose period lies inside this one.
    pub period: Option<String>,
    /// Only this data element.
    pub data_element: Option<String>,
    /// Incremental pull: only what changed at or after this RFC 3339 time, deletions
    /// included (marked `deleted: true`), in the order of the changes. Pass the
    /// `Chitieu-Next-Updated-Since` header of the last page of the previous pull.
    #[param(example = "2023-10-01T00:00:00Z")]
    pub updated_since: Option<String>,
    /// Page size (default 1000, at most 10000).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<u64>,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}

/// `PUT /api/v1/data-values/{data_element}/{org_unit}/{period}`: the value to store.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"value": 1582, "comment": "đã rà soát"}))]
pub struct DataValueWrite {
    /// The value, read as in a data value set (a number, a boolean or a string by the
    /// element's value type); not `null` (`DELETE` removes a figure) unless `state` is given.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = submitted_value_schema)]
    pub value: Option<Option<serde_json::Value>>,
    /// A figure state in place of the value (`no_source`, `pending`): then no value, or
    /// `null` (else 422 `state_with_value`); another state is 422 `invalid_state`.
    #[schema(example = "pending")]
    pub state: Option<String>,
    /// Optional comment (at most 2 000 characters).
    pub comment: Option<String>,
}

impl DataValueWrite {
    /// The figure the service stores.
    pub fn into_figure(self) -> crate::service::single_value::NewFigure {
        crate::service::single_value::NewFigure {
            value: self.value.map(|v| v.unwrap_or(serde_json::Value::Null)),
            state: self.state,
            comment: self.comment,
        }
    }
}
