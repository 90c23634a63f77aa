//! Value types of data elements and strict checking of submitted values.
//!
//! Checking never coerces silently: a JSON string is never a number, a
//! decimal is never an integer, and CSV cells must be written exactly in
//! the canonical form of their type.

use std::fmt;

use rust_decimal::Decimal;

use crate::error::{DomainError, echo};
use crate::literal::{Literal, Syntax};
use crate::text::{TextKind, nfc};

/// Largest magnitude of an `integer` value: 10^15. Together with
/// [`MAX_NUMBER_MAGNITUDE`] it keeps every stored figure within
/// [`crate::sum::MAX_STORED_MAGNITUDE`] = 10^18, which is what makes every sum
/// exact (see [`crate::sum`]); 10^15 also leaves a sum of up to 2^31 figures
/// (≤ 2.2 × 10^24) three digits of `Decimal` headroom for indicator factors.
pub const MAX_INTEGER_MAGNITUDE: i64 = 1_000_000_000_000_000;

/// Largest magnitude of a `number` value: 10^12. Numbers are stored as
/// fixed-point micro-units in an `i64`, so a stored number is at most
/// 10^18 = [`crate::sum::MAX_STORED_MAGNITUDE`]; a sum of up to 2^31 of them
/// (≤ 2.2 × 10^21, with 6 decimals) still fits a `Decimal` exactly.
pub const MAX_NUMBER_MAGNITUDE: i64 = 1_000_000_000_000;

/// Most fractional digits a `number` value may have.
pub const NUMBER_SCALE: u32 = 6;

/// Longest `text` value, in characters (after NFC normalisation).
pub const MAX_TEXT_CHARS: usize = 50_000;

/// The type of the values a data element holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueType {
    /// Whole numbers, |v| ≤ 10^15.
    Integer,
    /// Decimals with at most 6 fractional digits, |v| ≤ 10^12.
    Number,
    /// `true` or `false`.
    Boolean,
    /// Free text, 1 to 50 000 characters.
    Text,
}

