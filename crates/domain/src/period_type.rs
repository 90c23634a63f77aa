//! The period type of a data set (contract v2, "Data sets and the reporting
//! calendar"): `month`, `quarter`, `half`, `nine_months` or `year`.
//!
//! A data set expects one report per assigned unit and per period of its
//! type. This module says which [`Period`]s are periods of a type, lists the
//! periods of a type lying inside a query period, and gives the checked
//! [`TypedPeriod`] a report is keyed by.
//!
//! A period is "of a type" by the months it covers, whatever notation it was
//! written in: `2023-07/2023-09` is the quarter `2023Q3`, and
//! `2023-01/2023-09` is the nine-months period of 2023 (months 1 to 9 of a
//! year; there is exactly one per year).

use std::fmt;
use std::str::FromStr;

use crate::error::{DomainError, echo};
use crate::period::{Month, Period};

/// The period type of a data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodType {
    /// One calendar month: `2023-09`.
    Month,
    /// A calendar quarter: `2023Q3`.
    Quarter,
    /// A half year: `2023H1`, `2023H2`.
    Half,
    /// Months 1 to 9 of a year: `2023-01/2023-09`.
    NineMonths,
    /// A calendar year: `2023`.
    Year,
}

impl PeriodType {
    /// Every period type, shortest first.
    pub const ALL: [PeriodType; 5] = [
        Self::Month,
        Self::Quarter,
        Self::Half,
        Self::NineMonths,
        Self::Year,
    ];

    /// Parse `month`, `quarter`, `half`, `nine_months` or `year` (exact,
    /// lowercase); anything else is [`DomainError::InvalidPeriodType`].
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "month" => Ok(Self::Month),
            "quarter" => Ok(Self::Quarter),
            "half" => Ok(Self::Half),
            "nine_months" => Ok(Self::NineMonths),
            "year" => Ok(Self::Year),
            _ => Err(DomainError::InvalidPeriodType { input: echo(s) }),
        }
    }

    /// The name accepted by [`parse`](Self::parse).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Half => "half",
            Self::NineMonths => "nine_months",
            Self::Year => "year",
        }
    }

    /// Number of months in one period of this type: 1, 3, 6, 9 or 12.
    pub fn month_count(self) -> u32 {
        match self {
            Self::Month => 1,
            Self::Quarter => 3,
            Self::Half => 6,
            Self::NineMonths => 9,
            Self::Year => 12,
        }
    }

    /// Months between the starts of two consecutive periods of this type.
    fn step(self) -> i32 {
        match self {
            Self::Month => 1,
            Self::Quarter => 3,
            Self::Half => 6,
            Self::NineMonths | Self::Year => 12,
        }
    }

    /// Whether a period of this type may start at the month with this
    /// index (`year * 12 + month - 1`). Every step divides 12, so this is a
    /// plain remainder test.
    fn starts_at(self, index: i32) -> bool {
        index.rem_euclid(self.step()) == 0
    }

    /// Whether `period` is exactly one period of this type: `2023Q3` and
    /// `2023-07/2023-09` are quarters, `2023-07` and `2023-02/2023-04` are
    /// not.
    pub fn matches(self, period: &Period) -> bool {
        self.starts_at(period.start().index()) && period.month_count() == self.month_count()
    }

    /// `period` as a period of this type, or [`DomainError::InvalidPeriod`]
    /// (code `invalid_period`, the contract's 400 for "a period not of the
    /// data set's type") naming what was expected.
    pub fn check(self, period: Period) -> Result<TypedPeriod, DomainError> {
        if self.matches(&period) {
            Ok(TypedPeriod {
                period_type: self,
                period,
            })
        } else {
            Err(DomainError::InvalidPeriod {
                input: period.to_string(),
                reason: format!("not {}", self.describe()),
            })
        }
    }

    /// The period of this type that contains `month`, if any. Every month
    /// lies in exactly one period of each type, except October to December,
    /// which lie in no nine-months period.
    pub fn containing(self, month: Month) -> Option<TypedPeriod> {
        let index = month.index();
        let start = match self {
            Self::NineMonths if index.rem_euclid(12) >= 9 => return None,
            _ => index - index.rem_euclid(self.step()),
        };
        self.at_start(start)
    }

    /// The one period of this type that holds the whole of `period`: the
    /// report whose figures include it. `None` when `period` spans two
    /// periods of the type (a year's figure for a quarterly set) or lies in
    /// none (October for a nine-months set).
    pub fn enclosing(self, period: &Period) -> Option<TypedPeriod> {
        self.containing(period.start())
            .filter(|typed| typed.period.contains(period))
    }

    /// The period of this type starting at month index `start` (assumed
    /// aligned), or `None` when it would leave the supported years.
    fn at_start(self, start: i32) -> Option<TypedPeriod> {
        let len = i32::try_from(self.month_count()).ok()?;
        let first = Month::from_index(start).ok()?;
        let last = Month::from_index(start.checked_add(len - 1)?).ok()?;
        let period = Period::from_months(first, last).ok()?;
        Some(TypedPeriod {
            period_type: self,
            period,
        })
    }

    /// The periods of this type lying inside `within`, in order. For a
    /// quarterly set and `2023` these are `2023Q1` … `2023Q4`; for
    /// `2023-02/2023-12` they are `2023Q2` … `2023Q4`. The iterator is lazy:
    /// a span of centuries yields its periods one at a time.
    pub fn periods_within(self, within: &Period) -> PeriodsWithin {
        let start = within.start().index();
        let aligned = start + (self.step() - start.rem_euclid(self.step())) % self.step();
        PeriodsWithin {
            period_type: self,
            next_start: aligned,
            end: within.end().index(),
        }
    }

    /// "a quarter (Q1 to Q4 of a year, e.g. 2023Q3)", for error messages.
    fn describe(self) -> &'static str {
        match self {
            Self::Month => "a month (e.g. 2023-09)",
            Self::Quarter => "a quarter (Q1 to Q4 of a year, e.g. 2023Q3)",
            Self::Half => "a half year (H1 or H2 of a year, e.g. 2023H1)",
            Self::NineMonths => {
                "a nine-months period (months 1 to 9 of a year, e.g. 2023-01/2023-09)"
            }
            Self::Year => "a year (e.g. 2023)",
        }
    }
}

