//! Attainment math: indicator ratios, target checks, status, target
//! selection along the org hierarchy, and validation-rule evaluation.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::catalogue::{Comparison, RuleComparison, RuleSide, SideScope, Target};
use crate::code::{DataElementCode, OrgUnitCode};
use crate::exact::cmp_products;
use crate::period::Period;

/// An indicator value `factor × numerator / denominator`, kept as its
/// parts so that target checks can be exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ratio {
    /// Numerator value.
    pub numerator: Decimal,
    /// Denominator value (non-zero when built by [`Ratio::compute`]).
    pub denominator: Decimal,
    /// Indicator factor (e.g. 100 for a percentage).
    pub factor: Decimal,
}

impl Ratio {
    /// The ratio, or `None` when either side has no data or the
    /// denominator is zero.
    pub fn compute(
        numerator: Option<Decimal>,
        denominator: Option<Decimal>,
        factor: Decimal,
    ) -> Option<Ratio> {
        let (numerator, denominator) = (numerator?, denominator?);
        if denominator.is_zero() {
            return None;
        }
        Some(Ratio {
            numerator,
            denominator,
            factor,
        })
    }

    /// `factor × numerator / denominator` at full `Decimal` precision (28
    /// significant digits). Multiplies first when that fits, so results
    /// like `60 × 100 / 100` are exact. Never panics: a hand-built ratio
    /// with a zero denominator gives 0, and a value beyond the `Decimal`
    /// range saturates at `Decimal::MAX`/`MIN`.
    pub fn value(&self) -> Decimal {
        let (f, n, d) = (self.factor, self.numerator, self.denominator);
        if d.is_zero() {
            return Decimal::ZERO;
        }
        f.checked_mul(n)
            .and_then(|p| p.checked_div(d))
            .or_else(|| n.checked_div(d).and_then(|q| q.checked_mul(f)))
            .unwrap_or_else(|| {
                let negative = f.is_sign_negative() ^ n.is_sign_negative() ^ d.is_sign_negative();
                if negative { Decimal::MIN } else { Decimal::MAX }
            })
    }

    /// [`value`](Self::value) rounded to `decimals` places, half away from
    /// zero: 118103 / 142378 × 100 → 82.95, 7102 / 7171 × 100 → 99.04.
    pub fn rounded(&self, decimals: u32) -> Decimal {
        self.value()
            .round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero)
    }

    /// Whether the exact ratio satisfies `value <op> target`.
    ///
    /// Compares `factor × numerator` with `target × denominator` by exact
    /// cross-multiplication (flipping the operator when the denominator is
    /// negative), with wide integer arithmetic that cannot overflow or
    /// round. So 60/100 × 100 `>=` 60 holds, `>` 60 does not, and
    /// 1/3 × 100 `>=` 33.333333333333333333333333334 does not. A hand-built
    /// ratio with a zero denominator meets nothing.
    pub fn meets(&self, op: Comparison, target: Decimal) -> bool {
        if self.denominator.is_zero() {
            return false;
        }
        let ordering = cmp_products((self.factor, self.numerator), (target, self.denominator));
        let op = if self.denominator.is_sign_negative() {
            op.flipped()
        } else {
            op
        };
        op.holds_for(ordering)
    }
}

/// Attainment status of an indicator for one unit and period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// All applicable targets are met.
    Met,
    /// At least one applicable target is not met.
    NotMet,
    /// There is a value but no applicable target.
    NoTarget,
    /// There is no value (missing data or zero denominator).
    NoData,
}