impl ValueType {
    /// Parse `integer`, `number`, `boolean` or `text` (lowercase, exact).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "integer" => Ok(Self::Integer),
            "number" => Ok(Self::Number),
            "boolean" => Ok(Self::Boolean),
            "text" => Ok(Self::Text),
            _ => Err(DomainError::InvalidValueType { input: echo(s) }),
        }
    }

    /// The lowercase name accepted by [`parse`](Self::parse).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Integer => "integer",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Text => "text",
        }
    }

    /// Check a value that arrived in JSON, strictly (see [`ValueInput`]).
    /// The literal is read exactly, as the client wrote it: nothing is ever
    /// rounded.
    ///
    /// * `integer`: a number literal that is a plain integer with
    ///   |v| ≤ 10^15 (`12.5`, `12.0` and `1e3` are rejected);
    /// * `number`: a number literal, plain or exponent form, with at most 6
    ///   fractional digits once trailing zeros are dropped and |v| ≤ 10^12
    ///   (`1e3` is 1000; `0.1234567` and `1e-7` are rejected, not rounded);
    /// * `boolean`: a JSON boolean;
    /// * `text`: a JSON string, NFC-normalised, 1 to 50 000 characters.
    ///
    /// A JSON string is never accepted as a number or boolean. A well-formed
    /// value beyond the bounds of its type is [`DomainError::ValueOutOfRange`];
    /// anything else that does not fit is [`DomainError::InvalidValue`].
    pub fn check_json(self, input: &ValueInput) -> Result<Value, DomainError> {
        let fail = |message: String| {
            Err(DomainError::InvalidValue {
                expected: self,
                message,
            })
        };
        match (self, input) {
            (Self::Integer, ValueInput::Number(lit)) => {
                check_integer(lit).map_err(|e| e.into_error(self))
            }
            (Self::Number, ValueInput::Number(lit)) => {
                check_number(lit, Syntax::Json).map_err(|e| e.into_error(self))
            }
            (Self::Boolean, ValueInput::Bool(b)) => Ok(Value::Boolean(*b)),
            (Self::Text, ValueInput::Text(s)) => check_text(s).or_else(fail),
            (Self::Integer | Self::Number, other) => {
                fail(format!("expected a JSON number, got {}", describe(other)))
            }
            (Self::Boolean, other) => {
                fail(format!("expected a JSON boolean, got {}", describe(other)))
            }
            (Self::Text, other) => fail(format!("expected a JSON string, got {}", describe(other))),
        }
    }

    /// Check a CSV cell, strictly: `integer` must match `-?[0-9]+` with
    /// |v| ≤ 10^15; `number` must be a plain decimal `-?digits[.digits]` with
    /// at most 6 fractional digits once trailing zeros are dropped and
    /// |v| ≤ 10^12; `boolean` must be `true` or `false`; `text` must be
    /// non-empty (NFC-normalised, at most 50 000 characters). Cells are not
    /// trimmed: `" 12"` is not an integer. Bounds are refused as in
    /// [`check_json`](Self::check_json).
    pub fn check_csv(self, cell: &str) -> Result<Value, DomainError> {
        let result = match self {
            Self::Integer => check_integer(cell),
            Self::Number => check_number(cell, Syntax::Plain),
            Self::Boolean => match cell {
                "true" => Ok(Value::Boolean(true)),
                "false" => Ok(Value::Boolean(false)),
                _ => Err(Refusal::Invalid(format!(
                    "expected true or false, got {:?}",
                    echo(cell)
                ))),
            },
            Self::Text => check_text(cell).map_err(Refusal::Invalid),
        };
        result.map_err(|e| e.into_error(self))
    }

    /// Rebuild a value from its stored columns (see [`StoredValue`]).
    /// `None` when the column this type uses is empty, or a stored boolean
    /// is neither 0 nor 1.
    pub fn from_stored(self, num: Option<i64>, text: Option<&str>) -> Option<Value> {
        match self {
            Self::Integer => num.map(Value::Integer),
            Self::Number => num.map(|n| Value::Number(micro_to_decimal(n))),
            Self::Boolean => match num {
                Some(0) => Some(Value::Boolean(false)),
                Some(1) => Some(Value::Boolean(true)),
                _ => None,
            },
            Self::Text => text.map(|t| Value::Text(t.to_owned())),
        }
    }

    /// Power of ten by which stored `num` values of this type are scaled:
    /// 6 for `number` (micro-units), 0 otherwise.
    pub fn scale(self) -> u32 {
        match self {
            Self::Number => NUMBER_SCALE,
            Self::Integer | Self::Boolean | Self::Text => 0,
        }
    }

    /// Turn the exact total of stored `num` values (see [`crate::sum`]) into
    /// real units, normalised. `None` only beyond the 96-bit `Decimal`
    /// mantissa, which a sum of fewer than
    /// [`MAX_FIGURES_PER_SUM`](crate::sum::MAX_FIGURES_PER_SUM) stored
    /// figures never reaches.
    pub fn unscale_sum(self, total: i128) -> Option<Decimal> {
        Decimal::try_from_i128_with_scale(total, self.scale())
            .ok()
            .map(|d| d.normalize())
    }

    /// Turn a sum (or average) of stored `num` values back into real units:
    /// divides by `10^scale()` and normalises (drops trailing zeros).
    pub fn unscale(self, scaled_sum: Decimal) -> Decimal {
        let scale = self.scale();
        let mut d = scaled_sum;
        let exact = d
            .scale()
            .checked_add(scale)
            .is_some_and(|s| d.set_scale(s).is_ok());
        if exact {
            return d.normalize();
        }
        // Scale would exceed 28 digits: divide (rounding at the 28th digit).
        let divisor = Decimal::from(10i64.pow(scale));
        scaled_sum
            .checked_div(divisor)
            .unwrap_or(scaled_sum)
            .normalize()
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How values of a data element combine across org units and months.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Aggregation {
    /// Add the values up.
    Sum,
    /// Take the latest value.
    Last,
    /// Take the arithmetic mean.
    Average,
    /// Do not aggregate (only raw values are meaningful).
    None,
}

impl Aggregation {
    /// Parse `sum`, `last`, `average` or `none` (lowercase, exact).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "sum" => Ok(Self::Sum),
            "last" => Ok(Self::Last),
            "average" => Ok(Self::Average),
            "none" => Ok(Self::None),
            _ => Err(DomainError::InvalidAggregation { input: echo(s) }),
        }
    }

    /// The lowercase name accepted by [`parse`](Self::parse).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sum => "sum",
            Self::Last => "last",
            Self::Average => "average",
            Self::None => "none",
        }
    }
}

