//! Bodies of `GET /api/v1/reports` and `GET /api/v1/completeness`.

use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::{common::Num, report_cycle::ReportDto};
use crate::service::report_reads::CompletenessReport;

/// `GET /api/v1/reports`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportsResponse {
    /// Every expected report whose period lies inside the period asked for: the unit's
    /// first, then its children's (natural order of names) or the subtree's (parents before
    /// children, siblings in natural order); each unit's in period order.
    pub reports: Vec<ReportDto>,
}

/// Query of `GET /api/v1/reports`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; parsed by hand
pub struct ReportsParams {
    /// Data set code.
    pub data_set: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period, e.g. `2023`: reports of every period of the set's type inside it.
    pub period: String,
    /// `self` (default), `children` or `subtree`. At most 10 000 reports are listed
    /// (`too_many_rows` beyond).
    pub breakdown: Option<String>,
}

/// Completeness of one row unit's subtree.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletenessRowDto {
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
    #[schema(value_type = Option<f64>)]
    pub rate: Option<Num>,
    /// 100 × on_time / expected, 2 decimals; null when nothing is expected.
    #[schema(value_type = Option<f64>)]
    pub on_time_rate: Option<Num>,
}

/// An expected report neither submitted nor approved.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissingReportDto {
    /// Data set code.
    pub data_set: String,
    /// Org unit code.
    pub org_unit: String,
    /// The report's period.
    pub period: String,
    /// Due date, `YYYY-MM-DD`.
    pub due_date: String,
    /// `open` or `returned`.
    pub state: &'static str,
}

/// `GET /api/v1/completeness`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletenessResponse {
    /// The unit's row, then each child's with `breakdown=children` (natural order of names).
    pub rows: Vec<CompletenessRowDto>,
    /// Missing reports of the subtree in natural order of unit names, then period; at most
    /// `missing_limit`.
    pub missing: Vec<MissingReportDto>,
    /// Missing reports in all.
    pub missing_total: u64,
    /// Whether `missing` lists fewer than `missing_total`.
    pub missing_truncated: bool,
}

impl From<&CompletenessReport> for CompletenessResponse {
    fn from(c: &CompletenessReport) -> Self {
        let period = c.period.to_string();
        Self {
            rows: c
                .rows
                .iter()
                .map(|r| CompletenessRowDto {
                    data_set: c.data_set.clone(),
                    org_unit: r.org_unit.clone(),
                    period: period.clone(),
                    expected: r.counts.expected(),
                    submitted: r.counts.submitted(),
                    on_time: r.counts.on_time(),
                    approved: r.counts.approved(),
                    rate: r.counts.rate().map(Num),
                    on_time_rate: r.counts.on_time_rate().map(Num),
                })
                .collect(),
            missing: c
                .missing
                .iter()
                .map(|m| MissingReportDto {
                    data_set: c.data_set.clone(),
                    org_unit: m.org_unit.clone(),
                    period: m.period.to_string(),
                    due_date: m.due_date.to_string(),
                    state: m.state.as_str(),
                })
                .collect(),
            missing_total: c.missing_total,
            missing_truncated: c.missing_truncated,
        }
    }
}

/// Query of `GET /api/v1/completeness`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query; parsed by hand
pub struct CompletenessParams {
    /// Data set code.
    pub data_set: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period: every period of the set's type inside it counts.
    pub period: String,
    /// `self` (default) or `children`.
    pub breakdown: Option<String>,
    /// Most `missing` entries (default 500, at most 5 000; 0 lists none).
    pub missing_limit: Option<u32>,
}
