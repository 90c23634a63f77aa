//! Text helpers: the characters a text may hold ([`TextKind`]), Unicode
//! normalisation, search text, search folding and natural ordering for
//! Vietnamese names.
//!
//! # Which characters a text may hold
//!
//! Every text that reaches storage or a query passes [`TextKind::check`]:
//!
//! * [`TextKind::SingleLine`] (names, usernames, display names, token names,
//!   codes, labels, periods, search text): no control character at all (C0,
//!   DEL and C1, `\t \n \r` included), no line or paragraph separator
//!   (U+2028, U+2029).
//! * [`TextKind::MultiLine`] (comments, text figures, descriptions, reasons):
//!   tab, line feed and carriage return are allowed; every other control
//!   character is not.
//! * Neither allows the bidirectional embeddings, overrides and isolates
//!   (U+202A–U+202E, U+2066–U+2069): they reorder what a reader sees
//!   ("Trojan Source") and Vietnamese text never needs them. The plain
//!   direction marks (U+200E, U+200F) stay allowed.
//!
//! NUL is refused everywhere: PostgreSQL cannot store it in text at all.

use std::cmp::Ordering;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::error::{DomainError, echo};

/// Which characters a piece of text may hold (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextKind {
    /// One line: names, usernames, display names, token names, codes,
    /// labels, periods, search text and every query parameter.
    SingleLine,
    /// Free text over several lines: comments, text figures, descriptions,
    /// reasons. Tab, line feed and carriage return are allowed.
    MultiLine,
}

/// Bidirectional embeddings, overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl TextKind {
    /// Whether `c` may appear in a text of this kind.
    pub fn allows(self, c: char) -> bool {
        if is_bidi_control(c) {
            return false;
        }
        match self {
            Self::SingleLine => !c.is_control() && !matches!(c, '\u{2028}' | '\u{2029}'),
            Self::MultiLine => !c.is_control() || matches!(c, '\t' | '\n' | '\r'),
        }
    }

    /// The first character of `s` this kind refuses, with its position (in
    /// characters).
    pub fn first_refused(self, s: &str) -> Option<(usize, char)> {
        s.chars().enumerate().find(|&(_, c)| !self.allows(c))
    }

    /// Checks that `s` holds only characters this kind allows.
    pub fn check(self, s: &str) -> Result<(), DomainError> {
        match self.first_refused(s) {
            None => Ok(()),
            Some((position, c)) => Err(DomainError::InvalidText {
                reason: self.refusal(position, c),
            }),
        }
    }

    /// Why `c` at `position` is refused, for an error message.
    pub fn refusal(self, position: usize, c: char) -> String {
        let what = if c.is_control() {
            "control character"
        } else if is_bidi_control(c) {
            "bidirectional formatting character"
        } else {
            "line separator"
        };
        let allowed = match self {
            Self::SingleLine => "single-line text allows none",
            Self::MultiLine => "text allows tab, line feed and carriage return only",
        };
        format!(
            "{what} U+{:04X} at position {position} ({allowed})",
            u32::from(c)
        )
    }
}

/// `s` trimmed and NFC-normalised, checked as [single-line text](TextKind::SingleLine)
/// (a display name, a token name, a label). The caller bounds its length.
pub fn single_line(s: &str) -> Result<String, DomainError> {
    let line = nfc(s.trim());
    TextKind::SingleLine.check(&line)?;
    Ok(line)
}

/// Longest search text accepted, in characters: no name is longer
/// ([`MAX_NAME_CHARS`](crate::org_unit::MAX_NAME_CHARS)), so a longer search
/// cannot match anything.
pub const MAX_SEARCH_CHARS: usize = crate::org_unit::MAX_NAME_CHARS;

/// Text to search names with: single-line, at most [`MAX_SEARCH_CHARS`]
/// characters, kept [folded](fold_for_search). Empty (or blank) search text
/// matches every name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SearchText(String);

impl SearchText {
    /// Checks and folds `s`.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        TextKind::SingleLine.check(s)?;
        let len = s.chars().count();
        if len > MAX_SEARCH_CHARS {
            return Err(DomainError::InvalidText {
                reason: format!(
                    "search text too long: {len} characters (at most {MAX_SEARCH_CHARS}) in {:?}",
                    echo(s)
                ),
            });
        }
        Ok(Self(fold_for_search(s)))
    }

    /// The folded text (empty when it matches everything).
    pub fn folded(&self) -> &str {
        &self.0
    }
}

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

/// The sort key of [`natural_cmp`], with the name folded once: sorting many names by key
/// (`sort_by_cached_key`) folds each name once instead of twice per comparison.
/// `NaturalKey::new(a).cmp(&NaturalKey::new(b)) == natural_cmp(a, b)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NaturalKey {
    folded: String,
    original: String,
}