impl Status {
    /// `met`, `not_met`, `no_target` or `no_data`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::NotMet => "not_met",
            Self::NoTarget => "no_target",
            Self::NoData => "no_data",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Overall status: no ratio → `NoData`; no target results → `NoTarget`;
/// every target met → `Met`; otherwise `NotMet`.
pub fn status(ratio: Option<&Ratio>, target_results: &[bool]) -> Status {
    match (ratio, target_results) {
        (None, _) => Status::NoData,
        (Some(_), []) => Status::NoTarget,
        (Some(_), results) if results.iter().all(|&met| met) => Status::Met,
        _ => Status::NotMet,
    }
}

/// The targets that apply to a row (a unit) for a query period.
///
/// `row_unit_and_ancestors` is the row's unit followed by its ancestors,
/// nearest first, the root last. A target applies when it was set by one
/// of those units and its period contains the query period. For each
/// indicator and each setting unit only the most specific target is kept:
/// the one with the fewest months, then the latest start, then the first
/// in `targets`. The result is ordered from the highest authority (the
/// root) down to the row unit, then by period, then by input order.
pub fn select_targets<'a>(
    targets: &'a [Target],
    row_unit_and_ancestors: &[OrgUnitCode],
    query: &Period,
) -> Vec<&'a Target> {
    let authority = |unit: &OrgUnitCode| row_unit_and_ancestors.iter().position(|u| u == unit);
    // (authority index, input index, target) of the best target per
    // (indicator, authority).
    let mut best: Vec<(usize, usize, &'a Target)> = Vec::new();
    for (index, target) in targets.iter().enumerate() {
        let Some(auth) = authority(&target.org_unit) else {
            continue;
        };
        if !target.period.contains(query) {
            continue;
        }
        let slot = best
            .iter_mut()
            .find(|(a, _, t)| *a == auth && t.indicator == target.indicator);
        match slot {
            None => best.push((auth, index, target)),
            Some(slot) => {
                if more_specific(&target.period, &slot.2.period) {
                    *slot = (auth, index, target);
                }
            }
        }
    }
    best.sort_by(|(a1, i1, t1), (a2, i2, t2)| {
        a2.cmp(a1)
            .then_with(|| t1.period.cmp(&t2.period))
            .then_with(|| i1.cmp(i2))
    });
    best.into_iter().map(|(_, _, t)| t).collect()
}

/// Whether `candidate` is strictly more specific than `current`: fewer
/// months, or as many months with a later start.
fn more_specific(candidate: &Period, current: &Period) -> bool {
    candidate
        .month_count()
        .cmp(&current.month_count())
        .then_with(|| current.start().cmp(&candidate.start()))
        .is_lt()
}

/// The result of checking a validation rule where both sides have data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleOutcome {
    /// Value of the left-hand side.
    pub left: Decimal,
    /// Value of the right-hand side.
    pub right: Decimal,
    /// Whether `left <operator> right` holds.
    pub holds: bool,
}

/// Evaluate a compared rule, each side read through the lookup of its scope (`own`: the
/// unit's own figures; `subtree`: its subtree aggregates); `None` (skipped) when either side
/// has no value (no data, division by zero or overflow).
pub fn evaluate_rule(
    rule: &RuleComparison,
    own: &dyn Fn(&DataElementCode) -> Option<Decimal>,
    subtree: &dyn Fn(&DataElementCode) -> Option<Decimal>,
) -> Option<RuleOutcome> {
    let side = |s: &RuleSide| match s.scope {
        SideScope::Own => s.expression.evaluate(own),
        SideScope::Subtree => s.expression.evaluate(subtree),
    };
    let left = side(rule.left())?;
    let right = side(rule.right())?;
    Some(RuleOutcome {
        left,
        right,
        holds: rule.holds(left, right),
    })
}

/// The statuses a stated-status rule compares: the status the stated value would have
/// against `targets` (those applicable to the unit and period), and the status of the
/// computed ratio. `None` (not evaluated) when the indicator has no computed value. Note
/// targets are ignored, as attainment ignores them; without a comparison target both are
/// `no_target`.
pub fn stated_statuses(
    stated: Decimal,
    computed: Option<&Ratio>,
    targets: &[&Target],
) -> Option<(Status, Status)> {
    let goals: Vec<(Comparison, Decimal)> =
        targets.iter().filter_map(|t| t.goal.comparison()).collect();
    stated_statuses_for(stated, computed, &goals)
}

