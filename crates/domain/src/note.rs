//! Notes of the catalogue: the readings and choices behind the metadata, each about one
//! object named `kind:code` (`org_unit:VT-PX`, `indicator:I.01`, `table:T1`).
//!
//! The kinds are a fixed list ([`SubjectKind`]). Most name objects that exist when the note
//! is written, and the import checks that they do; `table` and `target` are not checked
//! ([`SubjectKind::checked`]): tables are declared by a later part of the bundle format, and
//! a target has no code of its own (the code after `target:` is free, a label such as
//! `national`).

use std::fmt;

use crate::code::{NoteCode, check_code};
use crate::error::{DomainError, echo};
use crate::text::{TextKind, nfc};

/// Longest note text, in characters.
pub const MAX_NOTE_CHARS: usize = 10_000;

/// What kind of object a note is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubjectKind {
    /// An org unit.
    OrgUnit,
    /// A data element.
    DataElement,
    /// An indicator.
    Indicator,
    /// An indicator group.
    IndicatorGroup,
    /// A data set.
    DataSet,
    /// A validation rule.
    ValidationRule,
    /// A project.
    Project,
    /// A table of the report (not checked).
    Table,
    /// A target, by a free code such as its label (not checked).
    Target,
}

impl SubjectKind {
    /// Every kind, in the order of [`SubjectKind::as_str`]'s list.
    pub const ALL: [SubjectKind; 9] = [
        Self::OrgUnit,
        Self::DataElement,
        Self::Indicator,
        Self::IndicatorGroup,
        Self::DataSet,
        Self::ValidationRule,
        Self::Project,
        Self::Table,
        Self::Target,
    ];

    /// The kind's name before the `:`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrgUnit => "org_unit",
            Self::DataElement => "data_element",
            Self::Indicator => "indicator",
            Self::IndicatorGroup => "indicator_group",
            Self::DataSet => "data_set",
            Self::ValidationRule => "validation_rule",
            Self::Project => "project",
            Self::Table => "table",
            Self::Target => "target",
        }
    }

    /// Whether the import checks that the object exists.
    pub fn checked(self) -> bool {
        !matches!(self, Self::Table | Self::Target)
    }
}

/// The object a note is about: `kind:code`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Subject {
    kind: SubjectKind,
    code: String,
}

impl Subject {
    /// Parse `kind:code`: a kind of [`SubjectKind::ALL`] and a code (1–50 characters of
    /// `A-Z a-z 0-9 _ - .`); [`DomainError::InvalidSubject`] otherwise.
    pub fn parse(s: &str) -> Result<Subject, DomainError> {
        let fail = |reason: String| DomainError::InvalidSubject {
            input: echo(s),
            reason,
        };
        let (kind, code) = s
            .split_once(':')
            .ok_or_else(|| fail("must be kind:code, e.g. org_unit:VT".to_owned()))?;
        let kind = (SubjectKind::ALL.into_iter())
            .find(|k| k.as_str() == kind)
            .ok_or_else(|| {
                let names: Vec<&str> = SubjectKind::ALL.iter().map(|k| k.as_str()).collect();
                fail(format!("unknown kind; expected one of {}", names.join(", ")))
            })?;
        check_code(code).map_err(|reason| fail(format!("code {reason}")))?;
        Ok(Subject {
            kind,
            code: code.to_owned(),
        })
    }

    /// The kind.
    pub fn kind(&self) -> SubjectKind {
        self.kind
    }

    /// The object's code.
    pub fn code(&self) -> &str {
        &self.code
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind.as_str(), self.code)
    }
}

/// A note's text: multi-line, NFC-normalised and trimmed, 1 to [`MAX_NOTE_CHARS`]
/// characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteText(String);

impl NoteText {
    /// Parse a note's text.
    pub fn parse(s: &str) -> Result<NoteText, DomainError> {
        let text = nfc(s.trim());
        let len = text.chars().count();
        let reason = if len == 0 {
            "must not be empty".to_owned()
        } else if len > MAX_NOTE_CHARS {
            format!("too long: {len} characters (at most {MAX_NOTE_CHARS})")
        } else {
            TextKind::MultiLine.check(&text)?;
            return Ok(NoteText(text));
        };
        Err(DomainError::InvalidText { reason })
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A note of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Code.
    pub code: NoteCode,
    /// What it is about.
    pub subject: Subject,
    /// The text.
    pub text: NoteText,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn subjects_are_a_known_kind_and_a_code() {
        let s = Subject::parse("org_unit:VT-PX").unwrap();
        assert_eq!((s.kind(), s.code()), (SubjectKind::OrgUnit, "VT-PX"));
        assert_eq!(s.to_string(), "org_unit:VT-PX");
        assert_eq!(Subject::parse("data_element:III.05.N").unwrap().code(), "III.05.N");
        for kind in SubjectKind::ALL {
            let parsed = Subject::parse(&format!("{}:X", kind.as_str())).unwrap();
            assert_eq!(parsed.kind(), kind);
        }
        assert!(!SubjectKind::Table.checked() && !SubjectKind::Target.checked());
        assert!(SubjectKind::Project.checked());
        for bad in ["VT", "unit:VT", "org_unit:", "org_unit:V T", ":VT", "Org_unit:VT"] {
            assert_eq!(Subject::parse(bad).unwrap_err().code(), "invalid_subject", "{bad}");
        }
    }

    #[test]
    fn texts_are_bounded_multi_line_text() {
        assert_eq!(NoteText::parse("  a\nb ").unwrap().as_str(), "a\nb");
        for bad in ["", "   ", "a\0b"] {
            assert_eq!(NoteText::parse(bad).unwrap_err().code(), "invalid_text");
        }
        let long = "x".repeat(MAX_NOTE_CHARS + 1);
        assert_eq!(NoteText::parse(&long).unwrap_err().code(), "invalid_text");
        assert!(NoteText::parse(&"x".repeat(MAX_NOTE_CHARS)).is_ok());
    }
}
