//! The single error type of the domain crate.
//!
//! Every variant carries enough context to build a precise, human-readable
//! message, and [`DomainError::code`] gives a stable snake_case code that the
//! API layer can expose to clients.

use crate::value::ValueType;

/// Why a piece of domain input was rejected.
///
/// Inputs echoed back in `input` fields are truncated to
/// [`MAX_ECHO_CHARS`] characters (with a trailing `…`) so that a huge
/// payload never ends up verbatim in an error message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A period string or month is malformed or out of range.
    #[error("invalid period {input:?}: {reason}")]
    InvalidPeriod {
        /// The rejected input.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An identifier code is malformed.
    #[error("invalid code {input:?}: {reason}")]
    InvalidCode {
        /// The rejected input.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A display name is malformed.
    #[error("invalid name: {reason}")]
    InvalidName {
        /// What is wrong with it.
        reason: String,
    },
    /// A text holds a character its kind refuses (see [`crate::text::TextKind`]):
    /// NUL or another control character, a line separator in a single-line
    /// text, or bidirectional formatting.
    #[error("invalid text: {reason}")]
    InvalidText {
        /// What is wrong with it.
        reason: String,
    },
    /// An organisation-unit kind is malformed.
    #[error("invalid org unit kind {input:?}: expected 1 to 30 characters of a-z and _")]
    InvalidKind {
        /// The rejected input.
        input: String,
    },
    /// An expression could not be parsed.
    #[error("invalid expression at position {position}: {message}")]
    InvalidExpression {
        /// The rejected expression.
        input: String,
        /// 0-based character offset of the offending token in `input`.
        position: usize,
        /// What was expected or found.
        message: String,
    },
    /// A value type name is not one of `integer|number|boolean|text`.
    #[error("invalid value type {input:?}: expected integer, number, boolean or text")]
    InvalidValueType {
        /// The rejected input.
        input: String,
    },
    /// An aggregation is unknown or not allowed for the value type.
    #[error("invalid aggregation {input:?}: expected sum, last, average or none")]
    InvalidAggregation {
        /// The rejected input, possibly with an explanation appended.
        input: String,
    },
    /// A comparison operator is unknown or not allowed here.
    #[error("invalid operator {input:?}")]
    InvalidOperator {
        /// The rejected input, possibly with an explanation appended.
        input: String,
    },
    /// A data value does not match the value type of its data element.
    #[error("invalid {expected} value: {message}")]
    InvalidValue {
        /// The value type that was expected.
        expected: ValueType,
        /// What was expected and what arrived.
        message: String,
    },
    /// A number (factor, decimals, target value, …) is malformed or out of range.
    #[error("invalid number {input:?}: {reason}")]
    InvalidNumber {
        /// The rejected input.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The organisation-unit hierarchy contains a cycle through `code`.
    #[error("org unit {code:?} is its own ancestor (cycle in the hierarchy)")]
    OrgTreeCycle {
        /// A unit that lies on the cycle.
        code: String,
    },
    /// An organisation unit names a parent that does not exist.
    #[error("org unit {code:?} has unknown parent {parent:?}")]
    UnknownParent {
        /// The unit whose parent is missing.
        code: String,
        /// The missing parent code.
        parent: String,
    },
}

impl DomainError {
    /// Stable snake_case code for this error, suitable for API responses.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidPeriod { .. } => "invalid_period",
            Self::InvalidCode { .. } => "invalid_code",
            Self::InvalidName { .. } => "invalid_name",
            Self::InvalidText { .. } => "invalid_text",
            Self::InvalidKind { .. } => "invalid_kind",
            Self::InvalidExpression { .. } => "invalid_expression",
            Self::InvalidValueType { .. } => "invalid_value_type",
            Self::InvalidAggregation { .. } => "invalid_aggregation",
            Self::InvalidOperator { .. } => "invalid_operator",
            Self::InvalidValue { .. } => "invalid_value",
            Self::InvalidNumber { .. } => "invalid_number",
            Self::OrgTreeCycle { .. } => "org_unit_cycle",
            Self::UnknownParent { .. } => "unknown_parent",
        }
    }
}

/// Longest input echoed verbatim in an error; longer inputs are truncated.
pub const MAX_ECHO_CHARS: usize = 100;

/// Copy `s` for an error message, truncated to [`MAX_ECHO_CHARS`] characters.
pub(crate) fn echo(s: &str) -> String {
    match s.char_indices().nth(MAX_ECHO_CHARS) {
        None => s.to_owned(),
        Some((cut, _)) => format!("{}…", &s[..cut]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case() {
        let cases = [
            (
                DomainError::InvalidPeriod {
                    input: "x".into(),
                    reason: "r".into(),
                },
                "invalid_period",
            ),
            (
                DomainError::InvalidCode {
                    input: "x".into(),
                    reason: "r".into(),
                },
                "invalid_code",
            ),
            (
                DomainError::InvalidName { reason: "r".into() },
                "invalid_name",
            ),
            (
                DomainError::InvalidText { reason: "r".into() },
                "invalid_text",
            ),
            (
                DomainError::InvalidKind { input: "x".into() },
                "invalid_kind",
            ),
            (
                DomainError::InvalidExpression {
                    input: "x".into(),
                    position: 0,
                    message: "m".into(),
                },
                "invalid_expression",
            ),
            (
                DomainError::InvalidValueType { input: "x".into() },
                "invalid_value_type",
            ),
            (
                DomainError::InvalidAggregation { input: "x".into() },
                "invalid_aggregation",
            ),
            (
                DomainError::InvalidOperator { input: "x".into() },
                "invalid_operator",
            ),
            (
                DomainError::InvalidValue {
                    expected: ValueType::Integer,
                    message: "m".into(),
                },
                "invalid_value",
            ),
            (
                DomainError::InvalidNumber {
                    input: "x".into(),
                    reason: "r".into(),
                },
                "invalid_number",
            ),
            (
                DomainError::OrgTreeCycle { code: "A".into() },
                "org_unit_cycle",
            ),
            (
                DomainError::UnknownParent {
                    code: "A".into(),
                    parent: "B".into(),
                },
                "unknown_parent",
            ),
        ];
        for (err, code) in cases {
            assert_eq!(err.code(), code);
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn messages_mention_the_input_and_reason() {
        let err = DomainError::InvalidPeriod {
            input: "2023Q5".into(),
            reason: "quarter must be Q1 to Q4".into(),
        };
        let msg = err.to_string();
        assert!(msg.contains("2023Q5"), "{msg}");
        assert!(msg.contains("quarter must be Q1 to Q4"), "{msg}");

        let err = DomainError::InvalidValue {
            expected: ValueType::Integer,
            message: "expected an integer, got 12.5".into(),
        };
        assert_eq!(
            err.to_string(),
            "invalid integer value: expected an integer, got 12.5"
        );
    }

    #[test]
    fn echo_truncates_long_inputs_on_char_boundaries() {
        assert_eq!(echo("short"), "short");
        let long = "ă".repeat(150);
        let e = echo(&long);
        assert_eq!(e.chars().count(), MAX_ECHO_CHARS + 1);
        assert!(e.ends_with('…'));
        let exact = "a".repeat(MAX_ECHO_CHARS);
        assert_eq!(echo(&exact), exact);
    }
}
