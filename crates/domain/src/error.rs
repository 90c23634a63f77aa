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
    /// A data value has the right type but lies outside the bounds of its value type
    /// (see [`crate::value::MAX_INTEGER_MAGNITUDE`] and
    /// [`crate::value::MAX_NUMBER_MAGNITUDE`]): storing it could break the exact sums.
    #[error("{expected} value out of range: {message}")]
    ValueOutOfRange {
        /// The value type whose bounds were exceeded.
        expected: ValueType,
        /// The bounds and what arrived.
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
    /// A rule side's scope is not `own` or `subtree`, or no side reads own figures.
    #[error("invalid scope: {reason}")]
    InvalidScope {
        /// What is wrong.
        reason: String,
    },
    /// A rule has a tolerance with an operator other than `==`.
    #[error("a tolerance applies to == only, not to {operator}")]
    InvalidTolerance {
        /// The rule's operator.
        operator: String,
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
    // --- v2: the reporting cycle, scores, milestones, reorganisations ---
    /// A data set's period type is not one of `month|quarter|half|nine_months|year`.
    #[error("invalid period type {input:?}: expected month, quarter, half, nine_months or year")]
    InvalidPeriodType {
        /// The rejected input.
        input: String,
    },
    /// A date is malformed, does not exist, or lies outside years 1000 to 9999.
    #[error("invalid date {input:?}: {reason}")]
    InvalidDate {
        /// The rejected input (or a description of the computation).
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A calendar setting of a data set is out of range.
    #[error("invalid {field} {input}: {reason}")]
    InvalidSchedule {
        /// The setting: `cutoff_day`, `due_days`, `approval_due_days` or `lock_after_days`.
        field: &'static str,
        /// The rejected value.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A report state is not one of `open|submitted|approved|returned`.
    #[error("invalid report state {input:?}: expected open, submitted, approved or returned")]
    InvalidReportState {
        /// The rejected input.
        input: String,
    },
    /// A report action is not one of `submit|reopen|approve|return`.
    #[error("invalid report action {input:?}: expected submit, reopen, approve or return")]
    InvalidReportAction {
        /// The rejected input.
        input: String,
    },
    /// A return reason is missing, empty, too long or malformed.
    #[error("invalid reason: {reason}")]
    InvalidReason {
        /// What is wrong with it.
        reason: String,
    },
    /// The caller may not take this action on this unit (HTTP 403).
    #[error("the caller may not do this for this org unit")]
    Forbidden,
    /// The data set is not assigned to the org unit.
    #[error("the data set is not assigned to this org unit")]
    NotAssigned,
    /// The action is not allowed from the report's state.
    #[error("cannot {action} a report that is {from}")]
    InvalidTransition {
        /// The report's current state.
        from: crate::report::ReportState,
        /// The refused action.
        action: crate::report::ReportAction,
    },
    /// The report's period has not started yet.
    #[error("the report's period has not started yet")]
    PeriodNotStarted,
    /// A report of the unit's proper subtree is not approved yet.
    #[error("reports of the same data set and period below this unit are not all approved")]
    ChildrenNotApproved,
    /// A report of an ancestor (same data set and period) is submitted or approved.
    #[error("the parent's report of the same data set and period is submitted or approved")]
    ParentSubmitted,
    /// The figure belongs to a submitted or approved report.
    #[error("the figure belongs to a submitted or approved report")]
    ReportLocked,
    /// The report's deadline lock has passed for this caller.
    #[error("the report's figures are closed: its deadline lock has passed")]
    PeriodClosed,
    /// Completeness counts break `on_time ≤ submitted ≤ expected`, `approved ≤ submitted`.
    #[error("inconsistent report counts: {reason}")]
    InvalidCounts {
        /// Which inequality fails.
        reason: String,
    },
    /// An outlier algorithm is not one of `z_score|modified_z_score|min_max`.
    #[error("invalid algorithm {input:?}: expected z_score, modified_z_score or min_max")]
    InvalidAlgorithm {
        /// The rejected input.
        input: String,
    },
    /// An outlier threshold is malformed or out of range.
    #[error("invalid threshold {input:?}: {reason}")]
    InvalidThreshold {
        /// The rejected input.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `min_max` bounds are missing or reversed.
    #[error("invalid bounds: {reason}")]
    InvalidBounds {
        /// What is wrong with them.
        reason: String,
    },
    /// A number element's text has a `.` that is not a thousands separator
    /// before a decimal comma (`4.602`): it may have meant a decimal point.
    #[error(
        "ambiguous number {input:?}: in a number, ',' is the decimal point and '.' separates thousands only before a ','"
    )]
    AmbiguousNumber {
        /// The rejected input.
        input: String,
    },
    /// An indicator group's weight is malformed or out of range.
    #[error("invalid weight {input:?}: {reason}")]
    InvalidWeight {
        /// The rejected input.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A milestone status is not one of `planned|in_progress|done`.
    #[error("invalid milestone status {input:?}: expected planned, in_progress or done")]
    InvalidMilestoneStatus {
        /// The rejected input.
        input: String,
    },
    /// A note's subject is not `kind:code` with a known kind and a valid code.
    #[error("invalid subject {input:?}: {reason}")]
    InvalidSubject {
        /// The rejected input.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A milestone's recorded progress contradicts itself (an `actual` month on a
    /// milestone that is not done).
    #[error("invalid milestone progress: {reason}")]
    InvalidProgress {
        /// What is wrong with it.
        reason: String,
    },
    /// A reorganisation is inconsistent; the code comes from its [`Problem`](crate::reorganisation::Problem).
    #[error("{message}")]
    Reorganisation {
        /// What kind of problem (gives the code).
        problem: crate::reorganisation::Problem,
        /// What exactly is wrong.
        message: String,
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
            Self::ValueOutOfRange { .. } => "value_out_of_range",
            Self::InvalidNumber { .. } => "invalid_number",
            Self::InvalidScope { .. } => "invalid_scope",
            Self::InvalidTolerance { .. } => "invalid_tolerance",
            Self::OrgTreeCycle { .. } => "org_unit_cycle",
            Self::UnknownParent { .. } => "unknown_parent",
            Self::InvalidPeriodType { .. } => "invalid_period_type",
            Self::InvalidDate { .. } => "invalid_date",
            Self::InvalidSchedule { .. } => "invalid_schedule",
            Self::InvalidReportState { .. } => "invalid_report_state",
            Self::InvalidReportAction { .. } => "invalid_report_action",
            Self::InvalidReason { .. } => "invalid_reason",
            Self::Forbidden => "forbidden",
            Self::NotAssigned => "not_assigned",
            Self::InvalidTransition { .. } => "invalid_transition",
            Self::PeriodNotStarted => "period_not_started",
            Self::ChildrenNotApproved => "children_not_approved",
            Self::ParentSubmitted => "parent_submitted",
            Self::ReportLocked => "report_locked",
            Self::PeriodClosed => "period_closed",
            Self::InvalidCounts { .. } => "invalid_counts",
            Self::InvalidAlgorithm { .. } => "invalid_algorithm",
            Self::InvalidThreshold { .. } => "invalid_threshold",
            Self::InvalidBounds { .. } => "invalid_bounds",
            Self::AmbiguousNumber { .. } => "ambiguous_number",
            Self::InvalidWeight { .. } => "invalid_weight",
            Self::InvalidMilestoneStatus { .. } => "invalid_milestone_status",
            Self::InvalidSubject { .. } => "invalid_subject",
            Self::InvalidProgress { .. } => "invalid_milestone_progress",
            Self::Reorganisation { problem, .. } => problem.code(),
        }
    }

    /// The org unit an error of the hierarchy is about ([`OrgTreeCycle`](Self::OrgTreeCycle):
    /// a unit on the cycle; [`UnknownParent`](Self::UnknownParent): the unit whose parent is
    /// missing), carried as data so that a caller can point at that unit without reading the
    /// message. `None` for every other error.
    pub fn org_unit(&self) -> Option<&str> {
        match self {
            Self::OrgTreeCycle { code } | Self::UnknownParent { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// What kind of refusal an error is, independent of any transport: the
/// edge maps [`Invalid`](Self::Invalid) to 400/422, [`Forbidden`](Self::Forbidden)
/// to 403 and [`Conflict`](Self::Conflict) to 409.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input itself is malformed or out of range.
    Invalid,
    /// The caller may not do this.
    Forbidden,
    /// The input is well-formed but conflicts with the state of things
    /// (a report's state, its locks, its assignment).
    Conflict,
}

impl DomainError {
    /// The kind of refusal (see [`ErrorKind`]). Every parse and validation
    /// error is [`ErrorKind::Invalid`].
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Forbidden => ErrorKind::Forbidden,
            Self::NotAssigned
            | Self::InvalidTransition { .. }
            | Self::PeriodNotStarted
            | Self::ChildrenNotApproved
            | Self::ParentSubmitted
            | Self::ReportLocked
            | Self::PeriodClosed => ErrorKind::Conflict,
            _ => ErrorKind::Invalid,
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
                DomainError::ValueOutOfRange {
                    expected: ValueType::Number,
                    message: "m".into(),
                },
                "value_out_of_range",
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
