//! Reports: submit, approve, return (contract v2, "Reports").
//!
//! A report is one (data set, org unit, period). Its state moves by four
//! actions:
//!
//! | action | from | to | who |
//! | --- | --- | --- | --- |
//! | `submit` | open, returned | submitted | an admin; a manager or reporter whose subtree holds the unit; a `data:write` token on it |
//! | `reopen` | submitted | open | the same |
//! | `approve` | submitted | approved | a manager of a **proper** ancestor of the unit, or an admin |
//! | `return` (needs a reason) | submitted, approved | returned | the same as approve |
//!
//! [`decide`] is the whole decision as one pure function of the caller
//! ([`Actor`]), the action and the [`Facts`] the caller looked up, with the
//! contract's precedence when several refusals apply (see [`decide`]).
//! [`check_figure_write`] is the matching rule for figure writes (the report
//! lock and the deadline lock), and [`on_time`] the timeliness of a report.

use std::fmt;
use std::str::FromStr;

use crate::calendar::Deadlines;
use crate::error::{DomainError, echo};
use crate::period::Period;
use crate::period_type::{PeriodType, TypedPeriod};
use crate::text::nfc;

/// Longest return reason, in characters (after NFC and trimming).
pub const MAX_REASON_CHARS: usize = 2_000;

/// The state of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReportState {
    /// Not submitted: the default, never stored until something happens.
    Open,
    /// Submitted, waiting for the parent's approval.
    Submitted,
    /// Approved by a manager of a proper ancestor (or an admin).
    Approved,
    /// Returned for correction, with a reason.
    Returned,
}

impl ReportState {
    /// Every state, in the contract's order.
    pub const ALL: [ReportState; 4] = [Self::Open, Self::Submitted, Self::Approved, Self::Returned];

    /// Parse `open`, `submitted`, `approved` or `returned` (exact).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "open" => Ok(Self::Open),
            "submitted" => Ok(Self::Submitted),
            "approved" => Ok(Self::Approved),
            "returned" => Ok(Self::Returned),
            _ => Err(DomainError::InvalidReportState { input: echo(s) }),
        }
    }

    /// The name accepted by [`parse`](Self::parse).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Submitted => "submitted",
            Self::Approved => "approved",
            Self::Returned => "returned",
        }
    }

    /// The state `action` leads to from this one, by the contract's table
    /// alone (no permissions, no other reports); `None` for a transition
    /// not in the table.
    pub fn after(self, action: ReportAction) -> Option<ReportState> {
        use ReportAction as A;
        use ReportState as S;
        match (self, action) {
            (S::Open | S::Returned, A::Submit) => Some(S::Submitted),
            (S::Submitted, A::Reopen) => Some(S::Open),
            (S::Submitted, A::Approve) => Some(S::Approved),
            (S::Submitted | S::Approved, A::Return) => Some(S::Returned),
            _ => None,
        }
    }

    /// Whether the report counts as submitted (`submitted` or `approved`).
    /// Such a report locks its figures for every caller (`report_locked`),
    /// and counts in completeness.
    pub fn is_submitted(self) -> bool {
        matches!(self, Self::Submitted | Self::Approved)
    }
}

impl fmt::Display for ReportState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportState {
    type Err = DomainError;

    /// Same as [`ReportState::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// An action on a report (`POST /api/v1/reports/{action}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReportAction {
    /// open or returned → submitted.
    Submit,
    /// submitted → open.
    Reopen,
    /// submitted → approved.
    Approve,
    /// submitted or approved → returned (with a reason).
    Return,
}

impl ReportAction {
    /// Every action, in the contract's order.
    pub const ALL: [ReportAction; 4] = [Self::Submit, Self::Reopen, Self::Approve, Self::Return];

