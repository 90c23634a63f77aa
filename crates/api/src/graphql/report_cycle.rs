//! Report transitions: the same use case as `POST /api/v1/reports/{action}`.

use async_graphql::{Context, Enum, Object, SimpleObject};
use chitieu_domain::{ReportAction, ReportState};

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
};
use crate::{
    dto::common::rfc3339,
    service::report_cycle::{self, ReportView, TransitionRequest},
};

/// What to do with a report.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "ReportAction")]
pub enum ReportActionGql {
    /// open or returned → submitted.
    Submit,
    /// submitted → open.
    Reopen,
    /// submitted → approved (a manager of a proper ancestor, or an admin).
    Approve,
    /// submitted or approved → returned, with a reason (the same callers as approve).
    Return,
}

impl From<ReportActionGql> for ReportAction {
    fn from(a: ReportActionGql) -> Self {
        match a {
            ReportActionGql::Submit => Self::Submit,
            ReportActionGql::Reopen => Self::Reopen,
            ReportActionGql::Approve => Self::Approve,
            ReportActionGql::Return => Self::Return,
        }
    }
}

/// The state of a report.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "ReportState")]
pub enum ReportStateGql {
    /// Not submitted (the default).
    Open,
    /// Submitted, waiting for the parent's approval.
    Submitted,
    /// Approved.
    Approved,
    /// Returned for correction, with a reason.
    Returned,
}

impl From<ReportState> for ReportStateGql {
    fn from(s: ReportState) -> Self {
        match s {
            ReportState::Open => Self::Open,
            ReportState::Submitted => Self::Submitted,
            ReportState::Approved => Self::Approved,
            ReportState::Returned => Self::Returned,
        }
    }
}

/// One report: a data set, a unit and a period, with its state and calendar.
#[derive(SimpleObject)]
pub struct Report {
    /// The data set's code.
    pub data_set: String,
    /// The reporting unit's code.
    pub org_unit: String,
    /// The period, canonical (`2023Q3`).
    pub period: String,
    /// Its state.
    pub state: ReportStateGql,
    /// The day it is due (by its end, Vietnam time), `YYYY-MM-DD`.
    pub due_date: String,
    /// When it was last submitted (RFC 3339).
    pub submitted_at: Option<String>,
    /// Who last submitted it.
    pub submitted_by: Option<String>,
    /// When it was approved.
    pub approved_at: Option<String>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// Why it was returned.
    pub reason: Option<String>,
    /// Whether it was first submitted by its due date; null while never submitted.
    pub on_time: Option<bool>,
}

impl From<&ReportView> for Report {
    fn from(v: &ReportView) -> Self {
        let r = &v.record;
        Self {
            data_set: v.data_set.as_str().to_owned(),
            org_unit: v.org_unit.as_str().to_owned(),
            period: v.period.to_string(),
            state: r.state.into(),
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

/// Report transitions.
#[derive(Default)]
pub struct ReportCycleMutation;

#[Object]
impl ReportCycleMutation {
    /// Submits, reopens, approves or returns a report, with the rules and refusal codes of
    /// `POST /api/v1/reports/{action}` (`extensions.code`; `children_not_approved` lists the
    /// reports below in `extensions.children`).
    async fn transition_report(
        &self,
        ctx: &Context<'_>,
        action: ReportActionGql,
        data_set: String,
        org_unit: String,
        period: String,
        reason: Option<String>,
    ) -> GqlResult<Report> {
        let (state, caller) = state_and_caller(ctx)?;
        let request = TransitionRequest {
            data_set,
            org_unit,
            period,
            reason,
        };
        let view = report_cycle::transition(state, caller, action.into(), &request)
            .await
            .map_err(gql)?;
        Ok(Report::from(&view))
    }
}
