//! Completeness and timeliness of reporting (contract v2, "Completeness and
//! timeliness").
//!
//! Over a unit's subtree and the periods of a data set's type inside a query
//! period, [`Completeness`] counts the `expected` reports, the `submitted`
//! ones (submitted or approved), those of them first submitted by their due
//! date (`on_time`) and the `approved` ones, so that
//! `on_time ≤ submitted ≤ expected` and `approved ≤ submitted` always hold.
//! `rate` = 100 × submitted / expected and `on_time_rate` = 100 × on_time /
//! expected, rounded to 2 decimals half away from zero, `None` (JSON `null`)
//! when nothing is expected: 40 of 68 is 58.82, 33 of 68 is 48.53.

use rust_decimal::Decimal;

use crate::error::DomainError;
use crate::report::ReportState;

/// Report counts of one row of a completeness answer. The invariants
/// `on_time ≤ submitted ≤ expected` and `approved ≤ submitted` hold for
/// every value of this type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Completeness {
    expected: u64,
    submitted: u64,
    on_time: u64,
    approved: u64,
}

impl Completeness {
    /// Counts computed elsewhere (e.g. by SQL `COUNT`s), checked:
    /// [`DomainError::InvalidCounts`] unless `on_time ≤ submitted ≤
    /// expected` and `approved ≤ submitted`.
    pub fn new(
        expected: u64,
        submitted: u64,
        on_time: u64,
        approved: u64,
    ) -> Result<Completeness, DomainError> {
        let fail = |reason: String| Err(DomainError::InvalidCounts { reason });
        if submitted > expected {
            return fail(format!("submitted {submitted} > expected {expected}"));
        }
        if on_time > submitted {
            return fail(format!("on_time {on_time} > submitted {submitted}"));
        }
        if approved > submitted {
            return fail(format!("approved {approved} > submitted {submitted}"));
        }
        Ok(Completeness {
            expected,
            submitted,
            on_time,
            approved,
        })
    }

    /// Count one expected report, in `state`, with its
    /// [`on_time`](crate::report::on_time) (`Some(true)` when it was first
    /// submitted by its due date). It counts as on time only while it is
    /// submitted or approved: a report submitted on time and then reopened
    /// is expected, not submitted, not on time.
    pub fn record(&mut self, state: ReportState, on_time: Option<bool>) {
        self.expected = self.expected.saturating_add(1);
        if state.is_submitted() {
            self.submitted = self.submitted.saturating_add(1);
            if on_time == Some(true) {
                self.on_time = self.on_time.saturating_add(1);
            }
            if state == ReportState::Approved {
                self.approved = self.approved.saturating_add(1);
            }
        }
    }

    /// Add another row's counts to this one (saturating, which keeps the
    /// invariants).
    pub fn merge(&mut self, other: &Completeness) {
        self.expected = self.expected.saturating_add(other.expected);
        self.submitted = self.submitted.saturating_add(other.submitted);
        self.on_time = self.on_time.saturating_add(other.on_time);
        self.approved = self.approved.saturating_add(other.approved);
    }

    /// Reports expected.
    pub fn expected(&self) -> u64 {
        self.expected
    }

    /// Reports submitted or approved.
    pub fn submitted(&self) -> u64 {
        self.submitted
    }

    /// Submitted or approved reports first submitted by their due date.
    pub fn on_time(&self) -> u64 {
        self.on_time
    }

    /// Reports approved.
    pub fn approved(&self) -> u64 {
        self.approved
    }

    /// 100 × submitted / expected, rounded to 2 decimals; `None` when
    /// nothing is expected.
    pub fn rate(&self) -> Option<Decimal> {
        percent(self.submitted, self.expected)
    }

    /// 100 × on_time / expected, rounded to 2 decimals; `None` when nothing
    /// is expected.
    pub fn on_time_rate(&self) -> Option<Decimal> {
        percent(self.on_time, self.expected)
    }
}

