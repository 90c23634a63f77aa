//! Exact numbers in GraphQL. serde_json's `arbitrary_precision` keeps every JSON number as
//! the text it was written as, in async-graphql's values too (a GraphQL number literal and a
//! number in the variables reach a resolver with their exact text). Two types keep it exact
//! on the way in and out:
//!
//! - [`JsonValue`], the `JSON` scalar (figures, audit details, metadata bundles). async-graphql's
//!   own `Json<T>` turns a value into a GraphQL value through a generic serializer, which
//!   cannot see serde_json's exact numbers and would emit them as objects; this one converts
//!   node by node and keeps each number as it is.
//! - [`ExactFloat`], an output typed `Float` in the schema whose JSON number is the exact
//!   decimal (`999999999999.123456`, `7102`) instead of the nearest double. A client that
//!   reads it as a double gets the nearest double, as before.

use std::borrow::Cow;

use async_graphql::{
    ContextSelectionSet, InputValueError, InputValueResult, Name, OutputType, Positioned, Scalar,
    ScalarType, ServerResult, Value, parser::types::Field, registry::Registry,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::dto::common::decimal_number;

/// A scalar that can represent any JSON value.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct JsonValue(pub serde_json::Value);

/// A scalar that can represent any JSON value.
#[Scalar(name = "JSON")]
impl ScalarType for JsonValue {
    fn parse(value: Value) -> InputValueResult<Self> {
        // serde_json reads its exact numbers back from async-graphql's value.
        async_graphql::from_value(value)
            .map(JsonValue)
            .map_err(InputValueError::custom)
    }

    fn to_value(&self) -> Value {
        to_graphql(&self.0)
    }
}

/// A JSON value as a GraphQL value, numbers kept exactly as they are.
fn to_graphql(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Boolean(*b),
        serde_json::Value::Number(n) => Value::Number(n.clone()),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(items) => Value::List(items.iter().map(to_graphql).collect()),
        serde_json::Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (Name::new(k), to_graphql(v)))
                .collect(),
        ),
    }
}

/// An exact decimal, typed `Float` in the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExactFloat(pub Decimal);

impl OutputType for ExactFloat {
    fn type_name() -> Cow<'static, str> {
        <f64 as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <f64 as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        _ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        Ok(decimal_number(self.0).map_or(Value::Null, Value::Number))
    }
}

impl Serialize for ExactFloat {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::dto::common::Num(self.0).serialize(s)
    }
}

impl<'de> Deserialize<'de> for ExactFloat {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = serde_json::Number::deserialize(d)?;
        chitieu_domain::parse_decimal(&n.to_string())
            .map(ExactFloat)
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn json_numbers_keep_their_exact_text() {
        let text =
            r#"{"a": 8999999999999.123456, "b": [0.5000000000000000000000000000000001, 1E+3, -0]}"#;
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(v["a"].to_string(), "8999999999999.123456");
        assert_eq!(
            v["b"][0].to_string(),
            "0.5000000000000000000000000000000001"
        );
        assert_eq!(v["b"][1].to_string(), "1e+3");
        assert_eq!(v["b"][2].to_string(), "-0");
    }

    #[test]
    fn the_json_scalar_round_trips_exact_numbers() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"x": [999999999999.123456, 7, true, "s", null]}"#).unwrap();
        let graphql = JsonValue(v.clone()).to_value();
        assert_eq!(
            serde_json::to_string(&graphql).unwrap(),
            r#"{"x":[999999999999.123456,7,true,"s",null]}"#
        );
        assert_eq!(JsonValue::parse(graphql).unwrap(), JsonValue(v));
        // A GraphQL literal or variable arrives as a Number with its text.
        let literal = Value::Number("0.5000000000000000000000000000000001".parse().unwrap());
        assert_eq!(
            JsonValue::parse(literal).unwrap().0.to_string(),
            "0.5000000000000000000000000000000001"
        );
    }

    #[test]
    fn exact_floats_print_and_read_back_exactly() {
        let d: Decimal = "2147483647000000000000.000001".parse().unwrap();
        let text = serde_json::to_string(&ExactFloat(d)).unwrap();
        assert_eq!(text, "2147483647000000000000.000001");
        let back: ExactFloat = serde_json::from_str(&text).unwrap();
        assert_eq!(back, ExactFloat(d));
        let whole: Decimal = "10905.000".parse().unwrap();
        assert_eq!(serde_json::to_string(&ExactFloat(whole)).unwrap(), "10905");
    }
}
