//! Shared conversions: decimals to JSON numbers, timestamps, pagination cursors.

use base64::Engine;
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

/// Encodes a pagination position as an opaque cursor.
pub fn encode_cursor(position: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(position.as_bytes())
}

/// Decodes a cursor made by [`encode_cursor`].
pub fn decode_cursor(cursor: &str) -> Result<String, ApiError> {
    let bad = || ApiError::bad_request("invalid_cursor", "the cursor is not one this API issued");
    if cursor.is_empty() {
        return Err(bad());
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| bad())?;
    // Every position this API encodes is single-line text; a forged one with NUL or another
    // control character must not reach a query.
    String::from_utf8(bytes)
        .ok()
        .filter(|s| chitieu_domain::TextKind::SingleLine.check(s).is_ok())
        .ok_or_else(bad)
}

/// Decodes a cursor that carries a row id (of the table whose id type is `I`).
pub fn decode_id_cursor<I: std::str::FromStr>(cursor: Option<&str>) -> Result<Option<I>, ApiError> {
    cursor
        .map(|c| {
            decode_cursor(c)?.parse::<I>().map_err(|_| {
                ApiError::bad_request("invalid_cursor", "the cursor is not one this API issued")
            })
        })
        .transpose()
}

/// Splits a fetched `limit + 1` page into the page and the cursor of the next one (`key`
/// gives the position of the last item shown).
pub fn split_page<T>(
    mut items: Vec<T>,
    limit: u64,
    key: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let more = items.len() as u64 > limit;
    items.truncate(limit as usize);
    let next = items
        .last()
        .filter(|_| more)
        .map(|t| encode_cursor(&key(t)));
    (items, next)
}

/// Checks a requested page size against the default and maximum of a list.
pub fn page_size(limit: Option<u64>, default: u64, max: u64) -> Result<u64, ApiError> {
    match limit {
        None => Ok(default),
        Some(0) => Err(ApiError::bad_request(
            "invalid_limit",
            "limit must be at least 1",
        )),
        Some(n) if n > max => Err(ApiError::bad_request(
            "invalid_limit",
            format!("limit may be at most {max}"),
        )),
        Some(n) => Ok(n),
    }
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
