//! Exact comparison of products of decimals, without overflow or rounding.
//!
//! `rust_decimal` multiplication rounds when a product needs more than 28
//! significant digits, which can flip a `>=` comparison at the boundary.
//! Here each product is computed as a 512-bit integer mantissa instead.

use std::cmp::Ordering;

use rust_decimal::Decimal;

/// Little-endian 512-bit unsigned integer; wide enough for the product of
/// two 96-bit mantissas times `10^56` (< 2^379).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct U512([u64; 8]);

impl U512 {
    /// `a × b` exactly.
    fn product(a: u128, b: u128) -> U512 {
        let a_limbs = [a as u64, (a >> 64) as u64];
        let b_limbs = [b as u64, (b >> 64) as u64];
        let mut out = [0u64; 8];
        for (i, &x) in a_limbs.iter().enumerate() {
            let mut carry: u128 = 0;
            for (j, &y) in b_limbs.iter().enumerate() {
                let cur = u128::from(out[i + j]) + u128::from(x) * u128::from(y) + carry;
                out[i + j] = cur as u64;
                carry = cur >> 64;
            }
            out[i + 2] = carry as u64;
        }
        U512(out)
    }

    /// Multiply in place by a small factor (the top carry is dropped; callers
    /// stay far below 2^512).
    fn mul_small(&mut self, m: u64) {
        let mut carry: u128 = 0;
        for limb in &mut self.0 {
            let cur = u128::from(*limb) * u128::from(m) + carry;
            *limb = cur as u64;
            carry = cur >> 64;
        }
    }
}

impl Ord for U512 {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.iter().rev().cmp(other.0.iter().rev())
    }
}

impl PartialOrd for U512 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// -1, 0 or 1.
fn signum(d: Decimal) -> i8 {
    if d.is_zero() {
        0
    } else if d.is_sign_negative() {
        -1
    } else {
        1
    }
}

/// Compare `a.0 × a.1` with `b.0 × b.1` exactly.
pub(crate) fn cmp_products(a: (Decimal, Decimal), b: (Decimal, Decimal)) -> Ordering {
    let sign_a = signum(a.0) * signum(a.1);
    let sign_b = signum(b.0) * signum(b.1);
    if sign_a != sign_b || sign_a == 0 {
        return sign_a.cmp(&sign_b);
    }
    let mut mag_a = U512::product(a.0.mantissa().unsigned_abs(), a.1.mantissa().unsigned_abs());
    let mut mag_b = U512::product(b.0.mantissa().unsigned_abs(), b.1.mantissa().unsigned_abs());
    let scale_a = a.0.scale() + a.1.scale();
    let scale_b = b.0.scale() + b.1.scale();
    // Bring both to the larger scale (at most 56) by multiplying by 10s.
    for _ in scale_a..scale_b {
        mag_a.mul_small(10);
    }
    for _ in scale_b..scale_a {
        mag_b.mul_small(10);
    }
    let magnitude = mag_a.cmp(&mag_b);
    if sign_a < 0 {
        magnitude.reverse()
    } else {
        magnitude
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn compares_beyond_decimal_precision() {
        // 3 × 33.333333333333333333333333334 = 100.000000000000000000000000002
        let ord = cmp_products(
            (d("100"), d("1")),
            (d("33.333333333333333333333333334"), d("3")),
        );
        assert_eq!(ord, Ordering::Less);
        let ord = cmp_products(
            (d("100"), d("1")),
            (d("33.333333333333333333333333333"), d("3")),
        );
        assert_eq!(ord, Ordering::Greater);
    }

    #[test]
    fn handles_extremes_and_signs() {
        assert_eq!(
            cmp_products((Decimal::MAX, Decimal::MAX), (Decimal::MAX, d("7.9"))),
            Ordering::Greater
        );
        assert_eq!(
            cmp_products((Decimal::MIN, Decimal::MAX), (Decimal::MAX, d("7.9"))),
            Ordering::Less
        );
        assert_eq!(
            cmp_products((Decimal::MIN, Decimal::MAX), (Decimal::MIN, d("7.9"))),
            Ordering::Less
        );
        assert_eq!(
            cmp_products((d("0"), d("-5")), (d("0.0"), d("3"))),
            Ordering::Equal
        );
        assert_eq!(
            cmp_products((d("-1"), d("-1")), (d("1"), d("1"))),
            Ordering::Equal
        );
        assert_eq!(
            cmp_products(
                (
                    d("0.0000000000000000000000000001"),
                    d("0.0000000000000000000000000001")
                ),
                (d("0"), d("1"))
            ),
            Ordering::Greater
        );
    }

    proptest! {
        #[test]
        fn agrees_with_i128_arithmetic(a in any::<i32>(), b in any::<i32>(), c in any::<i32>(), e in any::<i32>(), s1 in 0u32..10, s2 in 0u32..10) {
            let x = (Decimal::new(a.into(), s1), Decimal::new(b.into(), s2));
            let y = (Decimal::new(c.into(), s2), Decimal::new(e.into(), s1));
            // Same total scale on both sides, so compare raw mantissa products.
            let expected = (i128::from(a) * i128::from(b)).cmp(&(i128::from(c) * i128::from(e)));
            prop_assert_eq!(cmp_products(x, y), expected);
        }
    }
}
