//! Outlier detection (contract v2, "Outliers").
//!
//! Each stored value is compared with its unit and element's history (the
//! caller gathers it: the values of periods of the same length whose end lies
//! in the 36 months ending with the query period's last month, the value
//! itself included):
//!
//! * `z_score` = |x − mean| / population standard deviation; `center` = the
//!   mean, `spread` = the standard deviation, bounds = mean ± threshold ×
//!   spread;
//! * `modified_z_score` = 0.6745 × |x − median| / MAD (the median absolute
//!   deviation from the median); `center` = the median, `spread` = the MAD,
//!   bounds = median ± threshold × MAD / 0.6745;
//! * both scores are 0 when the spread is 0;
//! * `min_max` compares with fixed bounds from the metadata bundle: `score`
//!   is the distance outside the bounds, `center` and `spread` are `None`,
//!   the threshold is ignored, and a value is flagged when it lies outside.
//!
//! A value is flagged when its score exceeds the threshold (default 3).
//!
//! ## Numbers
//!
//! Inputs are exact decimals. The mean, the median, the MAD, the deviations
//! and the whole modified z-score are computed in [`Decimal`] (28 significant
//! digits), so values like 9 000 000 000 000.000001 keep their last digit.
//! Only the standard deviation needs a square root and squares that can
//! exceed the `Decimal` range (a deviation of 10¹⁹ squared), so it is
//! computed in `f64` from the exact `Decimal` deviations, scaled by the
//! largest one first (no overflow or underflow for any input). A z-score is
//! at most √(n − 1), so its `f64` error is below 10⁻¹³, far under the printed
//! precision.
//!
//! `center`, `spread`, `score` and the bounds are printed rounded to
//! [`OUTLIER_DECIMALS`] (6) decimals, half away from zero, and a statistical
//! value is flagged when that **printed** score exceeds the threshold, so a
//! client never sees `score: 3.000000` flagged at threshold 3. Results beyond
//! the `Decimal` range (only from absurd inputs) saturate at
//! `Decimal::MAX`/`MIN`; no input panics. The work is O(n log n) in the
//! history length, which the caller bounds (at most 36 values for monthly
//! periods).

use std::fmt;
use std::str::FromStr;

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::catalogue::parse_decimal;
use crate::error::{DomainError, echo};

/// Decimals of every printed statistic.
pub const OUTLIER_DECIMALS: u32 = 6;

/// The constant of the modified z-score, 0.6745 (the 0.75 quantile of the
/// standard normal distribution), which makes MAD / 0.6745 estimate the
/// standard deviation of normal data.
pub const MODIFIED_Z_CONSTANT: Decimal = Decimal::from_parts(6745, 0, 0, false, 4);

/// Largest accepted threshold.
pub const MAX_THRESHOLD: i64 = 1_000_000;

/// The detection algorithm.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// |x − mean| / standard deviation (the default).
    #[default]
    ZScore,
    /// 0.6745 × |x − median| / MAD.
    ModifiedZScore,
    /// Distance outside fixed bounds.
    MinMax,
}

impl Algorithm {
    /// Parse `z_score`, `modified_z_score` or `min_max` (exact).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "z_score" => Ok(Self::ZScore),
            "modified_z_score" => Ok(Self::ModifiedZScore),
            "min_max" => Ok(Self::MinMax),
            _ => Err(DomainError::InvalidAlgorithm { input: echo(s) }),
        }
    }

    /// The name accepted by [`parse`](Self::parse).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ZScore => "z_score",
            Self::ModifiedZScore => "modified_z_score",
            Self::MinMax => "min_max",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = DomainError;

    /// Same as [`Algorithm::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The score a value must exceed to be flagged: a decimal from 0 to
/// [`MAX_THRESHOLD`]; 3 by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Threshold(Decimal);

impl Threshold {
    /// The contract's default, 3.
    pub const DEFAULT: Threshold = Threshold(Decimal::from_parts(3, 0, 0, false, 0));

    /// Parse a threshold such as `3` or `2.5` ([`DomainError::InvalidThreshold`]).
    pub fn parse(s: &str) -> Result<Threshold, DomainError> {
        let value = parse_decimal(s).map_err(|e| DomainError::InvalidThreshold {
            input: echo(s),
            reason: match e {
                DomainError::InvalidNumber { reason, .. } => reason,
                other => other.to_string(),
            },
        })?;
        Threshold::new(value)
    }

