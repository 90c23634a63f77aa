//! How an allowed transition changes the stored report: pure.

use chitieu_domain::{Command, ReportState};
use chitieu_persistence::report_cycle::StoredReport;

/// The report after `command`, taken by `by` at `at` (microseconds since the epoch), from
/// `old`. The caller decided the transition is allowed ([`chitieu_domain::report::decide`]).
///
/// - `submit`: submitted by `by` at `at`; the first submission's time is kept (timeliness);
///   an earlier approval and return reason are cleared.
/// - `reopen`: `open` again, the submission cleared (its first time kept).
/// - `approve`: approved by `by` at `at`, the submission kept.
/// - `return`: returned with the reason, the submission kept, an approval cleared.
pub fn next(old: &StoredReport, command: &Command, by: &str, at: i64) -> StoredReport {
    let mut r = old.clone();
    match command {
        Command::Submit => {
            r.state = ReportState::Submitted;
            r.first_submitted_at = Some(old.first_submitted_at.unwrap_or(at));
            r.submitted_at = Some(at);
            r.submitted_by = Some(by.to_owned());
            r.approved_at = None;
            r.approved_by = None;
            r.reason = None;
        }
        Command::Reopen => {
            r.state = ReportState::Open;
            r.submitted_at = None;
            r.submitted_by = None;
            r.approved_at = None;
            r.approved_by = None;
            r.reason = None;
        }
        Command::Approve => {
            r.state = ReportState::Approved;
            r.approved_at = Some(at);
            r.approved_by = Some(by.to_owned());
            r.reason = None;
        }
        Command::Return(reason) => {
            r.state = ReportState::Returned;
            r.approved_at = None;
            r.approved_by = None;
            r.reason = Some(reason.as_str().to_owned());
        }
    }
    r
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chitieu_domain::{ReportAction, ReturnReason};

    use super::*;

    #[test]
    fn a_history_keeps_the_first_submission_and_the_last_reason() {
        let open = StoredReport::untouched();
        let submitted = next(&open, &Command::Submit, "p1", 10);
        assert_eq!(submitted.state, ReportState::Submitted);
        assert_eq!(
            (submitted.first_submitted_at, submitted.submitted_at),
            (Some(10), Some(10))
        );
        let approved = next(&submitted, &Command::Approve, "vt", 20);
        assert_eq!(approved.approved_by.as_deref(), Some("vt"));
        assert_eq!(approved.submitted_by.as_deref(), Some("p1"));
        let reason = ReturnReason::parse("  Thiếu số liệu quý  ").unwrap();
        let returned = next(&approved, &Command::Return(reason), "vt", 30);
        assert_eq!(returned.state, ReportState::Returned);
        assert_eq!(returned.reason.as_deref(), Some("Thiếu số liệu quý"));
        assert_eq!(
            (returned.approved_at, returned.submitted_at),
            (None, Some(10))
        );
        let again = next(&returned, &Command::Submit, "p1b", 40);
        assert_eq!(
            (again.first_submitted_at, again.submitted_at),
            (Some(10), Some(40))
        );
        assert_eq!(again.reason, None);
        let reopened = next(&again, &Command::Reopen, "p1", 50);
        assert_eq!(reopened.state, ReportState::Open);
        assert_eq!(
            (reopened.first_submitted_at, reopened.submitted_at),
            (Some(10), None)
        );
        assert_eq!(
            Command::new(ReportAction::Reopen, None).unwrap(),
            Command::Reopen
        );
    }
}
