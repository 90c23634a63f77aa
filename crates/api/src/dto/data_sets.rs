//! Data sets (forms) as `GET /api/v1/data-sets` lists them.

use chitieu_persistence::data_sets::StoredDataSet;
use serde::Serialize;
use utoipa::ToSchema;

/// A data set with its calendar and assignments, its lists ordered by code.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataSetDto {
    /// Stable code.
    #[schema(example = "DX_WARD_Q")]
    pub code: String,
    /// Name.
    pub name: String,
    /// `month`, `quarter`, `half`, `nine_months` or `year`.
    #[schema(example = "quarter")]
    pub period_type: &'static str,
    /// Its data elements.
    pub data_elements: Vec<String>,
    /// Every unit of these kinds reports it.
    pub assigned_kinds: Vec<String>,
    /// These units report it too.
    pub assigned_units: Vec<String>,
    /// Day of the period's last month when its data closes; `null`: the last day.
    pub cutoff_day: Option<u32>,
    /// Days after the cut-off until the report is due.
    pub due_days: u32,
    /// Days after the due date until the parent's approval is due.
    pub approval_due_days: u32,
    /// Days after the due date when reporters can no longer change the figures; `null`: never.
    pub lock_after_days: Option<u32>,
}

impl From<&StoredDataSet> for DataSetDto {
    fn from(s: &StoredDataSet) -> Self {
        Self {
            code: s.code.as_str().to_owned(),
            name: s.name.as_str().to_owned(),
            period_type: s.period_type.as_str(),
            data_elements: s.elements.iter().map(|(_, c)| c.to_string()).collect(),
            assigned_kinds: s.kinds.iter().map(|k| k.as_str().to_owned()).collect(),
            assigned_units: s.units.iter().map(|(_, c)| c.to_string()).collect(),
            cutoff_day: s.schedule.cutoff_day(),
            due_days: s.schedule.due_days(),
            approval_due_days: s.schedule.approval_due_days(),
            lock_after_days: s.schedule.lock_after_days(),
        }
    }
}

/// Every data set, by code.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataSetList {
    /// The data sets.
    pub data_sets: Vec<DataSetDto>,
}