    /// Parse `submit`, `reopen`, `approve` or `return` (exact).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "submit" => Ok(Self::Submit),
            "reopen" => Ok(Self::Reopen),
            "approve" => Ok(Self::Approve),
            "return" => Ok(Self::Return),
            _ => Err(DomainError::InvalidReportAction { input: echo(s) }),
        }
    }

    /// The name accepted by [`parse`](Self::parse).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Reopen => "reopen",
            Self::Approve => "approve",
            Self::Return => "return",
        }
    }
}

impl fmt::Display for ReportAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ReportAction {
    type Err = DomainError;

    /// Same as [`ReportAction::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Why a report was returned: NFC, line breaks as `\n`, trimmed, 1 to
/// [`MAX_REASON_CHARS`] characters; it may span several lines (a reviewer
/// lists what to fix) but holds no other control character than `\n` and
/// `\t`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReturnReason(String);

impl ReturnReason {
    /// Normalise and validate a reason ([`DomainError::InvalidReason`],
    /// code `invalid_reason`, the contract's 422 for "`return` without a
    /// reason (empty after trimming)").
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let fail = |reason: String| Err(DomainError::InvalidReason { reason });
        let normalised = nfc(&s.replace("\r\n", "\n").replace('\r', "\n"));
        let trimmed = normalised.trim();
        let len = trimmed.chars().count();
        if len == 0 {
            return fail("a return needs a reason (it is empty after trimming)".to_owned());
        }
        if len > MAX_REASON_CHARS {
            return fail(format!(
                "too long: {len} characters (at most {MAX_REASON_CHARS})"
            ));
        }
        if let Some((pos, c)) = trimmed
            .chars()
            .enumerate()
            .find(|&(_, c)| c.is_control() && c != '\n' && c != '\t')
        {
            return fail(format!(
                "control character U+{:04X} at position {pos}",
                u32::from(c)
            ));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The reason as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The reason as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for ReturnReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A checked request body: the action, with its reason exactly when it is a
/// `return`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Submit the report.
    Submit,
    /// Reopen a submitted report.
    Reopen,
    /// Approve a submitted report.
    Approve,
    /// Return a submitted or approved report, saying why.
    Return(ReturnReason),
}

impl Command {
    /// Build a command from the path's action and the body's `reason`.
    ///
    /// `return` needs a reason ([`ReturnReason::parse`]); the other actions
    /// take none, and a reason sent with them is refused rather than
    /// silently dropped. Both are [`DomainError::InvalidReason`] (422): they
    /// depend on the request alone, so the edge checks them while parsing
    /// the body, before any lookup and before [`decide`].
    pub fn new(action: ReportAction, reason: Option<&str>) -> Result<Command, DomainError> {
        match (action, reason) {
            (ReportAction::Return, Some(text)) => Ok(Self::Return(ReturnReason::parse(text)?)),
            (ReportAction::Return, None) => Err(DomainError::InvalidReason {
                reason: "a return needs a reason".to_owned(),
            }),
            (other, Some(_)) => Err(DomainError::InvalidReason {
                reason: format!("only return takes a reason, not {other}"),
            }),
            (ReportAction::Submit, None) => Ok(Self::Submit),
            (ReportAction::Reopen, None) => Ok(Self::Reopen),
            (ReportAction::Approve, None) => Ok(Self::Approve),
        }
    }

    /// The action of this command.
    pub fn action(&self) -> ReportAction {
        match self {
            Self::Submit => ReportAction::Submit,
            Self::Reopen => ReportAction::Reopen,
            Self::Approve => ReportAction::Approve,
            Self::Return(_) => ReportAction::Return,
        }
    }

    /// The reason of a `return`.
    pub fn reason(&self) -> Option<&ReturnReason> {
        match self {
            Self::Return(reason) => Some(reason),
            _ => None,
        }
    }
}

/// Where the report's unit lies relative to the caller's unit (a user's or
/// an API token's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reach {
    /// Outside the caller's subtree.
    Outside,
    /// The caller's own unit.
    Own,
    /// Strictly below the caller's unit: the caller's unit is a **proper**
    /// ancestor of it.
    Below,
}

impl Reach {
    /// From the closure-table depth of the report's unit under the
    /// caller's unit: no row → `Outside`, 0 → `Own`, more → `Below`.
    pub fn from_depth(depth: Option<u32>) -> Reach {
        match depth {
            None => Self::Outside,
            Some(0) => Self::Own,
            Some(_) => Self::Below,
        }
    }

