//! Where a data element's figures come from: free text, stored with the element.

use crate::error::DomainError;
use crate::text::{TextKind, nfc};

/// Longest source text, in characters (after NFC normalisation).
pub const MAX_SOURCE_CHARS: usize = 2_000;

/// A data element's source: NFC, trimmed, 1 to [`MAX_SOURCE_CHARS`] characters of
/// multi-line text (tabs and line breaks allowed, no other control character).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SourceText(String);

impl SourceText {
    /// Normalises (NFC, trim) and checks a source; an empty one is `None` (no source given).
    pub fn parse(s: &str) -> Result<Option<Self>, DomainError> {
        let normalised = nfc(s);
        let trimmed = normalised.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        if let Some((position, c)) = TextKind::MultiLine.first_refused(trimmed) {
            return Err(DomainError::InvalidText {
                reason: TextKind::MultiLine.refusal(position, c),
            });
        }
        let len = trimmed.chars().count();
        if len > MAX_SOURCE_CHARS {
            return Err(DomainError::InvalidText {
                reason: format!("too long: {len} characters (at most {MAX_SOURCE_CHARS})"),
            });
        }
        Ok(Some(Self(trimmed.to_owned())))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_source_is_normalised_trimmed_and_bounded() {
        let s = SourceText::parse("  Cu\u{323}c Thống kê\nmục 10.2 ").unwrap();
        assert_eq!(s.unwrap().as_str(), "Cục Thống kê\nmục 10.2");
        assert_eq!(SourceText::parse("  ").unwrap(), None);
        let longest = "ệ".repeat(MAX_SOURCE_CHARS);
        assert!(SourceText::parse(&longest).unwrap().is_some());
        let e = SourceText::parse(&format!("{longest}x")).unwrap_err();
        assert_eq!(e.code(), "invalid_text");
        assert_eq!(
            SourceText::parse("a\u{0}b").unwrap_err().code(),
            "invalid_text"
        );
    }
}
