//! What a check answers: problems with their field paths, or the changes to apply.

use std::fmt;

use crate::code::{OrgUnitCode, ReorganisationCode};
use crate::error::DomainError;
use crate::lineage::LineageEdge;
use crate::period::Month;

use super::{NewUnit, Rename};

/// What is wrong with a reorganisation; [`code`](Self::code) is the stable
/// code of [`DomainError::Reorganisation`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Problem {
    /// A unit that neither exists nor is created by the reorganisation.
    UnknownUnit,
    /// A code given twice, or a new unit's code that already exists.
    DuplicateCode,
    /// A unit merged or split away more than once: two successors that are
    /// not one split.
    MultipleSuccessors,
    /// A unit that an earlier reorganisation already ended, merged or split
    /// again.
    AlreadyClosed,
    /// A unit that is closed (earlier, or by this reorganisation) used as a
    /// merge or split target, moved, renamed, or given as a parent.
    UnitClosed,
    /// A unit created and merged or split away by the same reorganisation.
    CreatedAndClosed,
    /// A merge listing its target among the merged units.
    MergeIntoItself,
    /// A split giving a part to the split unit itself.
    SplitIntoItself,
    /// A merge without units to merge.
    EmptyMerge,
    /// A split without parts.
    EmptySplit,
    /// A share outside (0, 1].
    InvalidShare,
    /// A split whose shares do not sum to exactly 1.
    SharesNotOne,
    /// A split unit's live children not moved elsewhere.
    ChildrenUnplaced,
    /// A unit that would become its own ancestor.
    Cycle,
    /// A reorganisation ordered before one already recorded.
    OutOfOrder,
    /// An `effective` month with no month before it.
    InvalidEffective,
}

impl Problem {
    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::UnknownUnit => "unknown_org_unit",
            Self::DuplicateCode => "duplicate_code",
            Self::MultipleSuccessors => "multiple_successors",
            Self::AlreadyClosed => "already_closed",
            Self::UnitClosed => "unit_closed",
            Self::CreatedAndClosed => "created_and_closed",
            Self::MergeIntoItself => "merge_into_itself",
            Self::SplitIntoItself => "split_into_itself",
            Self::EmptyMerge => "empty_merge",
            Self::EmptySplit => "empty_split",
            Self::InvalidShare => "invalid_share",
            Self::SharesNotOne => "shares_not_one",
            Self::ChildrenUnplaced => "children_unplaced",
            Self::Cycle => "org_unit_cycle",
            Self::OutOfOrder => "reorganisation_out_of_order",
            Self::InvalidEffective => "invalid_period",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One problem of a bundle's reorganisations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// Where: `reorganisations[0].merges[1].from[2]`.
    pub field: String,
    /// What: a [`DomainError`], [`DomainError::Reorganisation`] except when
    /// the final [`OrgTree::build`] check refuses the tree.
    pub error: DomainError,
}

/// A unit's parent change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParentChange {
    /// The unit.
    pub unit: OrgUnitCode,
    /// Its parent before.
    pub from: Option<OrgUnitCode>,
    /// Its parent after.
    pub to: OrgUnitCode,
}

/// A unit a reorganisation ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Closure {
    /// The unit.
    pub unit: OrgUnitCode,
    /// Its last month: the month before `effective`.
    pub last_month: Month,
}

/// What one reorganisation changes, to be written by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The reorganisation.
    pub code: ReorganisationCode,
    /// Its first month.
    pub effective: Month,
    /// Units created (valid from `effective`).
    pub new_units: Vec<NewUnit>,
    /// Units ended, in the order the plan names them.
    pub closed: Vec<Closure>,
    /// Parent changes: the explicit moves (those that change something),
    /// then the children of merged units moving to the unit they merged
    /// into.
    pub parent_changes: Vec<ParentChange>,
    /// Renames.
    pub renames: Vec<Rename>,
    /// Lineage: merged units to their target (share 1), split units to
    /// each part.
    pub lineage: Vec<LineageEdge>,
}