impl fmt::Display for Aggregation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Check that `aggregation` makes sense for `value_type`: text elements
/// only aggregate as `none`.
pub fn check_aggregation(
    value_type: ValueType,
    aggregation: Aggregation,
) -> Result<(), DomainError> {
    if value_type == ValueType::Text && aggregation != Aggregation::None {
        return Err(DomainError::InvalidAggregation {
            input: format!(
                "{} (text elements only aggregate as none)",
                aggregation.as_str()
            ),
        });
    }
    Ok(())
}

/// A value as it arrived, before checking against a [`ValueType`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueInput {
    /// A JSON number, as the literal text it was serialised as
    /// (e.g. `"4602"`, `"12.5"`, `"1e3"`).
    Number(String),
    /// A JSON boolean.
    Bool(bool),
    /// A JSON string or a CSV cell.
    Text(String),
}

/// A checked value of a data element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// An `integer` value.
    Integer(i64),
    /// A `number` value (normalised, at most 6 fractional digits when
    /// produced by checking).
    Number(Decimal),
    /// A `boolean` value.
    Boolean(bool),
    /// A `text` value (NFC).
    Text(String),
}

/// The two storage columns of a value: a scaled integer or a text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredValue {
    /// `integer` as is, `number` in micro-units (× 10^6), `boolean` as 0/1.
    pub num: Option<i64>,
    /// `text` values.
    pub text: Option<String>,
}

impl Value {
    /// The storage columns for this value.
    ///
    /// Values produced by [`ValueType::check_json`] / [`ValueType::check_csv`]
    /// always convert exactly. A hand-built `Number` with more than 6
    /// fractional digits is rounded (half away from zero) and one outside
    /// the `i64` micro-unit range saturates; use
    /// [`try_to_stored`](Self::try_to_stored) to reject those instead.
    pub fn to_stored(&self) -> StoredValue {
        match self {
            Self::Number(d) => StoredValue {
                num: Some(decimal_to_micro(*d).unwrap_or(if d.is_sign_negative() {
                    i64::MIN
                } else {
                    i64::MAX
                })),
                text: None,
            },
            _ => self.try_to_stored().unwrap_or_default(),
        }
    }

    /// Like [`to_stored`](Self::to_stored), but a `Number` that does not fit
    /// exactly in micro-units is an [`DomainError::InvalidValue`].
    pub fn try_to_stored(&self) -> Result<StoredValue, DomainError> {
        let num = |n| StoredValue {
            num: Some(n),
            text: None,
        };
        match self {
            Self::Integer(i) => Ok(num(*i)),
            Self::Boolean(b) => Ok(num(i64::from(*b))),
            Self::Text(t) => Ok(StoredValue {
                num: None,
                text: Some(t.clone()),
            }),
            Self::Number(d) => {
                let fits = d.normalize().scale() <= NUMBER_SCALE;
                match decimal_to_micro(*d) {
                    Some(n) if fits => Ok(num(n)),
                    _ => Err(DomainError::InvalidValue {
                        expected: ValueType::Number,
                        message: format!(
                            "{d} does not fit in micro-units (at most 6 decimal places within the 64-bit range)"
                        ),
                    }),
                }
            }
        }
    }

    /// The numeric value: integers and numbers as is, booleans as 0/1,
    /// text `None`.
    pub fn as_decimal(&self) -> Option<Decimal> {
        match self {
            Self::Integer(i) => Some(Decimal::from(*i)),
            Self::Number(d) => Some(*d),
            Self::Boolean(b) => Some(Decimal::from(u8::from(*b))),
            Self::Text(_) => None,
        }
    }

    /// The type of this value.
    pub fn value_type(&self) -> ValueType {
        match self {
            Self::Integer(_) => ValueType::Integer,
            Self::Number(_) => ValueType::Number,
            Self::Boolean(_) => ValueType::Boolean,
            Self::Text(_) => ValueType::Text,
        }
    }
}

/// `d × 10^6` as an `i64`, rounding beyond 6 decimals; `None` on overflow.
fn decimal_to_micro(d: Decimal) -> Option<i64> {
    let rounded = d.round_dp_with_strategy(
        NUMBER_SCALE,
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    );
    let mut mantissa = rounded.mantissa();
    for _ in rounded.scale()..NUMBER_SCALE {
        mantissa = mantissa.checked_mul(10)?;
    }
    i64::try_from(mantissa).ok()
}