impl fmt::Display for PeriodType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PeriodType {
    type Err = DomainError;

    /// Same as [`PeriodType::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A period known to be exactly one period of its [`PeriodType`]: the
/// period of a report. Built by [`PeriodType::check`],
/// [`PeriodType::containing`] or [`PeriodType::periods_within`].
///
/// Displays in the canonical notation of [`Period`]: `2023-09`, `2023Q3`,
/// `2023H1`, `2023-01/2023-09` or `2023`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypedPeriod {
    period_type: PeriodType,
    period: Period,
}

impl TypedPeriod {
    /// The type of this period.
    pub fn period_type(&self) -> PeriodType {
        self.period_type
    }

    /// The period itself.
    pub fn period(&self) -> Period {
        self.period
    }

    /// The next period of the same type, or `None` after 9999.
    pub fn next(&self) -> Option<TypedPeriod> {
        let start = self
            .period
            .start()
            .index()
            .checked_add(self.period_type.step())?;
        self.period_type.at_start(start)
    }
}

impl fmt::Display for TypedPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.period.fmt(f)
    }
}

/// Iterator over the periods of one type inside a period; see
/// [`PeriodType::periods_within`].
#[derive(Clone, Debug)]
pub struct PeriodsWithin {
    period_type: PeriodType,
    /// Month index where the next candidate starts (aligned to the type).
    next_start: i32,
    /// Month index of the last month of the enclosing period.
    end: i32,
}

impl Iterator for PeriodsWithin {
    type Item = TypedPeriod;

