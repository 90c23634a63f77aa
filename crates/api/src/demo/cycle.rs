//! The demo's reporting cycle (`demo/vungtau-reports.json`): its users and the dated history
//! of each report, replayed through the same transition use case as REST and GraphQL
//! ([`report_cycle::transition_at`]), so the same rules, rows and audit events result.
//!
//! Which reports are approved, submitted or returned is the demo's choice, not the seed's;
//! the file's `notes` say what and why. A report that already has a stored row is left as it
//! is, so loading again changes nothing and never undoes what someone did in the demo since.

use anyhow::Context;
use chitieu_domain::{DataSetCode, OrgUnitCode, Period, ReportAction, ReportState};
use chitieu_persistence::{
    audit, data_sets, org_units,
    report_cycle::{self, ReportKey},
    users,
};
use serde::Deserialize;

use crate::{
    AppState, auth,
    dto::common::parse_rfc3339,
    service::{
        callers,
        report_cycle::{self as cycle, TransitionRequest},
    },
};

const REPORTS: &str = include_str!("../../demo/vungtau-reports.json");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CycleFile {
    users: Vec<DemoUser>,
    reports: Vec<DemoReport>,
    /// What the file holds and whose choice it is, in one sentence (read by people; the
    /// demo's choices are notes of the metadata bundle).
    #[allow(dead_code)]
    #[serde(default, rename = "_comment")]
    comment: Option<String>,
    /// Progress of the projects' milestones, recorded as the file's first manager.
    #[serde(default)]
    milestone_progress: Vec<super::milestones::MilestoneStep>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoUser {
    username: String,
    role: String,
    org_unit: String,
    display_name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoReport {
    data_set: String,
    org_unit: String,
    period: String,
    state: String,
    history: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    action: String,
    at: String,
    by: String,
    #[serde(default)]
    reason: Option<String>,
}

/// What loading the cycle did.
#[derive(Debug, Clone, Copy, Default)]
pub struct CycleLoaded {
    /// Demo users created.
    pub users_created: u64,
    /// Transitions replayed.
    pub transitions: u64,
    /// Milestone progress recorded.
    pub milestones: u64,
}

/// Creates the demo's users (with random passwords that are never shown: an operator sets
/// one with `chitieu user reset-password`) and replays the reports' histories.
pub async fn load(state: &AppState) -> anyhow::Result<CycleLoaded> {
    let file: CycleFile = serde_json::from_str(REPORTS)?;
    let mut loaded = CycleLoaded::default();
    for user in &file.users {
        if create_user(state, user).await? {
            loaded.users_created += 1;
        }
    }
    for report in &file.reports {
        loaded.transitions += replay(state, report).await.with_context(|| {
            format!(
                "demo report {} {} {}",
                report.data_set, report.org_unit, report.period
            )
        })?;
    }
    if let Some(manager) = file.users.iter().find(|u| u.role == "manager")
        && !file.milestone_progress.is_empty()
    {
        let user = callers::user_id_by_name(state, &manager.username)
            .await?
            .with_context(|| format!("no demo user {}", manager.username))?;
        let caller = callers::by_user_id(state, user)
            .await?
            .with_context(|| format!("demo user {} is disabled", manager.username))?;
        loaded.milestones =
            super::milestones::replay(state, &caller, &file.milestone_progress).await?;
    }
    Ok(loaded)
}

/// Creates `user` unless a user of that name exists; `true` when it did.
async fn create_user(state: &AppState, user: &DemoUser) -> anyhow::Result<bool> {
    if users::find_by_username(state.db.conn(), &user.username)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let code = OrgUnitCode::parse(&user.org_unit)?;
    let unit = org_units::find_by_code(state.db.conn(), &code)
        .await?
        .with_context(|| format!("demo user {}: no unit {code}", user.username))?;
    let hash = state.passwords.hash(auth::random_hex(24)).await?;
    let tx = state.db.write().await?;
    let created = users::create(
        &tx,
        users::NewUser {
            username: &user.username,
            password_hash: &hash,
            display_name: Some(&user.display_name),
            role: &user.role,
            org_unit_id: Some(unit.id),
        },
    )
    .await?;
    audit::record(
        &tx,
        &audit::Actor::system("demo"),
        vec![audit::NewEvent {
            action: "user.created",
            org_unit_id: Some(unit.id),
            detail: serde_json::json!({
                "user_id": created.id, "username": created.username, "role": created.role,
            })
            .to_string(),
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Replays `report`'s history unless the report already has a stored row; the number of
/// transitions taken.
async fn replay(state: &AppState, report: &DemoReport) -> anyhow::Result<u64> {
    let expected = ReportState::parse(&report.state)?;
    let set = data_sets::load_by_code(state.db.conn(), &DataSetCode::parse(&report.data_set)?)
        .await?
        .context("no such data set")?;
    let unit = org_units::find_by_code(state.db.conn(), &OrgUnitCode::parse(&report.org_unit)?)
        .await?
        .context("no such unit")?;
    let key = ReportKey {
        data_set: set.id,
        org_unit: unit.id,
        period: Period::parse(&report.period)?,
    };
    if report_cycle::load(state.db.conn(), &key).await?.is_some() {
        return Ok(0);
    }
    let mut last = ReportState::Open;
    for step in &report.history {
        let user = callers::user_id_by_name(state, &step.by)
            .await?
            .with_context(|| format!("no demo user {}", step.by))?;
        let caller = callers::by_user_id(state, user)
            .await?
            .with_context(|| format!("demo user {} is disabled", step.by))?;
        let request = TransitionRequest {
            data_set: report.data_set.clone(),
            org_unit: report.org_unit.clone(),
            period: report.period.clone(),
            reason: step.reason.clone(),
        };
        let at = parse_rfc3339("at", &step.at)?;
        let action = ReportAction::parse(&step.action)?;
        last = cycle::transition_at(state, &caller, action, &request, at)
            .await?
            .state();
    }
    anyhow::ensure!(
        last == expected,
        "its history ends {} where the file says {}",
        last.as_str(),
        expected.as_str()
    );
    Ok(report.history.len() as u64)
}