/// A micro-unit integer as a normalised decimal.
fn micro_to_decimal(n: i64) -> Decimal {
    Decimal::try_from_i128_with_scale(i128::from(n), NUMBER_SCALE)
        .unwrap_or_default()
        .normalize()
}

/// Describe a mistyped JSON input for an error message.
fn describe(input: &ValueInput) -> String {
    match input {
        ValueInput::Number(lit) => format!("the number {}", echo(lit)),
        ValueInput::Bool(b) => format!("the boolean {b}"),
        ValueInput::Text(s) => format!("the string {:?}", echo(s)),
    }
}

/// Why a value was refused, before it is tied to its value type.
enum Refusal {
    /// Malformed, mistyped or too precise: [`DomainError::InvalidValue`].
    Invalid(String),
    /// Well-formed but beyond the type's bounds: [`DomainError::ValueOutOfRange`].
    OutOfRange(String),
}

impl Refusal {
    fn into_error(self, expected: ValueType) -> DomainError {
        match self {
            Self::Invalid(message) => DomainError::InvalidValue { expected, message },
            Self::OutOfRange(message) => DomainError::ValueOutOfRange { expected, message },
        }
    }
}

/// Check `-?[0-9]+` with |v| ≤ [`MAX_INTEGER_MAGNITUDE`].
fn check_integer(s: &str) -> Result<Value, Refusal> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::Invalid(format!(
            "expected an integer, got {}",
            echo(s)
        )));
    }
    match s.parse::<i64>() {
        Ok(v) if v.unsigned_abs() <= MAX_INTEGER_MAGNITUDE.unsigned_abs() => Ok(Value::Integer(v)),
        _ => Err(Refusal::OutOfRange(format!(
            "expected an integer between -{MAX_INTEGER_MAGNITUDE} and {MAX_INTEGER_MAGNITUDE} (±10^15), got {}",
            echo(s)
        ))),
    }
}

/// Check a number literal: syntax, at most 6 decimals, magnitude bound.
fn check_number(s: &str, syntax: Syntax) -> Result<Value, Refusal> {
    let Some(lit) = Literal::parse(s, syntax) else {
        let form = match syntax {
            Syntax::Plain => "a plain decimal number like 12.5",
            Syntax::Json => "a number",
        };
        return Err(Refusal::Invalid(format!(
            "expected {form}, got {}",
            echo(s)
        )));
    };
    if lit.fraction_digits() > u64::from(NUMBER_SCALE) {
        return Err(Refusal::Invalid(format!(
            "expected at most {NUMBER_SCALE} decimal places, got {}",
            echo(s)
        )));
    }
    let out_of_range = || {
        Refusal::OutOfRange(format!(
            "expected a number between -{MAX_NUMBER_MAGNITUDE} and {MAX_NUMBER_MAGNITUDE} (±10^12), got {}",
            echo(s)
        ))
    };
    // 10^12 has 13 integer digits; anything longer is out of range (and is
    // never turned into a Decimal, however long its exponent).
    if lit.integer_digits() > 13 {
        return Err(out_of_range());
    }
    let d = lit.to_decimal().map_err(|_| out_of_range())?;
    if d.abs() > Decimal::from(MAX_NUMBER_MAGNITUDE) {
        return Err(out_of_range());
    }
    Ok(Value::Number(d.normalize()))
}

