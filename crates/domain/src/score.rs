//! The composite index (contract v2, "Scores: the composite index").
//!
//! Each indicator is a criterion of its group. Per group, `criteria` counts
//! them all and `met`, `not_met` and `no_data` count attainment
//! [`Status`]es (`no_target` ones count in `criteria` only). A group scores
//! `weight × met / (met + not_met)`, 0 when none was assessed; a row's score
//! is the unrounded sum over its groups. Both are shown rounded to 2
//! decimals (half away from zero). Children are ranked by unrounded score,
//! 1 being the best; ties share a rank and the next rank skips (1, 2, 2, 4).
//! A group that is not declared has weight 0.
//!
//! "Unrounded" is meant exactly: scores are kept as exact fractions, so three
//! groups of weight 1 each scoring 1/3 tie with one group scoring 1 (a
//! 28-digit decimal sum gives 0.999…9 and would rank it below). Weights are decimals from 0 to
//! [`MAX_WEIGHT`] with at most [`WEIGHT_DECIMALS`] decimals, which keeps
//! every group's fraction within `u128`. Only a sum over very many groups
//! of pairwise coprime sizes could leave `u128`; such a row keeps a 28-digit
//! decimal instead, and a ranking containing one compares every row that
//! way, so the order stays total and consistent.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::attainment::Status;
use crate::catalogue::parse_decimal;
use crate::code::GroupCode;
use crate::error::{DomainError, echo};

/// Largest group weight.
pub const MAX_WEIGHT: i64 = 1_000_000;

/// Most decimals of a group weight.
pub const WEIGHT_DECIMALS: u32 = 6;

/// Decimals of a shown score.
pub const SCORE_DECIMALS: u32 = 2;

/// 10^[`WEIGHT_DECIMALS`].
const WEIGHT_UNIT: u128 = 1_000_000;

/// The weight of an indicator group: a decimal from 0 to [`MAX_WEIGHT`]
/// with at most [`WEIGHT_DECIMALS`] decimals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Weight(Decimal);

impl Weight {
    /// The weight of an undeclared group.
    pub const ZERO: Weight = Weight(Decimal::ZERO);

    /// Parse a weight such as `30` or `12.5` ([`DomainError::InvalidWeight`]).
    pub fn parse(s: &str) -> Result<Weight, DomainError> {
        let value = parse_decimal(s).map_err(|e| DomainError::InvalidWeight {
            input: echo(s),
            reason: match e {
                DomainError::InvalidNumber { reason, .. } => reason,
                other => other.to_string(),
            },
        })?;
        Weight::new(value)
    }

    /// A weight from a decimal, checked.
    pub fn new(value: Decimal) -> Result<Weight, DomainError> {
        let fail = |reason: String| {
            Err(DomainError::InvalidWeight {
                input: value.to_string(),
                reason,
            })
        };
        if value.is_sign_negative() && !value.is_zero() {
            return fail("must not be negative".to_owned());
        }
        if value > Decimal::from(MAX_WEIGHT) {
            return fail(format!("must be at most {MAX_WEIGHT}"));
        }
        let value = value.normalize();
        if value.scale() > WEIGHT_DECIMALS {
            return fail(format!("at most {WEIGHT_DECIMALS} decimals"));
        }
        Ok(Weight(value))
    }

    /// The weight's value.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// The weight in millionths, exactly (at most 10^12).
    fn millionths(self) -> u128 {
        let mantissa = self.0.mantissa().unsigned_abs();
        let scale = self.0.scale().min(WEIGHT_DECIMALS);
        mantissa * 10u128.pow(WEIGHT_DECIMALS - scale)
    }
}

/// The status counts of one group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tally {
    criteria: u32,
    met: u32,
    not_met: u32,
    no_data: u32,
}

impl Tally {
    /// Count one indicator of the group with its attainment status.
    pub fn record(&mut self, status: Status) {
        self.criteria = self.criteria.saturating_add(1);
        let slot = match status {
            Status::Met => &mut self.met,
            Status::NotMet => &mut self.not_met,
            Status::NoData => &mut self.no_data,
            Status::NoTarget => return,
        };
        *slot = slot.saturating_add(1);
    }

