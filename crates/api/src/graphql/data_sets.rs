//! Data sets (forms): the same list as `GET /api/v1/data-sets`.

use async_graphql::{Context, Object, SimpleObject};
use chitieu_persistence::data_sets::StoredDataSet;

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
};
use crate::service::data_sets;

/// A data set (form): one report per assigned unit and period of its type.
#[derive(SimpleObject)]
pub struct DataSet {
    /// Stable code.
    pub code: String,
    /// Name.
    pub name: String,
    /// `month`, `quarter`, `half`, `nine_months` or `year`.
    pub period_type: String,
    /// Its data elements, by code.
    pub data_elements: Vec<String>,
    /// Every unit of these kinds reports it.
    pub assigned_kinds: Vec<String>,
    /// These units report it too, by code.
    pub assigned_units: Vec<String>,
    /// Day of the period's last month when its data closes; null: the last day.
    pub cutoff_day: Option<i32>,
    /// Days after the cut-off until the report is due.
    pub due_days: i32,
    /// Days after the due date until the parent's approval is due.
    pub approval_due_days: i32,
    /// Days after the due date when reporters can no longer change the figures; null: never.
    pub lock_after_days: Option<i32>,
}

fn small(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<&StoredDataSet> for DataSet {
    fn from(s: &StoredDataSet) -> Self {
        Self {
            code: s.code.as_str().to_owned(),
            name: s.name.as_str().to_owned(),
            period_type: s.period_type.as_str().to_owned(),
            data_elements: s.elements.iter().map(|(_, c)| c.to_string()).collect(),
            assigned_kinds: s.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
            assigned_units: s.units.iter().map(|(_, c)| c.to_string()).collect(),
            cutoff_day: s.schedule.cutoff_day().map(small),
            due_days: small(s.schedule.due_days()),
            approval_due_days: small(s.schedule.approval_due_days()),
            lock_after_days: s.schedule.lock_after_days().map(small),
        }
    }
}

/// Data set reads.
#[derive(Default)]
pub struct DataSetsQuery;

#[Object]
impl DataSetsQuery {
    /// Every data set, by code.
    async fn data_sets(&self, ctx: &Context<'_>) -> GqlResult<Vec<DataSet>> {
        let (state, caller) = state_and_caller(ctx)?;
        let sets = data_sets::list(state, caller).await.map_err(gql)?;
        Ok(sets.iter().map(DataSet::from).collect())
    }
}
