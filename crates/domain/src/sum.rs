//! Exact sums of stored figures that cannot overflow, on SQLite or on PostgreSQL.
//!
//! A stored figure is an `i64` (see [`crate::value::StoredValue`]): an `integer` as is, a
//! `number` in micro-units, a `boolean` as 0/1. The value checks keep every admissible figure
//! within [`MAX_STORED_MAGNITUDE`] = 10^18 (integers: |v| ≤ 10^15; numbers: |v| ≤ 10^12,
//! i.e. 10^18 micro-units). Ten such figures already leave the `i64` range, and the two
//! databases fail differently when a plain sum does:
//!
//! * SQLite's `SUM` raises "integer overflow", and its `+` silently turns into a float (so an
//!   `UPDATE … SET s = s + ?` saturates instead of failing);
//! * PostgreSQL's `SUM(bigint)` is an exact `numeric`, but a cast back to `bigint` and
//!   `bigint + bigint` raise "out of range".
//!
//! So the service never sums whole figures. Each figure is split into two parts,
//!
//! ```text
//! v = hi × 2^32 + lo,   hi = v >> 32 (arithmetic shift),   lo = v & (2^32 − 1)
//! ```
//!
//! written in SQL as `value_num >> 32` and `value_num & 4294967295` (the same on both
//! databases: `>>` sign-extends and `&` works on two's complement). Each part is summed on
//! its own:
//!
//! * `0 ≤ lo < 2^32`, so n low parts sum to less than n × 2^32;
//! * `|hi| ≤ 2^28` for an admissible figure (10^18 < 2^60), and `|hi| ≤ 2^31` for any
//!   `i64`, so n high parts sum to at most n × 2^31 in magnitude.
//!
//! Both sums stay inside `i64` for fewer than [`MAX_FIGURES_PER_SUM`] = 2^31 figures, and
//! [`join`] recombines them exactly in `i128`. How many figures can one sum cover? One
//! element, the units of a subtree, and per unit at most one figure per month of the window
//! (a unit's periods of an element never overlap). The national tree has about 11 400 units
//! (10 599 communes, 705 districts, 63 provinces); the widest window (years 1000 to 9999) has
//! 108 000 months: 1.23 × 10^9 figures < 2^31 ≈ 2.15 × 10^9. Beyond that (over two billion
//! stored figures of one element) the database refuses the sum with an error; it never
//! answers a wrong total.
//!
//! The exact total is at most 2^31 × 10^18 ≈ 2.2 × 10^27 in magnitude, below the 96-bit
//! mantissa of a [`rust_decimal::Decimal`] (≈ 7.9 × 10^28), so it always converts exactly —
//! even with the 6 decimals of a `number` sum (the mantissa is the micro-unit total).
//!
//! The roll-up table keeps `sum_hi` and `sum_lo` per row, and removing a figure subtracts
//! exactly the parts that adding it added, so every stored pair is the part sums of the
//! figures it covers and the same bounds hold for it.

/// Largest magnitude of a stored figure (`integer` values as is, `number` values in
/// micro-units) that the value checks admit.
pub const MAX_STORED_MAGNITUDE: i64 = 1_000_000_000_000_000_000;

// Every admissible figure lies within the stored bound (checked when compiling).
const _: () = assert!(crate::value::MAX_INTEGER_MAGNITUDE <= MAX_STORED_MAGNITUDE);
const _: () = assert!(
    crate::value::MAX_NUMBER_MAGNITUDE as i128 * 10i128.pow(crate::value::NUMBER_SCALE)
        <= MAX_STORED_MAGNITUDE as i128
);

/// Bits in the low part of a split figure.
pub const LOW_BITS: u32 = 32;

/// Mask of the low part: `2^32 − 1` (`4294967295` in SQL).
pub const LOW_MASK: i64 = (1 << LOW_BITS) - 1;

/// Fewer figures than this are summed exactly with two `i64` part sums.
pub const MAX_FIGURES_PER_SUM: i64 = 1 << 31;

/// The parts of a stored figure: `(hi, lo)` with `v = hi × 2^32 + lo` and `0 ≤ lo < 2^32`.
pub fn split(v: i64) -> (i64, i64) {
    (v >> LOW_BITS, v & LOW_MASK)
}

/// The exact total of figures from the sums of their parts.
pub fn join(hi_sum: i64, lo_sum: i64) -> i128 {
    (i128::from(hi_sum) << LOW_BITS) + i128::from(lo_sum)
}

/// The part sums of some figures, added up as [`split`] and [`join`] describe.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PartSums {
    /// Σ hi.
    pub hi: i64,
    /// Σ lo.
    pub lo: i64,
}

