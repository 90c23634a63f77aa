//! Reporting periods: sets of whole, consecutive calendar months.

use std::fmt;
use std::str::FromStr;

use crate::error::{DomainError, echo};

/// Smallest supported year.
pub const MIN_YEAR: i32 = 1000;
/// Largest supported year.
pub const MAX_YEAR: i32 = 9999;

const MIN_INDEX: i32 = MIN_YEAR * 12;
const MAX_INDEX: i32 = MAX_YEAR * 12 + 11;

/// A calendar month, stored as months since year 0 (`year * 12 + month - 1`).
///
/// Only years 1000 to 9999 are representable, so the [`Display`](fmt::Display)
/// form is always `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month(i32);

impl Month {
    /// The month `month` (1 to 12) of `year` (1000 to 9999).
    pub fn new(year: i32, month: u32) -> Result<Month, DomainError> {
        let input = || format!("{year:04}-{month:02}");
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(DomainError::InvalidPeriod {
                input: input(),
                reason: format!("year {year} is outside {MIN_YEAR} to {MAX_YEAR}"),
            });
        }
        if !(1..=12).contains(&month) {
            return Err(DomainError::InvalidPeriod {
                input: input(),
                reason: format!("month {month} is outside 1 to 12"),
            });
        }
        // Both ranges are checked above, so this cannot overflow.
        Ok(Month(year * 12 + month as i32 - 1))
    }

    /// Rebuild a month from its [`index`](Self::index), range-checked.
    pub fn from_index(i: i32) -> Result<Month, DomainError> {
        if (MIN_INDEX..=MAX_INDEX).contains(&i) {
            Ok(Month(i))
        } else {
            Err(DomainError::InvalidPeriod {
                input: i.to_string(),
                reason: format!(
                    "month index {i} is outside {MIN_INDEX} to {MAX_INDEX} (years {MIN_YEAR} to {MAX_YEAR})"
                ),
            })
        }
    }

    /// The calendar year.
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    /// The month of the year, 1 to 12.
    pub fn month(self) -> u32 {
        self.0.rem_euclid(12).unsigned_abs() + 1
    }

    /// Months since year 0: `year * 12 + month - 1`.
    pub fn index(self) -> i32 {
        self.0
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// A reporting period: the set of months from `start` to `end` inclusive.
///
/// Two periods are equal exactly when they cover the same months, whatever
/// notation they were written in: `2023-01/2023-03` and `2023Q1` parse to
/// the same value, which [`Display`](fmt::Display)s in canonical form as
/// `2023Q1`. Periods order by start, then end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    start: Month,
    end: Month,
}

impl Period {
    /// Parse one of the accepted notations, all with a 4-digit year 1000–9999:
    ///
    /// * `2023` — the whole year;
    /// * `2023H1`, `2023H2` — a half year;
    /// * `2023Q1` to `2023Q4` — a calendar quarter;
    /// * `2023-09` — one month (always two digits);
    /// * `2023-01/2023-09` — an inclusive interval of months, end not before
    ///   start.
    ///
    /// Anything else (lowercase letters, whitespace, `2023-1`, `2023Q5`, …)
    /// is rejected with [`DomainError::InvalidPeriod`] and a precise reason.
    pub fn parse(s: &str) -> Result<Period, DomainError> {
        parse_period(s).map_err(|reason| DomainError::InvalidPeriod {
            input: echo(s),
            reason,
        })
    }

    /// The period from `start` to `end` inclusive; `end` must not be before
    /// `start`.
    pub fn from_months(start: Month, end: Month) -> Result<Period, DomainError> {
        if end < start {
            return Err(DomainError::InvalidPeriod {
                input: format!("{start}/{end}"),
                reason: format!("end {end} is before start {start}"),
            });
        }
        Ok(Period { start, end })
    }

    /// The single-month period.
    pub fn month(month: Month) -> Period {
        Period {
            start: month,
            end: month,
        }
    }

    /// First month of the period.
    pub fn start(&self) -> Month {
        self.start
    }

    /// Last month of the period.
    pub fn end(&self) -> Month {
        self.end
    }

    /// Number of months in the period (at least 1).
    pub fn month_count(&self) -> u32 {
        (self.end.0 - self.start.0).unsigned_abs() + 1
    }

    /// The months of the period, in order.
    pub fn months(&self) -> impl Iterator<Item = Month> + use<> {
        (self.start.0..=self.end.0).map(Month)
    }

