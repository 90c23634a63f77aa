//! Shared conversions: decimals to JSON numbers, timestamps (cursors and page sizes are
//! `service::page`'s).

use chitieu_domain::Value as DomainValue;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

use crate::ApiError;

/// A decimal as an exact JSON number: its shortest plain decimal text (`7102`, `99.04`,
/// `999999999999.123456`), never rounded through a double. serde_json's
/// `arbitrary_precision` keeps the text as it is.
/// `None` never happens: a Decimal prints as `-?digits(.digits)?`, a valid JSON number.
pub fn decimal_number(d: Decimal) -> Option<serde_json::Number> {
    d.normalize().to_string().parse().ok()
}

/// [`decimal_number`] as a JSON value.
pub fn decimal_json(d: Decimal) -> serde_json::Value {
    decimal_number(d).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// A decimal serialised straight to an exact JSON number (as [`decimal_json`]), for response
/// bodies written by serde_json.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Num(pub Decimal);

impl serde::Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match decimal_number(self.0) {
            Some(n) => n.serialize(s),
            None => s.serialize_none(),
        }
    }
}

/// A stored value as JSON: number, boolean or string by value type.
pub fn value_json(v: &DomainValue) -> serde_json::Value {
    match v {
        DomainValue::Integer(i) => serde_json::Value::from(*i),
        DomainValue::Number(d) => decimal_json(*d),
        DomainValue::Boolean(b) => serde_json::Value::Bool(*b),
        DomainValue::Text(t) => serde_json::Value::String(t.clone()),
    }
}

/// A figure's value as JSON, `null` for a figure state.
pub fn figure_json(f: &chitieu_domain::Figure) -> serde_json::Value {
    f.value().map_or(serde_json::Value::Null, value_json)
}

/// A figure state on the wire: `no_source` (no system or body provides the figure) or
/// `pending` (being compiled).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FigureStateDto {
    /// No system or body provides the figure.
    NoSource,
    /// The figure is being compiled.
    Pending,
}

impl From<chitieu_domain::FigureState> for FigureStateDto {
    fn from(s: chitieu_domain::FigureState) -> Self {
        match s {
            chitieu_domain::FigureState::NoSource => Self::NoSource,
            chitieu_domain::FigureState::Pending => Self::Pending,
        }
    }
}

/// Microseconds since the epoch as RFC 3339 (UTC, microsecond precision).
pub fn rfc3339(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Parses an RFC 3339 time into microseconds since the epoch.
pub fn parse_rfc3339(field: &str, s: &str) -> Result<i64, ApiError> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.timestamp_micros())
        .map_err(|e| {
            ApiError::bad_request(
                "invalid_timestamp",
                format!("{field}: '{s}' is not an RFC 3339 time ({e})"),
            )
        })
}

/// Deserialises a field that may be absent (`None`), `null` (`Some(None)`) or a value.
pub fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// JSON number text (exactly as sent, see [`decimal_number`]) → exact decimal.
pub fn json_decimal(
    field: &str,
    n: &serde_json::Number,
) -> Result<Decimal, chitieu_persistence::FieldIssue> {
    chitieu_domain::parse_decimal(&n.to_string())
        .map_err(|e| chitieu_persistence::FieldIssue::new(field, e.code(), e.to_string()))
}
