//! The demo's milestone progress (`milestone_progress` of the reporting-cycle file), replayed
//! through the same use case as `PUT /api/v1/projects/{code}/milestones/{milestone}`
//! ([`projects::record_milestone`]), so the same checks, rows and audit events result.
//!
//! A milestone whose progress was recorded already is left as it is, so loading again
//! changes nothing and never undoes what someone recorded in the demo since.

use anyhow::Context;
use chitieu_domain::Progress;
use chitieu_persistence::projects as stored;
use serde::Deserialize;

use crate::{
    AppState,
    auth::Caller,
    service::projects::{self, MilestoneRequest},
};

/// One step of `milestone_progress`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneStep {
    project: String,
    milestone: String,
    status: String,
    #[serde(default)]
    actual: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// Records each step as `caller` unless its milestone has progress already; the number
/// recorded.
pub async fn replay(
    state: &AppState,
    caller: &Caller,
    steps: &[MilestoneStep],
) -> anyhow::Result<u64> {
    let mut codes: Vec<&str> = steps.iter().map(|s| s.project.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let projects = stored::by_codes(state.db.conn(), &codes).await?;
    let mut recorded = 0;
    for step in steps {
        let untouched = (projects.iter())
            .find(|p| p.code.as_str() == step.project)
            .and_then(|p| {
                (p.milestones.iter()).find(|m| m.milestone.code.as_str() == step.milestone)
            })
            .is_some_and(|m| m.progress == Progress::NONE);
        if !untouched {
            continue;
        }
        let request = MilestoneRequest {
            project: step.project.clone(),
            milestone: step.milestone.clone(),
            status: step.status.clone(),
            actual: step.actual.clone(),
            note: step.note.clone(),
        };
        projects::record_milestone(state, caller, &request)
            .await
            .with_context(|| format!("demo milestone {} {}", step.project, step.milestone))?;
        recorded += 1;
    }
    Ok(recorded)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The draft demo's `milestone_progress` is read as written.
    #[test]
    fn the_draft_demo_progress_is_read() {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../../demo/vungtau-reports.json")).unwrap();
        let steps: Vec<MilestoneStep> =
            serde_json::from_value(file["milestone_progress"].clone()).unwrap();
        assert_eq!(steps.len(), 10);
        assert_eq!(steps[0].actual.as_deref(), Some("2023-09"));
    }
}