/// Check text: NFC, 1 to 50 000 characters of [multi-line text](TextKind::MultiLine).
fn check_text(s: &str) -> Result<Value, String> {
    if s.is_empty() {
        return Err("expected non-empty text, got an empty string".to_owned());
    }
    if let Some((position, c)) = TextKind::MultiLine.first_refused(s) {
        return Err(TextKind::MultiLine.refusal(position, c));
    }
    let normalised = nfc(s);
    let len = normalised.chars().count();
    if len > MAX_TEXT_CHARS {
        return Err(format!(
            "expected at most {MAX_TEXT_CHARS} characters of text, got {len}"
        ));
    }
    Ok(Value::Text(normalised))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn num(s: &str) -> ValueInput {
        ValueInput::Number(s.to_owned())
    }

    fn text(s: &str) -> ValueInput {
        ValueInput::Text(s.to_owned())
    }

    fn message(err: DomainError) -> String {
        match err {
            DomainError::InvalidValue { message, .. } => message,
            other => panic!("unexpected {other:?}"),
        }
    }

    fn d(s: &str) -> Decimal {
        crate::literal::parse_exact(s, Syntax::Json).unwrap()
    }

    #[test]
    fn value_type_parse_and_print() {
        for t in [
            ValueType::Integer,
            ValueType::Number,
            ValueType::Boolean,
            ValueType::Text,
        ] {
            assert_eq!(ValueType::parse(t.as_str()), Ok(t));
            assert_eq!(t.to_string(), t.as_str());
        }
        let err = ValueType::parse("Integer").unwrap_err();
        assert_eq!(err.code(), "invalid_value_type");
        assert!(ValueType::parse("").is_err());
    }

    #[test]
    fn aggregation_parse_and_print() {
        for a in [
            Aggregation::Sum,
            Aggregation::Last,
            Aggregation::Average,
            Aggregation::None,
        ] {
            assert_eq!(Aggregation::parse(a.as_str()), Ok(a));
            assert_eq!(a.to_string(), a.as_str());
        }
        assert_eq!(
            Aggregation::parse("avg").unwrap_err().code(),
            "invalid_aggregation"
        );
    }

    #[test]
    fn text_elements_only_aggregate_as_none() {
        assert!(check_aggregation(ValueType::Text, Aggregation::None).is_ok());
        let err = check_aggregation(ValueType::Text, Aggregation::Sum).unwrap_err();
        assert_eq!(
            err,
            DomainError::InvalidAggregation {
                input: "sum (text elements only aggregate as none)".into()
            }
        );
        assert!(check_aggregation(ValueType::Integer, Aggregation::Average).is_ok());
        assert!(check_aggregation(ValueType::Boolean, Aggregation::Last).is_ok());
    }

    #[test]
    fn json_integer_accepts_plain_integers() {
        let t = ValueType::Integer;
        assert_eq!(t.check_json(&num("4602")), Ok(Value::Integer(4602)));
        assert_eq!(t.check_json(&num("-7")), Ok(Value::Integer(-7)));
        assert_eq!(t.check_json(&num("-0")), Ok(Value::Integer(0)));
        assert_eq!(
            t.check_json(&num("1000000000000000")),
            Ok(Value::Integer(MAX_INTEGER_MAGNITUDE))
        );
        assert_eq!(
            t.check_json(&num("-1000000000000000")),
            Ok(Value::Integer(-MAX_INTEGER_MAGNITUDE))
        );
    }

    #[test]
    fn integers_beyond_the_bound_are_out_of_range() {
        let t = ValueType::Integer;
        for lit in [
            "1000000000000001",
            "-1000000000000001",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "99999999999999999999999999999999999999",
        ] {
            let err = t.check_json(&num(lit)).unwrap_err();
            assert_eq!(err.code(), "value_out_of_range", "{lit}");
            assert!(err.to_string().contains("±10^15"), "{err}");
            assert_eq!(t.check_csv(lit).unwrap_err().code(), "value_out_of_range");
        }
    }

    #[test]
    fn json_integer_rejects_decimals_exponents_and_strings() {
        let t = ValueType::Integer;
        assert_eq!(
            message(t.check_json(&num("12.5")).unwrap_err()),
            "expected an integer, got 12.5"
        );
        assert!(t.check_json(&num("12.0")).is_err());
        assert_eq!(
            t.check_json(&num("1e3")).unwrap_err().code(),
            "invalid_value"
        );
        assert_eq!(
            t.check_json(&num("1E3")).unwrap_err().code(),
            "invalid_value"
        );
        assert_eq!(
            t.check_json(&num("1000.0")).unwrap_err().code(),
            "invalid_value"
        );
        assert_eq!(
            message(t.check_json(&text("4.602")).unwrap_err()),
            "expected a JSON number, got the string \"4.602\""
        );
        assert!(t.check_json(&text("4602")).is_err());
        assert!(
            message(t.check_json(&ValueInput::Bool(true)).unwrap_err()).contains("boolean true")
        );
        let err = t.check_json(&num("1.5")).unwrap_err();
        assert_eq!(err.code(), "invalid_value");
        assert!(err.to_string().starts_with("invalid integer value"));
    }

    #[test]
    fn json_number_accepts_plain_and_exponent() {
        let t = ValueType::Number;
        assert_eq!(t.check_json(&num("12.5")), Ok(Value::Number(d("12.5"))));
        assert_eq!(t.check_json(&num("1e3")), Ok(Value::Number(d("1000"))));
        assert_eq!(t.check_json(&num("4602")), Ok(Value::Number(d("4602"))));
        assert_eq!(
            t.check_json(&num("0.123456")),
            Ok(Value::Number(d("0.123456")))
        );
        assert_eq!(
            t.check_json(&num("1.2345670")),
            Ok(Value::Number(d("1.234567")))
        );
        assert_eq!(
            t.check_json(&num("1234567e-6")),
            Ok(Value::Number(d("1.234567")))
        );
        assert_eq!(
            t.check_json(&num("1000000000000")),
            Ok(Value::Number(d("1e12")))
        );
        assert_eq!(
            t.check_json(&num("-1e12")),
            Ok(Value::Number(d("-1000000000000")))
        );
        assert_eq!(
            t.check_json(&num("999999999999.999999")),
            Ok(Value::Number(d("999999999999.999999")))
        );
        // More digits than a double holds, kept exactly.
        match t.check_json(&num("123456789012.345678")).unwrap() {
            Value::Number(v) => assert_eq!(v.to_string(), "123456789012.345678"),
            other => panic!("{other:?}"),
        }
        // normalised: trailing zeros dropped
        match t.check_json(&num("2.50")).unwrap() {
            Value::Number(v) => assert_eq!(v.to_string(), "2.5"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_number_rejects_precision_range_and_strings() {
        let t = ValueType::Number;
        assert!(
            message(t.check_json(&num("0.1234567")).unwrap_err())
                .contains("at most 6 decimal places")
        );
        assert!(t.check_json(&num("1e-7")).is_err());
        let err = t
            .check_json(&num("0.5000000000000000000000000000000001"))
            .unwrap_err();
        assert_eq!(err.code(), "invalid_value");
        assert!(message(err).contains("at most 6 decimal places"));
        for lit in [
            "1000000000000.000001",
            "-1000000000000.000001",
            "8999999999999.123456",
            "9000000000000",
            "1e13",
            "1e999999999",
        ] {
            let err = t.check_json(&num(lit)).unwrap_err();
            assert_eq!(err.code(), "value_out_of_range", "{lit}");
            assert!(err.to_string().contains("±10^12"), "{err}");
        }
        assert!(t.check_json(&num("NaN")).is_err());
        assert_eq!(
            message(t.check_json(&text("4.602")).unwrap_err()),
            "expected a JSON number, got the string \"4.602\""
        );
        assert!(t.check_json(&ValueInput::Bool(false)).is_err());
    }

    #[test]
    fn json_boolean_and_text_are_strict() {
        let b = ValueType::Boolean;
        assert_eq!(
            b.check_json(&ValueInput::Bool(true)),
            Ok(Value::Boolean(true))
        );
        assert!(
            message(b.check_json(&text("true")).unwrap_err())
                .contains("expected a JSON boolean, got the string")
        );
        assert!(b.check_json(&num("1")).is_err());

        let t = ValueType::Text;
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd("Hà Nội").collect();
        assert_eq!(t.check_json(&text(&nfd)), Ok(Value::Text("Hà Nội".into())));
        assert!(message(t.check_json(&text("")).unwrap_err()).contains("non-empty"));
        assert!(t.check_json(&text(&"x".repeat(50_000))).is_ok());
        assert!(t.check_json(&text(&"x".repeat(50_001))).is_err());
        assert!(
            message(t.check_json(&num("12")).unwrap_err())
                .contains("expected a JSON string, got the number 12")
        );
        assert!(t.check_json(&ValueInput::Bool(true)).is_err());
    }

    #[test]
    fn csv_integer_is_strict() {
        let t = ValueType::Integer;
        assert_eq!(t.check_csv("4602"), Ok(Value::Integer(4602)));
        assert_eq!(t.check_csv("-3"), Ok(Value::Integer(-3)));
        for bad in [
            "4.602", "1,582", " 12", "12 ", "12.0", "+12", "", "-", "1e3", "١٢",
        ] {
            let err = t.check_csv(bad).unwrap_err();
            assert!(message(err).starts_with("expected an integer"), "{bad:?}");
        }
        assert!(t.check_csv("99999999999999999999").is_err());
    }

    #[test]
    fn csv_number_is_plain_decimal() {
        let t = ValueType::Number;
        assert_eq!(t.check_csv("12.5"), Ok(Value::Number(d("12.5"))));
        assert_eq!(t.check_csv("-0.000001"), Ok(Value::Number(d("-0.000001"))));
        assert_eq!(t.check_csv("7"), Ok(Value::Number(d("7"))));
        for bad in ["1e3", "1,5", ".5", "5.", " 1", "0.0000001", ""] {
            assert_eq!(
                t.check_csv(bad).unwrap_err().code(),
                "invalid_value",
                "{bad:?}"
            );
        }
        for far in ["1000000000001", "-1000000000000.5", "8999999999999.123456"] {
            assert_eq!(
                t.check_csv(far).unwrap_err().code(),
                "value_out_of_range",
                "{far:?}"
            );
        }
        assert!(message(t.check_csv("1,5").unwrap_err()).contains("plain decimal"));
    }

    #[test]
    fn csv_boolean_and_text() {
        assert_eq!(
            ValueType::Boolean.check_csv("true"),
            Ok(Value::Boolean(true))
        );
        assert_eq!(
            ValueType::Boolean.check_csv("false"),
            Ok(Value::Boolean(false))
        );
        for bad in ["True", "1", "yes", ""] {
            assert!(ValueType::Boolean.check_csv(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            ValueType::Text.check_csv(" a "),
            Ok(Value::Text(" a ".into()))
        );
        assert!(ValueType::Text.check_csv("").is_err());
    }

    #[test]
    fn text_allows_line_breaks_and_refuses_other_control_characters() {
        let multi = "dòng 1\r\n\tdòng 2";
        assert_eq!(
            ValueType::Text.check_csv(multi),
            Ok(Value::Text(multi.into()))
        );
        assert_eq!(
            ValueType::Text.check_json(&text(multi)),
            Ok(Value::Text(multi.into()))
        );
        for bad in ["a\0b", "\u{1}", "a\u{7F}", "a\u{9B}", "a\u{202E}b"] {
            for err in [
                ValueType::Text.check_csv(bad),
                ValueType::Text.check_json(&text(bad)),
            ] {
                let err = err.unwrap_err();
                assert_eq!(err.code(), "invalid_value", "{bad:?}");
                assert!(err.to_string().contains("U+"), "{err}");
            }
        }
    }

    #[test]
    fn stores_and_restores_each_type() {
        let cases = [
            (
                Value::Integer(-42),
                StoredValue {
                    num: Some(-42),
                    text: None,
                },
            ),
            (
                Value::Number(d("12.5")),
                StoredValue {
                    num: Some(12_500_000),
                    text: None,
                },
            ),
            (
                Value::Number(d("-1e12")),
                StoredValue {
                    num: Some(-1_000_000_000_000_000_000),
                    text: None,
                },
            ),
            (
                Value::Boolean(true),
                StoredValue {
                    num: Some(1),
                    text: None,
                },
            ),
            (
                Value::Boolean(false),
                StoredValue {
                    num: Some(0),
                    text: None,
                },
            ),
            (
                Value::Text("ok".into()),
                StoredValue {
                    num: None,
                    text: Some("ok".into()),
                },
            ),
        ];
        for (value, stored) in cases {
            assert_eq!(value.to_stored(), stored);
            assert_eq!(value.try_to_stored(), Ok(stored.clone()));
            let back = value
                .value_type()
                .from_stored(stored.num, stored.text.as_deref());
            assert_eq!(back, Some(value));
        }
    }

    #[test]
    fn from_stored_rejects_missing_or_odd_columns() {
        assert_eq!(ValueType::Integer.from_stored(None, Some("1")), None);
        assert_eq!(ValueType::Boolean.from_stored(Some(2), None), None);
        assert_eq!(ValueType::Text.from_stored(Some(1), None), None);
        assert_eq!(
            ValueType::Number.from_stored(Some(1), None),
            Some(Value::Number(d("0.000001")))
        );
    }

    #[test]
    fn hand_built_numbers_do_not_panic_when_stored() {
        let tiny = Value::Number(d("0.0000005"));
        assert_eq!(tiny.to_stored().num, Some(1));
        assert!(tiny.try_to_stored().is_err());
        let huge = Value::Number(Decimal::MAX);
        assert_eq!(huge.to_stored().num, Some(i64::MAX));
        assert_eq!(Value::Number(Decimal::MIN).to_stored().num, Some(i64::MIN));
        assert!(huge.try_to_stored().is_err());
    }

    #[test]
    fn scale_and_unscale() {
        assert_eq!(ValueType::Number.scale(), 6);
        assert_eq!(ValueType::Integer.scale(), 0);
        assert_eq!(ValueType::Boolean.scale(), 0);
        assert_eq!(ValueType::Text.scale(), 0);
        assert_eq!(
            ValueType::Number
                .unscale(Decimal::from(12_500_000))
                .to_string(),
            "12.5"
        );
        assert_eq!(
            ValueType::Integer.unscale(Decimal::from(42)).to_string(),
            "42"
        );
        // An average of micro-units keeps its precision.
        assert_eq!(
            ValueType::Number.unscale(d("1500000.5")).to_string(),
            "1.5000005"
        );
        // Very fine scale still yields a value, never panics.
        let fine = Decimal::try_from_i128_with_scale(1, 28).unwrap();
        assert_eq!(ValueType::Number.unscale(fine), Decimal::ZERO);
    }

    #[test]
    fn as_decimal_per_type() {
        assert_eq!(Value::Integer(3).as_decimal(), Some(Decimal::from(3)));
        assert_eq!(Value::Number(d("0.5")).as_decimal(), Some(d("0.5")));
        assert_eq!(Value::Boolean(true).as_decimal(), Some(Decimal::ONE));
        assert_eq!(Value::Boolean(false).as_decimal(), Some(Decimal::ZERO));
        assert_eq!(Value::Text("x".into()).as_decimal(), None);
    }

    #[test]
    fn unscale_sum_is_exact_for_the_largest_sums() {
        let n = i128::from(crate::sum::MAX_FIGURES_PER_SUM - 1);
        let micro = n * i128::from(crate::sum::MAX_STORED_MAGNITUDE) + 1;
        let total = ValueType::Number.unscale_sum(micro).unwrap();
        assert_eq!(total.to_string(), "2147483647000000000000.000001");
        assert_eq!(
            ValueType::Integer.unscale_sum(-micro).unwrap().to_string(),
            "-2147483647000000000000000001"
        );
        assert_eq!(ValueType::Number.unscale_sum(i128::MAX), None);
    }

    proptest! {
        #[test]
        fn json_and_csv_agree_within_the_bounds(v in -MAX_INTEGER_MAGNITUDE..=MAX_INTEGER_MAGNITUDE, m in -crate::sum::MAX_STORED_MAGNITUDE..=crate::sum::MAX_STORED_MAGNITUDE) {
            let text = v.to_string();
            prop_assert_eq!(ValueType::Integer.check_json(&num(&text)), Ok(Value::Integer(v)));
            prop_assert_eq!(ValueType::Integer.check_csv(&text), Ok(Value::Integer(v)));
            let text = micro_to_decimal(m).to_string();
            let stored = ValueType::Number.check_json(&num(&text)).unwrap().to_stored();
            prop_assert!(stored.num.unwrap().unsigned_abs() <= crate::sum::MAX_STORED_MAGNITUDE.unsigned_abs());
            prop_assert_eq!(ValueType::Number.check_csv(&text).unwrap().to_stored(), stored);
        }

        #[test]
        fn checks_never_panic(s in "\\PC{0,40}", lit in "[-+0-9eE.]{0,30}") {
            for t in [ValueType::Integer, ValueType::Number, ValueType::Boolean, ValueType::Text] {
                let _ = t.check_csv(&s);
                let _ = t.check_json(&ValueInput::Number(lit.clone()));
                let _ = t.check_json(&ValueInput::Text(s.clone()));
            }
        }

        #[test]
        fn checked_numbers_store_exactly(m in -crate::sum::MAX_STORED_MAGNITUDE..=crate::sum::MAX_STORED_MAGNITUDE) {
            let v = micro_to_decimal(m);
            let checked = ValueType::Number.check_csv(&v.to_string()).unwrap();
            let stored = checked.to_stored();
            prop_assert_eq!(stored.num, Some(m));
            prop_assert_eq!(ValueType::Number.from_stored(stored.num, None), Some(checked));
        }
    }
}
