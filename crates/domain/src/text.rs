//! Text helpers: Unicode normalisation, search folding and natural ordering
//! for Vietnamese names.

use std::cmp::Ordering;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalise `s` to Unicode NFC (composed form), the form stored everywhere.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Fold `s` for accent- and case-insensitive search.
///
/// Lowercases, removes every combining mark (all Vietnamese tone marks and
/// the breve, circumflex and horn of `ă â ê ô ơ ư`), maps `đ`/`Đ` to `d`,
/// transliterates other accented Latin letters to ASCII where a plain
/// letter equivalent exists (`ø` → `o`, `ß` → `ss`), collapses whitespace
/// runs to one space and trims. Works the same on NFC and NFD input, and is
/// idempotent: `fold_for_search(&fold_for_search(s)) == fold_for_search(s)`.
///
/// `"Phường Thắng Nhì"` folds to `"phuong thang nhi"`.
pub fn fold_for_search(s: &str) -> String {
    let lowered = s.to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    let mut pending_space = false;
    for c in lowered.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        push_folded_char(&mut out, c);
    }
    out
}

/// Append the folded form of one lowercase, decomposed, non-mark character.
fn push_folded_char(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c);
        return;
    }
    if c == 'đ' || c == 'Đ' {
        out.push('d');
        return;
    }
    if c.is_alphabetic()
        && let Some(ascii) = deunicode::deunicode_char(c)
        && !ascii.is_empty()
        && ascii.chars().all(|a| a.is_ascii_alphabetic())
    {
        out.extend(ascii.chars().map(|a| a.to_ascii_lowercase()));
        return;
    }
    out.push(c);
}

/// One comparison unit of natural ordering.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Chunk<'a> {
    /// A run of ASCII digits, compared by numeric value (leading zeros
    /// stripped). Digits sort before any other character.
    Digits(NumericRun<'a>),
    /// Any other single character, compared by code point.
    Char(char),
}

/// A digit run without leading zeros; ordered by numeric value.
#[derive(Debug, PartialEq, Eq)]
struct NumericRun<'a>(&'a str);

impl Ord for NumericRun<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.cmp(other.0))
    }
}

impl PartialOrd for NumericRun<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Split folded text into natural-ordering chunks.
fn chunks(s: &str) -> Vec<Chunk<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            let end = rest
                .find(|d: char| !d.is_ascii_digit())
                .unwrap_or(rest.len());
            let run = &rest[..end];
            out.push(Chunk::Digits(NumericRun(run.trim_start_matches('0'))));
            rest = &rest[end..];
        } else {
            out.push(Chunk::Char(c));
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Natural ordering for display names.
///
/// Compares the [folded](fold_for_search) texts chunk by chunk: runs of
/// digits compare by numeric value and sort before letters, other characters
/// by code point, so `"Phường 2" < "Phường 10" < "Phường Thắng Nhì"`.
/// Ties (e.g. `"Đà"` vs `"Da"`, or `"02"` vs `"2"`) are broken by plain
/// byte order of the original strings, making this a total order that is
/// `Equal` only for identical strings.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let fa = fold_for_search(a);
    let fb = fold_for_search(b);
    chunks(&fa)
        .cmp(&chunks(&fb))
        .then_with(|| fa.cmp(&fb))
        .then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nfc_composes_decomposed_input() {
        let nfd: String = "Thắng".nfd().collect();
        assert_ne!(nfd, "Thắng");
        assert_eq!(nfc(&nfd), "Thắng");
    }

    #[test]
    fn folds_vietnamese_nfc_and_nfd_alike() {
        let composed = "Phường Thắng Nhì";
        let decomposed: String = composed.nfd().collect();
        assert_eq!(fold_for_search(composed), "phuong thang nhi");
        assert_eq!(fold_for_search(&decomposed), "phuong thang nhi");
    }

    #[test]
    fn folds_d_with_stroke_both_cases() {
        assert_eq!(fold_for_search("Đà Nẵng"), "da nang");
        assert_eq!(fold_for_search("đường"), "duong");
        assert_eq!(fold_for_search("ĐỒNG THÁP"), "dong thap");
    }

    #[test]
    fn folds_all_vowel_modifiers_and_tones() {
        assert_eq!(
            fold_for_search("ă â ê ô ơ ư ắ ằ ẳ ẵ ặ ấ ề ổ ỡ ự"),
            "a a e o o u a a a a a a e o o u"
        );
        assert_eq!(fold_for_search("Bà Rịa – Vũng Tàu"), "ba ria – vung tau");
    }

    #[test]
    fn collapses_and_trims_whitespace() {
        assert_eq!(fold_for_search("  Hà\t\n Nội  "), "ha noi");
        assert_eq!(fold_for_search("   "), "");
        assert_eq!(fold_for_search(""), "");
    }

    #[test]
    fn keeps_non_latin_script() {
        assert_eq!(fold_for_search("北京"), "北京");
    }

    #[test]
    fn natural_cmp_orders_numbers_numerically() {
        let mut names = vec![
            "Phường Thắng Nhì",
            "Phường 10",
            "Phường 2",
            "phường 1",
            "Phường 02",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            vec![
                "phường 1",
                "Phường 02",
                "Phường 2",
                "Phường 10",
                "Phường Thắng Nhì"
            ]
        );
    }

    #[test]
    fn natural_cmp_ignores_accents_then_breaks_ties_by_bytes() {
        assert_eq!(natural_cmp("Đà Lạt", "Da Lat"), "Đà Lạt".cmp("Da Lat"));
        assert_eq!(natural_cmp("Bình", "binh"), "Bình".cmp("binh"));
        assert_eq!(natural_cmp("An", "Bình"), Ordering::Less);
        assert_eq!(natural_cmp("Đông", "Dong"), Ordering::Greater);
        assert_eq!(natural_cmp("x", "x"), Ordering::Equal);
    }

    #[test]
    fn natural_cmp_handles_huge_digit_runs() {
        let big = format!("Tổ {}", "9".repeat(100));
        assert_eq!(natural_cmp("Tổ 5", &big), Ordering::Less);
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC*") {
            let once = fold_for_search(&s);
            prop_assert_eq!(fold_for_search(&once), once.clone());
        }

        #[test]
        fn fold_is_normalisation_invariant(s in "\\PC*") {
            let nfd: String = s.nfd().collect();
            prop_assert_eq!(fold_for_search(&nfd), fold_for_search(&nfc(&s)));
        }

        #[test]
        fn natural_cmp_is_a_total_order(
            a in "[a-cđĐ0-3 ]{0,6}",
            b in "[a-cđĐ0-3 ]{0,6}",
            c in "[a-cđĐ0-3 ]{0,6}",
        ) {
            prop_assert_eq!(natural_cmp(&a, &b), natural_cmp(&b, &a).reverse());
            prop_assert_eq!(natural_cmp(&a, &b) == Ordering::Equal, a == b);
            if natural_cmp(&a, &b) != Ordering::Greater && natural_cmp(&b, &c) != Ordering::Greater {
                prop_assert_ne!(natural_cmp(&a, &c), Ordering::Greater);
            }
        }
    }
}
