//! Numbers typed as text in Vietnamese style, as spreadsheet cells hold them
//! (contract v2, "Spreadsheet templates in").
//!
//! * For an **integer** element, `.` and `,` between groups of three digits
//!   separate thousands: `4.602` is 4602, and `1,234,567` and `1.234.567`
//!   are 1234567. One kind of separator per number; the first group has 1
//!   to 3 digits and no leading zero, the others exactly 3. Anything else
//!   (`1.234,567`, `12.34`, `0.123`) is not an integer.
//! * For a **number** element, `,` is the decimal point (`8,5` is 8.5) and
//!   `.` separates thousands only when a `,` follows (`1.234,5` is 1234.5).
//!   Any other `.` (`4.602`, `12.5`, `1.23,4`) is
//!   [`DomainError::AmbiguousNumber`]: the writer may have meant a decimal
//!   point, so the value is refused rather than guessed.
//! * Plain `1234` and `-12` are accepted for both. Whitespace around the
//!   number is ignored. A space, a no-break space (U+00A0) or a narrow
//!   no-break space (U+202F), which spreadsheets and the Vietnamese standard
//!   use between groups, is a thousands separator like `.` under the same
//!   grouping rule (`1 234 567`); spaces and dots are not mixed.
//!
//! The result is the canonical literal (`4602`, `1234.5`, `-0.5`) that the
//! strict CSV check [`ValueType::check_csv`] takes, so the value bounds
//! (i64 range, 6 decimals, ±9×10¹²) stay in one place; [`check`] does both.
//! Cells of `boolean` and `text` elements pass through unchanged.

use crate::error::{DomainError, echo};
use crate::value::{Value, ValueType};

/// A thousands separator, by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Separator {
    Dot,
    Comma,
    Space,
}

impl Separator {
    /// The kind of `c`, if it is a separator.
    fn of(c: char) -> Option<Separator> {
        match c {
            '.' => Some(Self::Dot),
            ',' => Some(Self::Comma),
            ' ' | '\u{a0}' | '\u{202f}' => Some(Self::Space),
            _ => None,
        }
    }
}

/// Turn a spreadsheet cell typed as text into the canonical literal of
/// `value_type` (see the [module documentation](self)).
///
/// Errors are [`DomainError::AmbiguousNumber`] (code `ambiguous_number`) for
/// a `.` in a number element's text that is not a thousands separator
/// before a `,`, and [`DomainError::InvalidValue`] for anything else that is
/// not a number of the element's type.
pub fn canonical(value_type: ValueType, text: &str) -> Result<String, DomainError> {
    match value_type {
        ValueType::Integer | ValueType::Number => {}
        ValueType::Boolean | ValueType::Text => return Ok(text.to_owned()),
    }
    let invalid = |why: &str| {
        let what = match value_type {
            ValueType::Integer => "an integer",
            _ => "a number",
        };
        DomainError::InvalidValue {
            expected: value_type,
            message: format!("expected {what} ({why}), got {:?}", echo(text)),
        }
    };
    let trimmed = text.trim();
    let (negative, body) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    if body.is_empty() {
        return Err(invalid("no digits"));
    }
    if body
        .chars()
        .any(|c| !c.is_ascii_digit() && Separator::of(c).is_none())
    {
        return Err(invalid("only digits, '-', '.', ',' and spaces"));
    }
    let (int_digits, fraction) = match value_type {
        ValueType::Integer => (
            grouped(body, &[Separator::Dot, Separator::Comma, Separator::Space])
                .ok_or_else(|| invalid("'.' and ',' only between groups of three digits"))?,
            None,
        ),
        _ => number_parts(body, text)
            .map_err(|e| e.unwrap_or_else(|| invalid("',' is the decimal point")))?,
    };
    let int_digits = int_digits.trim_start_matches('0');
    let int_digits = if int_digits.is_empty() {
        "0"
    } else {
        int_digits
    };
    let zero = int_digits == "0"
        && fraction
            .as_deref()
            .is_none_or(|f| f.bytes().all(|b| b == b'0'));
    let mut out = String::with_capacity(body.len() + 1);
    if negative && !zero {
        out.push('-');
    }
    out.push_str(int_digits);
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(&f);
    }
    Ok(out)
}

/// Check a cell typed as text: [`canonical`], then the strict
/// [`ValueType::check_csv`].
pub fn check(value_type: ValueType, text: &str) -> Result<Value, DomainError> {
    value_type.check_csv(&canonical(value_type, text)?)
}

