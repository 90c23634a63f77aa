//! Tree reads: the caller's roots, one unit by code, and search.

use async_graphql::{Context, Object};

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
    org_unit::OrgUnit,
    paging::{Page, connection},
};
use crate::service::{page::PageRequest, tree};

/// Tree reads.
#[derive(Default)]
pub struct TreeQuery;

#[Object]
impl TreeQuery {
    /// Where the caller's view of the tree starts: its subtree's root, or every root for an
    /// admin. Walk down with `children`.
    async fn roots(&self, ctx: &Context<'_>) -> GqlResult<Vec<OrgUnit>> {
        let (state, caller) = state_and_caller(ctx)?;
        let units = tree::roots(state, caller).await.map_err(gql)?;
        Ok(units.into_iter().map(OrgUnit).collect())
    }

    /// One unit by code (unknown, or outside the caller's subtree: `unknown_org_unit`).
    async fn org_unit(&self, ctx: &Context<'_>, code: String) -> GqlResult<OrgUnit> {
        let (state, caller) = state_and_caller(ctx)?;
        Ok(OrgUnit(
            tree::unit(state, caller, &code).await.map_err(gql)?,
        ))
    }

    /// Units of the caller's subtree by level then code; `q` matches names ignoring case and
    /// Vietnamese diacritics ("phuong thang nhi" finds "Phường Thắng Nhì"); `parent` keeps
    /// only its direct children.
    #[graphql(complexity = "super::paging::cost(first, child_complexity)")]
    async fn org_units(
        &self,
        ctx: &Context<'_>,
        q: Option<String>,
        parent: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Page<OrgUnit>> {
        let (state, caller) = state_and_caller(ctx)?;
        let query = tree::UnitQuery {
            q: q.as_deref(),
            parent: parent.as_deref(),
        };
        let page = PageRequest::graphql(first, after.as_deref());
        let page = tree::units(state, caller, query, page).await.map_err(gql)?;
        Ok(connection(page, |u| OrgUnit(u.clone())))
    }
}
