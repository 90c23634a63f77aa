//! The org tree: units with their parent, ancestors, children and attainment, each nested
//! field batched through a DataLoader. A caller never sees a unit outside its subtree.

use std::sync::Arc;

use async_graphql::{Context, Object, dataloader::DataLoader};
use chitieu_domain::Period;
use chitieu_persistence::{OrgUnitId, Scope, org_units::StoredOrgUnit};

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
    loaders::{
        AncestorsLoader, AttainmentKey, AttainmentLoader, ChildrenLoader, Selection, UnitLoader,
    },
    paging::{Page, slice},
    types::AttainmentRowGql,
};
use crate::{
    ApiError,
    authz::{Operation, authorize},
};

/// An org unit (see the `OrgUnit` GraphQL type).
#[derive(Clone)]
pub struct OrgUnit(pub StoredOrgUnit);

/// A batched lookup's error, as the same GraphQL error every field of the batch reports.
pub fn loader_error(e: Arc<ApiError>) -> async_graphql::Error {
    async_graphql::ErrorExtensions::extend(e.as_ref())
}

/// Ancestor ids the caller may see: up to its subtree's root.
fn visible_ancestors(chain: &[OrgUnitId], scope: Scope) -> &[OrgUnitId] {
    match scope {
        Scope::All => chain,
        Scope::Subtree(root) => match chain.iter().position(|&id| id == root) {
            Some(i) => &chain[..=i],
            None => &[],
        },
    }
}

/// An org unit: the nation, a province, a city, a ward, a department… Figures are reported
/// on units, and every aggregate covers a unit's whole subtree.
#[Object]
impl OrgUnit {
    #[graphql(skip)]
    async fn visible_ancestors(&self, ctx: &Context<'_>) -> GqlResult<Vec<OrgUnit>> {
        let (_, caller) = state_and_caller(ctx)?;
        let chain = ctx
            .data_unchecked::<DataLoader<AncestorsLoader>>()
            .load_one(self.0.id)
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        let ids = visible_ancestors(&chain, caller.scope);
        let mut found = ctx
            .data_unchecked::<DataLoader<UnitLoader>>()
            .load_many(ids.iter().copied())
            .await
            .map_err(loader_error)?;
        Ok(ids
            .iter()
            .filter_map(|id| found.remove(id))
            .map(OrgUnit)
            .collect())
    }

    /// Stable code, e.g. `VT-P8`.
    async fn code(&self) -> &str {
        self.0.unit.code.as_str()
    }

    /// Name, e.g. `Phường 8`.
    async fn name(&self) -> &str {
        self.0.unit.name.as_str()
    }

    /// Kind, e.g. `ward`.
    async fn kind(&self) -> &str {
        self.0.unit.kind.as_str()
    }

    /// Depth in the tree; the root is 1.
    async fn level(&self) -> i32 {
        self.0.level
    }

    /// The parent unit, when the caller may see it.
    async fn parent(&self, ctx: &Context<'_>) -> GqlResult<Option<OrgUnit>> {
        if self.0.unit.parent.is_none() {
            return Ok(None);
        }
        Ok(self.visible_ancestors(ctx).await?.into_iter().next())
    }

    /// Ancestors the caller may see, nearest first.
    async fn ancestors(&self, ctx: &Context<'_>) -> GqlResult<Vec<OrgUnit>> {
        self.visible_ancestors(ctx).await
    }

    /// Direct children in natural name order ("Phường 2" before "Phường 10").
    #[graphql(complexity = "super::paging::cost(first, child_complexity)")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size (at most 500)")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last child seen")] after: Option<String>,
    ) -> GqlResult<Page<OrgUnit>> {
        let children = ctx
            .data_unchecked::<DataLoader<ChildrenLoader>>()
            .load_one(self.0.id)
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        slice(
            &children,
            first,
            after.as_deref(),
            |u| u.unit.code.as_str().to_owned(),
            |u| OrgUnit(u.clone()),
        )
    }

    /// KPI attainment of this unit's subtree over `period`, with the counts behind it.
    #[graphql(complexity = "20 + child_complexity")]
    async fn attainment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Period, e.g. `2023-01/2023-09`")] period: String,
        #[graphql(desc = "Indicator codes (default: all)", default)] indicators: Vec<String>,
        #[graphql(desc = "Only indicators of this group")] group: Option<String>,
    ) -> GqlResult<Vec<AttainmentRowGql>> {
        let (_, caller) = state_and_caller(ctx)?;
        authorize(caller, Operation::Read).map_err(gql)?;
        let period = Period::parse(&period).map_err(|e| gql(ApiError::from(e)))?;
        let mut indicators = indicators;
        indicators.sort();
        indicators.dedup();
        let key = AttainmentKey {
            unit: self.0.id,
            code: self.0.unit.code.clone(),
            selection: Arc::new(Selection {
                period,
                indicators,
                group,
            }),
        };
        let rows = ctx
            .data_unchecked::<DataLoader<AttainmentLoader>>()
            .load_one(key)
            .await
            .map_err(loader_error)?
            .unwrap_or_default();
        let period = period.to_string();
        Ok(rows
            .iter()
            .map(|r| AttainmentRowGql::new(r, &period))
            .collect())
    }
}
