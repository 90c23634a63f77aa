//! Tree reads: the caller's roots, one unit by code, and search.

use async_graphql::{Context, Object};
use chitieu_persistence::{
    Scope,
    org_units::{self, OrgUnitFilter},
};

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
    org_unit::OrgUnit,
    paging::{Page, after, connection, page_size},
};
use crate::{
    ApiError,
    authz::{Operation, authorize},
    service::units::visible_unit,
};

/// Tree reads.
#[derive(Default)]
pub struct TreeQuery;

#[Object]
impl TreeQuery {
    /// Where the caller's view of the tree starts: its subtree's root, or every root for an
    /// admin. Walk down with `children`.
    async fn roots(&self, ctx: &Context<'_>) -> GqlResult<Vec<OrgUnit>> {
        let (state, caller) = state_and_caller(ctx)?;
        authorize(caller, Operation::Read).map_err(gql)?;
        let db = state.db.conn();
        let units = match caller.scope {
            Scope::Subtree(root) => org_units::find_by_ids(db, &[root]).await,
            Scope::All => org_units::list(db, Scope::All, &OrgUnitFilter::default(), None, 1000)
                .await
                .map(|all| all.into_iter().filter(|u| u.level == 1).collect()),
        }
        .map_err(|e| gql(e.into()))?;
        Ok(units.into_iter().map(OrgUnit).collect())
    }

    /// One unit by code (unknown, or outside the caller's subtree: `unknown_org_unit`).
    async fn org_unit(&self, ctx: &Context<'_>, code: String) -> GqlResult<OrgUnit> {
        let (state, caller) = state_and_caller(ctx)?;
        authorize(caller, Operation::Read).map_err(gql)?;
        Ok(OrgUnit(
            visible_unit(state, caller.scope, &code)
                .await
                .map_err(gql)?,
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
        authorize(caller, Operation::Read).map_err(gql)?;
        let limit = page_size(first)?;
        let position = match self::after(after.as_deref())? {
            None => None,
            Some(p) => {
                let bad = || {
                    gql(ApiError::bad_request(
                        "invalid_cursor",
                        "the cursor is not one this API issued",
                    ))
                };
                let (level, code) = p.split_once(':').ok_or_else(bad)?;
                Some((level.parse::<i32>().map_err(|_| bad())?, code.to_owned()))
            }
        };
        let mut filter = OrgUnitFilter {
            q: q.as_deref()
                .map(chitieu_domain::SearchText::parse)
                .transpose()
                .map_err(|e| gql(e.into()))?,
            ..Default::default()
        };
        if let Some(code) = &parent {
            filter.parent = Some(
                visible_unit(state, caller.scope, code)
                    .await
                    .map_err(gql)?
                    .id,
            );
        }
        let units = org_units::list(
            state.db.conn(),
            caller.scope,
            &filter,
            position.as_ref(),
            limit + 1,
        )
        .await
        .map_err(|e| gql(e.into()))?;
        Ok(connection(
            units,
            limit,
            position.is_some(),
            |u| format!("{}:{}", u.level, u.unit.code),
            |u| OrgUnit(u.clone()),
        ))
    }
}