    /// The tally of a list of statuses.
    pub fn of(statuses: impl IntoIterator<Item = Status>) -> Tally {
        let mut tally = Tally::default();
        for status in statuses {
            tally.record(status);
        }
        tally
    }

    /// Indicators of the group.
    pub fn criteria(&self) -> u32 {
        self.criteria
    }

    /// Indicators that met every applicable target.
    pub fn met(&self) -> u32 {
        self.met
    }

    /// Indicators that missed a target.
    pub fn not_met(&self) -> u32 {
        self.not_met
    }

    /// Indicators without data.
    pub fn no_data(&self) -> u32 {
        self.no_data
    }

    /// Indicators with a value but no applicable target.
    pub fn no_target(&self) -> u32 {
        self.criteria
            .saturating_sub(self.met)
            .saturating_sub(self.not_met)
            .saturating_sub(self.no_data)
    }

    /// Indicators assessed against a target: `met + not_met`.
    pub fn assessed(&self) -> u32 {
        self.met.saturating_add(self.not_met)
    }
}

/// One group's part of a row: its weight, counts and score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupScore {
    group: GroupCode,
    weight: Weight,
    tally: Tally,
    exact: Fraction,
}

impl GroupScore {
    /// The score of a group: `weight × met / (met + not_met)`, 0 when none
    /// was assessed.
    pub fn new(group: GroupCode, weight: Weight, tally: Tally) -> GroupScore {
        let assessed = u128::from(tally.assessed());
        let exact = if assessed == 0 {
            Fraction::ZERO
        } else {
            // ≤ 10^12 × 2^32 over ≤ 2^32 × 10^6: far inside u128.
            Fraction::new(
                weight.millionths() * u128::from(tally.met()),
                assessed * WEIGHT_UNIT,
            )
        };
        GroupScore {
            group,
            weight,
            tally,
            exact,
        }
    }

    /// The group's code.
    pub fn group(&self) -> &GroupCode {
        &self.group
    }

    /// The group's weight.
    pub fn weight(&self) -> Weight {
        self.weight
    }

    /// The group's counts.
    pub fn tally(&self) -> Tally {
        self.tally
    }

    /// The score shown: rounded to 2 decimals, half away from zero.
    pub fn score(&self) -> Decimal {
        self.exact
            .rounded()
            .unwrap_or_else(|| round(self.exact.approx()))
    }
}

/// A row (an org unit): its groups and their unrounded sum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowScore {
    groups: Vec<GroupScore>,
    /// The exact sum, when it fits.
    exact: Option<Fraction>,
    /// The sum of the groups' 28-digit decimal values.
    approx: Decimal,
}

impl RowScore {
    /// The row of these groups.
    pub fn new(groups: Vec<GroupScore>) -> RowScore {
        let exact = groups
            .iter()
            .try_fold(Fraction::ZERO, |acc, g| acc.checked_add(g.exact));
        let approx = groups
            .iter()
            .fold(Decimal::ZERO, |acc, g| acc.saturating_add(g.exact.approx()));
        RowScore {
            groups,
            exact,
            approx,
        }
    }

    /// The row of a unit's indicators, each given with its group and
    /// status, under the declared `weights`. Groups are listed in code
    /// order: every declared group (with zero counts when no indicator
    /// belongs to it) and every undeclared group an indicator names, whose
    /// weight is 0. An indicator without a group belongs to none and is left
    /// to the caller.
    pub fn of(
        indicators: impl IntoIterator<Item = (GroupCode, Status)>,
        weights: &BTreeMap<GroupCode, Weight>,
    ) -> RowScore {
        let mut tallies: BTreeMap<GroupCode, Tally> = weights
            .keys()
            .map(|g| (g.clone(), Tally::default()))
            .collect();
        for (group, status) in indicators {
            tallies.entry(group).or_default().record(status);
        }
        RowScore::new(
            tallies
                .into_iter()
                .map(|(group, tally)| {
                    let weight = weights.get(&group).copied().unwrap_or(Weight::ZERO);
                    GroupScore::new(group, weight, tally)
                })
                .collect(),
        )
    }

