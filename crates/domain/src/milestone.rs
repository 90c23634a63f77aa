//! Project milestones and their warning flags (contract v2, "Projects and
//! milestones").
//!
//! A project lists its milestones in order, each with a `planned` month,
//! optionally an `actual` month, and a [`MilestoneStatus`]. Given the
//! current month in Vietnam ([`crate::calendar::month_at`]), [`flags`]
//! marks each milestone:
//!
//! * `late`: its planned month is over (the current month is after it) and
//!   it is not done;
//! * `out_of_order`: on the later milestone, when it is done while an
//!   earlier one is not, or when its planned month comes before the planned
//!   month of an earlier milestone, or its actual month before the actual
//!   month of an earlier one (both recorded). The seed report's smart-city
//!   centre plans its "official operation" for 01/2023, after a "trial run"
//!   in 12/2023: the official operation is flagged.

use std::fmt;
use std::str::FromStr;

use crate::error::{DomainError, echo};
use crate::period::Month;

/// The progress of a milestone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MilestoneStatus {
    /// Not started.
    Planned,
    /// Under way.
    InProgress,
    /// Finished.
    Done,
}

impl MilestoneStatus {
    /// Parse `planned`, `in_progress` or `done` (exact).
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "planned" => Ok(Self::Planned),
            "in_progress" => Ok(Self::InProgress),
            "done" => Ok(Self::Done),
            _ => Err(DomainError::InvalidMilestoneStatus { input: echo(s) }),
        }
    }

    /// The name accepted by [`parse`](Self::parse).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::InProgress => "in_progress",
            Self::Done => "done",
        }
    }
}

impl fmt::Display for MilestoneStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MilestoneStatus {
    type Err = DomainError;

    /// Same as [`MilestoneStatus::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// What the flags look at in a milestone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Milestone {
    /// The month it is planned for.
    pub planned: Month,
    /// The month it actually happened, once recorded.
    pub actual: Option<Month>,
    /// Its progress.
    pub status: MilestoneStatus,
}

/// One warning flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flag {
    /// The planned month is over and the milestone is not done.
    Late,
    /// The milestone is out of order with an earlier one.
    OutOfOrder,
}

impl Flag {
    /// `late` or `out_of_order`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Late => "late",
            Self::OutOfOrder => "out_of_order",
        }
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The flags of one milestone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags {
    /// See [`Flag::Late`].
    pub late: bool,
    /// See [`Flag::OutOfOrder`].
    pub out_of_order: bool,
}

impl Flags {
    /// The raised flags, `late` first: the contract's `flags: [...]`.
    pub fn list(self) -> Vec<Flag> {
        let mut out = Vec::new();
        if self.late {
            out.push(Flag::Late);
        }
        if self.out_of_order {
            out.push(Flag::OutOfOrder);
        }
        out
    }
}

