//! Projects and their milestones (contract v2, "Projects and milestones"): the projects of a
//! subtree with each milestone's warning flags, and recording a milestone's progress — one
//! use case for REST, GraphQL and the demo loader.
//!
//! Recording progress takes write access on the project's unit: an admin, a manager or
//! reporter whose subtree holds it, or a `data:write` token on it (a viewer or a read-only
//! token is 403 before anything is read). The body is checked next (422 `invalid_milestone`
//! with every field's problem), then the project (404 `unknown_project`), the caller's
//! subtree (403), the milestone (404 `unknown_milestone`). The progress replaces the
//! recorded one — status, `actual` month (done milestones only) and note — and is written
//! with its `milestone.record` audit event in one transaction.

use chitieu_domain::{
    DomainError, MilestoneStatus, OrgUnitCode, Progress, ProjectCode, ProjectMilestone,
    calendar::month_at,
    milestone::{self, Flags, Milestone},
    period::Month,
    project::parse_month,
};
use chitieu_persistence::{
    FieldIssue, OrgUnitId, Scope, audit, now_micros, org_units,
    projects::{self, StoredMilestone, StoredProject},
};

use crate::{
    ApiError, AppState, FieldError,
    auth::Caller,
    authz::{Operation, authorize},
    service::units::visible_unit,
};

/// A project with its milestones' flags.
#[derive(Clone, Debug)]
pub struct ProjectView {
    /// Code.
    pub code: ProjectCode,
    /// Name.
    pub name: String,
    /// The unit carrying it out.
    pub org_unit: OrgUnitCode,
    /// Milestones in order.
    pub milestones: Vec<MilestoneView>,
}

/// A milestone: its plan, its progress and its flags.
#[derive(Clone, Debug)]
pub struct MilestoneView {
    /// The project's code.
    pub project: ProjectCode,
    /// The plan.
    pub milestone: ProjectMilestone,
    /// The progress recorded.
    pub progress: Progress,
    /// `late` and `out_of_order`.
    pub flags: Flags,
}

impl ProjectView {
    /// The view of a stored project when the current month in Vietnam is `current`.
    fn new(p: StoredProject, current: Month) -> ProjectView {
        let plain: Vec<Milestone> = (p.milestones.iter())
            .map(|m| Milestone {
                planned: m.milestone.planned,
                actual: m.progress.actual(),
                status: m.progress.status(),
            })
            .collect();
        let flags = milestone::flags(&plain, current);
        let milestones = (p.milestones.into_iter().zip(flags))
            .map(|(m, flags)| MilestoneView {
                project: p.code.clone(),
                milestone: m.milestone,
                progress: m.progress,
                flags,
            })
            .collect();
        ProjectView {
            code: p.code,
            name: p.name.into_string(),
            org_unit: p.org_unit,
            milestones,
        }
    }
}

fn current_month(at: i64) -> Result<Month, ApiError> {
    month_at(at).map_err(|e| ApiError::Internal(format!("the clock is out of range: {e}")))
}

/// The projects of `org_unit`'s subtree (the caller's whole subtree without one), by code;
/// a unit outside the caller's subtree is 404.
pub async fn list(
    state: &AppState,
    caller: &Caller,
    org_unit: Option<&str>,
) -> Result<Vec<ProjectView>, ApiError> {
    authorize(caller, Operation::Read)?;
    let root: Option<OrgUnitId> = match org_unit {
        Some(code) => Some(visible_unit(state, caller.scope, code).await?.id),
        None => match caller.scope {
            Scope::All => None,
            Scope::Subtree(top) => Some(top),
        },
    };
    let current = current_month(now_micros())?;
    let stored = projects::within(state.db.conn(), root).await?;
    Ok(stored
        .into_iter()
        .map(|p| ProjectView::new(p, current))
        .collect())
}

/// The progress to record on a milestone, as every edge receives it.
#[derive(Clone, Debug, Default)]
pub struct MilestoneRequest {
    /// The project's code.
    pub project: String,
    /// The milestone's code.
    pub milestone: String,
    /// `planned`, `in_progress` or `done`.
    pub status: String,
    /// The month it actually happened (`YYYY-MM`; done milestones only).
    pub actual: Option<String>,
    /// A note.
    pub note: Option<String>,
}