    /// Whether every month of `other` is in `self` (`other ⊆ self`).
    pub fn contains(&self, other: &Period) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Whether the two periods share at least one month.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// Whether the periods overlap without being equal: a figure stored for
    /// `other` would be counted twice alongside one stored for `self`.
    pub fn conflicts_with(&self, other: &Period) -> bool {
        self.overlaps(other) && self != other
    }
}

impl fmt::Display for Period {
    /// Canonical form: `2023-09`, `2023`, `2023H1`, `2023Q3`, or
    /// `2023-01/2023-09` when no shorter notation fits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, e) = (self.start, self.end);
        if s == e {
            return write!(f, "{s}");
        }
        if s.year() == e.year() {
            let year = s.year();
            match (s.month(), e.month()) {
                (1, 12) => return write!(f, "{year:04}"),
                (1, 6) => return write!(f, "{year:04}H1"),
                (7, 12) => return write!(f, "{year:04}H2"),
                (m, n) if m % 3 == 1 && n == m + 2 => {
                    return write!(f, "{year:04}Q{}", m / 3 + 1);
                }
                _ => {}
            }
        }
        write!(f, "{s}/{e}")
    }
}

impl FromStr for Period {
    type Err = DomainError;

    /// Same as [`Period::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

/// Parse a period, returning the reason on failure.
fn parse_period(s: &str) -> Result<Period, String> {
    if s.is_empty() {
        return Err("empty period".to_owned());
    }
    if let Some((pos, c)) = s.chars().enumerate().find(|(_, c)| c.is_whitespace()) {
        return Err(format!("whitespace {c:?} at position {pos}"));
    }
    if let Some((pos, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
        return Err(format!("unexpected character {c:?} at position {pos}"));
    }
    // From here on the string is ASCII, so byte slicing is safe.
    if let Some((a, b)) = s.split_once('/') {
        if b.contains('/') {
            return Err("more than one '/'".to_owned());
        }
        let start = parse_month(a).map_err(|r| format!("interval start: {r}"))?;
        let end = parse_month(b).map_err(|r| format!("interval end: {r}"))?;
        if end < start {
            return Err(format!("end {end} is before start {start}"));
        }
        return Ok(Period { start, end });
    }
    let (year, rest) = split_year(s)?;
    let months = |first: u32, last: u32| -> Result<Period, String> {
        let start = Month::new(year, first).map_err(|e| e.to_string())?;
        let end = Month::new(year, last).map_err(|e| e.to_string())?;
        Ok(Period { start, end })
    };
    match rest.as_bytes() {
        [] => months(1, 12),
        [b'H', b'1'] => months(1, 6),
        [b'H', b'2'] => months(7, 12),
        [b'H', ..] => Err(format!("half year must be H1 or H2, got {rest:?}")),
        [b'Q', q @ b'1'..=b'4'] => {
            let first = u32::from(q - b'1') * 3 + 1;
            months(first, first + 2)
        }
        [b'Q', ..] => Err(format!("quarter must be Q1 to Q4, got {rest:?}")),
        [c @ (b'h' | b'q'), ..] => Err(format!(
            "lowercase {:?}; use uppercase H or Q",
            char::from(*c)
        )),
        [b'-', ..] => parse_month(s).map(Period::month),
        _ => Err(format!(
            "unexpected {rest:?} after the year; expected YYYY, YYYYH1, YYYYQ1, YYYY-MM or YYYY-MM/YYYY-MM"
        )),
    }
}

/// Split a leading 4-digit year (1000–9999) off an ASCII string.
fn split_year(s: &str) -> Result<(i32, &str), String> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits != 4 {
        return Err(format!(
            "expected a 4-digit year at the start, found {digits} digit(s); accepted forms are YYYY, YYYYH1, YYYYQ1, YYYY-MM and YYYY-MM/YYYY-MM"
        ));
    }
    let (y, rest) = s.split_at(4);
    let year = y
        .bytes()
        .fold(0i32, |acc, b| acc * 10 + i32::from(b - b'0'));
    if year < MIN_YEAR {
        return Err(format!("year {y} is outside {MIN_YEAR} to {MAX_YEAR}"));
    }
    Ok((year, rest))
}

/// Parse an ASCII `YYYY-MM` month with a two-digit month 01–12.
fn parse_month(s: &str) -> Result<Month, String> {
    let (year, rest) = split_year(s)?;
    let Some(mm) = rest.strip_prefix('-') else {
        return Err(format!("expected a month YYYY-MM, got {s:?}"));
    };
    if mm.len() != 2 || !mm.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "month must be exactly two digits 01 to 12, got {mm:?}"
        ));
    }
    let month = mm
        .bytes()
        .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    if !(1..=12).contains(&month) {
        return Err(format!("month {mm} is outside 01 to 12"));
    }
    Month::new(year, month).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn m(y: i32, mo: u32) -> Month {
        Month::new(y, mo).unwrap()
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn reason(s: &str) -> String {
        match Period::parse(s).unwrap_err() {
            DomainError::InvalidPeriod { input, reason } => {
                assert_eq!(input, s);
                reason
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn month_roundtrips_through_index() {
        let sep = m(2023, 9);
        assert_eq!(sep.year(), 2023);
        assert_eq!(sep.month(), 9);
        assert_eq!(sep.index(), 2023 * 12 + 8);
        assert_eq!(Month::from_index(sep.index()).unwrap(), sep);
        assert_eq!(sep.to_string(), "2023-09");
        assert!(m(2023, 12) < m(2024, 1));
    }

    #[test]
    fn rejects_month_13_and_0() {
        assert_eq!(Month::new(2023, 13).unwrap_err().code(), "invalid_period");
        assert!(Month::new(2023, 0).is_err());
    }

    #[test]
    fn rejects_years_outside_range() {
        assert!(Month::new(999, 1).is_err());
        assert!(Month::new(10_000, 1).is_err());
        assert!(Month::new(1000, 1).is_ok());
        assert!(Month::new(9999, 12).is_ok());
        assert!(Month::from_index(m(1000, 1).index() - 1).is_err());
        assert!(Month::from_index(m(9999, 12).index() + 1).is_err());
        assert!(Month::from_index(i32::MIN).is_err());
    }

    #[test]
    fn parses_year() {
        let y = p("2023");
        assert_eq!((y.start(), y.end()), (m(2023, 1), m(2023, 12)));
        assert_eq!(y.month_count(), 12);
    }

    #[test]
    fn parses_halves_and_quarters() {
        assert_eq!(
            p("2023H1"),
            Period::from_months(m(2023, 1), m(2023, 6)).unwrap()
        );
        assert_eq!(
            p("2023H2"),
            Period::from_months(m(2023, 7), m(2023, 12)).unwrap()
        );
        assert_eq!(
            p("2023Q1"),
            Period::from_months(m(2023, 1), m(2023, 3)).unwrap()
        );
        assert_eq!(
            p("2023Q3"),
            Period::from_months(m(2023, 7), m(2023, 9)).unwrap()
        );
        assert_eq!(
            p("2023Q4"),
            Period::from_months(m(2023, 10), m(2023, 12)).unwrap()
        );
    }

    #[test]
    fn parses_month_and_interval() {
        assert_eq!(p("2023-09"), Period::month(m(2023, 9)));
        let i = p("2023-01/2023-09");
        assert_eq!((i.start(), i.end()), (m(2023, 1), m(2023, 9)));
        assert_eq!(i.month_count(), 9);
        assert_eq!(p("2022-11/2023-02").month_count(), 4);
        assert_eq!(p("2023-05/2023-05"), p("2023-05"));
    }

    #[test]
    fn displays_canonical_form() {
        for s in [
            "2023",
            "2023H1",
            "2023H2",
            "2023Q1",
            "2023Q2",
            "2023Q3",
            "2023Q4",
            "2023-09",
            "2023-01/2023-09",
            "2022-12/2023-02",
            "2023-02/2023-04",
            "2022-01/2023-12",
        ] {
            assert_eq!(p(s).to_string(), s);
        }
    }

    #[test]
    fn interval_with_named_shape_prints_short_form() {
        assert_eq!(p("2023-01/2023-03").to_string(), "2023Q1");
        assert_eq!(p("2023-01/2023-03"), p("2023Q1"));
        assert_eq!(p("2023-07/2023-12").to_string(), "2023H2");
        assert_eq!(p("2023-01/2023-12").to_string(), "2023");
        assert_eq!(p("2023-09/2023-09").to_string(), "2023-09");
    }

    #[test]
    fn rejects_malformed_with_reasons() {
        assert!(reason("2023Q5").contains("quarter must be Q1 to Q4"));
        assert!(reason("2023H3").contains("half year must be H1 or H2"));
        assert!(reason("2023-13").contains("outside 01 to 12"));
        assert!(reason("2023-00").contains("outside 01 to 12"));
        assert!(reason("2023-1").contains("exactly two digits"));
        assert!(reason("2023-09/2023-01").contains("end 2023-01 is before start 2023-09"));
        assert!(reason("23").contains("4-digit year"));
        assert!(reason("20231").contains("4-digit year"));
        assert!(reason(" 2023").contains("whitespace"));
        assert!(reason("2023 ").contains("whitespace"));
        assert!(reason("2023q1").contains("lowercase"));
        assert!(reason("2023h1").contains("lowercase"));
        assert_eq!(reason(""), "empty period");
        assert!(reason("0999").contains("outside 1000 to 9999"));
        assert!(reason("2023/2024").contains("interval start"));
        assert!(reason("2023-01/2023-02/2023-03").contains("more than one"));
        assert!(reason("2023-01/").contains("interval end"));
        assert!(reason("2023Q1x").contains("quarter"));
        assert!(reason("2023-09-01").contains("two digits"));
        assert!(reason("2023X").contains("after the year"));
        assert!(reason("２０２３").contains("unexpected character"));
        assert!(reason("2023-0９").contains("position 6"));
    }

    #[test]
    fn from_months_rejects_reversed() {
        assert!(Period::from_months(m(2023, 2), m(2023, 1)).is_err());
    }

    #[test]
    fn from_str_delegates_to_parse() {
        let q: Period = "2024Q2".parse().unwrap();
        assert_eq!(q, p("2024Q2"));
        assert!("2024Q0".parse::<Period>().is_err());
    }

    #[test]
    fn containment_and_overlap() {
        let year = p("2023");
        let q3 = p("2023Q3");
        let sep = p("2023-09");
        let straddle = p("2023-11/2024-02");
        assert!(year.contains(&q3) && q3.contains(&sep) && year.contains(&year));
        assert!(!q3.contains(&year));
        assert!(year.overlaps(&straddle) && !q3.overlaps(&straddle));
        assert!(year.conflicts_with(&q3));
        assert!(!year.conflicts_with(&year));
        assert!(!q3.conflicts_with(&p("2023Q4")));
        assert!(p("2023-01/2023-03").conflicts_with(&p("2023-03/2023-05")));
    }

    #[test]
    fn months_iterates_in_order() {
        let months: Vec<String> = p("2022-11/2023-02")
            .months()
            .map(|m| m.to_string())
            .collect();
        assert_eq!(months, ["2022-11", "2022-12", "2023-01", "2023-02"]);
    }

    fn arb_period() -> impl Strategy<Value = Period> {
        (MIN_INDEX..=MAX_INDEX, 0i32..60).prop_map(|(s, len)| {
            let e = (s + len).min(MAX_INDEX);
            Period::from_months(Month::from_index(s).unwrap(), Month::from_index(e).unwrap())
                .unwrap()
        })
    }

    fn month_set(p: &Period) -> std::collections::BTreeSet<i32> {
        p.months().map(Month::index).collect()
    }

    proptest! {
        #[test]
        fn parse_print_roundtrip(period in arb_period()) {
            prop_assert_eq!(Period::parse(&period.to_string()), Ok(period));
        }

        #[test]
        fn parse_never_panics_on_arbitrary_text(s in "\\PC*") {
            let _ = Period::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_period_alphabet(s in "[0-9QH/-]{0,20}") {
            if let Ok(period) = Period::parse(&s) {
                prop_assert!(period.start() <= period.end());
                prop_assert_eq!(Period::parse(&period.to_string()), Ok(period));
            }
        }

        #[test]
        fn set_semantics_agree(a in arb_period(), b in arb_period()) {
            let (sa, sb) = (month_set(&a), month_set(&b));
            prop_assert_eq!(a.contains(&b), sb.is_subset(&sa));
            prop_assert_eq!(a.overlaps(&b), !sa.is_disjoint(&sb));
            prop_assert_eq!(a.conflicts_with(&b), !sa.is_disjoint(&sb) && sa != sb);
            prop_assert_eq!(a.month_count() as usize, sa.len());
        }

        #[test]
        fn month_roundtrip(i in MIN_INDEX..=MAX_INDEX) {
            let month = Month::from_index(i).unwrap();
            prop_assert_eq!(Month::new(month.year(), month.month()), Ok(month));
            let single = Period::month(month);
            prop_assert_eq!(Period::parse(&month.to_string()), Ok(single));
        }
    }
}