/// [`stated_statuses`] over the goals (operator, value) of the applicable comparison targets.
pub fn stated_statuses_for(
    stated: Decimal,
    computed: Option<&Ratio>,
    goals: &[(Comparison, Decimal)],
) -> Option<(Status, Status)> {
    let computed = computed?;
    let stated_met: Vec<bool> = goals.iter().map(|&(op, v)| op.holds(stated, v)).collect();
    let computed_met: Vec<bool> = goals.iter().map(|&(op, v)| computed.meets(op, v)).collect();
    Some((
        status(Some(computed), &stated_met),
        status(Some(computed), &computed_met),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::catalogue::parse_decimal;
    use crate::code::IndicatorCode;
    use crate::expression::Expression;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn dec(s: &str) -> Decimal {
        parse_decimal(s).unwrap()
    }

    fn ratio(n: &str, d: &str, f: &str) -> Ratio {
        Ratio::compute(Some(dec(n)), Some(dec(d)), dec(f)).unwrap()
    }

    #[test]
    fn compute_needs_both_sides_and_nonzero_denominator() {
        assert!(Ratio::compute(None, Some(dec("1")), dec("100")).is_none());
        assert!(Ratio::compute(Some(dec("1")), None, dec("100")).is_none());
        assert!(Ratio::compute(Some(dec("1")), Some(dec("0")), dec("100")).is_none());
        assert!(Ratio::compute(Some(dec("0")), Some(dec("5")), dec("100")).is_some());
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(ratio("118103", "142378", "100").rounded(2), dec("82.95"));
        assert_eq!(ratio("7102", "7171", "100").rounded(2), dec("99.04"));
        assert_eq!(ratio("1", "8", "1").rounded(2), dec("0.13"));
        assert_eq!(ratio("-1", "8", "1").rounded(2), dec("-0.13"));
        assert_eq!(ratio("2", "3", "100").rounded(0), dec("67"));
        assert_eq!(ratio("60", "100", "100").value(), dec("60"));
    }

    #[test]
    fn meets_is_exact_at_the_boundary() {
        let r = ratio("60", "100", "100");
        assert!(r.meets(Comparison::Ge, dec("60")));
        assert!(!r.meets(Comparison::Gt, dec("60")));
        assert!(r.meets(Comparison::Eq, dec("60")));
        assert!(r.meets(Comparison::Le, dec("60")));
        assert!(!r.meets(Comparison::Lt, dec("60")));

        let third = ratio("1", "3", "100");
        assert!(!third.meets(Comparison::Ge, dec("33.333333333333333333333333334")));
        assert!(third.meets(Comparison::Lt, dec("33.333333333333333333333333334")));
        assert!(third.meets(Comparison::Ge, dec("33.333333333333333333333333333")));
        assert!(!third.meets(Comparison::Eq, third.value()));
    }

    #[test]
    fn meets_flips_for_negative_denominator() {
        // -50 / -100 × 100 = 50
        let r = ratio("-50", "-100", "100");
        assert!(r.meets(Comparison::Ge, dec("50")));
        assert!(!r.meets(Comparison::Gt, dec("50")));
        // 50 / -100 × 100 = -50
        let r = ratio("50", "-100", "100");
        assert!(r.meets(Comparison::Ge, dec("-60")));
        assert!(!r.meets(Comparison::Le, dec("-60")));
        assert!(r.meets(Comparison::Lt, dec("-49.9")));
    }

    #[test]
    fn extreme_values_never_panic() {
        let huge = Ratio::compute(
            Some(Decimal::MAX),
            Some(dec("0.0000000000000000000000000001")),
            dec("100"),
        )
        .unwrap();
        assert_eq!(huge.value(), Decimal::MAX);
        assert!(huge.meets(Comparison::Gt, Decimal::MAX));
        let _ = huge.rounded(10);
        let neg = Ratio::compute(Some(Decimal::MIN), Some(dec("0.5")), dec("100")).unwrap();
        assert_eq!(neg.value(), Decimal::MIN);
        let zero_den = Ratio {
            numerator: Decimal::ONE,
            denominator: Decimal::ZERO,
            factor: Decimal::ONE,
        };
        assert_eq!(zero_den.value(), Decimal::ZERO);
        assert!(!zero_den.meets(Comparison::Ge, Decimal::ZERO));
    }

    #[test]
    fn status_rules() {
        let r = ratio("1", "2", "100");
        assert_eq!(status(None, &[true]), Status::NoData);
        assert_eq!(status(Some(&r), &[]), Status::NoTarget);
        assert_eq!(status(Some(&r), &[true, true]), Status::Met);
        assert_eq!(status(Some(&r), &[true, false]), Status::NotMet);
        let names: Vec<_> = [
            Status::Met,
            Status::NotMet,
            Status::NoTarget,
            Status::NoData,
        ]
        .iter()
        .map(|s| s.as_str())
        .collect();
        assert_eq!(names, ["met", "not_met", "no_target", "no_data"]);
        assert_eq!(Status::NotMet.to_string(), "not_met");
    }

    fn unit(s: &str) -> OrgUnitCode {
        OrgUnitCode::parse(s).unwrap()
    }

    fn target(ind: &str, unit_code: &str, period: &str, value: &str) -> Target {
        Target {
            indicator: IndicatorCode::parse(ind).unwrap(),
            org_unit: unit(unit_code),
            period: Period::parse(period).unwrap(),
            goal: crate::catalogue::Goal::compare(Comparison::Ge, dec(value)).unwrap(),
            label: None,
            printed: None,
        }
    }

    fn chain() -> Vec<OrgUnitCode> {
        vec![unit("HN_BD"), unit("HN"), unit("VN")]
    }

    fn picked(ts: &[&Target]) -> Vec<(String, String, String)> {
        ts.iter()
            .map(|t| {
                (
                    t.indicator.to_string(),
                    t.org_unit.to_string(),
                    t.period.to_string(),
                )
            })
            .collect()
    }

    fn triple(i: &str, u: &str, p: &str) -> (String, String, String) {
        (i.into(), u.into(), p.into())
    }

    #[test]
    fn selects_most_specific_per_authority_root_first() {
        let targets = vec![
            target("RATE", "HN", "2025", "90"),
            target("RATE", "VN", "2025", "80"),
            target("RATE", "VN", "2025Q3", "85"),
            target("RATE", "HN", "2025H2", "88"),
            target("RATE", "HG", "2025", "70"), // not an ancestor
            target("RATE", "VN", "2025Q4", "99"), // does not contain Sept
            target("RATE", "VN", "2024", "60"), // other year
        ];
        let sept = Period::parse("2025-09").unwrap();
        assert_eq!(
            picked(&select_targets(&targets, &chain(), &sept)),
            vec![
                triple("RATE", "VN", "2025Q3"),
                triple("RATE", "HN", "2025H2")
            ]
        );
        let year = Period::parse("2025").unwrap();
        assert_eq!(
            picked(&select_targets(&targets, &chain(), &year)),
            vec![triple("RATE", "VN", "2025"), triple("RATE", "HN", "2025")]
        );
        let h2 = Period::parse("2025H2").unwrap();
        assert_eq!(
            picked(&select_targets(&targets, &chain(), &h2)),
            vec![triple("RATE", "VN", "2025"), triple("RATE", "HN", "2025H2")]
        );
    }

    #[test]
    fn selects_per_indicator_and_orders_by_period() {
        let targets = vec![
            target("B", "VN", "2025-07/2025-12", "1"),
            target("A", "VN", "2025", "1"),
            target("A", "HN_BD", "2025-09", "1"),
        ];
        let sept = Period::parse("2025-09").unwrap();
        assert_eq!(
            picked(&select_targets(&targets, &chain(), &sept)),
            vec![
                triple("A", "VN", "2025"),
                triple("B", "VN", "2025H2"),
                triple("A", "HN_BD", "2025-09")
            ]
        );
    }

    #[test]
    fn ties_prefer_latest_start_then_first() {
        let targets = vec![
            target("A", "VN", "2025Q3", "1"),
            target("A", "VN", "2025-08/2025-10", "2"),
            target("A", "HN", "2025Q3", "3"),
            target("A", "HN", "2025Q3", "4"),
        ];
        let sept = Period::parse("2025-09").unwrap();
        let chosen = select_targets(&targets, &chain(), &sept);
        let values: Vec<Decimal> = chosen
            .iter()
            .map(|t| t.goal.comparison().unwrap().1)
            .collect();
        assert_eq!(values, vec![dec("2"), dec("3")]);
    }

    #[test]
    fn no_targets_when_none_apply() {
        let targets = vec![target("A", "VN", "2025Q1", "1")];
        let sept = Period::parse("2025-09").unwrap();
        assert!(select_targets(&targets, &chain(), &sept).is_empty());
        assert!(select_targets(&[], &chain(), &sept).is_empty());
        assert!(select_targets(&targets, &[], &Period::parse("2025-01").unwrap()).is_empty());
    }

    fn side(source: &str, scope: SideScope) -> RuleSide {
        RuleSide {
            expression: Expression::parse(source).unwrap(),
            scope,
        }
    }

    fn rule(left: &str, op: Comparison, right: &str) -> RuleComparison {
        RuleComparison::new(
            side(left, SideScope::Own),
            op,
            side(right, SideScope::Own),
            None,
        )
        .unwrap()
    }

    fn within(left: &str, right: &str, tolerance: &str) -> RuleComparison {
        RuleComparison::new(
            side(left, SideScope::Own),
            Comparison::Eq,
            side(right, SideScope::Own),
            Some(dec(tolerance)),
        )
        .unwrap()
    }

    fn evaluate_rule(
        r: &RuleComparison,
        lookup: &dyn Fn(&DataElementCode) -> Option<Decimal>,
    ) -> Option<RuleOutcome> {
        super::evaluate_rule(r, lookup, lookup)
    }

    #[test]
    fn tolerance_holds_up_to_the_edge() {
        // 100 × 18 / 52 = 34.615…: «34%» is a truncation, more than half a unit off.
        let r = within("#{PCT}", "100 * #{N} / #{D}", "0.5");
        let data = lookup(&[("PCT", "34"), ("N", "18"), ("D", "52")]);
        assert!(!evaluate_rule(&r, &data).unwrap().holds);
        let data = lookup(&[("PCT", "35"), ("N", "18"), ("D", "52")]);
        assert!(evaluate_rule(&r, &data).unwrap().holds);
        // Exactly at the edge holds; just beyond does not.
        let r = within("#{A}", "#{B}", "0.5");
        assert!(
            evaluate_rule(&r, &lookup(&[("A", "10"), ("B", "10.5")]))
                .unwrap()
                .holds
        );
        assert!(
            evaluate_rule(&r, &lookup(&[("A", "10.5"), ("B", "10")]))
                .unwrap()
                .holds
        );
        assert!(
            !evaluate_rule(&r, &lookup(&[("A", "10"), ("B", "10.500001")]))
                .unwrap()
                .holds
        );
        let exact = within("#{A}", "#{B}", "0");
        assert!(
            evaluate_rule(&exact, &lookup(&[("A", "1.0"), ("B", "1")]))
                .unwrap()
                .holds
        );
    }

    #[test]
    fn tolerance_comes_with_equality_only_and_is_not_negative() {
        let make = |op, t: &str| {
            RuleComparison::new(
                side("#{A}", SideScope::Own),
                op,
                side("#{B}", SideScope::Own),
                Some(dec(t)),
            )
        };
        assert_eq!(
            make(Comparison::Le, "0.5").unwrap_err().code(),
            "invalid_tolerance"
        );
        assert_eq!(
            make(Comparison::Eq, "-0.1").unwrap_err().code(),
            "invalid_number"
        );
        assert!(make(Comparison::Eq, "0").is_ok());
        let both = RuleComparison::new(
            side("#{A}", SideScope::Subtree),
            Comparison::Eq,
            side("#{B}", SideScope::Subtree),
            None,
        );
        assert_eq!(both.unwrap_err().code(), "invalid_scope");
    }

    #[test]
    fn each_side_reads_through_its_scope() {
        let r = RuleComparison::new(
            side("#{ROW_I}", SideScope::Own),
            Comparison::Eq,
            side("#{DOC}", SideScope::Subtree),
            None,
        )
        .unwrap();
        let own = lookup(&[("ROW_I", "100"), ("DOC", "7")]);
        let subtree = lookup(&[("ROW_I", "100"), ("DOC", "98")]);
        let outcome = super::evaluate_rule(&r, &own, &subtree).unwrap();
        assert_eq!(
            (outcome.left, outcome.right, outcome.holds),
            (dec("100"), dec("98"), false)
        );
    }

    #[test]
    fn stated_status_compares_both_statuses_and_ignores_notes() {
        let ge80 = target("R", "VN", "2025", "80");
        let mut note = target("R", "HN", "2025", "1");
        note.goal = crate::catalogue::Goal::Note("the agency in charge".into());
        let mut gt90 = target("R", "VN", "2025", "90");
        gt90.goal = crate::catalogue::Goal::compare(Comparison::Gt, dec("90")).unwrap();
        // 898 / 1123 = 79.96 %: stated 80 meets ≥ 80, computed does not.
        let computed = ratio("898", "1123", "100");
        assert_eq!(
            stated_statuses(dec("80"), Some(&computed), &[&ge80, &note]),
            Some((Status::Met, Status::NotMet))
        );
        // 850 / 900 = 94.4 %: stated 90 does not meet > 90, computed does.
        let computed = ratio("850", "900", "100");
        assert_eq!(
            stated_statuses(dec("90"), Some(&computed), &[&gt90]),
            Some((Status::NotMet, Status::Met))
        );
        assert_eq!(
            stated_statuses(dec("90"), Some(&computed), &[&note]),
            Some((Status::NoTarget, Status::NoTarget))
        );
        assert_eq!(stated_statuses(dec("90"), None, &[&gt90]), None);
    }

    fn lookup(data: &[(&str, &str)]) -> impl Fn(&DataElementCode) -> Option<Decimal> + use<> {
        let map: HashMap<String, Decimal> =
            data.iter().map(|(c, v)| (c.to_string(), dec(v))).collect();
        move |c: &DataElementCode| map.get(c.as_str()).copied()
    }

    #[test]
    fn seed_rule_successful_payments_exceed_total() {
        let r = rule("#{PAY_TX_OK}", Comparison::Le, "#{PAY_TX_TOTAL}");
        let data = lookup(&[("PAY_TX_OK", "23802"), ("PAY_TX_TOTAL", "23391")]);
        let outcome = evaluate_rule(&r, &data).unwrap();
        assert_eq!(
            outcome,
            RuleOutcome {
                left: dec("23802"),
                right: dec("23391"),
                holds: false
            }
        );
    }

    #[test]
    fn seed_rule_received_equals_on_time_plus_late() {
        let r = rule("#{RECEIVED}", Comparison::Eq, "#{ON_TIME} + #{LATE}");
        let data = lookup(&[("RECEIVED", "24020"), ("ON_TIME", "23987"), ("LATE", "33")]);
        let outcome = evaluate_rule(&r, &data).unwrap();
        assert!(outcome.holds);
        assert_eq!(outcome.right, dec("24020"));
    }

    #[test]
    fn rule_is_skipped_when_a_side_has_no_data() {
        let r = rule("#{RECEIVED}", Comparison::Eq, "#{ON_TIME} + #{LATE}");
        assert_eq!(evaluate_rule(&r, &lookup(&[("RECEIVED", "5")])), None);
        assert_eq!(evaluate_rule(&r, &lookup(&[("LATE", "5")])), None);
        // Partial data on one side counts missing references as zero.
        let outcome = evaluate_rule(&r, &lookup(&[("RECEIVED", "5"), ("LATE", "5")])).unwrap();
        assert!(outcome.holds);
        let div = rule("#{A} / #{B}", Comparison::Ge, "1");
        assert_eq!(
            evaluate_rule(&div, &lookup(&[("A", "5"), ("B", "0")])),
            None
        );
    }

    proptest! {
        #[test]
        fn meets_agrees_with_rational_comparison(
            n in -1_000_000i64..1_000_000,
            d in -1_000i64..1_000,
            t in -100_000i64..100_000,
            f in 1i64..1_000,
        ) {
            prop_assume!(d != 0);
            let r = Ratio::compute(Some(Decimal::from(n)), Some(Decimal::from(d)), Decimal::from(f)).unwrap();
            let target = Decimal::new(t, 2);
            // value >= t/100  ⇔  f·n/d >= t/100  ⇔  100·f·n·sign(d) >= t·|d|
            let lhs = 100 * i128::from(f) * i128::from(n) * i128::from(d.signum());
            let rhs = i128::from(t) * i128::from(d.abs());
            prop_assert_eq!(r.meets(Comparison::Ge, target), lhs >= rhs);
            prop_assert_eq!(r.meets(Comparison::Gt, target), lhs > rhs);
            prop_assert_eq!(r.meets(Comparison::Eq, target), lhs == rhs);
            prop_assert_eq!(r.meets(Comparison::Lt, target), lhs < rhs);
        }

        /// At the largest sums the bounds admit (2^31 figures of ±10^15), target checks stay
        /// exact and nothing panics.
        #[test]
        fn meets_is_exact_for_the_largest_integer_sums(
            n in -LARGEST_INTEGER_SUM..=LARGEST_INTEGER_SUM,
            d in -LARGEST_INTEGER_SUM..=LARGEST_INTEGER_SUM,
            t in -1_000_000_000_000i128..=1_000_000_000_000,
            f in 1i128..=1_000_000,
        ) {
            prop_assume!(d != 0);
            let int = |v: i128| Decimal::from_i128_with_scale(v, 0);
            let r = Ratio::compute(Some(int(n)), Some(int(d)), int(f)).unwrap();
            let target = Decimal::from_i128_with_scale(t, 2);
            let lhs = 100 * f * n * d.signum();
            let rhs = t * d.abs();
            prop_assert_eq!(r.meets(Comparison::Ge, target), lhs >= rhs);
            prop_assert_eq!(r.meets(Comparison::Eq, target), lhs == rhs);
            prop_assert_eq!(r.meets(Comparison::Lt, target), lhs < rhs);
            let _ = r.rounded(10);
        }

        /// The same for `number` sums (6 decimals, up to 2^31 figures of ±10^12).
        #[test]
        fn meets_is_exact_for_the_largest_number_sums(
            n in -LARGEST_NUMBER_SUM_MICRO..=LARGEST_NUMBER_SUM_MICRO,
            d in -LARGEST_NUMBER_SUM_MICRO..=LARGEST_NUMBER_SUM_MICRO,
            t in -1_000_000i128..=1_000_000,
        ) {
            prop_assume!(d != 0);
            let micro = |v: i128| Decimal::from_i128_with_scale(v, 6);
            let r = Ratio::compute(Some(micro(n)), Some(micro(d)), Decimal::from(100)).unwrap();
            let target = Decimal::from_i128_with_scale(t, 2);
            let lhs = 100 * 100 * n * d.signum();
            let rhs = t * d.abs();
            prop_assert_eq!(r.meets(Comparison::Ge, target), lhs >= rhs);
            prop_assert_eq!(r.meets(Comparison::Eq, target), lhs == rhs);
            prop_assert_eq!(r.meets(Comparison::Gt, target), lhs > rhs);
            let _ = r.rounded(2);
        }

        /// Indicator and rule expressions over the largest sums: sums and differences are
        /// exact, products and quotients never panic (an overflow is "no value").
        #[test]
        fn expressions_over_the_largest_sums_are_exact_or_absent(
            a in -LARGEST_INTEGER_SUM..=LARGEST_INTEGER_SUM,
            b in -LARGEST_NUMBER_SUM_MICRO..=LARGEST_NUMBER_SUM_MICRO,
            c in -LARGEST_INTEGER_SUM..=LARGEST_INTEGER_SUM,
        ) {
            let values: HashMap<&str, Decimal> = [
                ("A", Decimal::from_i128_with_scale(a, 0)),
                ("B", Decimal::from_i128_with_scale(b, 6)),
                ("C", Decimal::from_i128_with_scale(c, 0)),
            ]
            .into_iter()
            .collect();
            let lookup = |code: &DataElementCode| values.get(code.as_str()).copied();
            let sum = Expression::parse("#{A} - #{C} + #{A}").unwrap();
            prop_assert_eq!(sum.evaluate(&lookup), Some(Decimal::from_i128_with_scale(2 * a - c, 0)));
            let sum = Expression::parse("#{B} + #{B} - #{B}").unwrap();
            prop_assert_eq!(sum.evaluate(&lookup), Some(Decimal::from_i128_with_scale(b, 6).normalize()));
            // Beyond 28 significant digits Decimal arithmetic rounds the last digits; it
            // never panics.
            for source in ["#{A} + #{B} - #{C}", "(#{A} + #{B}) * 100 / #{C}", "#{A} * #{B} * #{C}", "#{A} / #{B} / #{C} * 1000000"] {
                let _ = Expression::parse(source).unwrap().evaluate(&lookup);
            }
            let r = rule("#{A} + #{B}", Comparison::Le, "#{C} * 100");
            let _ = evaluate_rule(&r, &lookup);
        }
    }

    /// 2^31 figures of the largest integer, 10^15.
    const LARGEST_INTEGER_SUM: i128 = (1 << 31) * 1_000_000_000_000_000;

    /// 2^31 figures of the largest number, 10^12, in micro-units.
    const LARGEST_NUMBER_SUM_MICRO: i128 = (1 << 31) * 1_000_000_000_000_000_000;
}
