//! Reports of the reporting cycle: `submit`, `reopen`, `approve` and `return` (contract v2,
//! "Reports: submit, approve, return"), one use case for REST and GraphQL.
//!
//! A transition runs in one write transaction: the data set and the unit are resolved (404
//! for unknown codes), the unit's chain is locked, the facts are looked up set-based (the
//! caller's reach, the stored report, the not-approved reports below for a `submit`, a
//! submitted report above for a `reopen` or `return`), [`report::decide`] answers the new
//! state or the contract's first refusal, and the report row and its audit event are
//! written together. Subscribers of the unit's subtree hear of it after the commit.

pub mod actor;
pub mod record;
pub mod view;

use chitieu_domain::{
    Command, DataSetCode, DomainError, Facts, OrgUnitCode, Period, ReportAction, calendar, report,
};
use chitieu_persistence::{
    audit, data_sets, now_micros, org_units,
    report_cycle::{self, ReportKey, StoredReport, facts},
};

pub use view::ReportView;

use crate::{ApiError, AppState, ReportChange, auth::Caller, error::ReportRef};

/// The body of a transition, as every edge receives it.
#[derive(Clone, Debug, Default)]
pub struct TransitionRequest {
    /// The data set's code.
    pub data_set: String,
    /// The reporting unit's code.
    pub org_unit: String,
    /// The period: one of the set's type (`2023Q3`, or `2023-07/2023-09` for it).
    pub period: String,
    /// Why (a `return` only).
    pub reason: Option<String>,
}

/// Takes `action` on the report `request` names, now, as `caller`.
pub async fn transition(
    state: &AppState,
    caller: &Caller,
    action: ReportAction,
    request: &TransitionRequest,
) -> Result<ReportView, ApiError> {
    transition_at(state, caller, action, request, now_micros()).await
}

/// [`transition`] at the instant `at` (microseconds since the epoch): the same rules, audit
/// and write, for a trusted in-process loader replaying a dated history. Not exposed on any
/// edge.
pub async fn transition_at(
    state: &AppState,
    caller: &Caller,
    action: ReportAction,
    request: &TransitionRequest,
    at: i64,
) -> Result<ReportView, ApiError> {
    // A missing or empty reason depends on the body alone: 422 before any lookup.
    let command = Command::new(action, request.reason.as_deref())?;
    let tx = state.db.write().await?;
    let set_code = DataSetCode::parse(&request.data_set).map_err(|_| unknown_set(request))?;
    let set =
        (data_sets::load_by_code(&tx, &set_code).await?).ok_or_else(|| unknown_set(request))?;
    let unit_code = OrgUnitCode::parse(&request.org_unit).map_err(|_| unknown_unit(request))?;
    let unit =
        (org_units::find_by_code(&tx, &unit_code).await?).ok_or_else(|| unknown_unit(request))?;
    facts::lock_chain(&tx, unit.id).await?;
    let actor = actor::actor(caller, actor::reach(&tx, caller, unit.id).await?);
    let period = Period::parse(&request.period).map_err(|e| match actor.may(action) {
        true => ApiError::from(e),
        false => ApiError::from(DomainError::Forbidden),
    })?;
    let key = ReportKey {
        data_set: set.id,
        org_unit: unit.id,
        period,
    };
    let stored = report_cycle::load(&tx, &key).await?;
    let old = stored.unwrap_or_else(StoredReport::untouched);
    let pending = match action {
        ReportAction::Submit => facts::pending_below(&tx, &key).await?,
        _ => Vec::new(),
    };
    let ancestor_submitted = match action {
        ReportAction::Reopen | ReportAction::Return => facts::ancestor_submitted(&tx, &key).await?,
        _ => false,
    };
    let facts = Facts {
        period_type: set.period_type,
        period,
        assigned: set.is_assigned(unit.id, unit.unit.kind.as_str()),
        state: old.state,
        period_started: calendar::period_started(&period, at),
        subtree_approved: pending.is_empty(),
        ancestor_submitted,
    };
    let transition = match report::decide(actor, action, &facts) {
        Ok(t) => t,
        Err(DomainError::ChildrenNotApproved) => {
            return Err(children_not_approved(&pending, &set_code, period));
        }
        Err(e) => return Err(e.into()),
    };
    let label = caller.label();
    let new = record::next(&old, &command, &label, at);
    report_cycle::save(&tx, &key, &new, at).await?;
    let period_text = transition.period.to_string();
    audit::record_at(
        &tx,
        &caller.actor(),
        at,
        vec![audit::NewEvent {
            action: audit_action(action),
            org_unit_id: Some(unit.id),
            detail: serde_json::json!({
                "data_set": set_code.as_str(),
                "org_unit": unit_code.as_str(),
                "period": period_text,
                "from": transition.from.as_str(),
                "to": transition.to.as_str(),
                "reason": command.reason().map(|r| r.as_str()),
            })
            .to_string(),
        }],
    )
    .await?;
    tx.commit().await?;
    let change = ReportChange {
        data_set: set_code.as_str().to_owned(),
        org_unit: unit_code.as_str().to_owned(),
        period: period_text,
        state: new.state,
        reason: new.reason.clone(),
    };
    state.notify_report_changed(change, now_micros());
    ReportView::new(
        set_code,
        unit_code,
        transition.period,
        &set.schedule,
        Some(new),
    )
}

fn audit_action(action: ReportAction) -> &'static str {
    match action {
        ReportAction::Submit => "report.submit",
        ReportAction::Reopen => "report.reopen",
        ReportAction::Approve => "report.approve",
        ReportAction::Return => "report.return",
    }
}

fn unknown_set(request: &TransitionRequest) -> ApiError {
    ApiError::not_found(
        "unknown_data_set",
        format!("data set '{}' does not exist", truncate(&request.data_set)),
    )
}

fn unknown_unit(request: &TransitionRequest) -> ApiError {
    ApiError::not_found(
        "unknown_org_unit",
        format!("org unit '{}' does not exist", truncate(&request.org_unit)),
    )
}

fn truncate(s: &str) -> String {
    s.chars().take(100).collect()
}

/// 409 `children_not_approved`, naming the reports below (at most
/// [`facts::MAX_PENDING_LISTED`]).
fn children_not_approved(
    pending: &[facts::Pending],
    set: &DataSetCode,
    period: Period,
) -> ApiError {
    let listed = pending.len().min(facts::MAX_PENDING_LISTED);
    let more = if pending.len() > listed {
        " or more"
    } else {
        ""
    };
    ApiError::ConflictWithReports {
        code: DomainError::ChildrenNotApproved.code(),
        detail: format!(
            "{listed}{more} report(s) of {set} for {period} below this unit are not approved yet"
        ),
        children: (pending.iter().take(listed))
            .map(|p| ReportRef {
                org_unit: p.org_unit.to_string(),
                period: period.to_string(),
                state: p.state.as_str().to_owned(),
            })
            .collect(),
    }
}
