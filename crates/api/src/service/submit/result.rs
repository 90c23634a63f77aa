//! The neutral result of a submission, which REST and GraphQL each render in their own
//! format, and which the idempotency record keeps (see `record.rs`).

use chitieu_persistence::{submission::SubmissionOutcome, validation::Violation};

/// How a set fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Stored (or would be, with a dry run), breaking no rule.
    Success,
    /// Stored, but the stored figures break validation rules.
    Warning,
    /// Refused for conflicts: nothing stored.
    Error,
}

impl Status {
    /// The wire name: `success`, `warning` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }

    /// The status of a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "success" => Some(Self::Success),
            "warning" => Some(Self::Warning),
            "error" => Some(Self::Error),
            _ => None,
        }
    }
}

/// A refused row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// Position of the row in the set (CSV: data row counted from 0).
    pub index: usize,
    /// Stable code, e.g. `overlapping_period`.
    pub code: String,
    /// Explanation.
    pub message: String,
}

/// What a submission did (or, with a dry run, would do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmitResult {
    /// Stored, stored with broken rules, or refused.
    pub status: Status,
    /// Checked only, nothing stored.
    pub dry_run: bool,
    /// New figures (0 when refused).
    pub imported: u64,
    /// Changed figures (0 when refused).
    pub updated: u64,
    /// Figures already as given (0 when refused).
    pub unchanged: u64,
    /// Deleted figures (0 when refused).
    pub deleted: u64,
    /// Refused rows; nothing was stored when there is any.
    pub conflicts: Vec<Conflict>,
    /// Validation rules the stored figures now break.
    pub violations: Vec<Violation>,
}

impl SubmitResult {
    /// The result of `outcome`: the status decided, the counts zeroed when refused.
    pub fn new(outcome: SubmissionOutcome, dry_run: bool) -> Self {
        let refused = !outcome.conflicts.is_empty();
        let status = if refused {
            Status::Error
        } else if !outcome.violations.is_empty() {
            Status::Warning
        } else {
            Status::Success
        };
        let count = |n: u64| if refused { 0 } else { n };
        Self {
            status,
            dry_run,
            imported: count(outcome.imported),
            updated: count(outcome.updated),
            unchanged: count(outcome.unchanged),
            deleted: count(outcome.deleted),
            conflicts: outcome
                .conflicts
                .into_iter()
                .map(|c| Conflict {
                    index: c.index,
                    code: c.code.to_owned(),
                    message: c.message,
                })
                .collect(),
            violations: outcome.violations,
        }
    }

    /// `true` when stored (or would be, with a dry run); `false` when refused.
    pub fn accepted(&self) -> bool {
        self.status != Status::Error
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chitieu_persistence::submission;

    use super::*;

    #[test]
    fn a_refused_set_counts_nothing_and_an_accepted_one_its_figures() {
        let counted = SubmissionOutcome {
            imported: 3,
            updated: 2,
            unchanged: 1,
            deleted: 1,
            ..SubmissionOutcome::default()
        };
        let ok = SubmitResult::new(counted.clone(), true);
        assert_eq!(
            (ok.status, ok.dry_run, ok.imported, ok.deleted),
            (Status::Success, true, 3, 1)
        );
        assert!(ok.accepted());
        let refused = SubmitResult::new(
            SubmissionOutcome {
                conflicts: vec![submission::Conflict {
                    index: 4,
                    code: "invalid_value",
                    message: "m".into(),
                }],
                ..counted
            },
            false,
        );
        assert_eq!(refused.status, Status::Error);
        assert!(!refused.accepted());
        assert_eq!(
            (
                refused.imported,
                refused.updated,
                refused.unchanged,
                refused.deleted
            ),
            (0, 0, 0, 0)
        );
        assert_eq!(refused.conflicts[0].code, "invalid_value");
    }

    #[test]
    fn statuses_read_back_their_wire_names() {
        for s in [Status::Success, Status::Warning, Status::Error] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("ok"), None);
    }
}