/// Split a number element's body (no sign, only digits and separators) at
/// its decimal comma. `Err(Some(e))` is an ambiguous `.`, `Err(None)` any
/// other malformation.
fn number_parts(body: &str, text: &str) -> Result<(String, Option<String>), Option<DomainError>> {
    let ambiguous = || Some(DomainError::AmbiguousNumber { input: echo(text) });
    let (int_part, fraction) = match body.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let Some(fraction) = fraction else {
        if body.contains('.') {
            return Err(ambiguous());
        }
        return grouped(body, &[Separator::Space])
            .map(|digits| (digits, None))
            .ok_or(None);
    };
    if fraction.contains('.') {
        return Err(ambiguous());
    }
    if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(None);
    }
    match grouped(int_part, &[Separator::Dot, Separator::Space]) {
        Some(digits) => Ok((digits, Some(fraction.to_owned()))),
        None if int_part.contains('.') => Err(ambiguous()),
        None => Err(None),
    }
}

/// The digits of `s` if it is a plain run of digits, or digits grouped by
/// one kind of separator among `allowed`: a first group of 1 to 3 digits
/// without a leading zero, then groups of exactly 3.
fn grouped(s: &str, allowed: &[Separator]) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return Some(s.to_owned());
    }
    let mut kind = None;
    let mut groups: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if let Some(sep) = Separator::of(c) {
            if !allowed.contains(&sep) || kind.is_some_and(|k| k != sep) {
                return None;
            }
            kind = Some(sep);
            groups.push(&s[start..i]);
            start = i + c.len_utf8();
        } else if !c.is_ascii_digit() {
            return None;
        }
    }
    groups.push(&s[start..]);
    let (first, rest) = groups.split_first()?;
    let first_ok = (1..=3).contains(&first.len()) && !first.starts_with('0');
    let rest_ok = rest.iter().all(|g| g.len() == 3);
    (first_ok && rest_ok).then(|| groups.concat())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use std::str::FromStr;

    fn int(s: &str) -> Result<String, &'static str> {
        canonical(ValueType::Integer, s).map_err(|e| e.code())
    }

    fn num(s: &str) -> Result<String, &'static str> {
        canonical(ValueType::Number, s).map_err(|e| e.code())
    }

    fn ok(s: &str) -> Result<String, &'static str> {
        Ok(s.to_owned())
    }

    #[test]
    fn the_contracts_integer_examples() {
        assert_eq!(int("4.602"), ok("4602"));
        assert_eq!(int("4,602"), ok("4602"));
        assert_eq!(int("1,234,567"), ok("1234567"));
        assert_eq!(int("1.234.567"), ok("1234567"));
        assert_eq!(int("1234"), ok("1234"));
        assert_eq!(int("-12"), ok("-12"));
        assert_eq!(int("-4.602"), ok("-4602"));
        assert_eq!(int("4311"), ok("4311"));
        assert_eq!(int("09"), ok("9"));
        assert_eq!(int("00"), ok("0"));
        assert_eq!(int("-0"), ok("0"));
    }

    #[test]
    fn the_contracts_number_examples() {
        assert_eq!(num("4.602"), Err("ambiguous_number"));
        assert_eq!(num("8,5"), ok("8.5"));
        assert_eq!(num("1.234,5"), ok("1234.5"));
        assert_eq!(num("1.234.567,89"), ok("1234567.89"));
        assert_eq!(num("1234"), ok("1234"));
        assert_eq!(num("-12"), ok("-12"));
        assert_eq!(num("-0,5"), ok("-0.5"));
        assert_eq!(num("0,50"), ok("0.50"));
        assert_eq!(num("-0,0"), ok("0.0"));
        assert_eq!(num("1,234"), ok("1.234"), "a comma is the decimal point");
    }

    #[test]
    fn any_other_dot_in_a_number_is_ambiguous() {
        for s in [
            "12.5",
            "1.234",
            "1.23,4",
            "1,5.3",
            "1.2345,6",
            "0.5",
            ".5",
            "1.234.56,7",
            "4.602 ",
        ] {
            assert_eq!(num(s), Err("ambiguous_number"), "{s:?}");
        }
        let err = canonical(ValueType::Number, "4.602").unwrap_err();
        assert!(err.to_string().contains("4.602"), "{err}");
    }

    #[test]
    fn badly_grouped_or_mixed_integers_are_invalid() {
        for s in [
            "1.234,567",
            "1,234.567",
            "12.34",
            "1.2345",
            "1234.567",
            ".123",
            "123.",
            "1..234",
            "0.123",
            "4602,0",
            "8,5",
            "1 234.567",
            "",
            "-",
            "+12",
            "- 12",
            "12-",
            "1e3",
            "abc",
            "12a",
            "١٢",
            "--1",
        ] {
            assert_eq!(int(s), Err("invalid_value"), "{s:?}");
        }
    }

    #[test]
    fn malformed_numbers_are_invalid() {
        for s in [
            "1,2,3",
            "8,",
            ",5",
            "1 2,5",
            "1 234 5",
            "8,5 0",
            "",
            "-",
            "x",
            "1,5e3",
            "1.234,5 6",
        ] {
            assert_eq!(num(s), Err("invalid_value"), "{s:?}");
        }
        // Two decimal commas are malformed, whatever the dots.
        assert_eq!(num("1.2,3,4"), Err("invalid_value"));
    }

    #[test]
    fn spaces_group_thousands_and_surround_the_number() {
        assert_eq!(int("1 234 567"), ok("1234567"));
        assert_eq!(int("1\u{a0}234"), ok("1234"));
        assert_eq!(int("1\u{202f}234"), ok("1234"));
        assert_eq!(int("  4.602\t"), ok("4602"));
        assert_eq!(int("\u{a0}12\u{a0}"), ok("12"));
        assert_eq!(num("1 234,5"), ok("1234.5"));
        assert_eq!(num("1\u{a0}234\u{a0}567"), ok("1234567"));
        assert_eq!(num(" 8,5 "), ok("8.5"));
        assert_eq!(int("1 234.567"), Err("invalid_value"));
        assert_eq!(num("1 234.567,5"), Err("ambiguous_number"));
    }

    #[test]
    fn check_applies_the_strict_bounds() {
        assert_eq!(check(ValueType::Integer, "4.602"), Ok(Value::Integer(4602)));
        assert_eq!(
            check(ValueType::Number, "1.234,5"),
            Ok(Value::Number(Decimal::from_str("1234.5").unwrap()))
        );
        // Bounds stay those of the CSV check.
        assert_eq!(
            check(ValueType::Integer, "9.223.372.036.854.775.808")
                .unwrap_err()
                .code(),
            "value_out_of_range"
        );
        assert_eq!(
            check(ValueType::Integer, "1.000.000.000.000.001")
                .unwrap_err()
                .code(),
            "value_out_of_range"
        );
        assert_eq!(
            check(ValueType::Number, "0,1234567").unwrap_err().code(),
            "invalid_value"
        );
        assert_eq!(
            check(ValueType::Number, "1.000.000.000.000,1")
                .unwrap_err()
                .code(),
            "value_out_of_range"
        );
        assert_eq!(check(ValueType::Boolean, "true"), Ok(Value::Boolean(true)));
        assert_eq!(
            check(ValueType::Text, " 24 loại "),
            Ok(Value::Text(" 24 loại ".to_owned()))
        );
        assert_eq!(canonical(ValueType::Text, "4.602").unwrap(), "4.602");
    }

    /// `n` written with `sep` between groups of three.
    fn group(n: u64, sep: &str) -> String {
        let digits = n.to_string();
        let head = digits.len() % 3;
        let mut parts = Vec::new();
        if head > 0 {
            parts.push(&digits[..head]);
        }
        let mut i = head;
        while i < digits.len() {
            parts.push(&digits[i..i + 3]);
            i += 3;
        }
        parts.join(sep)
    }

    proptest! {
        #[test]
        fn grouped_integers_read_back(n in -1_000_000_000_000_000i64..=1_000_000_000_000_000, sep in prop::sample::select(vec![".", ",", " ", "\u{a0}", "\u{202f}", ""])) {
            let text = format!("{}{}", if n < 0 { "-" } else { "" }, group(n.unsigned_abs(), sep));
            prop_assert_eq!(check(ValueType::Integer, &text), Ok(Value::Integer(n)));
        }

        #[test]
        fn vietnamese_decimals_read_back(
            int_part in 0u64..1_000_000_000_000,
            frac in 0u32..1_000_000,
            negative in any::<bool>(),
            sep in prop::sample::select(vec![".", " ", "\u{a0}", ""]),
        ) {
            let text = format!("{}{},{frac:06}", if negative { "-" } else { "" }, group(int_part, sep));
            let expected = Decimal::from_str(&format!("{}{int_part}.{frac:06}", if negative { "-" } else { "" })).unwrap();
            prop_assert_eq!(check(ValueType::Number, &text), Ok(Value::Number(expected.normalize())));
        }

        #[test]
        fn output_is_a_plain_literal_or_an_error(
            s in "[-0-9.,  \u{a0}x]{0,16}",
            t in prop::sample::select(vec![ValueType::Integer, ValueType::Number]),
        ) {
            if let Ok(out) = canonical(t, &s) {
                let body = out.strip_prefix('-').unwrap_or(&out);
                let (i, f) = body.split_once('.').unwrap_or((body, "0"));
                prop_assert!(!i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()), "{out:?}");
                prop_assert!(!f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()), "{out:?}");
                prop_assert!(i == "0" || !i.starts_with('0'), "{out:?}");
                if t == ValueType::Integer {
                    prop_assert!(!out.contains('.'));
                }
            }
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            for t in [ValueType::Integer, ValueType::Number, ValueType::Boolean, ValueType::Text] {
                let _ = check(t, &s);
            }
        }
    }
}
