//! Org unit bodies.

use chitieu_persistence::org_units::StoredOrgUnit;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An org unit.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgUnitDto {
    /// Stable code.
    #[schema(example = "VT-P1")]
    pub code: String,
    /// Name (NFC).
    #[schema(example = "Phường 1")]
    pub name: String,
    /// Parent's code; absent for a root.
    pub parent: Option<String>,
    /// Kind, e.g. `ward`.
    #[schema(example = "ward")]
    pub kind: String,
    /// Depth, the root being 1.
    pub level: i32,
}

impl From<&StoredOrgUnit> for OrgUnitDto {
    fn from(s: &StoredOrgUnit) -> Self {
        Self {
            code: s.unit.code.as_str().to_owned(),
            name: s.unit.name.as_str().to_owned(),
            parent: s.unit.parent.as_ref().map(|p| p.as_str().to_owned()),
            kind: s.unit.kind.as_str().to_owned(),
            level: s.level,
        }
    }
}

/// A page of org units.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgUnitList {
    /// The units, by level then code.
    pub org_units: Vec<OrgUnitDto>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Query of `GET /api/v1/org-units`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrgUnitQuery {
    /// Only direct children of this unit.
    pub parent: Option<String>,
    /// Only names containing this text, ignoring case and Vietnamese diacritics.
    pub q: Option<String>,
    /// Page size (default 1000, at most 10000).
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<u64>,
    /// Cursor from a previous page.
    pub cursor: Option<String>,
}
