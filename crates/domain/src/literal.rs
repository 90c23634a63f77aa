//! Exact parsing of decimal number literals (JSON number text or plain
//! decimals), shared by value checking, catalogue numbers and expressions.
//!
//! Parsing never goes through floating point, so `0.1` is exactly one tenth
//! and no literal can round silently.

use rust_decimal::Decimal;

/// Largest number of digits a [`Decimal`] mantissa can hold.
const MAX_DECIMAL_DIGITS: i64 = 29;

/// Exponents beyond this magnitude are clamped; far outside any usable range.
const EXPONENT_CLAMP: i64 = 1_000_000_000;

/// Which literal syntax to accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// `-?[0-9]+(\.[0-9]+)?`
    Plain,
    /// Plain, optionally followed by `[eE][+-]?[0-9]+` (JSON number form).
    Json,
}

/// A parsed literal: `±digits × 10^exponent`, with `digits` free of leading
/// and trailing zeros (empty for zero, which is never negative).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Literal {
    negative: bool,
    digits: String,
    exponent: i64,
}

/// Why a literal could not become a [`Decimal`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LiteralError {
    /// Not a number in the requested syntax.
    Syntax,
    /// Needs more than 28 decimal places.
    TooManyDecimals,
    /// Too large (or too many significant digits) for a [`Decimal`].
    OutOfRange,
}

impl LiteralError {
    /// Human-readable reason.
    pub(crate) fn reason(&self) -> &'static str {
        match self {
            Self::Syntax => "not a number",
            Self::TooManyDecimals => "too many decimal places (at most 28)",
            Self::OutOfRange => "too large or too many significant digits (at most 28)",
        }
    }
}

impl Literal {
    /// Parse `s` in the given syntax; no whitespace, no leading `+`.
    pub(crate) fn parse(s: &str, syntax: Syntax) -> Option<Literal> {
        let (negative, unsigned) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (mantissa, exp_part) = match unsigned.find(['e', 'E']) {
            Some(i) if syntax == Syntax::Json => (&unsigned[..i], Some(&unsigned[i + 1..])),
            Some(_) => return None,
            None => (unsigned, None),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((i, f)) => (i, f),
            None => (mantissa, ""),
        };
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if int_part.is_empty() || !all_digits(int_part) || !all_digits(frac_part) {
            return None;
        }
        if mantissa.contains('.') && frac_part.is_empty() {
            return None;
        }
        let mut exponent = match exp_part {
            None => 0,
            Some(e) => parse_exponent(e)?,
        };
        exponent -= i64::try_from(frac_part.len()).unwrap_or(EXPONENT_CLAMP);
        let joined = format!("{int_part}{frac_part}");
        let significant = joined.trim_start_matches('0');
        let trimmed = significant.trim_end_matches('0');
        let trailing = significant.len() - trimmed.len();
        exponent += i64::try_from(trailing).unwrap_or(EXPONENT_CLAMP);
        if trimmed.is_empty() {
            return Some(Literal {
                negative: false,
                digits: String::new(),
                exponent: 0,
            });
        }
        Some(Literal {
            negative,
            digits: trimmed.to_owned(),
            exponent,
        })
    }

    /// Number of digits after the decimal point in the shortest exact form.
    pub(crate) fn fraction_digits(&self) -> u64 {
        if self.exponent < 0 {
            self.exponent.unsigned_abs()
        } else {
            0
        }
    }

    /// Number of digits before the decimal point (0 for |x| < 1).
    pub(crate) fn integer_digits(&self) -> u64 {
        let len = i64::try_from(self.digits.len()).unwrap_or(i64::MAX);
        u64::try_from(len.saturating_add(self.exponent)).unwrap_or(0)
    }

    /// The exact [`Decimal`] value, normalised (no trailing zeros).
    pub(crate) fn to_decimal(&self) -> Result<Decimal, LiteralError> {
        if self.digits.is_empty() {
            return Ok(Decimal::ZERO);
        }
        let len = i64::try_from(self.digits.len()).unwrap_or(i64::MAX);
        if self.exponent < -i64::from(Decimal::MAX_SCALE) {
            return Err(LiteralError::TooManyDecimals);
        }
        if len.saturating_add(self.exponent.max(0)) > MAX_DECIMAL_DIGITS {
            return Err(LiteralError::OutOfRange);
        }
        let mut mantissa: i128 = self.digits.parse().map_err(|_| LiteralError::OutOfRange)?;
        let scale = if self.exponent >= 0 {
            for _ in 0..self.exponent {
                mantissa = mantissa.checked_mul(10).ok_or(LiteralError::OutOfRange)?;
            }
            0
        } else {
            u32::try_from(self.exponent.unsigned_abs())
                .map_err(|_| LiteralError::TooManyDecimals)?
        };
        if self.negative {
            mantissa = -mantissa;
        }
        Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| LiteralError::OutOfRange)
    }
}

