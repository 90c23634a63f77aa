//! Reports: attainment, aggregates and violations, with drill-down.

use async_graphql::{Context, Object};

use super::{
    context::state_and_caller,
    paging::{Page, slice},
};

use super::{
    error::{GqlResult, gql},
    types::{AggregateRowGql, AttainmentRowGql, BreakdownGql, ViolationGql},
};
use crate::service::reports::{self, AttainmentQuery};

/// Report reads.
#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// KPI attainment of indicators for an org unit (and its children) over a period, with
    /// the counts behind every percentage and each applicable target checked exactly.
    async fn attainment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Org unit code")] org_unit: String,
        #[graphql(desc = "Period, e.g. `2023-01/2023-09`")] period: String,
        #[graphql(desc = "Indicator codes (default: all)", default)] indicators: Vec<String>,
        #[graphql(desc = "Only indicators of this group")] group: Option<String>,
        #[graphql(default)] breakdown: BreakdownGql,
    ) -> GqlResult<Vec<AttainmentRowGql>> {
        let (state, caller) = state_and_caller(ctx)?;
        let q = AttainmentQuery {
            org_unit,
            period,
            indicators,
            group,
            breakdown: breakdown.into(),
        };
        let report = reports::attainment(state, caller, &q).await.map_err(gql)?;
        let period = report.period.to_string();
        Ok(report
            .rows
            .iter()
            .map(|r| AttainmentRowGql::new(r, &period))
            .collect())
    }

    /// Data elements aggregated over an org unit's subtree (and its children's) and a period.
    async fn aggregates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Data element codes")] data_elements: Vec<String>,
        #[graphql(desc = "Org unit code")] org_unit: String,
        #[graphql(desc = "Period")] period: String,
        #[graphql(default)] breakdown: BreakdownGql,
    ) -> GqlResult<Vec<AggregateRowGql>> {
        let (state, caller) = state_and_caller(ctx)?;
        let (period, rows) = reports::aggregates(
            state,
            caller,
            &data_elements,
            &org_unit,
            &period,
            breakdown.into(),
        )
        .await
        .map_err(gql)?;
        let period = period.to_string();
        Ok(rows
            .iter()
            .map(|r| AggregateRowGql::new(r, &period))
            .collect())
    }

    /// Validation rules broken anywhere in an org unit's subtree, for stored periods inside
    /// `period`, by unit, period and rule.
    #[graphql(complexity = "super::paging::cost(first, child_complexity)")]
    async fn violations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Org unit code")] org_unit: String,
        #[graphql(desc = "Period")] period: String,
        #[graphql(desc = "Page size (at most 500)")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last violation seen")] after: Option<String>,
    ) -> GqlResult<Page<ViolationGql>> {
        let (state, caller) = state_and_caller(ctx)?;
        let v = reports::violations(state, caller, &org_unit, &period)
            .await
            .map_err(gql)?;
        slice(
            &v,
            first,
            after.as_deref(),
            |v| format!("{}|{}|{}", v.org_unit, v.period, v.rule),
            |v| ViolationGql::from(v),
        )
    }
}