    /// The groups of the row.
    pub fn groups(&self) -> &[GroupScore] {
        &self.groups
    }

    /// The score shown: the unrounded sum, rounded to 2 decimals.
    pub fn score(&self) -> Decimal {
        self.exact
            .and_then(|f| f.rounded())
            .unwrap_or_else(|| round(self.approx))
    }
}

/// Competition ranks of `rows` by unrounded score, in input order: 1 for the
/// best; rows with equal scores share a rank and the next rank skips
/// (scores 9, 7, 7, 5 rank 1, 2, 2, 4).
pub fn rank(rows: &[RowScore]) -> Vec<u32> {
    let all_exact = rows.iter().all(|r| r.exact.is_some());
    let cmp = |a: &RowScore, b: &RowScore| match (a.exact, b.exact) {
        (Some(x), Some(y)) if all_exact => x.cmp(&y),
        _ => a.approx.cmp(&b.approx),
    };
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&i, &j| cmp(&rows[j], &rows[i]));
    let mut ranks = vec![0u32; rows.len()];
    let mut previous: Option<(usize, u32)> = None;
    for (position, &i) in order.iter().enumerate() {
        let rank = match previous {
            Some((p, r)) if cmp(&rows[p], &rows[i]) == Ordering::Equal => r,
            _ => u32::try_from(position + 1).unwrap_or(u32::MAX),
        };
        ranks[i] = rank;
        previous = Some((i, rank));
    }
    ranks
}

/// Round a shown score: 2 decimals, half away from zero.
fn round(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(SCORE_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
}

/// A non-negative exact fraction in lowest terms; `den > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fraction {
    num: u128,
    den: u128,
}

impl Fraction {
    const ZERO: Fraction = Fraction { num: 0, den: 1 };

    /// `num / den` in lowest terms (`den` must not be 0; 0 is read as 1).
    fn new(num: u128, den: u128) -> Fraction {
        let den = den.max(1);
        let g = gcd(num, den);
        Fraction {
            num: num / g,
            den: den / g,
        }
    }

    /// The exact sum, or `None` when it does not fit `u128`.
    fn checked_add(self, other: Fraction) -> Option<Fraction> {
        let g = gcd(self.den, other.den);
        let left = self.num.checked_mul(other.den / g)?;
        let right = other.num.checked_mul(self.den / g)?;
        let den = (self.den / g).checked_mul(other.den)?;
        Some(Fraction::new(left.checked_add(right)?, den))
    }

    /// Rounded to 2 decimals, half away from zero, computed on integers;
    /// `None` if the intermediate products do not fit.
    fn rounded(self) -> Option<Decimal> {
        let hundredths = self
            .num
            .checked_mul(200)?
            .checked_add(self.den)?
            .checked_div(self.den.checked_mul(2)?)?;
        Decimal::try_from_i128_with_scale(i128::try_from(hundredths).ok()?, SCORE_DECIMALS)
            .ok()
            .map(|d| d.normalize())
    }

    /// A 28-digit decimal approximation (saturating).
    fn approx(self) -> Decimal {
        let to_decimal = |x: u128| {
            i128::try_from(x)
                .ok()
                .and_then(|x| Decimal::try_from_i128_with_scale(x, 0).ok())
        };
        match (to_decimal(self.num), to_decimal(self.den)) {
            (Some(n), Some(d)) => n.checked_div(d).unwrap_or(Decimal::MAX),
            // Beyond the Decimal range (2^96) on either side: drop the same
            // number of low bits from both, keeping 90 significant bits.
            _ => {
                let shift = 128 - self.num.max(self.den).leading_zeros();
                let shift = shift.saturating_sub(90);
                let n = to_decimal(self.num >> shift).unwrap_or(Decimal::MAX);
                let d = to_decimal((self.den >> shift).max(1)).unwrap_or(Decimal::ONE);
                n.checked_div(d).unwrap_or(Decimal::MAX)
            }
        }
    }
}