impl NaturalKey {
    /// The key of `name`.
    pub fn new(name: &str) -> NaturalKey {
        NaturalKey {
            folded: fold_for_search(name),
            original: name.to_owned(),
        }
    }
}

impl Ord for NaturalKey {
    fn cmp(&self, other: &Self) -> Ordering {
        chunks(&self.folded)
            .cmp(&chunks(&other.folded))
            .then_with(|| self.folded.cmp(&other.folded))
            .then_with(|| self.original.cmp(&other.original))
    }
}

impl PartialOrd for NaturalKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn single_line_refuses_every_control_and_separator() {
        for c in [
            '\0', '\u{1}', '\t', '\n', '\r', '\u{1F}', '\u{7F}', '\u{80}', '\u{85}', '\u{9F}',
            '\u{2028}', '\u{2029}', '\u{202E}', '\u{2066}',
        ] {
            let s = format!("Phường{c}8");
            let err = TextKind::SingleLine.check(&s).unwrap_err();
            assert_eq!(err.code(), "invalid_text");
            assert!(
                err.to_string()
                    .contains(&format!("U+{:04X} at position 6", u32::from(c))),
                "{err}"
            );
        }
        for s in [
            "Phường Thắng Nhì",
            "Bà Rịa – Vũng Tàu",
            "北京",
            "a\u{200E}b",
            "",
            "x\u{A0}y",
        ] {
            assert!(TextKind::SingleLine.check(s).is_ok(), "{s:?}");
        }
    }

    #[test]
    fn multi_line_allows_tab_and_line_breaks_only() {
        assert!(
            TextKind::MultiLine
                .check("dòng 1\r\ndòng 2\tcột\u{2028}")
                .is_ok()
        );
        for c in [
            '\0', '\u{1}', '\u{B}', '\u{C}', '\u{1B}', '\u{7F}', '\u{85}', '\u{202D}', '\u{2069}',
        ] {
            let err = TextKind::MultiLine.check(&format!("a{c}")).unwrap_err();
            assert_eq!(err.code(), "invalid_text", "{c:?}");
        }
        assert!(
            TextKind::MultiLine
                .check("a\0")
                .unwrap_err()
                .to_string()
                .contains("control character U+0000 at position 1")
        );
    }

    #[test]
    fn single_line_trims_normalises_and_checks() {
        let nfd: String = " Thắng ".nfd().collect();
        assert_eq!(single_line(&nfd).unwrap(), "Thắng");
        assert_eq!(single_line("\n a \t").unwrap(), "a");
        assert_eq!(single_line("a\0").unwrap_err().code(), "invalid_text");
        assert_eq!(single_line("a\tb").unwrap_err().code(), "invalid_text");
    }

    #[test]
    fn search_text_is_checked_bounded_and_folded() {
        assert_eq!(
            SearchText::parse("  Phường  THẮNG ").unwrap().folded(),
            "phuong thang"
        );
        assert_eq!(SearchText::parse("").unwrap().folded(), "");
        assert_eq!(
            SearchText::parse("a\0b").unwrap_err().code(),
            "invalid_text"
        );
        assert_eq!(
            SearchText::parse("a\nb").unwrap_err().code(),
            "invalid_text"
        );
        assert!(SearchText::parse(&"ă".repeat(MAX_SEARCH_CHARS)).is_ok());
        let err = SearchText::parse(&"ă".repeat(MAX_SEARCH_CHARS + 1)).unwrap_err();
        assert!(err.to_string().contains("too long"), "{err}");
    }

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
        fn single_line_text_is_multi_line_text(s in "\\PC*") {
            if TextKind::SingleLine.check(&s).is_ok() {
                prop_assert!(TextKind::MultiLine.check(&s).is_ok());
            }
        }

        #[test]
        fn checking_never_panics_and_names_a_refused_char(s in any::<String>()) {
            for kind in [TextKind::SingleLine, TextKind::MultiLine] {
                match kind.first_refused(&s) {
                    None => prop_assert!(s.chars().all(|c| kind.allows(c))),
                    Some((i, c)) => {
                        prop_assert_eq!(s.chars().nth(i), Some(c));
                        prop_assert!(!kind.allows(c));
                    }
                }
            }
        }

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

    #[test]
    fn a_natural_key_orders_as_natural_cmp() {
        let names = [
            "Phường 10",
            "Phường 2",
            "phường 2",
            "Đà Nẵng",
            "Da Nang",
            "Xã 02",
            "Xã 2",
            "",
        ];
        for a in names {
            for b in names {
                assert_eq!(
                    NaturalKey::new(a).cmp(&NaturalKey::new(b)),
                    natural_cmp(a, b),
                    "{a:?} {b:?}"
                );
            }
        }
    }
}
