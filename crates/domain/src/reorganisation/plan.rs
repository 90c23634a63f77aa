//! A reorganisation as a bundle states it.

use rust_decimal::Decimal;

use crate::code::{OrgUnitCode, ReorganisationCode};
use crate::org_unit::{UnitKind, UnitName};
use crate::period::Month;

/// A unit created by a reorganisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUnit {
    /// Its code (new).
    pub code: OrgUnitCode,
    /// Its name.
    pub name: UnitName,
    /// Its kind.
    pub kind: UnitKind,
    /// Its parent, `None` for a root.
    pub parent: Option<OrgUnitCode>,
}

/// Units merged into one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merge {
    /// The unit they become part of (existing or new).
    pub into: OrgUnitCode,
    /// The units that end.
    pub from: Vec<OrgUnitCode>,
}

/// One part of a split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitPart {
    /// The unit taking the part (existing or new).
    pub unit: OrgUnitCode,
    /// The part, in (0, 1].
    pub share: Decimal,
}

/// A unit split into several.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// The unit that ends.
    pub from: OrgUnitCode,
    /// The units taking its parts; the shares sum to exactly 1.
    pub into: Vec<SplitPart>,
}

/// A unit moved under another parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    /// The unit.
    pub unit: OrgUnitCode,
    /// Its new parent.
    pub parent: OrgUnitCode,
}

/// A unit renamed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rename {
    /// The unit.
    pub unit: OrgUnitCode,
    /// Its new name.
    pub name: UnitName,
}

/// One reorganisation of the bundle, as parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Its code.
    pub code: ReorganisationCode,
    /// The first month of the new tree.
    pub effective: Month,
    /// Units it creates.
    pub new_units: Vec<NewUnit>,
    /// Merges.
    pub merges: Vec<Merge>,
    /// Splits.
    pub splits: Vec<Split>,
    /// Moves.
    pub moves: Vec<Move>,
    /// Renames.
    pub renames: Vec<Rename>,
}