    /// Whether the unit is in the caller's subtree (its own unit included).
    pub fn holds(self) -> bool {
        self != Self::Outside
    }
}

/// Who is acting, as far as reports are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    /// An admin: every action on every report.
    Admin,
    /// A manager, with where the report's unit lies from the manager's unit.
    Manager(Reach),
    /// A reporter, likewise.
    Reporter(Reach),
    /// A viewer: reads only.
    Viewer,
    /// An API token, with whether it has the `data:write` scope and where
    /// the report's unit lies from the token's unit.
    Token {
        /// Whether the token has `data:write`.
        data_write: bool,
        /// Where the unit lies from the token's unit.
        reach: Reach,
    },
}

impl Actor {
    /// Whether this caller may submit or reopen a report of the unit, and
    /// write its figures: an admin; a manager or reporter whose subtree
    /// holds the unit; a `data:write` token whose subtree holds it.
    pub fn may_write(self) -> bool {
        match self {
            Self::Admin => true,
            Self::Manager(reach) | Self::Reporter(reach) => reach.holds(),
            Self::Token { data_write, reach } => data_write && reach.holds(),
            Self::Viewer => false,
        }
    }

    /// Whether this caller may approve or return a report of the unit: an
    /// admin, or a manager of a proper ancestor of the unit.
    pub fn may_review(self) -> bool {
        matches!(self, Self::Admin | Self::Manager(Reach::Below))
    }

    /// Whether this caller may take `action` on a report of the unit.
    pub fn may(self, action: ReportAction) -> bool {
        match action {
            ReportAction::Submit | ReportAction::Reopen => self.may_write(),
            ReportAction::Approve | ReportAction::Return => self.may_review(),
        }
    }

    /// Whether this caller still changes figures after the deadline lock
    /// (`lock_after_days`): admins and managers of a proper ancestor.
    /// Reporters, tokens, and managers of the unit itself do not.
    pub fn passes_deadline_lock(self) -> bool {
        self.may_review()
    }
}

/// What the caller looked up before deciding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// The data set's period type.
    pub period_type: PeriodType,
    /// The requested period, as parsed.
    pub period: Period,
    /// Whether the data set is assigned to the unit (its kind is one of
    /// `assigned_kinds`, or it is one of `assigned_units`).
    pub assigned: bool,
    /// The report's current state ([`ReportState::Open`] when none is
    /// stored).
    pub state: ReportState,
    /// Whether the period has started ([`crate::calendar::period_started`]
    /// at the request's time).
    pub period_started: bool,
    /// Whether every expected report of the same data set and period in the
    /// unit's **proper** subtree is approved (true when there is none).
    pub subtree_approved: bool,
    /// Whether a report of the same data set and period of a **proper
    /// ancestor** of the unit is submitted or approved (the contract's
    /// "parent's report"; any ancestor, so that a unit between them that
    /// expects no report does not open a gap).
    pub ancestor_submitted: bool,
}

/// An allowed transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    /// The state before.
    pub from: ReportState,
    /// The state after.
    pub to: ReportState,
    /// The report's period, checked against the data set's type.
    pub period: TypedPeriod,
}

