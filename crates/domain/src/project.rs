//! Projects and their milestones as the metadata bundle declares them, and the progress
//! recorded on a milestone (contract v2, "Projects and milestones"). The flags are
//! [`crate::milestone::flags`].

use crate::code::{MilestoneCode, OrgUnitCode, ProjectCode};
use crate::error::{DomainError, echo};
use crate::milestone::MilestoneStatus;
use crate::org_unit::UnitName;
use crate::period::{Month, Period};
use crate::text::{TextKind, nfc};

/// Most milestones of one project.
pub const MAX_MILESTONES: usize = 200;

/// Longest note of recorded progress, in characters.
pub const MAX_PROGRESS_NOTE_CHARS: usize = 2_000;

/// One milestone of a project, as declared: its plan, not its progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectMilestone {
    /// Code, unique within the project.
    pub code: MilestoneCode,
    /// Name.
    pub name: UnitName,
    /// The month it is planned for.
    pub planned: Month,
}

/// A project of an org unit, with its milestones in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// Code.
    pub code: ProjectCode,
    /// Name.
    pub name: UnitName,
    /// The unit carrying it out; who may record progress follows from it.
    pub org_unit: OrgUnitCode,
    /// Milestones in their order (at most [`MAX_MILESTONES`]).
    pub milestones: Vec<ProjectMilestone>,
}

impl Project {
    /// The milestone codes listed more than once, each once, in order of their second
    /// appearance.
    pub fn repeated(&self) -> Vec<&MilestoneCode> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for m in &self.milestones {
            if !seen.insert(&m.code) && !out.contains(&&m.code) {
                out.push(&m.code);
            }
        }
        out
    }
}

/// A month written as a period of exactly one month (`2023-09`); any other period is
/// [`DomainError::InvalidPeriod`].
pub fn parse_month(s: &str) -> Result<Month, DomainError> {
    let period = Period::parse(s)?;
    if period.start() != period.end() {
        return Err(DomainError::InvalidPeriod {
            input: echo(s),
            reason: "must be one month (YYYY-MM)".to_owned(),
        });
    }
    Ok(period.start())
}

/// The progress recorded on a milestone: a status, the month it actually happened (done
/// milestones only) and a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    status: MilestoneStatus,
    actual: Option<Month>,
    note: Option<String>,
}

impl Progress {
    /// Progress not recorded yet: `planned`, no month, no note.
    pub const NONE: Progress = Progress {
        status: MilestoneStatus::Planned,
        actual: None,
        note: None,
    };

    /// Checked progress: an `actual` month only on a `done` milestone; the note multi-line
    /// text, NFC-normalised and trimmed, at most [`MAX_PROGRESS_NOTE_CHARS`] characters (an
    /// empty one is no note).
    pub fn new(
        status: MilestoneStatus,
        actual: Option<Month>,
        note: Option<&str>,
    ) -> Result<Progress, DomainError> {
        if actual.is_some() && status != MilestoneStatus::Done {
            return Err(DomainError::InvalidProgress {
                reason: format!(
                    "an actual month is recorded only on a done milestone, not on a {status} one"
                ),
            });
        }
        let note = note.map(|n| nfc(n.trim())).filter(|n| !n.is_empty());
        if let Some(n) = &note {
            TextKind::MultiLine.check(n)?;
            let len = n.chars().count();
            if len > MAX_PROGRESS_NOTE_CHARS {
                return Err(DomainError::InvalidText {
                    reason: format!(
                        "too long: {len} characters (at most {MAX_PROGRESS_NOTE_CHARS})"
                    ),
                });
            }
        }
        Ok(Progress {
            status,
            actual,
            note,
        })
    }

    /// The status.
    pub fn status(&self) -> MilestoneStatus {
        self.status
    }

    /// The month it actually happened.
    pub fn actual(&self) -> Option<Month> {
        self.actual
    }

    /// The note.
    pub fn note(&self) -> Option<&str> {
        self.note.as_deref()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn milestone(code: &str) -> ProjectMilestone {
        ProjectMilestone {
            code: MilestoneCode::parse(code).unwrap(),
            name: UnitName::parse("Step").unwrap(),
            planned: parse_month("2023-09").unwrap(),
        }
    }

    #[test]
    fn months_are_one_month_periods() {
        assert_eq!(parse_month("2023-09").unwrap().month(), 9);
        for bad in ["2023Q3", "2023", "2023-01/2023-02"] {
            assert_eq!(parse_month(bad).unwrap_err().code(), "invalid_period");
        }
        assert_eq!(parse_month("2023-13").unwrap_err().code(), "invalid_period");
    }

    #[test]
    fn repeated_milestone_codes_are_named_once() {
        let project = Project {
            code: ProjectCode::parse("P").unwrap(),
            name: UnitName::parse("P").unwrap(),
            org_unit: OrgUnitCode::parse("VT").unwrap(),
            milestones: ["M1", "M2", "M1", "M1", "M2"].map(milestone).to_vec(),
        };
        let codes: Vec<&str> = project.repeated().iter().map(|c| c.as_str()).collect();
        assert_eq!(codes, ["M1", "M2"]);
    }

    #[test]
    fn progress_checks_its_month_and_note() {
        let month = parse_month("2023-09").unwrap();
        let done = Progress::new(MilestoneStatus::Done, Some(month), Some("  05/9/2023 ")).unwrap();
        assert_eq!(done.note(), Some("05/9/2023"));
        assert_eq!(done.actual(), Some(month));
        let err = Progress::new(MilestoneStatus::InProgress, Some(month), None).unwrap_err();
        assert_eq!(err.code(), "invalid_milestone_progress");
        let blank = Progress::new(MilestoneStatus::Planned, None, Some("   ")).unwrap();
        assert_eq!(blank, Progress::NONE);
        let nul = Progress::new(MilestoneStatus::Planned, None, Some("a\0b")).unwrap_err();
        assert_eq!(nul.code(), "invalid_text");
        let long = "x".repeat(MAX_PROGRESS_NOTE_CHARS + 1);
        let err = Progress::new(MilestoneStatus::Planned, None, Some(&long)).unwrap_err();
        assert_eq!(err.code(), "invalid_text");
        let lines = Progress::new(MilestoneStatus::Planned, None, Some("a\nb")).unwrap();
        assert_eq!(lines.note(), Some("a\nb"));
    }
}
