//! Projects and milestones on the wire: `GET /api/v1/projects`, the body of
//! `PUT /api/v1/projects/{code}/milestones/{milestone}` and the milestone it answers.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::service::projects::{MilestoneRequest, MilestoneView, ProjectView};

/// The progress of a milestone; it replaces the recorded one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneBody {
    /// `planned`, `in_progress` or `done`.
    #[schema(example = "done")]
    pub status: String,
    /// The month it actually happened (`YYYY-MM`); done milestones only.
    #[schema(example = "2023-09")]
    pub actual: Option<String>,
    /// A note (multi-line, at most 2 000 characters).
    pub note: Option<String>,
}

impl MilestoneBody {
    /// The service's request for `project`'s `milestone`.
    pub fn into_request(self, project: String, milestone: String) -> MilestoneRequest {
        MilestoneRequest {
            project,
            milestone,
            status: self.status,
            actual: self.actual,
            note: self.note,
        }
    }
}

/// One milestone: its plan, its progress and its flags.
#[derive(Debug, Serialize, ToSchema)]
pub struct MilestoneDto {
    /// Code, unique within the project.
    #[schema(example = "M5")]
    pub code: String,
    /// Name.
    pub name: String,
    /// The month it is planned for.
    #[schema(example = "2023-01")]
    pub planned: String,
    /// The month it actually happened, once recorded.
    pub actual: Option<String>,
    /// `planned`, `in_progress` or `done`.
    #[schema(example = "planned")]
    pub status: &'static str,
    /// The note recorded with the progress.
    pub note: Option<String>,
    /// `late` (its planned month is over in Vietnam time and it is not done) and
    /// `out_of_order` (done while an earlier one is not, or planned or done before an
    /// earlier one), in that order.
    #[schema(example = json!(["out_of_order"]))]
    pub flags: Vec<&'static str>,
}

impl From<&MilestoneView> for MilestoneDto {
    fn from(m: &MilestoneView) -> Self {
        Self {
            code: m.milestone.code.to_string(),
            name: m.milestone.name.to_string(),
            planned: m.milestone.planned.to_string(),
            actual: m.progress.actual().map(|a| a.to_string()),
            status: m.progress.status().as_str(),
            note: m.progress.note().map(str::to_owned),
            flags: m.flags.list().into_iter().map(|f| f.as_str()).collect(),
        }
    }
}

/// A project with its milestones in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectDto {
    /// Code.
    #[schema(example = "IOC-VT")]
    pub code: String,
    /// Name.
    pub name: String,
    /// The unit carrying it out.
    #[schema(example = "VT")]
    pub org_unit: String,
    /// Milestones in order.
    pub milestones: Vec<MilestoneDto>,
}

impl From<&ProjectView> for ProjectDto {
    fn from(p: &ProjectView) -> Self {
        Self {
            code: p.code.to_string(),
            name: p.name.clone(),
            org_unit: p.org_unit.to_string(),
            milestones: p.milestones.iter().map(MilestoneDto::from).collect(),
        }
    }
}

/// `GET /api/v1/projects`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectList {
    /// The projects of the subtree, by code.
    pub projects: Vec<ProjectDto>,
}

/// Query of `GET /api/v1/projects`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProjectsParams {
    /// The projects of this unit's subtree (default: the caller's whole subtree).
    pub org_unit: Option<String>,
}
