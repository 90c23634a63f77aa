//! The stored tree a bundle's reorganisations apply to, as they leave it.

use std::collections::HashMap;

use crate::code::{OrgUnitCode, ReorganisationCode};
use crate::period::Month;

/// A stored unit, as far as reorganisations care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExistingUnit {
    /// Its code.
    pub code: OrgUnitCode,
    /// Its current parent (a closed unit keeps its last one).
    pub parent: Option<OrgUnitCode>,
    /// Its last month, if a reorganisation already ended it.
    pub last_month: Option<Month>,
}

/// The stored tree a bundle's reorganisations apply to.
#[derive(Clone, Debug, Default)]
pub struct TreeView {
    pub(super) order: Vec<OrgUnitCode>,
    pub(super) units: HashMap<OrgUnitCode, UnitState>,
    pub(super) last_applied: Option<(Month, ReorganisationCode)>,
}

#[derive(Clone, Debug)]
pub(super) struct UnitState {
    pub(super) parent: Option<OrgUnitCode>,
    pub(super) last_month: Option<Month>,
}

impl TreeView {
    /// The stored units (a code given twice keeps its first entry) and the
    /// last recorded reorganisation, if any: new reorganisations must come
    /// after it in (`effective`, code) order.
    pub fn new(
        units: impl IntoIterator<Item = ExistingUnit>,
        last_applied: Option<(Month, ReorganisationCode)>,
    ) -> TreeView {
        let mut view = TreeView {
            last_applied,
            ..TreeView::default()
        };
        for u in units {
            view.insert(u.code, u.parent, u.last_month);
        }
        view
    }

    pub(super) fn insert(
        &mut self,
        code: OrgUnitCode,
        parent: Option<OrgUnitCode>,
        last: Option<Month>,
    ) {
        if !self.units.contains_key(&code) {
            self.order.push(code.clone());
            self.units.insert(
                code,
                UnitState {
                    parent,
                    last_month: last,
                },
            );
        }
    }

    /// Live children of every unit, in stored order.
    pub(super) fn live_children(&self) -> HashMap<&OrgUnitCode, Vec<&OrgUnitCode>> {
        let mut out: HashMap<&OrgUnitCode, Vec<&OrgUnitCode>> = HashMap::new();
        for code in &self.order {
            if let Some(UnitState {
                parent: Some(parent),
                last_month: None,
            }) = self.units.get(code)
            {
                out.entry(parent).or_default().push(code);
            }
        }
        out
    }
}