    /// A threshold from a decimal, checked to lie in 0 to [`MAX_THRESHOLD`].
    pub fn new(value: Decimal) -> Result<Threshold, DomainError> {
        if value < Decimal::ZERO || value > Decimal::from(MAX_THRESHOLD) {
            return Err(DomainError::InvalidThreshold {
                input: value.to_string(),
                reason: format!("must be between 0 and {MAX_THRESHOLD}"),
            });
        }
        Ok(Threshold(value.normalize()))
    }

    /// The threshold's value.
    pub fn value(self) -> Decimal {
        self.0
    }
}

impl Default for Threshold {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Fixed bounds for `min_max`, from the metadata bundle: either may be
/// absent, not both, and `min ≤ max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Bounds {
    min: Option<Decimal>,
    max: Option<Decimal>,
}

impl Bounds {
    /// Check the bounds ([`DomainError::InvalidBounds`] when both are absent
    /// or `min > max`).
    pub fn new(min: Option<Decimal>, max: Option<Decimal>) -> Result<Bounds, DomainError> {
        match (min, max) {
            (None, None) => Err(DomainError::InvalidBounds {
                reason: "give min, max or both".to_owned(),
            }),
            (Some(lo), Some(hi)) if lo > hi => Err(DomainError::InvalidBounds {
                reason: format!("min {lo} is greater than max {hi}"),
            }),
            _ => Ok(Bounds { min, max }),
        }
    }

    /// The lower bound.
    pub fn min(&self) -> Option<Decimal> {
        self.min
    }

    /// The upper bound.
    pub fn max(&self) -> Option<Decimal> {
        self.max
    }
}

/// What a value is compared with: statistics of its history, or fixed
/// bounds. Computed once per (unit, element, period length) and applied to
/// each value with [`assess`](Self::assess).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Baseline {
    /// Mean and population standard deviation of the history.
    ZScore {
        /// The exact mean (28 significant digits).
        mean: Decimal,
        /// The population standard deviation; 0 exactly when every value
        /// of the history is equal.
        sd: f64,
    },
    /// Median and median absolute deviation of the history.
    ModifiedZScore {
        /// The exact median.
        median: Decimal,
        /// The exact MAD.
        mad: Decimal,
    },
    /// Fixed bounds.
    MinMax(Bounds),
}

impl Baseline {
    /// The z-score baseline of `history`; `None` when it is empty.
    pub fn z_score(history: &[Decimal]) -> Option<Baseline> {
        let mean = mean(history)?;
        Some(Baseline::ZScore {
            mean,
            sd: population_sd(history, mean),
        })
    }

    /// The modified z-score baseline of `history`; `None` when it is empty.
    pub fn modified_z_score(history: &[Decimal]) -> Option<Baseline> {
        let center = median(history.to_vec())?;
        let deviations = history
            .iter()
            .map(|x| x.saturating_sub(center).abs())
            .collect();
        Some(Baseline::ModifiedZScore {
            median: center,
            mad: median(deviations)?,
        })
    }

    /// The baseline of `algorithm`: statistics of `history` (`None` when it
    /// is empty), or `bounds` for `min_max` (`None` without bounds).
    pub fn of(
        algorithm: Algorithm,
        history: &[Decimal],
        bounds: Option<Bounds>,
    ) -> Option<Baseline> {
        match algorithm {
            Algorithm::ZScore => Baseline::z_score(history),
            Algorithm::ModifiedZScore => Baseline::modified_z_score(history),
            Algorithm::MinMax => bounds.map(Baseline::MinMax),
        }
    }