impl Ord for Fraction {
    /// Exact: compares `a·d` with `c·b` as 256-bit products.
    fn cmp(&self, other: &Self) -> Ordering {
        wide_mul(self.num, other.den).cmp(&wide_mul(other.num, self.den))
    }
}

impl PartialOrd for Fraction {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Greatest common divisor (`gcd(0, 0) = 1`, so dividing by it is safe).
fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// The full 256-bit product `a × b` as (high, low) halves.
fn wide_mul(a: u128, b: u128) -> (u128, u128) {
    const MASK: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & MASK);
    let (b1, b0) = (b >> 64, b & MASK);
    let low = a0 * b0;
    let (mid, mid_carry) = (a0 * b1).overflowing_add(a1 * b0);
    let (lo, lo_carry) = low.overflowing_add(mid << 64);
    let hi = a1 * b1 + (mid >> 64) + (u128::from(mid_carry) << 64) + u128::from(lo_carry);
    (hi, lo)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn g(s: &str) -> GroupCode {
        GroupCode::parse(s).unwrap()
    }

    fn w(s: &str) -> Weight {
        Weight::parse(s).unwrap()
    }

    fn statuses(met: u32, not_met: u32, no_data: u32, no_target: u32) -> Vec<Status> {
        let mut out = Vec::new();
        out.extend((0..met).map(|_| Status::Met));
        out.extend((0..not_met).map(|_| Status::NotMet));
        out.extend((0..no_data).map(|_| Status::NoData));
        out.extend((0..no_target).map(|_| Status::NoTarget));
        out
    }