impl PartSums {
    /// Adds `count` copies of `v` (a negative count removes them); `None` when a part sum
    /// would leave the `i64` range (never for fewer than [`MAX_FIGURES_PER_SUM`] figures).
    pub fn add(self, v: i64, count: i64) -> Option<PartSums> {
        let (hi, lo) = split(v);
        Some(PartSums {
            hi: self.hi.checked_add(hi.checked_mul(count)?)?,
            lo: self.lo.checked_add(lo.checked_mul(count)?)?,
        })
    }

    /// Adds another set of part sums.
    pub fn merge(self, other: PartSums) -> Option<PartSums> {
        Some(PartSums {
            hi: self.hi.checked_add(other.hi)?,
            lo: self.lo.checked_add(other.lo)?,
        })
    }

    /// The exact total.
    pub fn total(self) -> i128 {
        join(self.hi, self.lo)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::value::NUMBER_SCALE;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    #[test]
    fn splits_and_joins_exactly_at_the_edges() {
        for v in [
            0,
            1,
            -1,
            LOW_MASK,
            LOW_MASK + 1,
            -LOW_MASK,
            -(LOW_MASK + 1),
            MAX_STORED_MAGNITUDE,
            -MAX_STORED_MAGNITUDE,
            i64::MAX,
            i64::MIN,
        ] {
            let (hi, lo) = split(v);
            assert!((0..=LOW_MASK).contains(&lo), "{v}");
            assert_eq!(join(hi, lo), i128::from(v), "{v}");
        }
        // An admissible figure's high part is small.
        assert!(split(MAX_STORED_MAGNITUDE).0 < 1 << 28);
        assert!(split(-MAX_STORED_MAGNITUDE).0 >= -(1 << 28));
    }

    #[test]
    fn the_largest_possible_sum_fits_both_part_sums_and_a_decimal() {
        // The worst case, computed in i128: MAX_FIGURES_PER_SUM − 1 figures, all at the bound
        // (positive: the low parts are largest; negative: the high parts are).
        let n = i128::from(MAX_FIGURES_PER_SUM - 1);
        let (hi_pos, lo_pos) = split(MAX_STORED_MAGNITUDE);
        let (hi_neg, lo_neg) = split(-MAX_STORED_MAGNITUDE);
        for part in [hi_pos, lo_pos, hi_neg, lo_neg] {
            let sum = n * i128::from(part);
            assert!(i64::try_from(sum).is_ok(), "{part} × {n}");
        }
        // Even any i64 at all (legacy figures stored before the bounds) keeps both part sums
        // inside i64.
        for v in [i64::MAX, i64::MIN] {
            let (hi, lo) = split(v);
            assert!(i64::try_from(n * i128::from(hi)).is_ok());
            assert!(i64::try_from(n * i128::from(lo)).is_ok());
        }
        let total = n * i128::from(MAX_STORED_MAGNITUDE);
        assert!(Decimal::try_from_i128_with_scale(total, NUMBER_SCALE).is_ok());
        assert!(Decimal::try_from_i128_with_scale(-total, 0).is_ok());
        // And the national tree's widest window is inside the assumption.
        let national_units: i64 = 10_599 + 705 + 63 + 1;
        let months: i64 = (9999 - 1000 + 1) * 12;
        assert!(national_units * months < MAX_FIGURES_PER_SUM);
    }

    #[test]
    fn removing_what_was_added_restores_the_parts() {
        let mut s = PartSums::default();
        for _ in 0..1000 {
            s = s.add(1, 1).unwrap().add(1, -1).unwrap();
            s = s.add(-7, 1).unwrap().add(-7, -1).unwrap();
        }
        assert_eq!(s, PartSums::default());
    }

    proptest! {
        #[test]
        fn part_sums_equal_the_exact_sum(values in prop::collection::vec(-MAX_STORED_MAGNITUDE..=MAX_STORED_MAGNITUDE, 0..200)) {
            let mut parts = PartSums::default();
            let mut exact: i128 = 0;
            for &v in &values {
                parts = parts.add(v, 1).unwrap();
                exact += i128::from(v);
            }
            prop_assert_eq!(parts.total(), exact);
            prop_assert!(parts.lo >= 0);
        }

        #[test]
        fn adding_and_removing_in_any_order_is_exact(
            values in prop::collection::vec((any::<i64>(), -3i64..=3), 0..100)
        ) {
            let mut parts = PartSums::default();
            let mut exact: i128 = 0;
            for &(v, count) in &values {
                parts = parts.add(v, count).unwrap();
                exact += i128::from(v) * i128::from(count);
            }
            prop_assert_eq!(parts.total(), exact);
            let (a, b) = values.split_at(values.len() / 2);
            let sum = |vs: &[(i64, i64)]| vs.iter().fold(PartSums::default(), |p, &(v, c)| p.add(v, c).unwrap());
            prop_assert_eq!(sum(a).merge(sum(b)).unwrap(), parts);
        }
    }
}