/// Records the progress `request` gives, now, as `caller`.
pub async fn record_milestone(
    state: &AppState,
    caller: &Caller,
    request: &MilestoneRequest,
) -> Result<MilestoneView, ApiError> {
    record_milestone_at(state, caller, request, now_micros()).await
}

/// [`record_milestone`] at the instant `at` (microseconds since the epoch): the same rules,
/// audit and write, for a trusted in-process loader. Not exposed on any edge.
pub async fn record_milestone_at(
    state: &AppState,
    caller: &Caller,
    request: &MilestoneRequest,
    at: i64,
) -> Result<MilestoneView, ApiError> {
    authorize(caller, Operation::WriteData)?;
    let progress = progress(request)?;
    let tx = state.db.write().await?;
    let project = ProjectCode::parse(&request.project)
        .ok()
        .map(|c| c.into_string());
    let stored = match project {
        Some(code) => projects::by_codes(&tx, &[code.as_str()]).await?.pop(),
        None => None,
    };
    let stored = stored.ok_or_else(|| {
        ApiError::not_found(
            "unknown_project",
            format!("project '{}' does not exist", truncate(&request.project)),
        )
    })?;
    if !org_units::in_scope(&tx, caller.scope, stored.org_unit_id).await? {
        return Err(ApiError::Forbidden(format!(
            "project '{}' belongs to '{}', outside your subtree",
            stored.code, stored.org_unit
        )));
    }
    let index = (stored.milestones.iter())
        .position(|m| m.milestone.code.as_str() == request.milestone)
        .ok_or_else(|| {
            ApiError::not_found(
                "unknown_milestone",
                format!(
                    "project '{}' has no milestone '{}'",
                    stored.code,
                    truncate(&request.milestone)
                ),
            )
        })?;
    let old: &StoredMilestone = &stored.milestones[index];
    projects::save_progress(&tx, old.id, &progress, &caller.label(), at).await?;
    audit::record_at(
        &tx,
        &caller.actor(),
        at,
        vec![audit::NewEvent {
            action: "milestone.record",
            org_unit_id: Some(stored.org_unit_id),
            detail: serde_json::json!({
                "project": stored.code.as_str(),
                "milestone": old.milestone.code.as_str(),
                "from": progress_json(&old.progress),
                "to": progress_json(&progress),
            })
            .to_string(),
        }],
    )
    .await?;
    tx.commit().await?;
    let mut updated = stored;
    updated.milestones[index].progress = progress;
    let view = ProjectView::new(updated, current_month(at)?);
    view.milestones
        .into_iter()
        .nth(index)
        .ok_or_else(|| ApiError::Internal("the recorded milestone vanished".into()))
}

fn progress_json(p: &Progress) -> serde_json::Value {
    serde_json::json!({
        "status": p.status().as_str(),
        "actual": p.actual().map(|m| m.to_string()),
        "note": p.note(),
    })
}

/// The body checked on its own: every field's problem at once (422 `invalid_milestone`).
fn progress(request: &MilestoneRequest) -> Result<Progress, ApiError> {
    let mut issues: Vec<FieldIssue> = Vec::new();
    let mut field = |name: &str, e: DomainError| {
        issues.push(FieldIssue::new(name.to_owned(), e.code(), e.to_string()));
    };
    let status = MilestoneStatus::parse(&request.status)
        .map_err(|e| field("status", e))
        .ok();
    let actual = match request.actual.as_deref().map(parse_month).transpose() {
        Ok(a) => Some(a),
        Err(e) => {
            field("actual", e);
            None
        }
    };
    if let (Some(status), Some(actual)) = (status, actual) {
        match Progress::new(status, actual, request.note.as_deref()) {
            Ok(p) => return Ok(p),
            Err(e @ DomainError::InvalidProgress { .. }) => field("actual", e),
            Err(e) => field("note", e),
        }
    }
    Err(ApiError::Validation {
        code: "invalid_milestone",
        detail: format!("the progress has {} error(s)", issues.len()),
        errors: issues.into_iter().map(FieldError::from).collect(),
    })
}

fn truncate(s: &str) -> String {
    s.chars().take(100).collect()
}