    /// Compare `x` with this baseline.
    pub fn assess(&self, x: Decimal, threshold: Threshold) -> Outlier {
        let t = threshold.value();
        match *self {
            Baseline::ZScore { mean, sd } => {
                let spread = from_f64(sd);
                let score = if sd > 0.0 {
                    let deviation = x.saturating_sub(mean).abs().to_f64().unwrap_or(f64::MAX);
                    from_f64(deviation / sd)
                } else {
                    Decimal::ZERO
                };
                let half_width = t.saturating_mul(spread);
                statistical(mean, spread, score, half_width, t)
            }
            Baseline::ModifiedZScore { median, mad } => {
                let score = if mad.is_zero() {
                    Decimal::ZERO
                } else {
                    let deviation = x.saturating_sub(median).abs();
                    deviation
                        .checked_mul(MODIFIED_Z_CONSTANT)
                        .and_then(|p| p.checked_div(mad))
                        .or_else(|| {
                            deviation
                                .checked_div(mad)
                                .and_then(|q| q.checked_mul(MODIFIED_Z_CONSTANT))
                        })
                        .unwrap_or(Decimal::MAX)
                };
                let half_width = t
                    .checked_mul(mad)
                    .and_then(|p| p.checked_div(MODIFIED_Z_CONSTANT))
                    .or_else(|| {
                        mad.checked_div(MODIFIED_Z_CONSTANT)
                            .and_then(|q| q.checked_mul(t))
                    })
                    .unwrap_or(Decimal::MAX);
                statistical(median, mad, score, half_width, t)
            }
            Baseline::MinMax(bounds) => {
                let below = bounds
                    .min
                    .filter(|lo| x < *lo)
                    .map(|lo| lo.saturating_sub(x));
                let above = bounds
                    .max
                    .filter(|hi| x > *hi)
                    .map(|hi| x.saturating_sub(hi));
                let outside = below.or(above);
                Outlier {
                    center: None,
                    spread: None,
                    score: outside.unwrap_or(Decimal::ZERO),
                    lower_bound: bounds.min,
                    upper_bound: bounds.max,
                    flagged: outside.is_some(),
                }
            }
        }
    }
}

/// The result of comparing one value with its [`Baseline`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outlier {
    /// The mean or median (rounded); `None` for `min_max`.
    pub center: Option<Decimal>,
    /// The standard deviation or MAD (rounded); `None` for `min_max`.
    pub spread: Option<Decimal>,
    /// The score (rounded; for `min_max` the exact distance outside the
    /// bounds), never negative.
    pub score: Decimal,
    /// The lower bound (rounded), if any.
    pub lower_bound: Option<Decimal>,
    /// The upper bound (rounded), if any.
    pub upper_bound: Option<Decimal>,
    /// Whether the value is an outlier.
    pub flagged: bool,
}

/// The outcome of a statistical baseline, rounded for printing, flagged on
/// the printed score.
fn statistical(
    center: Decimal,
    spread: Decimal,
    score: Decimal,
    half_width: Decimal,
    threshold: Decimal,
) -> Outlier {
    let score = round(score);
    Outlier {
        center: Some(round(center)),
        spread: Some(round(spread)),
        score,
        lower_bound: Some(round(center.saturating_sub(half_width))),
        upper_bound: Some(round(center.saturating_add(half_width))),
        flagged: score > threshold,
    }
}