/// Parse `[+-]?[0-9]+`, clamping the magnitude to [`EXPONENT_CLAMP`].
fn parse_exponent(e: &str) -> Option<i64> {
    let (negative, digits) = match e.as_bytes().first() {
        Some(b'-') => (true, &e[1..]),
        Some(b'+') => (false, &e[1..]),
        _ => (false, e),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.bytes().fold(0i64, |acc, b| {
        (acc * 10 + i64::from(b - b'0')).min(EXPONENT_CLAMP)
    });
    Some(if negative { -magnitude } else { magnitude })
}

/// Parse `s` in `syntax` straight to an exact [`Decimal`].
pub(crate) fn parse_exact(s: &str, syntax: Syntax) -> Result<Decimal, LiteralError> {
    Literal::parse(s, syntax)
        .ok_or(LiteralError::Syntax)?
        .to_decimal()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn dec(s: &str) -> Decimal {
        parse_exact(s, Syntax::Json).unwrap()
    }

    #[test]
    fn parses_plain_and_exponent_forms_exactly() {
        assert_eq!(dec("4602"), Decimal::from(4602));
        assert_eq!(dec("12.5"), Decimal::new(125, 1));
        assert_eq!(dec("1e3"), Decimal::from(1000));
        assert_eq!(dec("1E+3"), Decimal::from(1000));
        assert_eq!(dec("1.25e-2"), Decimal::new(125, 4));
        assert_eq!(dec("-0.5"), Decimal::new(-5, 1));
        assert_eq!(dec("0.1").to_string(), "0.1");
        assert_eq!(dec("12.500").to_string(), "12.5");
        assert_eq!(dec("-0"), Decimal::ZERO);
        assert!(!dec("-0").is_sign_negative());
        assert_eq!(dec("0e999999999999999999"), Decimal::ZERO);
    }

    #[test]
    fn rejects_malformed() {
        for s in [
            "", "-", "+1", ".5", "5.", "1..2", "1e", "1e+", "e3", "NaN", "Infinity", " 1", "1 ",
            "1,5", "0x10", "1e3.5", "--1", "１",
        ] {
            assert_eq!(
                parse_exact(s, Syntax::Json),
                Err(LiteralError::Syntax),
                "{s:?}"
            );
        }
        assert_eq!(parse_exact("1e3", Syntax::Plain), Err(LiteralError::Syntax));
    }

    #[test]
    fn rejects_out_of_range_without_rounding() {
        assert_eq!(
            parse_exact("1e29", Syntax::Json),
            Err(LiteralError::OutOfRange)
        );
        assert_eq!(
            parse_exact("1e999999999999999999999", Syntax::Json),
            Err(LiteralError::OutOfRange)
        );
        assert_eq!(
            parse_exact("1e-29", Syntax::Json),
            Err(LiteralError::TooManyDecimals)
        );
        assert_eq!(
            parse_exact("1e-999999999999999", Syntax::Json),
            Err(LiteralError::TooManyDecimals)
        );
        assert_eq!(
            parse_exact("99999999999999999999999999999", Syntax::Json),
            Err(LiteralError::OutOfRange)
        );
        assert!(parse_exact("79228162514264337593543950335", Syntax::Json).is_ok());
        assert_eq!(
            parse_exact("79228162514264337593543950336", Syntax::Json),
            Err(LiteralError::OutOfRange)
        );
        assert_eq!(
            parse_exact("0.12345678901234567890123456789", Syntax::Json),
            Err(LiteralError::TooManyDecimals)
        );
    }

    #[test]
    fn reports_digit_counts() {
        let l = Literal::parse("123.4500", Syntax::Plain).unwrap();
        assert_eq!((l.integer_digits(), l.fraction_digits()), (3, 2));
        let l = Literal::parse("0.001", Syntax::Plain).unwrap();
        assert_eq!((l.integer_digits(), l.fraction_digits()), (0, 3));
        let l = Literal::parse("5e20", Syntax::Json).unwrap();
        assert_eq!((l.integer_digits(), l.fraction_digits()), (21, 0));
    }

    proptest! {
        #[test]
        fn never_panics(s in "[-+0-9eE.]{0,40}") {
            let _ = parse_exact(&s, Syntax::Json);
            let _ = parse_exact(&s, Syntax::Plain);
        }

        #[test]
        fn decimal_display_roundtrips(m in any::<i64>(), scale in 0u32..=18) {
            let d = Decimal::new(m, scale);
            prop_assert_eq!(parse_exact(&d.to_string(), Syntax::Plain), Ok(d.normalize()));
        }
    }
}
