//! The neutral request: a data value set as an edge received it (JSON over REST, GraphQL
//! input, CSV rows), and the one row builder that applies the set's defaults.

use chitieu_domain::ValueInput;
use chitieu_persistence::submission::{RawRow, RawValue};

/// A data value set before its defaults are applied.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SetInput {
    /// Default org unit of every figure.
    pub org_unit: Option<String>,
    /// Default period of every figure.
    pub period: Option<String>,
    /// The figures, in the order they were sent.
    pub values: Vec<FigureInput>,
}

/// One figure as sent.
#[derive(Clone, Debug, PartialEq)]
pub struct FigureInput {
    /// Data element code.
    pub data_element: String,
    /// The value.
    pub value: SubmittedValue,
    /// Optional comment.
    pub comment: Option<String>,
    /// Overrides the set's org unit.
    pub org_unit: Option<String>,
    /// Overrides the set's period.
    pub period: Option<String>,
    /// A figure state (`no_source`, `pending`) in place of the value, as sent; checked with
    /// the row (`invalid_state`, `state_with_value`).
    pub state: Option<String>,
}

/// A figure's value as sent.
#[derive(Clone, Debug, PartialEq)]
pub enum SubmittedValue {
    /// No value at all (JSON without the field): refused, never read as a deletion.
    Missing,
    /// A JSON value; `null` deletes. A number keeps its exact literal (serde_json's
    /// `arbitrary_precision`), so the domain reads it digit for digit, never via a double.
    Json(serde_json::Value),
    /// A CSV cell, read by the element's value type; an empty cell deletes.
    Cell(String),
    /// A row refused before its content is read (e.g. a CSV row with the wrong number of
    /// cells); the text says why.
    Refused(&'static str),
}

impl SetInput {
    /// The rows with the set's defaults applied: the one row builder of every edge.
    pub fn into_rows(self) -> Vec<RawRow> {
        let SetInput {
            org_unit,
            period,
            values,
        } = self;
        values
            .into_iter()
            .map(|v| RawRow {
                org_unit: v.org_unit.or_else(|| org_unit.clone()),
                period: v.period.or_else(|| period.clone()),
                data_element: v.data_element,
                value: raw_value(v.value, v.state.is_some()),
                comment: v.comment,
                state: v.state,
            })
            .collect()
    }
}

/// The value of a row; with a state, no value at all stands for none (the state's own form).
fn raw_value(value: SubmittedValue, with_state: bool) -> RawValue {
    match value {
        SubmittedValue::Missing if with_state => RawValue::Delete,
        SubmittedValue::Missing => RawValue::Unsupported("no value field (send null to delete)"),
        SubmittedValue::Refused(why) => RawValue::Unsupported(why),
        SubmittedValue::Cell(cell) if cell.is_empty() => RawValue::Delete,
        SubmittedValue::Cell(cell) => RawValue::Csv(cell),
        SubmittedValue::Json(json) => match json {
            serde_json::Value::Null => RawValue::Delete,
            serde_json::Value::Number(n) => RawValue::Json(ValueInput::Number(n.to_string())),
            serde_json::Value::Bool(b) => RawValue::Json(ValueInput::Bool(b)),
            serde_json::Value::String(s) => RawValue::Json(ValueInput::Text(s)),
            serde_json::Value::Array(_) => RawValue::Unsupported("an array"),
            serde_json::Value::Object(_) => RawValue::Unsupported("an object"),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::*;

    fn figure(value: SubmittedValue) -> FigureInput {
        FigureInput {
            data_element: "DE".into(),
            value,
            comment: None,
            org_unit: None,
            period: None,
            state: None,
        }
    }

    #[test]
    fn a_figure_overrides_the_set_defaults_field_by_field() {
        let set = SetInput {
            org_unit: Some("VT".into()),
            period: Some("2023".into()),
            values: vec![
                figure(SubmittedValue::Json(json!(1))),
                FigureInput {
                    org_unit: Some("VT-P1".into()),
                    comment: Some("c".into()),
                    ..figure(SubmittedValue::Json(json!(2)))
                },
                FigureInput {
                    period: Some("2023Q1".into()),
                    ..figure(SubmittedValue::Json(json!(3)))
                },
            ],
        };
        let rows = set.into_rows();
        let at: Vec<_> = rows
            .iter()
            .map(|r| {
                (
                    r.org_unit.as_deref(),
                    r.period.as_deref(),
                    r.comment.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            at,
            [
                (Some("VT"), Some("2023"), None),
                (Some("VT-P1"), Some("2023"), Some("c")),
                (Some("VT"), Some("2023Q1"), None),
            ]
        );
    }

    #[test]
    fn values_are_read_the_same_whichever_edge_sent_them() {
        let number: serde_json::Value = serde_json::from_str("1.500").unwrap();
        let cases = [
            (
                SubmittedValue::Json(number),
                RawValue::Json(ValueInput::Number("1.500".into())),
            ),
            (
                SubmittedValue::Json(json!(true)),
                RawValue::Json(ValueInput::Bool(true)),
            ),
            (
                SubmittedValue::Json(json!("x")),
                RawValue::Json(ValueInput::Text("x".into())),
            ),
            (SubmittedValue::Json(json!(null)), RawValue::Delete),
            (
                SubmittedValue::Json(json!([1])),
                RawValue::Unsupported("an array"),
            ),
            (
                SubmittedValue::Json(json!({})),
                RawValue::Unsupported("an object"),
            ),
            (
                SubmittedValue::Missing,
                RawValue::Unsupported("no value field (send null to delete)"),
            ),
            (SubmittedValue::Cell(String::new()), RawValue::Delete),
            (
                SubmittedValue::Cell("4.602".into()),
                RawValue::Csv("4.602".into()),
            ),
            (SubmittedValue::Refused("why"), RawValue::Unsupported("why")),
        ];
        for (sent, read) in cases {
            let set = SetInput {
                values: vec![figure(sent)],
                ..SetInput::default()
            };
            assert_eq!(set.into_rows()[0].value, read);
        }
    }
}