/// Decide an action on a report.
///
/// When several refusals apply, the first of these is answered:
///
/// 1. 403 [`Forbidden`](DomainError::Forbidden): the caller may not take
///    this action on this unit ([`Actor::may`]);
/// 2. 400 [`InvalidPeriod`](DomainError::InvalidPeriod): the period is not
///    one period of the data set's type;
/// 3. 409 [`NotAssigned`](DomainError::NotAssigned): the data set is not
///    assigned to the unit;
/// 4. 409 [`InvalidTransition`](DomainError::InvalidTransition): the
///    transition is not in the table;
/// 5. 409 [`PeriodNotStarted`](DomainError::PeriodNotStarted): a `submit`
///    before the period has started (the contract says only that a report
///    "can be submitted once its period has started"; this is its refusal);
/// 6. 409 [`ChildrenNotApproved`](DomainError::ChildrenNotApproved): a
///    `submit` while a report of the unit's proper subtree is not approved
///    (the edge lists them), or 409
///    [`ParentSubmitted`](DomainError::ParentSubmitted): a `reopen` or
///    `return` while an ancestor's report is submitted or approved. The two
///    never apply to the same action.
///
/// A `return` without a reason is refused earlier, by [`Command::new`].
pub fn decide(
    actor: Actor,
    action: ReportAction,
    facts: &Facts,
) -> Result<Transition, DomainError> {
    if !actor.may(action) {
        return Err(DomainError::Forbidden);
    }
    let period = facts.period_type.check(facts.period)?;
    if !facts.assigned {
        return Err(DomainError::NotAssigned);
    }
    let Some(to) = facts.state.after(action) else {
        return Err(DomainError::InvalidTransition {
            from: facts.state,
            action,
        });
    };
    match action {
        ReportAction::Submit if !facts.period_started => Err(DomainError::PeriodNotStarted),
        ReportAction::Submit if !facts.subtree_approved => Err(DomainError::ChildrenNotApproved),
        ReportAction::Reopen | ReportAction::Return if facts.ancestor_submitted => {
            Err(DomainError::ParentSubmitted)
        }
        _ => Ok(Transition {
            from: facts.state,
            to,
            period,
        }),
    }
}

/// A report that covers a figure being written: one of the figure's data
/// sets (the element is in the set), for the figure's unit, whose period
/// contains the figure's period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cover {
    /// The covering report's state.
    pub state: ReportState,
    /// Whether that report's deadline lock holds now
    /// ([`Deadlines::is_locked_at`]).
    pub deadline_passed: bool,
}

/// Whether `actor` may write (store or delete) a figure covered by the given
/// reports.
///
/// 1. 403 [`Forbidden`](DomainError::Forbidden) when the caller may not
///    write the unit's figures at all ([`Actor::may_write`]);
/// 2. 409 [`ReportLocked`](DomainError::ReportLocked) when a covering report
///    is submitted or approved — for every caller, admins included;
/// 3. 409 [`PeriodClosed`](DomainError::PeriodClosed) when a covering report
///    that is open or returned is past its deadline lock, unless the caller
///    passes it ([`Actor::passes_deadline_lock`]).
pub fn check_figure_write(
    actor: Actor,
    covers: impl IntoIterator<Item = Cover>,
) -> Result<(), DomainError> {
    if !actor.may_write() {
        return Err(DomainError::Forbidden);
    }
    let mut closed = false;
    for cover in covers {
        if cover.state.is_submitted() {
            return Err(DomainError::ReportLocked);
        }
        closed |= cover.deadline_passed;
    }
    if closed && !actor.passes_deadline_lock() {
        return Err(DomainError::PeriodClosed);
    }
    Ok(())
}

