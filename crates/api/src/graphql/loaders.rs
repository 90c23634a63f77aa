//! DataLoaders behind nested fields: however many units a query touches, each kind of
//! lookup costs a fixed number of set-based statements per nesting level. Each loader reads
//! through the service's [`TreeReads`].

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use chitieu_domain::{OrgUnitCode, Period};
use chitieu_persistence::{OrgUnitId, attainment::AttainmentRow, org_units::StoredOrgUnit};

use crate::{ApiError, service::tree::TreeReads};

/// Loads the direct children of units (natural name order).
pub struct ChildrenLoader(pub TreeReads);

impl Loader<OrgUnitId> for ChildrenLoader {
    type Value = Arc<Vec<StoredOrgUnit>>;
    type Error = Arc<ApiError>;

    async fn load(
        &self,
        keys: &[OrgUnitId],
    ) -> Result<HashMap<OrgUnitId, Self::Value>, Self::Error> {
        let mut found = self.0.children_of(keys).await.map_err(Arc::new)?;
        Ok(keys
            .iter()
            .map(|k| (*k, Arc::new(found.remove(k).unwrap_or_default())))
            .collect())
    }
}

/// Loads units by id.
pub struct UnitLoader(pub TreeReads);

impl Loader<OrgUnitId> for UnitLoader {
    type Value = StoredOrgUnit;
    type Error = Arc<ApiError>;

    async fn load(
        &self,
        keys: &[OrgUnitId],
    ) -> Result<HashMap<OrgUnitId, Self::Value>, Self::Error> {
        let units = self.0.units(keys).await.map_err(Arc::new)?;
        Ok(units.into_iter().map(|u| (u.id, u)).collect())
    }
}

/// Loads each unit's chain of ancestor ids, nearest first (the unit itself excluded).
pub struct AncestorsLoader(pub TreeReads);

impl Loader<OrgUnitId> for AncestorsLoader {
    type Value = Arc<Vec<OrgUnitId>>;
    type Error = Arc<ApiError>;

    async fn load(
        &self,
        keys: &[OrgUnitId],
    ) -> Result<HashMap<OrgUnitId, Self::Value>, Self::Error> {
        let chains = self.0.ancestors(keys).await.map_err(Arc::new)?;
        Ok(chains
            .into_iter()
            .map(|(k, ids)| (k, Arc::new(ids)))
            .collect())
    }
}

/// Which indicators a nested `attainment` field asks for, over which period.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Selection {
    /// The period, canonical.
    pub period: Period,
    /// Indicator codes (empty: all), sorted.
    pub indicators: Vec<String>,
    /// Indicator group.
    pub group: Option<String>,
}

/// One unit under one selection.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AttainmentKey {
    /// Unit id.
    pub unit: OrgUnitId,
    /// Unit code.
    pub code: OrgUnitCode,
    /// What is asked.
    pub selection: Arc<Selection>,
}

/// Loads attainment rows of many units at once: one batch per distinct selection.
pub struct AttainmentLoader(pub TreeReads);

impl Loader<AttainmentKey> for AttainmentLoader {
    type Value = Arc<Vec<AttainmentRow>>;
    type Error = Arc<ApiError>;

    async fn load(
        &self,
        keys: &[AttainmentKey],
    ) -> Result<HashMap<AttainmentKey, Self::Value>, Self::Error> {
        let mut by_selection: HashMap<Arc<Selection>, Vec<&AttainmentKey>> = HashMap::new();
        for k in keys {
            by_selection.entry(k.selection.clone()).or_default().push(k);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for (selection, keys) in by_selection {
            let indicators = self
                .0
                .indicators(&selection.indicators, selection.group.as_deref())
                .await
                .map_err(Arc::new)?;
            let units: Vec<(OrgUnitId, OrgUnitCode)> =
                keys.iter().map(|k| (k.unit, k.code.clone())).collect();
            let rows = self
                .0
                .attainment(&units, selection.period, &indicators)
                .await
                .map_err(Arc::new)?;
            let mut per_unit: HashMap<&OrgUnitCode, Vec<AttainmentRow>> = HashMap::new();
            for row in &rows {
                per_unit.entry(&row.org_unit).or_default().push(row.clone());
            }
            for k in keys {
                let rows = per_unit.remove(&k.code).unwrap_or_default();
                out.insert(k.clone(), Arc::new(rows));
            }
        }
        Ok(out)
    }
}