/// Round for printing: 6 decimals, half away from zero.
fn round(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(OUTLIER_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
}

/// A non-negative finite `f64` as a decimal, saturating at `Decimal::MAX`.
fn from_f64(x: f64) -> Decimal {
    Decimal::from_f64(x).unwrap_or(if x > 0.0 { Decimal::MAX } else { Decimal::ZERO })
}

/// The mean, exact to 28 significant digits; `None` for no values.
///
/// The plain sum divided by n when it fits; otherwise the first value plus
/// the mean of the differences from it (exact for a constant series however
/// large); otherwise the sum of `x / n`, whose partial sums never exceed the
/// largest |x|.
fn mean(xs: &[Decimal]) -> Option<Decimal> {
    let first = *xs.first()?;
    let n = Decimal::from(xs.len());
    let plain = || {
        xs.iter()
            .try_fold(Decimal::ZERO, |acc, x| acc.checked_add(*x))?
            .checked_div(n)
    };
    let shifted = || {
        let shift = xs
            .iter()
            .try_fold(Decimal::ZERO, |acc, x| {
                acc.checked_add(x.checked_sub(first)?)
            })?
            .checked_div(n)?;
        first.checked_add(shift)
    };
    let spread_out = || {
        xs.iter().fold(Decimal::ZERO, |acc, x| {
            acc.saturating_add(x.checked_div(n).unwrap_or(Decimal::ZERO))
        })
    };
    Some(plain().or_else(shifted).unwrap_or_else(spread_out))
}

/// The median, exact; `None` for no values.
fn median(mut xs: Vec<Decimal>) -> Option<Decimal> {
    xs.sort_unstable();
    let n = xs.len();
    let upper = *xs.get(n / 2)?;
    if n % 2 == 1 {
        return Some(upper);
    }
    let lower = *xs.get(n / 2 - 1)?;
    if lower == upper {
        return Some(lower);
    }
    // The sum only overflows for two huge values of one sign, and then
    // their difference cannot.
    let two = Decimal::TWO;
    Some(
        lower
            .checked_add(upper)
            .and_then(|s| s.checked_div(two))
            .or_else(|| lower.checked_add(upper.checked_sub(lower)?.checked_div(two)?))
            .unwrap_or(lower),
    )
}

/// The population standard deviation of `xs` around `mean`, in `f64`: 0
/// exactly when all values are equal, otherwise
/// `s × √(Σ (dᵢ/s)² / n)` with `s` the largest |dᵢ|, which neither
/// overflows nor underflows.
fn population_sd(xs: &[Decimal], mean: Decimal) -> f64 {
    let all_equal = xs.windows(2).all(|w| w[0] == w[1]);
    if all_equal {
        return 0.0;
    }
    let deviations: Vec<f64> = xs
        .iter()
        .map(|x| x.saturating_sub(mean).to_f64().unwrap_or(0.0))
        .collect();
    let scale = deviations.iter().fold(0.0f64, |m, d| m.max(d.abs()));
    if scale <= 0.0 || !scale.is_finite() {
        return 0.0;
    }
    let sum_sq: f64 = deviations.iter().map(|d| (d / scale) * (d / scale)).sum();
    // n ≥ 2 here; usize → f64 is exact up to 2^53 values.
    scale * (sum_sq / xs.len() as f64).sqrt()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn decs(xs: &[&str]) -> Vec<Decimal> {
        xs.iter().map(|s| dec(s)).collect()
    }

    const T: Threshold = Threshold::DEFAULT;

    #[test]
    fn names_and_thresholds() {
        for a in [
            Algorithm::ZScore,
            Algorithm::ModifiedZScore,
            Algorithm::MinMax,
        ] {
            assert_eq!(Algorithm::parse(a.as_str()), Ok(a));
            assert_eq!(a.to_string().parse::<Algorithm>(), Ok(a));
        }
        assert_eq!(Algorithm::default(), Algorithm::ZScore);
        assert_eq!(
            Algorithm::parse("zscore").unwrap_err().code(),
            "invalid_algorithm"
        );
        assert_eq!(Threshold::default().value(), dec("3"));
        assert_eq!(Threshold::parse("2.5").unwrap().value(), dec("2.5"));
        assert_eq!(Threshold::parse("0").unwrap().value(), Decimal::ZERO);
        assert_eq!(Threshold::parse("3.000").unwrap(), Threshold::DEFAULT);
        for bad in ["-1", "abc", "", "1000001", "1e7", "NaN"] {
            assert_eq!(
                Threshold::parse(bad).unwrap_err().code(),
                "invalid_threshold",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn z_score_of_a_known_series() {
        // Mean 5, population standard deviation 2.
        let history = decs(&["2", "4", "4", "4", "5", "5", "7", "9"]);
        let base = Baseline::z_score(&history).unwrap();
        let o = base.assess(dec("9"), T);
        assert_eq!(o.center, Some(dec("5")));
        assert_eq!(o.spread, Some(dec("2")));
        assert_eq!(o.score, dec("2"));
        assert_eq!(o.lower_bound, Some(dec("-1")));
        assert_eq!(o.upper_bound, Some(dec("11")));
        assert!(!o.flagged);
        let o = base.assess(dec("11.5"), T);
        assert_eq!(o.score, dec("3.25"));
        assert!(o.flagged);
        let o = base.assess(dec("11"), T);
        assert_eq!(o.score, dec("3"));
        assert!(!o.flagged, "a score equal to the threshold is not flagged");
    }

    #[test]
    fn z_score_keeps_the_last_digit_of_large_values() {
        let history = decs(&[
            "9000000000000.000001",
            "9000000000000.000002",
            "9000000000000.000003",
        ]);
        let o = Baseline::z_score(&history).unwrap().assess(history[2], T);
        assert_eq!(o.center, Some(dec("9000000000000.000002")));
        // sd = sqrt(2/3) µ ≈ 0.000000816 → printed 0.000001; score √1.5.
        assert_eq!(o.spread, Some(dec("0.000001")));
        assert_eq!(o.score, dec("1.224745"));
    }

    #[test]
    fn modified_z_score_of_a_known_series() {
        // Median 4, deviations 3,1,0,0,1,3,96 → MAD 1.
        let history = decs(&["1", "3", "4", "4", "5", "7", "100"]);
        let base = Baseline::modified_z_score(&history).unwrap();
        let o = base.assess(dec("100"), T);
        assert_eq!(o.center, Some(dec("4")));
        assert_eq!(o.spread, Some(dec("1")));
        assert_eq!(o.score, dec("64.752"));
        assert!(o.flagged);
        // Bounds: 4 ± 3 × 1 / 0.6745 = 4 ± 4.447739…
        assert_eq!(o.lower_bound, Some(dec("-0.447739")));
        assert_eq!(o.upper_bound, Some(dec("8.447739")));
        let o = base.assess(dec("7"), T);
        assert_eq!(o.score, dec("2.0235"));
        assert!(!o.flagged);
        // Even count: the median is the mean of the middle two.
        let even = Baseline::modified_z_score(&decs(&["1", "2", "4", "10"])).unwrap();
        assert_eq!(even.assess(dec("1"), T).center, Some(dec("3")));
    }

    #[test]
    fn zero_spread_scores_zero() {
        let flat = decs(&["7", "7", "7"]);
        for base in [
            Baseline::z_score(&flat).unwrap(),
            Baseline::modified_z_score(&flat).unwrap(),
        ] {
            let o = base.assess(dec("7"), T);
            assert_eq!((o.score, o.spread), (Decimal::ZERO, Some(Decimal::ZERO)));
            assert_eq!(o.lower_bound, Some(dec("7")));
            assert!(!o.flagged);
        }
        // MAD 0 although one value is far off: still 0, as the contract says.
        let spiky = decs(&["5", "5", "5", "5", "100"]);
        let o = Baseline::modified_z_score(&spiky)
            .unwrap()
            .assess(dec("100"), T);
        assert_eq!(o.score, Decimal::ZERO);
        assert!(!o.flagged);
        // A single value.
        let o = Baseline::z_score(&decs(&["3"]))
            .unwrap()
            .assess(dec("3"), T);
        assert_eq!(o.score, Decimal::ZERO);
        assert!(Baseline::z_score(&[]).is_none());
        assert!(Baseline::modified_z_score(&[]).is_none());
    }

    #[test]
    fn min_max_scores_the_distance_outside() {
        let bounds = Bounds::new(Some(dec("10")), Some(dec("20"))).unwrap();
        let base = Baseline::of(Algorithm::MinMax, &[], Some(bounds)).unwrap();
        let o = base.assess(dec("25.5"), Threshold::new(dec("100")).unwrap());
        assert_eq!(o.score, dec("5.5"));
        assert!(o.flagged, "the threshold is ignored");
        assert_eq!((o.center, o.spread), (None, None));
        assert_eq!(
            (o.lower_bound, o.upper_bound),
            (Some(dec("10")), Some(dec("20")))
        );
        assert_eq!(base.assess(dec("7"), T).score, dec("3"));
        assert!(base.assess(dec("7"), T).flagged);
        for inside in ["10", "15", "20"] {
            let o = base.assess(dec(inside), T);
            assert_eq!(o.score, Decimal::ZERO);
            assert!(!o.flagged);
        }
        let only_max = Baseline::MinMax(Bounds::new(None, Some(dec("0"))).unwrap());
        assert!(only_max.assess(dec("0.0000001"), T).flagged);
        assert!(!only_max.assess(dec("-1000"), T).flagged);
        assert_eq!(
            Bounds::new(None, None).unwrap_err().code(),
            "invalid_bounds"
        );
        assert_eq!(
            Bounds::new(Some(dec("2")), Some(dec("1")))
                .unwrap_err()
                .code(),
            "invalid_bounds"
        );
        assert!(Baseline::of(Algorithm::MinMax, &[], None).is_none());
    }

    #[test]
    fn extreme_values_do_not_panic() {
        let history = vec![Decimal::MAX, Decimal::MIN, Decimal::MAX, Decimal::ZERO];
        for algorithm in [Algorithm::ZScore, Algorithm::ModifiedZScore] {
            let base = Baseline::of(algorithm, &history, None).unwrap();
            for x in [Decimal::MAX, Decimal::MIN, Decimal::ZERO] {
                let o = base.assess(x, Threshold::new(Decimal::from(MAX_THRESHOLD)).unwrap());
                assert!(o.score >= Decimal::ZERO);
            }
        }
        let tiny_mad = decs(&[
            "1",
            "1.0000000000000000000000000001",
            "1.0000000000000000000000000002",
            "79228162514264337593543950335",
        ]);
        let o = Baseline::modified_z_score(&tiny_mad)
            .unwrap()
            .assess(tiny_mad[3], T);
        assert!(o.flagged);
        let bounds = Bounds::new(Some(Decimal::MAX), None).unwrap();
        assert_eq!(
            Baseline::MinMax(bounds).assess(Decimal::MIN, T).score,
            Decimal::MAX
        );
    }

    fn arb_decimal() -> impl Strategy<Value = Decimal> {
        prop_oneof![
            (any::<i64>(), 0u32..=12).prop_map(|(m, s)| Decimal::new(m, s)),
            (
                any::<u32>(),
                any::<u32>(),
                any::<u32>(),
                any::<bool>(),
                0u32..=28
            )
                .prop_map(|(lo, mid, hi, neg, s)| Decimal::from_parts(lo, mid, hi, neg, s)),
            Just(Decimal::MAX),
            Just(Decimal::MIN),
        ]
    }

    fn small() -> impl Strategy<Value = Decimal> {
        (-1_000_000i64..1_000_000, 0u32..=3).prop_map(|(m, s)| Decimal::new(m, s))
    }

    proptest! {
        #[test]
        fn never_panics_and_scores_are_non_negative(
            history in prop::collection::vec(arb_decimal(), 0..40),
            x in arb_decimal(),
            t in 0i64..=MAX_THRESHOLD,
        ) {
            let threshold = Threshold::new(Decimal::from(t)).unwrap();
            for algorithm in [Algorithm::ZScore, Algorithm::ModifiedZScore] {
                if let Some(base) = Baseline::of(algorithm, &history, None) {
                    let o = base.assess(x, threshold);
                    prop_assert!(o.score >= Decimal::ZERO);
                    prop_assert!(o.spread.unwrap() >= Decimal::ZERO);
                    prop_assert_eq!(o.flagged, o.score > threshold.value());
                    prop_assert!(o.lower_bound <= o.center && o.center <= o.upper_bound);
                } else {
                    prop_assert!(history.is_empty());
                }
            }
        }

        #[test]
        fn a_constant_series_scores_zero(c in arb_decimal(), n in 1usize..30) {
            let history = vec![c; n];
            for algorithm in [Algorithm::ZScore, Algorithm::ModifiedZScore] {
                let o = Baseline::of(algorithm, &history, None).unwrap().assess(c, T);
                prop_assert_eq!(o.score, Decimal::ZERO);
                prop_assert!(!o.flagged);
            }
        }

        #[test]
        fn z_scores_are_at_most_sqrt_n_minus_1(history in prop::collection::vec(small(), 1..40)) {
            let base = Baseline::z_score(&history).unwrap();
            let bound = ((history.len() - 1) as f64).sqrt() + 1e-6;
            for x in &history {
                let score = base.assess(*x, T).score.to_f64().unwrap();
                prop_assert!(score <= bound, "{score} > {bound}");
            }
        }

        #[test]
        fn scores_are_scale_and_shift_invariant(
            history in prop::collection::vec(small(), 2..30),
            k in 1i64..10_000,
            shift in small(),
        ) {
            let k = Decimal::from(k);
            let moved: Vec<Decimal> = history.iter().map(|x| *x * k + shift).collect();
            let modified = Baseline::modified_z_score(&history).unwrap();
            let modified_moved = Baseline::modified_z_score(&moved).unwrap();
            let z = Baseline::z_score(&history).unwrap();
            let z_moved = Baseline::z_score(&moved).unwrap();
            for (x, y) in history.iter().zip(&moved) {
                // Exact arithmetic: identical scores.
                prop_assert_eq!(modified.assess(*x, T).score, modified_moved.assess(*y, T).score);
                // f64 standard deviation: equal up to the printed precision.
                let a = z.assess(*x, T).score;
                let b = z_moved.assess(*y, T).score;
                prop_assert!((a - b).abs() <= dec("0.000001"), "{a} vs {b}");
            }
        }

        #[test]
        fn z_score_agrees_with_a_direct_f64_computation(history in prop::collection::vec(small(), 2..30)) {
            let xs: Vec<f64> = history.iter().map(|x| x.to_f64().unwrap()).collect();
            let n = xs.len() as f64;
            let m = xs.iter().sum::<f64>() / n;
            let sd = (xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n).sqrt();
            let base = Baseline::z_score(&history).unwrap();
            for (x, xf) in history.iter().zip(&xs) {
                let expected = if sd == 0.0 { 0.0 } else { (xf - m).abs() / sd };
                let got = base.assess(*x, T).score.to_f64().unwrap();
                prop_assert!((got - expected).abs() <= 1e-6, "{got} vs {expected}");
            }
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,30}") {
            let _ = Algorithm::parse(&s);
            let _ = Threshold::parse(&s);
        }
    }
}