/// The flags of a project's milestones, given in their order, when the
/// current month in Vietnam is `current`. One pass: O(n).
pub fn flags(milestones: &[Milestone], current: Month) -> Vec<Flags> {
    let mut earlier_not_done = false;
    let mut latest_planned: Option<Month> = None;
    let mut latest_actual: Option<Month> = None;
    milestones
        .iter()
        .map(|m| {
            let done = m.status == MilestoneStatus::Done;
            let out_of_order = (done && earlier_not_done)
                || latest_planned.is_some_and(|p| m.planned < p)
                || m.actual.zip(latest_actual).is_some_and(|(a, p)| a < p);
            earlier_not_done |= !done;
            latest_planned = latest_planned.max(Some(m.planned));
            latest_actual = latest_actual.max(m.actual);
            Flags {
                late: m.planned < current && !done,
                out_of_order,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn m(s: &str) -> Month {
        let (y, mo) = s.split_once('-').unwrap();
        Month::new(y.parse().unwrap(), mo.parse().unwrap()).unwrap()
    }

    fn ms(planned: &str, actual: Option<&str>, status: MilestoneStatus) -> Milestone {
        Milestone {
            planned: m(planned),
            actual: actual.map(m),
            status,
        }
    }

    fn names(f: Flags) -> Vec<&'static str> {
        f.list().into_iter().map(Flag::as_str).collect()
    }

    use MilestoneStatus::{Done, InProgress, Planned};

    #[test]
    fn statuses_parse_and_print() {
        for s in [Planned, InProgress, Done] {
            assert_eq!(MilestoneStatus::parse(s.as_str()), Ok(s));
            assert_eq!(s.to_string().parse::<MilestoneStatus>(), Ok(s));
        }
        for bad in ["", "Done", "in-progress", "started"] {
            assert_eq!(
                MilestoneStatus::parse(bad).unwrap_err().code(),
                "invalid_milestone_status"
            );
        }
        assert_eq!(Flag::OutOfOrder.to_string(), "out_of_order");
    }

    #[test]
    fn the_seeds_operations_centre() {
        // Plan approved 05/9/2023, letters 14/9 and 20/9, trial run 12/2023,
        // official operation "01/2023".
        let project = [
            ms("2023-09", Some("2023-09"), Done),
            ms("2023-09", Some("2023-09"), Done),
            ms("2023-09", Some("2023-09"), Done),
            ms("2023-12", None, InProgress),
            ms("2023-01", None, Planned),
        ];
        let got: Vec<Vec<&str>> = flags(&project, m("2023-10"))
            .into_iter()
            .map(names)
            .collect();
        assert_eq!(
            got,
            vec![vec![], vec![], vec![], vec![], vec!["late", "out_of_order"]]
        );
        // In 2024 the trial run is late too.
        let got = flags(&project, m("2024-01"));
        assert_eq!(names(got[3]), vec!["late"]);
    }

    #[test]
    fn late_means_the_planned_month_is_over_and_not_done() {
        let current = m("2023-10");
        let cases = [
            (ms("2023-09", None, Planned), true),
            (ms("2023-09", None, InProgress), true),
            (ms("2023-09", Some("2023-11"), Done), false),
            (ms("2023-10", None, Planned), false),
            (ms("2023-11", None, Planned), false),
        ];
        for (milestone, late) in cases {
            assert_eq!(flags(&[milestone], current)[0].late, late, "{milestone:?}");
        }
    }

    #[test]
    fn out_of_order_is_raised_on_the_later_milestone() {
        let now = m("2020-01");
        // Done while an earlier one is not.
        let f = flags(
            &[
                ms("2023-01", None, InProgress),
                ms("2023-02", Some("2023-02"), Done),
            ],
            now,
        );
        assert_eq!((f[0].out_of_order, f[1].out_of_order), (false, true));
        // Planned before an earlier milestone's plan.
        let f = flags(
            &[ms("2023-05", None, Planned), ms("2023-04", None, Planned)],
            now,
        );
        assert_eq!((f[0].out_of_order, f[1].out_of_order), (false, true));
        // Happened before an earlier milestone happened.
        let f = flags(
            &[
                ms("2023-01", Some("2023-06"), Done),
                ms("2023-02", Some("2023-03"), Done),
            ],
            now,
        );
        assert!(f[1].out_of_order);
        // Equal months are in order; an earlier not-done milestone only
        // matters for a done one.
        let f = flags(
            &[
                ms("2023-01", Some("2023-03"), Done),
                ms("2023-01", Some("2023-03"), Done),
                ms("2023-02", None, Planned),
                ms("2023-03", None, InProgress),
            ],
            now,
        );
        assert!(f.iter().all(|x| !x.out_of_order));
        // A chain: every milestone after an undone one that is done is flagged.
        let f = flags(
            &[
                ms("2023-01", None, Planned),
                ms("2023-02", Some("2023-02"), Done),
                ms("2023-03", Some("2023-03"), Done),
            ],
            now,
        );
        assert_eq!(
            f.iter().map(|x| x.out_of_order).collect::<Vec<_>>(),
            vec![false, true, true]
        );
        assert!(flags(&[], now).is_empty());
    }

    fn arb_milestone() -> impl Strategy<Value = Milestone> {
        let month = (2020 * 12..2026 * 12).prop_map(|i| Month::from_index(i).unwrap());
        (
            month.clone(),
            proptest::option::of(month),
            prop::sample::select(vec![Planned, InProgress, Done]),
        )
            .prop_map(|(planned, actual, status)| Milestone {
                planned,
                actual,
                status,
            })
    }

    proptest! {
        #[test]
        fn agrees_with_the_pairwise_definition(
            project in prop::collection::vec(arb_milestone(), 0..12),
            now in (2020 * 12..2026 * 12),
        ) {
            let current = Month::from_index(now).unwrap();
            let got = flags(&project, current);
            prop_assert_eq!(got.len(), project.len());
            for (j, later) in project.iter().enumerate() {
                let expected = project[..j].iter().any(|earlier| {
                    (later.status == Done && earlier.status != Done)
                        || later.planned < earlier.planned
                        || matches!((later.actual, earlier.actual), (Some(a), Some(b)) if a < b)
                });
                prop_assert_eq!(got[j].out_of_order, expected);
                prop_assert_eq!(got[j].late, later.planned < current && later.status != Done);
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = MilestoneStatus::parse(&s);
        }
    }
}