/// 100 × `part` / `whole` rounded to 2 decimals, half away from zero, or
/// `None` when `whole` is 0.
///
/// Exact: the rounding is done on integers (`⌊(20 000 × part + whole) /
/// (2 × whole)⌋` hundredths, in `u128`, which cannot overflow), never on a
/// rounded quotient, so a result is never off by a double rounding. The
/// result is normalised: 50 % is `50`, not `50.00`.
pub fn percent(part: u64, whole: u64) -> Option<Decimal> {
    if whole == 0 {
        return None;
    }
    let (part, whole) = (u128::from(part), u128::from(whole));
    // ≤ (2e4 × 2^64 + 2^64) / 2 < 2^79: fits both u128 and a Decimal mantissa.
    let hundredths = (20_000 * part + whole) / (2 * whole);
    let mantissa = i128::try_from(hundredths).ok()?;
    Decimal::try_from_i128_with_scale(mantissa, 2)
        .ok()
        .map(|d| d.normalize())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::RoundingStrategy;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn the_contract_example() {
        let c = Completeness::new(68, 40, 33, 30).unwrap();
        assert_eq!(c.rate(), Some(dec("58.82")));
        assert_eq!(c.on_time_rate(), Some(dec("48.53")));
        assert_eq!(
            (c.expected(), c.submitted(), c.on_time(), c.approved()),
            (68, 40, 33, 30)
        );
    }

    #[test]
    fn nothing_expected_is_null() {
        let c = Completeness::default();
        assert_eq!(c.rate(), None);
        assert_eq!(c.on_time_rate(), None);
        assert_eq!(percent(0, 0), None);
    }

    #[test]
    fn rounds_half_away_from_zero_exactly() {
        assert_eq!(percent(1, 8), Some(dec("12.5")));
        assert_eq!(percent(1, 3), Some(dec("33.33")));
        assert_eq!(percent(2, 3), Some(dec("66.67")));
        // 100 × 1 / 1600 = 0.0625 → 0.06; 100 × 1 / 800 = 0.125 → 0.13.
        assert_eq!(percent(1, 1600), Some(dec("0.06")));
        assert_eq!(percent(1, 800), Some(dec("0.13")));
        assert_eq!(percent(1, 40_000), Some(dec("0")));
        assert_eq!(percent(1, 20_000), Some(dec("0.01")));
        assert_eq!(percent(5, 5), Some(dec("100")));
        assert_eq!(percent(5, 5).unwrap().to_string(), "100");
        assert_eq!(percent(1, 2).unwrap().to_string(), "50");
        assert_eq!(percent(u64::MAX, u64::MAX), Some(dec("100")));
        assert_eq!(percent(u64::MAX - 1, u64::MAX), Some(dec("100")));
        assert_eq!(
            percent(u64::MAX, 1),
            Some(Decimal::from(u64::MAX) * dec("100"))
        );
    }

    #[test]
    fn counts_reject_broken_invariants() {
        for (e, s, o, a) in [(1, 2, 0, 0), (5, 2, 3, 0), (5, 2, 0, 3)] {
            let err = Completeness::new(e, s, o, a).unwrap_err();
            assert_eq!(err.code(), "invalid_counts");
        }
        assert!(Completeness::new(5, 5, 5, 5).is_ok());
        assert!(Completeness::new(0, 0, 0, 0).is_ok());
    }

    #[test]
    fn recording_reports_counts_by_state() {
        let mut c = Completeness::default();
        c.record(ReportState::Open, None);
        c.record(ReportState::Open, Some(true)); // reopened after an on-time submission
        c.record(ReportState::Returned, Some(false));
        c.record(ReportState::Submitted, Some(true));
        c.record(ReportState::Submitted, Some(false));
        c.record(ReportState::Approved, Some(true));
        c.record(ReportState::Approved, None);
        assert_eq!(c, Completeness::new(7, 4, 2, 2).unwrap());
        let mut total = c;
        total.merge(&c);
        assert_eq!(total, Completeness::new(14, 8, 4, 4).unwrap());
        let mut huge = Completeness::new(u64::MAX, u64::MAX, 1, 0).unwrap();
        huge.merge(&c);
        assert_eq!(huge.expected(), u64::MAX);
        assert!(huge.on_time() <= huge.submitted() && huge.submitted() <= huge.expected());
    }

    fn arb_state() -> impl Strategy<Value = ReportState> {
        prop::sample::select(ReportState::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn percent_agrees_with_decimal_rounding(part in 0u64..1_000_000, whole in 1u64..1_000_000) {
            let reference = (Decimal::from(part) * Decimal::from(100) / Decimal::from(whole))
                .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            prop_assert_eq!(percent(part, whole), Some(reference.normalize()));
        }

        #[test]
        fn rates_stay_within_0_and_100_and_on_time_never_beats_submitted(
            reports in prop::collection::vec((arb_state(), proptest::option::of(any::<bool>())), 0..60)
        ) {
            let mut c = Completeness::default();
            for (state, on_time) in &reports {
                c.record(*state, *on_time);
            }
            prop_assert_eq!(Completeness::new(c.expected(), c.submitted(), c.on_time(), c.approved()), Ok(c));
            prop_assert_eq!(c.expected(), reports.len() as u64);
            match (c.rate(), c.on_time_rate()) {
                (Some(rate), Some(on_time)) => {
                    prop_assert!(Decimal::ZERO <= on_time && on_time <= rate && rate <= Decimal::from(100));
                }
                (None, None) => prop_assert!(reports.is_empty()),
                other => prop_assert!(false, "{other:?}"),
            }
        }

        #[test]
        fn percent_never_panics(part in any::<u64>(), whole in any::<u64>()) {
            let _ = percent(part, whole);
        }
    }
}