    fn next(&mut self) -> Option<TypedPeriod> {
        let len = i32::try_from(self.period_type.month_count()).ok()?;
        let last = self.next_start.checked_add(len - 1)?;
        if last > self.end {
            return None;
        }
        let out = self.period_type.at_start(self.next_start)?;
        self.next_start = self.next_start.checked_add(self.period_type.step())?;
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::period::{MAX_YEAR, MIN_YEAR};
    use proptest::prelude::*;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn within(t: PeriodType, s: &str) -> Vec<String> {
        t.periods_within(&p(s)).map(|x| x.to_string()).collect()
    }

    #[test]
    fn the_enclosing_period_holds_the_whole_figure_period() {
        let enclosing = |t: PeriodType, s: &str| t.enclosing(&p(s)).map(|x| x.to_string());
        assert_eq!(
            enclosing(PeriodType::Quarter, "2023-08"),
            Some("2023Q3".into())
        );
        assert_eq!(
            enclosing(PeriodType::Quarter, "2023Q3"),
            Some("2023Q3".into())
        );
        assert_eq!(
            enclosing(PeriodType::Quarter, "2023-07/2023-08"),
            Some("2023Q3".into())
        );
        assert_eq!(enclosing(PeriodType::Quarter, "2023-06/2023-07"), None);
        assert_eq!(enclosing(PeriodType::Quarter, "2023"), None);
        assert_eq!(enclosing(PeriodType::Year, "2023Q4"), Some("2023".into()));
        assert_eq!(
            enclosing(PeriodType::NineMonths, "2023Q2"),
            Some("2023-01/2023-09".into())
        );
        assert_eq!(enclosing(PeriodType::NineMonths, "2023-10"), None);
        assert_eq!(
            enclosing(PeriodType::Month, "2023-09"),
            Some("2023-09".into())
        );
        assert_eq!(enclosing(PeriodType::Month, "2023Q3"), None);
    }

    #[test]
    fn parses_and_prints_the_contract_names() {
        for t in PeriodType::ALL {
            assert_eq!(PeriodType::parse(t.as_str()), Ok(t));
            assert_eq!(t.to_string().parse::<PeriodType>(), Ok(t));
        }
        let names: Vec<_> = PeriodType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(names, ["month", "quarter", "half", "nine_months", "year"]);
        for bad in ["", "Quarter", "quarterly", "nine-months", " year", "9m"] {
            let err = PeriodType::parse(bad).unwrap_err();
            assert_eq!(err.code(), "invalid_period_type", "{bad:?}");
        }
    }

    #[test]
    fn an_interval_equal_to_one_period_is_that_period() {
        let q = PeriodType::Quarter.check(p("2023-07/2023-09")).unwrap();
        assert_eq!(q.to_string(), "2023Q3");
        assert_eq!(q.period(), p("2023Q3"));
        assert_eq!(q.period_type(), PeriodType::Quarter);
        let nine = PeriodType::NineMonths.check(p("2023-01/2023-09")).unwrap();
        assert_eq!(nine.to_string(), "2023-01/2023-09");
        assert_eq!(
            PeriodType::Half
                .check(p("2023-01/2023-06"))
                .unwrap()
                .to_string(),
            "2023H1"
        );
        assert_eq!(
            PeriodType::Year
                .check(p("2023-01/2023-12"))
                .unwrap()
                .to_string(),
            "2023"
        );
        assert_eq!(
            PeriodType::Month.check(p("2023-09")).unwrap().to_string(),
            "2023-09"
        );
    }

    #[test]
    fn a_period_of_another_shape_is_invalid_period() {
        let err = PeriodType::Quarter.check(p("2023-07")).unwrap_err();
        assert_eq!(err.code(), "invalid_period");
        assert!(err.to_string().contains("not a quarter"), "{err}");
        assert!(err.to_string().contains("2023-07"), "{err}");
        for (t, s) in [
            (PeriodType::Quarter, "2023-02/2023-04"),
            (PeriodType::Quarter, "2023H1"),
            (PeriodType::Half, "2023-04/2023-09"),
            (PeriodType::NineMonths, "2023-02/2023-10"),
            (PeriodType::NineMonths, "2023"),
            (PeriodType::Year, "2023-07/2024-06"),
            (PeriodType::Month, "2023Q1"),
        ] {
            assert!(!t.matches(&p(s)), "{t} {s}");
            assert!(t.check(p(s)).is_err(), "{t} {s}");
        }
    }

    #[test]
    fn lists_the_periods_inside_in_order() {
        assert_eq!(
            within(PeriodType::Quarter, "2023"),
            ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
        );
        assert_eq!(
            within(PeriodType::Quarter, "2023-02/2023-12"),
            ["2023Q2", "2023Q3", "2023Q4"]
        );
        assert_eq!(
            within(PeriodType::Quarter, "2023-01/2023-09"),
            ["2023Q1", "2023Q2", "2023Q3"]
        );
        assert!(within(PeriodType::Quarter, "2023-02/2023-03").is_empty());
        assert_eq!(
            within(PeriodType::Month, "2022-11/2023-02"),
            ["2022-11", "2022-12", "2023-01", "2023-02"]
        );
        assert_eq!(
            within(PeriodType::Half, "2022-07/2024-03"),
            ["2022H2", "2023H1", "2023H2"]
        );
        assert_eq!(
            within(PeriodType::NineMonths, "2022-02/2024-09"),
            ["2023-01/2023-09", "2024-01/2024-09"]
        );
        assert_eq!(
            within(PeriodType::NineMonths, "2023-01/2023-09"),
            ["2023-01/2023-09"]
        );
        assert!(within(PeriodType::NineMonths, "2023-01/2023-08").is_empty());
        assert_eq!(
            within(PeriodType::Year, "2022-06/2024-12"),
            ["2023", "2024"]
        );
        assert_eq!(within(PeriodType::Year, "2023Q3"), Vec::<String>::new());
    }

    #[test]
    fn containing_finds_the_one_period_of_a_month() {
        let sep = Month::new(2023, 9).unwrap();
        let got = |t: PeriodType| t.containing(sep).map(|x| x.to_string());
        assert_eq!(got(PeriodType::Month).as_deref(), Some("2023-09"));
        assert_eq!(got(PeriodType::Quarter).as_deref(), Some("2023Q3"));
        assert_eq!(got(PeriodType::Half).as_deref(), Some("2023H2"));
        assert_eq!(
            got(PeriodType::NineMonths).as_deref(),
            Some("2023-01/2023-09")
        );
        assert_eq!(got(PeriodType::Year).as_deref(), Some("2023"));
        let oct = Month::new(2023, 10).unwrap();
        assert_eq!(PeriodType::NineMonths.containing(oct), None);
    }

    #[test]
    fn next_steps_one_period_and_stops_after_9999() {
        let q4 = PeriodType::Quarter.check(p("2023Q4")).unwrap();
        assert_eq!(q4.next().unwrap().to_string(), "2024Q1");
        let nine = PeriodType::NineMonths.check(p("2023-01/2023-09")).unwrap();
        assert_eq!(nine.next().unwrap().to_string(), "2024-01/2024-09");
        let last = PeriodType::Year.check(p("9999")).unwrap();
        assert_eq!(last.next(), None);
        let last_month = PeriodType::Month.check(p("9999-12")).unwrap();
        assert_eq!(last_month.next(), None);
    }

    #[test]
    fn the_widest_span_is_lazy_and_complete() {
        let all = Period::parse("1000-01/9999-12").unwrap();
        assert_eq!(PeriodType::Year.periods_within(&all).count(), 9000);
        assert_eq!(
            PeriodType::Month
                .periods_within(&all)
                .last()
                .unwrap()
                .to_string(),
            "9999-12"
        );
        assert_eq!(
            PeriodType::Quarter
                .periods_within(&all)
                .next()
                .unwrap()
                .to_string(),
            "1000Q1"
        );
    }

    fn arb_period() -> impl Strategy<Value = Period> {
        let min = MIN_YEAR * 12;
        let max = MAX_YEAR * 12 + 11;
        (min..=max, 0i32..40).prop_map(move |(s, len)| {
            Period::from_months(
                Month::from_index(s).unwrap(),
                Month::from_index((s + len).min(max)).unwrap(),
            )
            .unwrap()
        })
    }

    fn arb_type() -> impl Strategy<Value = PeriodType> {
        prop::sample::select(PeriodType::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn periods_within_are_exactly_the_matching_subperiods(t in arb_type(), outer in arb_period()) {
            let listed: Vec<Period> = t.periods_within(&outer).map(|x| x.period()).collect();
            // Brute force: every sub-period of `outer` that matches the type.
            let mut expected = Vec::new();
            for s in outer.months() {
                for e in outer.months().filter(|e| *e >= s) {
                    let candidate = Period::from_months(s, e).unwrap();
                    if t.matches(&candidate) {
                        expected.push(candidate);
                    }
                }
            }
            expected.sort();
            prop_assert_eq!(listed, expected);
        }

        #[test]
        fn matching_periods_roundtrip_through_their_text(t in arb_type(), period in arb_period()) {
            if let Ok(typed) = t.check(period) {
                let reparsed = Period::parse(&typed.to_string()).unwrap();
                prop_assert_eq!(t.check(reparsed), Ok(typed));
                prop_assert_eq!(period.month_count(), t.month_count());
                prop_assert_eq!(t.containing(period.start()), Some(typed));
                prop_assert_eq!(t.containing(period.end()), Some(typed));
            } else {
                prop_assert!(!t.matches(&period));
            }
        }

        #[test]
        fn containing_holds_the_month(t in arb_type(), i in (MIN_YEAR * 12)..=(MAX_YEAR * 12 + 11)) {
            let month = Month::from_index(i).unwrap();
            match t.containing(month) {
                Some(typed) => {
                    prop_assert!(typed.period().contains(&Period::month(month)));
                    prop_assert!(t.matches(&typed.period()));
                }
                None => prop_assert!(t == PeriodType::NineMonths && month.month() >= 10),
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = PeriodType::parse(&s);
        }
    }
}