/// The report's `on_time`: `None` while it was never submitted, otherwise
/// whether it was first submitted by the end of its due day
/// ([`Deadlines::is_on_time`]).
pub fn on_time(first_submitted_at: Option<i64>, deadlines: &Deadlines) -> Option<bool> {
    first_submitted_at.map(|at| deadlines.is_on_time(at))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::calendar::Schedule;
    use proptest::prelude::*;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn facts(state: ReportState) -> Facts {
        Facts {
            period_type: PeriodType::Quarter,
            period: p("2023Q3"),
            assigned: true,
            state,
            period_started: true,
            subtree_approved: true,
            ancestor_submitted: false,
        }
    }

    fn code(r: Result<Transition, DomainError>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    const REACHES: [Reach; 3] = [Reach::Outside, Reach::Own, Reach::Below];

    fn all_actors() -> Vec<Actor> {
        let mut out = vec![Actor::Admin, Actor::Viewer];
        for reach in REACHES {
            out.push(Actor::Manager(reach));
            out.push(Actor::Reporter(reach));
            for data_write in [false, true] {
                out.push(Actor::Token { data_write, reach });
            }
        }
        out
    }

    #[test]
    fn names_parse_and_print() {
        for s in ReportState::ALL {
            assert_eq!(ReportState::parse(s.as_str()), Ok(s));
            assert_eq!(s.to_string().parse::<ReportState>(), Ok(s));
        }
        for a in ReportAction::ALL {
            assert_eq!(ReportAction::parse(a.as_str()), Ok(a));
            assert_eq!(a.to_string().parse::<ReportAction>(), Ok(a));
        }
        assert_eq!(
            ReportState::parse("Open").unwrap_err().code(),
            "invalid_report_state"
        );
        assert_eq!(
            ReportAction::parse("reject").unwrap_err().code(),
            "invalid_report_action"
        );
    }

    #[test]
    fn the_table_of_transitions() {
        use ReportAction as A;
        use ReportState as S;
        let allowed = [
            (S::Open, A::Submit, S::Submitted),
            (S::Returned, A::Submit, S::Submitted),
            (S::Submitted, A::Reopen, S::Open),
            (S::Submitted, A::Approve, S::Approved),
            (S::Submitted, A::Return, S::Returned),
            (S::Approved, A::Return, S::Returned),
        ];
        for from in ReportState::ALL {
            for action in ReportAction::ALL {
                let expected = allowed
                    .iter()
                    .find(|(f, a, _)| *f == from && *a == action)
                    .map(|t| t.2);
                assert_eq!(from.after(action), expected, "{from} {action}");
            }
        }
        assert!(S::Submitted.is_submitted() && S::Approved.is_submitted());
        assert!(!S::Open.is_submitted() && !S::Returned.is_submitted());
    }

    #[test]
    fn who_may_do_what() {
        use ReportAction as A;
        assert!(ReportAction::ALL.iter().all(|&a| Actor::Admin.may(a)));
        assert!(ReportAction::ALL.iter().all(|&a| !Actor::Viewer.may(a)));
        for role in [Actor::Manager, Actor::Reporter] {
            assert!(!role(Reach::Outside).may(A::Submit));
            assert!(role(Reach::Own).may(A::Submit) && role(Reach::Own).may(A::Reopen));
            assert!(role(Reach::Below).may(A::Submit) && role(Reach::Below).may(A::Reopen));
            assert!(!role(Reach::Own).may(A::Approve) && !role(Reach::Own).may(A::Return));
        }
        assert!(Actor::Manager(Reach::Below).may(A::Approve));
        assert!(Actor::Manager(Reach::Below).may(A::Return));
        assert!(!Actor::Reporter(Reach::Below).may(A::Approve));
        let token = |data_write, reach| Actor::Token { data_write, reach };
        assert!(token(true, Reach::Own).may(A::Submit));
        assert!(token(true, Reach::Below).may(A::Reopen));
        assert!(!token(true, Reach::Outside).may(A::Submit));
        assert!(!token(false, Reach::Own).may(A::Submit));
        assert!(!token(true, Reach::Below).may(A::Approve));
        assert_eq!(Reach::from_depth(None), Reach::Outside);
        assert_eq!(Reach::from_depth(Some(0)), Reach::Own);
        assert_eq!(Reach::from_depth(Some(3)), Reach::Below);
    }

    #[test]
    fn the_happy_path() {
        let admin = Actor::Admin;
        let ward = Actor::Reporter(Reach::Own);
        let city = Actor::Manager(Reach::Below);
        let t = decide(ward, ReportAction::Submit, &facts(ReportState::Open)).unwrap();
        assert_eq!((t.from, t.to), (ReportState::Open, ReportState::Submitted));
        assert_eq!(t.period.to_string(), "2023Q3");
        let t = decide(city, ReportAction::Approve, &facts(ReportState::Submitted)).unwrap();
        assert_eq!(t.to, ReportState::Approved);
        let t = decide(admin, ReportAction::Return, &facts(ReportState::Approved)).unwrap();
        assert_eq!(t.to, ReportState::Returned);
        let t = decide(ward, ReportAction::Submit, &facts(ReportState::Returned)).unwrap();
        assert_eq!(t.to, ReportState::Submitted);
        let t = decide(ward, ReportAction::Reopen, &facts(ReportState::Submitted)).unwrap();
        assert_eq!(t.to, ReportState::Open);
    }

    #[test]
    fn the_contracts_refusals() {
        let ward = Actor::Reporter(Reach::Own);
        // A quarterly set: 2023-07 is not one of its periods; the interval
        // equal to the quarter is.
        let mut f = facts(ReportState::Open);
        f.period = p("2023-07");
        assert_eq!(
            code(decide(ward, ReportAction::Submit, &f)),
            "invalid_period"
        );
        f.period = p("2023-07/2023-09");
        let t = decide(ward, ReportAction::Submit, &f).unwrap();
        assert_eq!(t.period.to_string(), "2023Q3");

        let mut f = facts(ReportState::Open);
        f.assigned = false;
        assert_eq!(code(decide(ward, ReportAction::Submit, &f)), "not_assigned");

        let f = facts(ReportState::Approved);
        let err = decide(ward, ReportAction::Submit, &f).unwrap_err();
        assert_eq!(
            err,
            DomainError::InvalidTransition {
                from: ReportState::Approved,
                action: ReportAction::Submit
            }
        );
        assert!(err.to_string().contains("approved"), "{err}");

        let mut f = facts(ReportState::Open);
        f.subtree_approved = false;
        assert_eq!(
            code(decide(ward, ReportAction::Submit, &f)),
            "children_not_approved"
        );
        f.period_started = false;
        assert_eq!(
            code(decide(ward, ReportAction::Submit, &f)),
            "period_not_started"
        );

        let mut f = facts(ReportState::Submitted);
        f.ancestor_submitted = true;
        assert_eq!(
            code(decide(ward, ReportAction::Reopen, &f)),
            "parent_submitted"
        );
        assert_eq!(
            code(decide(Actor::Admin, ReportAction::Return, &f)),
            "parent_submitted"
        );
        // Approving is not blocked by the parent.
        assert_eq!(code(decide(Actor::Admin, ReportAction::Approve, &f)), "ok");
        // 403 comes first: a viewer learns nothing about the report.
        let mut f = facts(ReportState::Approved);
        f.period = p("2023-07");
        f.assigned = false;
        assert_eq!(
            code(decide(Actor::Viewer, ReportAction::Submit, &f)),
            "forbidden"
        );
        assert_eq!(
            code(decide(
                Actor::Manager(Reach::Own),
                ReportAction::Approve,
                &facts(ReportState::Submitted)
            )),
            "forbidden"
        );
    }

    /// Every refusal that applies, by an independent reading of the
    /// contract, in its order of precedence.
    fn applicable(actor: Actor, action: ReportAction, f: &Facts) -> Vec<&'static str> {
        use ReportAction as A;
        let mut out = Vec::new();
        let may = match action {
            A::Submit | A::Reopen => match actor {
                Actor::Admin => true,
                Actor::Manager(r) | Actor::Reporter(r) => r != Reach::Outside,
                Actor::Token { data_write, reach } => data_write && reach != Reach::Outside,
                Actor::Viewer => false,
            },
            A::Approve | A::Return => {
                actor == Actor::Admin || actor == Actor::Manager(Reach::Below)
            }
        };
        if !may {
            out.push("forbidden");
        }
        if f.period.month_count() != f.period_type.month_count()
            || f.period_type
                .containing(f.period.start())
                .is_none_or(|t| t.period() != f.period)
        {
            out.push("invalid_period");
        }
        if !f.assigned {
            out.push("not_assigned");
        }
        let valid = matches!(
            (f.state, action),
            (ReportState::Open | ReportState::Returned, A::Submit)
                | (ReportState::Submitted, A::Reopen | A::Approve)
                | (ReportState::Submitted | ReportState::Approved, A::Return)
        );
        if !valid {
            out.push("invalid_transition");
        }
        if action == A::Submit && !f.period_started {
            out.push("period_not_started");
        }
        if action == A::Submit && !f.subtree_approved {
            out.push("children_not_approved");
        }
        if matches!(action, A::Reopen | A::Return) && f.ancestor_submitted {
            out.push("parent_submitted");
        }
        out
    }

    #[test]
    fn every_combination_answers_the_first_applicable_refusal() {
        let mut cases = 0;
        for actor in all_actors() {
            for action in ReportAction::ALL {
                for period in ["2023Q3", "2023-07", "2023-07/2023-09", "2023"] {
                    for state in ReportState::ALL {
                        for bits in 0..16u8 {
                            let f = Facts {
                                period_type: PeriodType::Quarter,
                                period: p(period),
                                assigned: bits & 1 != 0,
                                state,
                                period_started: bits & 2 != 0,
                                subtree_approved: bits & 4 != 0,
                                ancestor_submitted: bits & 8 != 0,
                            };
                            let expected = applicable(actor, action, &f)
                                .first()
                                .copied()
                                .unwrap_or("ok");
                            let got = decide(actor, action, &f);
                            assert_eq!(code(got.clone()), expected, "{actor:?} {action} {f:?}");
                            if let Ok(t) = got {
                                assert_eq!(Some(t.to), state.after(action));
                                assert_eq!(t.from, state);
                            }
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(cases, 14 * 4 * 4 * 4 * 16);
    }

    #[test]
    fn refusals_say_their_kind() {
        use crate::error::ErrorKind;
        assert_eq!(DomainError::Forbidden.kind(), ErrorKind::Forbidden);
        for e in [
            DomainError::NotAssigned,
            DomainError::InvalidTransition {
                from: ReportState::Open,
                action: ReportAction::Approve,
            },
            DomainError::PeriodNotStarted,
            DomainError::ChildrenNotApproved,
            DomainError::ParentSubmitted,
            DomainError::ReportLocked,
            DomainError::PeriodClosed,
        ] {
            assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
        }
        let mut f = facts(ReportState::Open);
        f.period = p("2023-07");
        let err = decide(Actor::Admin, ReportAction::Submit, &f).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid);
        let reason = Command::new(ReportAction::Return, None).unwrap_err();
        assert_eq!(reason.kind(), ErrorKind::Invalid);
    }

    #[test]
    fn return_reasons() {
        let r = ReturnReason::parse("  Thiếu số liệu bảng 1\r\n- dòng Phường 2  ").unwrap();
        assert_eq!(r.as_str(), "Thiếu số liệu bảng 1\n- dòng Phường 2");
        assert_eq!(r.to_string(), r.as_str());
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd("Sai số liệu").collect();
        assert_eq!(ReturnReason::parse(&nfd).unwrap().as_str(), "Sai số liệu");
        assert!(ReturnReason::parse("a\tb").is_ok());
        assert!(ReturnReason::parse(&"ă".repeat(MAX_REASON_CHARS)).is_ok());
        for bad in [
            String::new(),
            "   \n\t ".to_owned(),
            "\u{a0}".to_owned(),
            "a\u{0}b".to_owned(),
            "a\u{1b}[31mb".to_owned(),
            "a\u{85}b".to_owned(),
            "ă".repeat(MAX_REASON_CHARS + 1),
        ] {
            let err = ReturnReason::parse(&bad).unwrap_err();
            assert_eq!(err.code(), "invalid_reason", "{bad:?}");
        }
    }

    #[test]
    fn commands_carry_a_reason_exactly_for_return() {
        let cmd = Command::new(ReportAction::Return, Some(" Sai ")).unwrap();
        assert_eq!(cmd.action(), ReportAction::Return);
        assert_eq!(cmd.reason().unwrap().as_str(), "Sai");
        for (action, expected) in [
            (ReportAction::Submit, Command::Submit),
            (ReportAction::Reopen, Command::Reopen),
            (ReportAction::Approve, Command::Approve),
        ] {
            let cmd = Command::new(action, None).unwrap();
            assert_eq!(cmd, expected);
            assert_eq!(cmd.action(), action);
            assert_eq!(cmd.reason(), None);
            assert_eq!(
                Command::new(action, Some("x")).unwrap_err().code(),
                "invalid_reason"
            );
        }
        for reason in [None, Some(""), Some("  ")] {
            let err = Command::new(ReportAction::Return, reason).unwrap_err();
            assert_eq!(err.code(), "invalid_reason");
        }
    }

    #[test]
    fn figure_writes_respect_both_locks() {
        let open = |deadline_passed| Cover {
            state: ReportState::Open,
            deadline_passed,
        };
        let submitted = Cover {
            state: ReportState::Submitted,
            deadline_passed: false,
        };
        let approved = Cover {
            state: ReportState::Approved,
            deadline_passed: true,
        };
        let ward = Actor::Reporter(Reach::Own);
        let token = Actor::Token {
            data_write: true,
            reach: Reach::Own,
        };
        let city = Actor::Manager(Reach::Below);
        let ward_manager = Actor::Manager(Reach::Own);
        let code = |r: Result<(), DomainError>| r.err().map_or("ok", |e| e.code());
        // The report lock binds everyone, admins included.
        for actor in [Actor::Admin, city, ward, token] {
            assert_eq!(
                code(check_figure_write(actor, [submitted])),
                "report_locked"
            );
            assert_eq!(
                code(check_figure_write(actor, [open(false), approved])),
                "report_locked"
            );
        }
        // The deadline lock binds reporters, tokens and the unit's own managers.
        for actor in [ward, token, ward_manager] {
            assert_eq!(
                code(check_figure_write(actor, [open(true)])),
                "period_closed"
            );
            assert_eq!(code(check_figure_write(actor, [open(false)])), "ok");
            assert_eq!(
                code(check_figure_write(
                    actor,
                    [Cover {
                        state: ReportState::Returned,
                        deadline_passed: true
                    }]
                )),
                "period_closed"
            );
        }
        for actor in [Actor::Admin, city] {
            assert_eq!(code(check_figure_write(actor, [open(true)])), "ok");
        }
        // A figure no report covers is free; forbidden callers come first.
        assert_eq!(code(check_figure_write(ward, [])), "ok");
        assert_eq!(
            code(check_figure_write(Actor::Viewer, [submitted])),
            "forbidden"
        );
        assert_eq!(
            code(check_figure_write(Actor::Reporter(Reach::Outside), [])),
            "forbidden"
        );
        assert_eq!(
            code(check_figure_write(
                Actor::Token {
                    data_write: false,
                    reach: Reach::Own
                },
                []
            )),
            "forbidden"
        );
    }

    #[test]
    fn on_time_is_null_until_first_submitted() {
        let dl = Schedule::new(Some(14), 2, 3, None)
            .unwrap()
            .deadlines(&p("2023Q3"))
            .unwrap();
        assert_eq!(dl.due().to_string(), "2023-09-16");
        assert_eq!(on_time(None, &dl), None);
        assert_eq!(on_time(Some(dl.due_at()), &dl), Some(true));
        assert_eq!(on_time(Some(dl.due_at() + 1), &dl), Some(false));
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,60}", raw in any::<Vec<u8>>()) {
            let _ = ReportState::parse(&s);
            let _ = ReportAction::parse(&s);
            let _ = ReturnReason::parse(&s);
            let lossy = String::from_utf8_lossy(&raw);
            if let Ok(reason) = ReturnReason::parse(&lossy) {
                prop_assert_eq!(ReturnReason::parse(reason.as_str()), Ok(reason.clone()));
                prop_assert!(!reason.as_str().is_empty());
            }
        }
    }
}
