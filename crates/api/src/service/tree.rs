//! Reads of the org tree: units of the caller's subtree a page at a time, the caller's roots,
//! which changed units lie in a watched subtree, and [`TreeReads`], the batched lookups
//! behind GraphQL's DataLoaders.

use std::collections::HashMap;

use chitieu_domain::{OrgUnitCode, Period, SearchText};
use chitieu_persistence::{
    Database, OrgUnitId, Scope,
    attainment::{self, AttainmentRow},
    catalogue::StoredIndicator,
    org_units::{self, OrgUnitFilter, StoredOrgUnit},
};

use super::{
    page::{LevelCode, Page, PageRequest, Paging},
    units::visible_unit,
};
use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
};

/// Which units a listing asks for.
#[derive(Clone, Copy, Debug, Default)]
pub struct UnitQuery<'a> {
    /// Only names containing this text, ignoring case and Vietnamese diacritics.
    pub q: Option<&'a str>,
    /// Only the direct children of this unit (one the caller can see; 404 otherwise).
    pub parent: Option<&'a str>,
}

/// Units of the caller's subtree by level then code.
pub async fn units(
    state: &AppState,
    caller: &Caller,
    query: UnitQuery<'_>,
    page: PageRequest<'_>,
) -> Result<Page<StoredOrgUnit>, ApiError> {
    authorize(caller, Operation::Read)?;
    let paging: Paging<LevelCode> = page.open()?;
    let mut filter = OrgUnitFilter {
        q: query.q.map(SearchText::parse).transpose()?,
        ..Default::default()
    };
    if let Some(code) = query.parent {
        filter.parent = Some(visible_unit(state, caller.scope, code).await?.id);
    }
    let after = paging.after.as_ref().map(|p| (p.level, p.code.clone()));
    let rows = org_units::list(
        state.db.conn(),
        caller.scope,
        &filter,
        after.as_ref(),
        paging.fetch(),
    )
    .await?;
    Ok(paging.finish(rows, |u| LevelCode {
        level: u.level,
        code: u.unit.code.as_str().to_owned(),
    }))
}

/// One unit the caller can see, by code (404 otherwise).
pub async fn unit(
    state: &AppState,
    caller: &Caller,
    code: &str,
) -> Result<StoredOrgUnit, ApiError> {
    authorize(caller, Operation::Read)?;
    visible_unit(state, caller.scope, code).await
}

/// Where the caller's view of the tree starts: its subtree's root, or every root for an
/// admin.
pub async fn roots(state: &AppState, caller: &Caller) -> Result<Vec<StoredOrgUnit>, ApiError> {
    authorize(caller, Operation::Read)?;
    let db = state.db.conn();
    Ok(match caller.scope {
        Scope::Subtree(root) => org_units::find_by_ids(db, &[root]).await?,
        Scope::All => org_units::list(db, Scope::All, &OrgUnitFilter::default(), None, 1000)
            .await?
            .into_iter()
            .filter(|u| u.level == 1)
            .collect(),
    })
}

/// The code of the root of the caller's subtree; `None` for everything.
pub async fn scope_root_code(
    state: &AppState,
    caller: &Caller,
) -> Result<Option<String>, ApiError> {
    let Scope::Subtree(root) = caller.scope else {
        return Ok(None);
    };
    Ok(org_units::find_by_ids(state.db.conn(), &[root])
        .await?
        .into_iter()
        .next()
        .map(|u| u.unit.code.into_string()))
}

/// Which of the units named by `codes` lie in `root`'s subtree, sorted.
pub async fn inside(
    state: &AppState,
    root: OrgUnitId,
    codes: &[String],
) -> Result<Vec<String>, ApiError> {
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    let ids = org_units::ids_by_codes(state.db.conn(), &codes).await?;
    let found = org_units::filter_in_scope(
        state.db.conn(),
        Scope::Subtree(root),
        &ids.values().copied().collect::<Vec<_>>(),
    )
    .await?;
    let mut inside: Vec<String> = ids
        .into_iter()
        .filter(|(_, id)| found.contains(id))
        .map(|(code, _)| code)
        .collect();
    inside.sort();
    Ok(inside)
}

/// The set-based lookups GraphQL's DataLoaders batch (one statement or a fixed few per
/// batch, whatever the number of units). The resolvers have authorized the caller and hold
/// units it can see; the loaders ask nothing else.
#[derive(Clone)]
pub struct TreeReads(Database);

impl TreeReads {
    /// The lookups over the state's database.
    pub fn of(state: &AppState) -> Self {
        Self(state.db.clone())
    }

    /// The direct children of each unit, in natural name order.
    pub async fn children_of(
        &self,
        parents: &[OrgUnitId],
    ) -> Result<HashMap<OrgUnitId, Vec<StoredOrgUnit>>, ApiError> {
        Ok(org_units::children_of(self.0.conn(), parents).await?)
    }

    /// Units by id.
    pub async fn units(&self, ids: &[OrgUnitId]) -> Result<Vec<StoredOrgUnit>, ApiError> {
        Ok(org_units::find_by_ids(self.0.conn(), ids).await?)
    }

    /// Each unit's ancestor ids, nearest first (the unit itself excluded).
    pub async fn ancestors(
        &self,
        units: &[OrgUnitId],
    ) -> Result<HashMap<OrgUnitId, Vec<OrgUnitId>>, ApiError> {
        let chains = org_units::chains(self.0.conn(), units).await?;
        Ok(chains
            .into_iter()
            .map(|(k, chain)| (k, chain.iter().skip(1).map(|(id, _)| *id).collect()))
            .collect())
    }

    /// The indicators named (all when none is), of `group` when given.
    pub async fn indicators(
        &self,
        codes: &[String],
        group: Option<&str>,
    ) -> Result<Vec<StoredIndicator>, ApiError> {
        super::filters::indicators(&self.0, codes, group).await
    }

    /// Attainment of each unit's subtree over `period`.
    pub async fn attainment(
        &self,
        units: &[(OrgUnitId, OrgUnitCode)],
        period: Period,
        indicators: &[StoredIndicator],
    ) -> Result<Vec<AttainmentRow>, ApiError> {
        Ok(attainment::attainment_of_units(self.0.conn(), units, period, indicators).await?)
    }
}
