//! `reports` and `completeness`: the expected reports of a data set and how complete and
//! timely they are (contract v2), over the same service functions as REST.

use async_graphql::{Context, Enum, Object, SimpleObject};

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
    numbers::ExactFloat,
    report_cycle::{Report, ReportStateGql},
    types::BreakdownGql,
};
use crate::service::report_reads::{self, CompletenessReport, ReportBreakdown, ReportScope};

/// Which units' reports are listed.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
#[graphql(name = "ReportBreakdown")]
pub enum ReportBreakdownGql {
    /// Only the unit asked for.
    #[default]
    SelfOnly,
    /// The unit, then its direct children in natural order of names.
    Children,
    /// Every unit of the subtree, parents before children, siblings in natural order.
    Subtree,
}

impl From<ReportBreakdownGql> for ReportBreakdown {
    fn from(b: ReportBreakdownGql) -> Self {
        match b {
            ReportBreakdownGql::SelfOnly => ReportBreakdown::SelfOnly,
            ReportBreakdownGql::Children => ReportBreakdown::Children,
            ReportBreakdownGql::Subtree => ReportBreakdown::Subtree,
        }
    }
}

/// Completeness of one row unit's subtree.
#[derive(SimpleObject)]
pub struct CompletenessRow {
    /// Data set code.
    pub data_set: String,
    /// Org unit code.
    pub org_unit: String,
    /// The period asked for.
    pub period: String,
    /// Reports expected of the unit's subtree (itself included).
    pub expected: u64,
    /// Submitted or approved.
    pub submitted: u64,
    /// Of those, first submitted by their due date.
    pub on_time: u64,
    /// Approved.
    pub approved: u64,
    /// 100 × submitted / expected, 2 decimals; null when nothing is expected.
    pub rate: Option<ExactFloat>,
    /// 100 × onTime / expected, 2 decimals; null when nothing is expected.
    pub on_time_rate: Option<ExactFloat>,
}

/// An expected report neither submitted nor approved.
#[derive(SimpleObject)]
pub struct MissingReport {
    /// Data set code.
    pub data_set: String,
    /// Org unit code.
    pub org_unit: String,
    /// The report's period.
    pub period: String,
    /// Due date, `YYYY-MM-DD`.
    pub due_date: String,
    /// `OPEN` or `RETURNED`.
    pub state: ReportStateGql,
}

/// Completeness rows and missing reports.
#[derive(SimpleObject)]
pub struct Completeness {
    /// The unit's row, then each child's with `CHILDREN`.
    pub rows: Vec<CompletenessRow>,
    /// Missing reports of the subtree in natural order of unit names, then period; at most
    /// `missingLimit`.
    pub missing: Vec<MissingReport>,
    /// Missing reports in all.
    pub missing_total: u64,
    /// Whether `missing` lists fewer than `missingTotal`.
    pub missing_truncated: bool,
}

impl From<&CompletenessReport> for Completeness {
    fn from(c: &CompletenessReport) -> Self {
        let period = c.period.to_string();
        Self {
            rows: c
                .rows
                .iter()
                .map(|r| CompletenessRow {
                    data_set: c.data_set.clone(),
                    org_unit: r.org_unit.clone(),
                    period: period.clone(),
                    expected: r.counts.expected(),
                    submitted: r.counts.submitted(),
                    on_time: r.counts.on_time(),
                    approved: r.counts.approved(),
                    rate: r.counts.rate().map(ExactFloat),
                    on_time_rate: r.counts.on_time_rate().map(ExactFloat),
                })
                .collect(),
            missing: c
                .missing
                .iter()
                .map(|m| MissingReport {
                    data_set: c.data_set.clone(),
                    org_unit: m.org_unit.clone(),
                    period: m.period.to_string(),
                    due_date: m.due_date.to_string(),
                    state: m.state.into(),
                })
                .collect(),
            missing_total: c.missing_total,
            missing_truncated: c.missing_truncated,
        }
    }
}

/// Reporting-cycle reads.
#[derive(Default)]
pub struct ReportCycleQuery;

#[Object]
impl ReportCycleQuery {
    /// Every expected report of a data set whose period lies inside `period`, for an org unit
    /// (and its children or subtree), untouched ones `open`; at most 10 000.
    async fn reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Data set code")] data_set: String,
        #[graphql(desc = "Org unit code")] org_unit: String,
        #[graphql(desc = "Period, e.g. `2023`")] period: String,
        #[graphql(default)] breakdown: ReportBreakdownGql,
    ) -> GqlResult<Vec<Report>> {
        let (state, caller) = state_and_caller(ctx)?;
        let q = ReportScope {
            data_set,
            org_unit,
            period,
        };
        let list = report_reads::list(state, caller, &q, breakdown.into())
            .await
            .map_err(gql)?;
        Ok(list.iter().map(Report::from).collect())
    }

    /// Completeness and timeliness of a data set's reports over an org unit's subtree (and
    /// each child's), with the missing reports.
    async fn completeness(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Data set code")] data_set: String,
        #[graphql(desc = "Org unit code")] org_unit: String,
        #[graphql(desc = "Period")] period: String,
        #[graphql(default)] breakdown: BreakdownGql,
        #[graphql(desc = "Most missing reports listed (default 500, at most 5 000)")]
        missing_limit: Option<u32>,
    ) -> GqlResult<Completeness> {
        let (state, caller) = state_and_caller(ctx)?;
        let q = ReportScope {
            data_set,
            org_unit,
            period,
        };
        let children = breakdown == BreakdownGql::Children;
        let report = report_reads::completeness(state, caller, &q, children, missing_limit)
            .await
            .map_err(gql)?;
        Ok(Completeness::from(&report))
    }
}
