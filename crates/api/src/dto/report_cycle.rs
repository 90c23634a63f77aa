//! Reports of the reporting cycle on the wire: the body of a transition and a report as
//! `POST /api/v1/reports/{action}` answers it (the same shape as one item of
//! `GET /api/v1/reports`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::rfc3339;
use crate::service::report_cycle::{ReportView, TransitionRequest};

/// Which report, and why for a `return`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// The data set's code.
    #[schema(example = "DX_WARD_Q")]
    pub data_set: String,
    /// The reporting unit's code.
    #[schema(example = "VT-P1")]
    pub org_unit: String,
    /// One period of the set's type (`2023Q3`; `2023-07/2023-09` is the same quarter).
    #[schema(example = "2023Q3")]
    pub period: String,
    /// Why the report is returned: required for `return` (not empty after trimming, at most
    /// 2 000 characters), refused for the other actions.
    pub reason: Option<String>,
}

impl From<TransitionBody> for TransitionRequest {
    fn from(b: TransitionBody) -> Self {
        Self {
            data_set: b.data_set,
            org_unit: b.org_unit,
            period: b.period,
            reason: b.reason,
        }
    }
}

/// One report: a data set, a unit and a period, with its state and calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    /// The data set's code.
    #[schema(example = "DX_WARD_Q")]
    pub data_set: String,
    /// The reporting unit's code.
    #[schema(example = "VT-P1")]
    pub org_unit: String,
    /// The period, canonical.
    #[schema(example = "2023Q3")]
    pub period: String,
    /// `open`, `submitted`, `approved` or `returned`.
    #[schema(example = "submitted")]
    pub state: &'static str,
    /// The day the report is due (by its end, Vietnam time), `YYYY-MM-DD`.
    #[schema(example = "2023-09-16")]
    pub due_date: String,
    /// When it was last submitted (RFC 3339); null while open.
    pub submitted_at: Option<String>,
    /// Who last submitted it (a username or `token:<name>`).
    pub submitted_by: Option<String>,
    /// When it was approved; null unless approved.
    pub approved_at: Option<String>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// Why it was returned; null unless returned.
    pub reason: Option<String>,
    /// Whether it was first submitted by its due date; null while never submitted.
    pub on_time: Option<bool>,
}

impl From<&ReportView> for ReportDto {
    fn from(v: &ReportView) -> Self {
        let r = &v.record;
        Self {
            data_set: v.data_set.as_str().to_owned(),
            org_unit: v.org_unit.as_str().to_owned(),
            period: v.period.to_string(),
            state: r.state.as_str(),
            due_date: v.due_date.to_string(),
            submitted_at: r.submitted_at.map(rfc3339),
            submitted_by: r.submitted_by.clone(),
            approved_at: r.approved_at.map(rfc3339),
            approved_by: r.approved_by.clone(),
            reason: r.reason.clone(),
            on_time: v.on_time,
        }
    }
}
