//! A report as every edge shows it: its key, state, due date, who did what when, and whether
//! it was on time. Built from the data set's schedule and the stored row (none: untouched).

use chitieu_domain::{DataSetCode, Date, OrgUnitCode, ReportState, Schedule, TypedPeriod, report};
use chitieu_persistence::report_cycle::StoredReport;

use crate::ApiError;

/// One report (data set, unit, period) with its state and calendar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportView {
    /// The data set.
    pub data_set: DataSetCode,
    /// The reporting unit.
    pub org_unit: OrgUnitCode,
    /// The period, one of the set's type.
    pub period: TypedPeriod,
    /// The day it is due (its end, Vietnam time).
    pub due_date: Date,
    /// The stored state; an untouched report is `open` with nothing else set.
    pub record: StoredReport,
    /// Whether it was first submitted by its due date; `None` while never submitted.
    pub on_time: Option<bool>,
}

impl ReportView {
    /// The report of `period` under `schedule`, as `stored` (`None`: nothing happened yet).
    pub fn new(
        data_set: DataSetCode,
        org_unit: OrgUnitCode,
        period: TypedPeriod,
        schedule: &Schedule,
        stored: Option<StoredReport>,
    ) -> Result<Self, ApiError> {
        let deadlines = schedule.deadlines(&period.period())?;
        let record = stored.unwrap_or_else(StoredReport::untouched);
        Ok(Self {
            data_set,
            org_unit,
            period,
            due_date: deadlines.due(),
            on_time: report::on_time(record.first_submitted_at, &deadlines),
            record,
        })
    }

    /// Its state.
    pub fn state(&self) -> ReportState {
        self.record.state
    }
}