    /// A row with one group per (weight, met, not_met) triple.
    fn row(groups: &[(&str, u32, u32)]) -> RowScore {
        RowScore::new(
            groups
                .iter()
                .enumerate()
                .map(|(i, (weight, met, not_met))| {
                    GroupScore::new(
                        g(&format!("G{i}")),
                        w(weight),
                        Tally::of(statuses(*met, *not_met, 0, 0)),
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn weights_are_validated() {
        assert_eq!(w("30").value(), dec("30"));
        assert_eq!(w("12.5").value(), dec("12.5"));
        assert_eq!(w("0").value(), Decimal::ZERO);
        assert_eq!(w("1e2").value(), dec("100"));
        assert_eq!(w("0.000001").value(), dec("0.000001"));
        assert_eq!(w("1000000").value(), dec("1000000"));
        assert_eq!(w("2.500").millionths(), 2_500_000);
        for bad in ["-1", "-0.5", "1000000.1", "0.0000001", "abc", "", "1e30"] {
            assert_eq!(
                Weight::parse(bad).unwrap_err().code(),
                "invalid_weight",
                "{bad:?}"
            );
        }
        assert!(Weight::new(dec("-0")).is_ok());
    }

    #[test]
    fn tallies_count_statuses() {
        let t = Tally::of(statuses(3, 2, 4, 5));
        assert_eq!(
            (
                t.criteria(),
                t.met(),
                t.not_met(),
                t.no_data(),
                t.no_target()
            ),
            (14, 3, 2, 4, 5)
        );
        assert_eq!(t.assessed(), 5);
    }

    #[test]
    fn group_score_is_weight_times_met_over_assessed() {
        let group = GroupScore::new(g("I"), w("30"), Tally::of(statuses(3, 2, 4, 5)));
        assert_eq!(group.score(), dec("18"));
        assert_eq!(group.group(), &g("I"));
        assert_eq!(group.weight(), w("30"));
        assert_eq!(group.tally().criteria(), 14);
        let third = GroupScore::new(g("II"), w("20"), Tally::of(statuses(1, 2, 0, 0)));
        assert_eq!(third.score(), dec("6.67"));
        let none = GroupScore::new(g("III"), w("20"), Tally::of(statuses(0, 0, 7, 1)));
        assert_eq!(none.score(), Decimal::ZERO);
        // 12.5 × 1/8 = 1.5625 → 1.56; 0.125 × 1/2 = 0.0625 → 0.06; 0.01 × 1/2 → 0.01
        assert_eq!(row(&[("12.5", 1, 7)]).score(), dec("1.56"));
        assert_eq!(row(&[("0.125", 1, 1)]).score(), dec("0.06"));
        assert_eq!(row(&[("0.01", 1, 1)]).score(), dec("0.01"));
        assert_eq!(row(&[("0.01", 1, 3)]).score(), dec("0"));
    }

    #[test]
    fn row_score_is_the_unrounded_sum_rounded_once() {
        // 1/3 + 1/3 + 1/3 of weight 1: each group shows 0.33, the row 1.
        let r = row(&[("1", 1, 2), ("1", 1, 2), ("1", 1, 2)]);
        let shown: Vec<Decimal> = r.groups().iter().map(GroupScore::score).collect();
        assert_eq!(shown, vec![dec("0.33"); 3]);
        assert_eq!(r.score(), dec("1"));
        // 0.005 + 0.005 would round to 0.01 + 0.01 = 0.02 group by group; the row is 0.01.
        let r = row(&[("0.01", 1, 1), ("0.01", 1, 1)]);
        assert_eq!(r.score(), dec("0.01"));
    }

    #[test]
    fn undeclared_groups_weigh_nothing_and_declared_ones_always_show() {
        let weights: BTreeMap<GroupCode, Weight> =
            [(g("I"), w("30")), (g("II"), w("20")), (g("V"), w("10"))].into();
        let indicators = vec![
            (g("I"), Status::Met),
            (g("I"), Status::NotMet),
            (g("I"), Status::NoTarget),
            (g("II"), Status::Met),
            (g("X"), Status::Met),
        ];
        let r = RowScore::of(indicators, &weights);
        let summary: Vec<(String, Decimal, u32, Decimal)> = r
            .groups()
            .iter()
            .map(|gs| {
                (
                    gs.group().to_string(),
                    gs.weight().value(),
                    gs.tally().criteria(),
                    gs.score(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("I".into(), dec("30"), 3, dec("15")),
                ("II".into(), dec("20"), 1, dec("20")),
                ("V".into(), dec("10"), 0, dec("0")),
                ("X".into(), dec("0"), 1, dec("0")),
            ]
        );
        assert_eq!(r.score(), dec("35"));
    }

    #[test]
    fn ranks_share_ties_and_skip() {
        let rows = vec![
            row(&[("9", 1, 0)]),
            row(&[("7", 1, 0)]),
            row(&[("7", 1, 0)]),
            row(&[("5", 1, 0)]),
        ];
        assert_eq!(rank(&rows), vec![1, 2, 2, 4]);
        // Input order does not matter.
        let shuffled = vec![
            rows[3].clone(),
            rows[1].clone(),
            rows[0].clone(),
            rows[2].clone(),
        ];
        assert_eq!(rank(&shuffled), vec![4, 2, 1, 2]);
        assert!(rank(&[]).is_empty());
        assert_eq!(rank(&rows[..1]), vec![1]);
    }

    #[test]
    fn ties_are_exact_not_28_digit() {
        // 1/3 three times is exactly 1; a decimal sum gives 0.999…9.
        let thirds = row(&[("1", 1, 2), ("1", 1, 2), ("1", 1, 2)]);
        let one = row(&[("1", 1, 0)]);
        let decimal_sum: Decimal = (0..3).map(|_| dec("1") / dec("3")).sum();
        assert!(decimal_sum < dec("1"), "the trap this avoids");
        assert_eq!(rank(&[thirds.clone(), one.clone()]), vec![1, 1]);
        assert_eq!(thirds.score(), dec("1"));
        // Different configurations with the same exact total also tie.
        let a = row(&[("2", 1, 2), ("2", 2, 1)]); // 2/3 + 4/3 = 2
        let b = row(&[("3", 2, 1), ("3", 0, 5)]); // 2 + 0
        let c = row(&[("2", 1, 0), ("5", 0, 1)]); // 2
        assert_eq!(rank(&[a, b, c, one]), vec![1, 1, 1, 4]);
    }

    #[test]
    fn wide_mul_is_the_full_product() {
        assert_eq!(wide_mul(u128::MAX, u128::MAX), (u128::MAX - 1, 1));
        assert_eq!(wide_mul(1 << 64, 1 << 64), (1, 0));
        assert_eq!(wide_mul(u128::MAX, 2), (1, u128::MAX - 1));
        assert_eq!(wide_mul(0, u128::MAX), (0, 0));
    }

    #[test]
    fn overflowing_sums_fall_back_without_breaking_the_order() {
        // Denominators 1e6 × distinct primes: the exact sum soon leaves u128.
        let primes = [
            999_983u32, 999_979, 999_961, 999_959, 999_953, 999_931, 999_917, 999_907,
        ];
        let groups: Vec<GroupScore> = primes
            .iter()
            .enumerate()
            .map(|(i, p)| {
                GroupScore::new(
                    g(&format!("G{i}")),
                    w("1"),
                    Tally {
                        criteria: *p,
                        met: 1,
                        not_met: *p - 1,
                        no_data: 0,
                    },
                )
            })
            .collect();
        let big = RowScore::new(groups);
        assert!(big.exact.is_none());
        assert_eq!(big.score(), dec("0"));
        let one = row(&[("1", 1, 0)]);
        assert_eq!(rank(&[big.clone(), one.clone()]), vec![2, 1]);
        assert_eq!(rank(&[one, big.clone(), big]), vec![1, 2, 2]);
    }

    proptest! {
        #[test]
        fn wide_mul_agrees_with_u32_limbs(a in any::<u128>(), b in any::<u128>()) {
            // Schoolbook multiplication in base 2^32.
            let limbs = |x: u128| [x as u32, (x >> 32) as u32, (x >> 64) as u32, (x >> 96) as u32];
            let (la, lb) = (limbs(a), limbs(b));
            let mut out = [0u64; 8];
            for i in 0..4 {
                let mut carry = 0u64;
                for j in 0..4 {
                    let cur = out[i + j] + u64::from(la[i]) * u64::from(lb[j]) + carry;
                    out[i + j] = cur & 0xFFFF_FFFF;
                    carry = cur >> 32;
                }
                out[i + 4] += carry;
            }
            let join = |xs: &[u64]| xs.iter().rev().fold(0u128, |acc, &x| (acc << 32) | u128::from(x));
            prop_assert_eq!(wide_mul(a, b), (join(&out[4..]), join(&out[..4])));
        }

        #[test]
        fn scores_and_ranks_are_consistent(
            rows in prop::collection::vec(
                prop::collection::vec((0u32..=100, 0u32..6, 0u32..6), 0..5),
                0..12,
            )
        ) {
            let rows: Vec<RowScore> = rows
                .iter()
                .map(|groups| {
                    RowScore::new(
                        groups
                            .iter()
                            .enumerate()
                            .map(|(i, (weight, met, not_met))| {
                                GroupScore::new(
                                    g(&format!("G{i}")),
                                    Weight::new(Decimal::from(*weight)).unwrap(),
                                    Tally::of(statuses(*met, *not_met, 1, 1)),
                                )
                            })
                            .collect(),
                    )
                })
                .collect();
            let ranks = rank(&rows);
            prop_assert_eq!(ranks.len(), rows.len());
            for (i, a) in rows.iter().enumerate() {
                // A rank is 1 + the number of rows strictly better.
                let better = rows.iter().filter(|b| b.exact.unwrap() > a.exact.unwrap()).count();
                prop_assert_eq!(ranks[i] as usize, better + 1);
                let total: Decimal = a.groups().iter().map(|gs| gs.exact.approx()).sum();
                prop_assert!((a.score() - total).abs() <= dec("0.005"));
                prop_assert!(a.score() >= Decimal::ZERO);
                let max: Decimal = a.groups().iter().map(|gs| gs.weight().value()).sum();
                prop_assert!(a.score() <= max);
            }
        }

        #[test]
        fn weight_parse_never_panics(s in "\\PC{0,30}") {
            let _ = Weight::parse(&s);
        }
    }
}
