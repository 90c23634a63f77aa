//! Identifier newtypes for catalogue objects and organisation units.
//!
//! A code is 1 to [`MAX_CODE_CHARS`] characters drawn from `A-Z a-z 0-9 _ - .`.
//! Codes are case-sensitive and kept exactly as given (no trimming, no case
//! folding), so `HN` and `hn` are different codes.

use std::fmt;
use std::str::FromStr;

use crate::error::{DomainError, echo};

/// Maximum length of a code, in characters.
pub const MAX_CODE_CHARS: usize = 50;

/// Check that `s` is a well-formed code, returning the reason if not.
pub(crate) fn check_code(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if let Some((pos, c)) = s
        .chars()
        .enumerate()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Err(format!(
            "invalid character {c:?} at position {pos} (allowed: A-Z a-z 0-9 _ - .)"
        ));
    }
    // All characters are ASCII here, so the byte length is the char count.
    if s.len() > MAX_CODE_CHARS {
        return Err(format!(
            "too long: {} characters (at most {MAX_CODE_CHARS})",
            s.len()
        ));
    }
    Ok(())
}

macro_rules! define_code {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// Construct with [`parse`](Self::parse); the inner string is always a
        /// valid code.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parse a code: 1 to 50 characters of `A-Z a-z 0-9 _ - .`, kept as given.
            pub fn parse(s: &str) -> Result<Self, DomainError> {
                match check_code(s) {
                    Ok(()) => Ok(Self(s.to_owned())),
                    Err(reason) => Err(DomainError::InvalidCode {
                        input: echo(s),
                        reason,
                    }),
                }
            }

            /// The code as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The code as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = DomainError;

            /// Same as [`parse`](Self::parse).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

define_code!(
    /// Code of an organisation unit (a ministry, province, ward, office, …).
    OrgUnitCode
);
define_code!(
    /// Code of a data element (a raw reported figure).
    DataElementCode
);
define_code!(
    /// Code of an indicator (a ratio of two expressions over data elements).
    IndicatorCode
);
define_code!(
    /// Code of a validation rule.
    RuleCode
);
define_code!(
    /// Code of an indicator group.
    GroupCode
);
define_code!(
    /// Code of a data set (a reporting form).
    DataSetCode
);
define_code!(
    /// Code of a report table.
    TableCode
);
define_code!(
    /// Code of a project.
    ProjectCode
);
define_code!(
    /// Code of a milestone, unique within its project.
    MilestoneCode
);
define_code!(
    /// Code of a reorganisation (e.g. the resolution that ordered it).
    ReorganisationCode
);
define_code!(
    /// Code of a note of the catalogue (`tree.ward_group`).
    NoteCode
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn reason(err: DomainError) -> String {
        match err {
            DomainError::InvalidCode { reason, .. } => reason,
            other => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn accepts_letters_digits_and_punctuation() {
        for s in [
            "HN",
            "hn",
            "DVC_ONLINE.rate-2",
            "0",
            "a.b-c_d",
            &"X".repeat(50),
        ] {
            let code = DataElementCode::parse(s).unwrap();
            assert_eq!(code.as_str(), s);
            assert_eq!(code.to_string(), s);
            assert_eq!(code.as_ref(), s);
            assert_eq!(code.clone().into_string(), s);
        }
    }

    #[test]
    fn is_case_sensitive() {
        assert_ne!(
            OrgUnitCode::parse("HN").unwrap(),
            OrgUnitCode::parse("hn").unwrap()
        );
    }

    #[test]
    fn rejects_empty() {
        let err = OrgUnitCode::parse("").unwrap_err();
        assert_eq!(err.code(), "invalid_code");
        assert_eq!(reason(err), "must not be empty");
    }

    #[test]
    fn rejects_51_chars() {
        let err = IndicatorCode::parse(&"A".repeat(51)).unwrap_err();
        assert!(reason(err).contains("too long: 51"));
    }

    #[test]
    fn rejects_bad_char_with_position() {
        let err = RuleCode::parse("AB CD").unwrap_err();
        assert!(reason(err).contains("' ' at position 2"));
        let err = GroupCode::parse("Hà_Nội").unwrap_err();
        assert!(reason(err).contains("'à' at position 1"));
        for s in [" HN", "HN ", "a/b", "#{X}", "a\nb"] {
            assert!(GroupCode::parse(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn from_str_delegates_to_parse() {
        let code: OrgUnitCode = "HN".parse().unwrap();
        assert_eq!(code.as_str(), "HN");
        assert!("".parse::<OrgUnitCode>().is_err());
    }

    #[test]
    fn orders_by_string() {
        let a = OrgUnitCode::parse("A").unwrap();
        let b = OrgUnitCode::parse("B").unwrap();
        assert!(a < b);
    }
}
