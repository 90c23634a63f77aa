//! Projects, milestones and notes: the same use cases as `GET /api/v1/projects`,
//! `PUT /api/v1/projects/{code}/milestones/{milestone}` and `GET /api/v1/notes`.

use async_graphql::{Context, Enum, Object, SimpleObject};
use chitieu_domain::{MilestoneStatus, milestone::Flag};
use chitieu_persistence::notes::StoredNote;

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
};
use crate::service::{
    notes,
    projects::{self, MilestoneRequest, MilestoneView, ProjectView},
};

/// The progress of a milestone.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "MilestoneStatus")]
pub enum MilestoneStatusGql {
    /// Not started.
    Planned,
    /// Under way.
    InProgress,
    /// Finished.
    Done,
}

impl From<MilestoneStatus> for MilestoneStatusGql {
    fn from(s: MilestoneStatus) -> Self {
        match s {
            MilestoneStatus::Planned => Self::Planned,
            MilestoneStatus::InProgress => Self::InProgress,
            MilestoneStatus::Done => Self::Done,
        }
    }
}

impl MilestoneStatusGql {
    fn as_str(self) -> &'static str {
        match self {
            Self::Planned => MilestoneStatus::Planned.as_str(),
            Self::InProgress => MilestoneStatus::InProgress.as_str(),
            Self::Done => MilestoneStatus::Done.as_str(),
        }
    }
}

/// A warning on a milestone.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(name = "MilestoneFlag")]
pub enum MilestoneFlagGql {
    /// Its planned month is over (Vietnam time) and it is not done.
    Late,
    /// Done while an earlier milestone is not, or planned or done before an earlier one.
    OutOfOrder,
}

impl From<Flag> for MilestoneFlagGql {
    fn from(f: Flag) -> Self {
        match f {
            Flag::Late => Self::Late,
            Flag::OutOfOrder => Self::OutOfOrder,
        }
    }
}

/// A milestone: its plan, its progress and its flags.
#[derive(SimpleObject)]
#[graphql(name = "Milestone")]
pub struct MilestoneGql {
    /// The project's code.
    pub project: String,
    /// Code, unique within the project.
    pub code: String,
    /// Name.
    pub name: String,
    /// The month it is planned for (`YYYY-MM`).
    pub planned: String,
    /// The month it actually happened, once recorded.
    pub actual: Option<String>,
    /// Its progress.
    pub status: MilestoneStatusGql,
    /// The note recorded with the progress.
    pub note: Option<String>,
    /// Its warnings, `LATE` first.
    pub flags: Vec<MilestoneFlagGql>,
}

impl From<&MilestoneView> for MilestoneGql {
    fn from(m: &MilestoneView) -> Self {
        Self {
            project: m.project.to_string(),
            code: m.milestone.code.to_string(),
            name: m.milestone.name.to_string(),
            planned: m.milestone.planned.to_string(),
            actual: m.progress.actual().map(|a| a.to_string()),
            status: m.progress.status().into(),
            note: m.progress.note().map(str::to_owned),
            flags: m.flags.list().into_iter().map(Into::into).collect(),
        }
    }
}

/// A project of an org unit with its milestones in order.
#[derive(SimpleObject)]
#[graphql(name = "Project")]
pub struct ProjectGql {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The unit carrying it out.
    pub org_unit: String,
    /// Milestones in order.
    pub milestones: Vec<MilestoneGql>,
}

impl From<&ProjectView> for ProjectGql {
    fn from(p: &ProjectView) -> Self {
        Self {
            code: p.code.to_string(),
            name: p.name.clone(),
            org_unit: p.org_unit.to_string(),
            milestones: p.milestones.iter().map(MilestoneGql::from).collect(),
        }
    }
}

/// A note about one object of the catalogue.
#[derive(SimpleObject)]
#[graphql(name = "Note")]
pub struct NoteGql {
    /// Code.
    pub code: String,
    /// What it is about, `kind:code`.
    pub subject: String,
    /// The text.
    pub text: String,
}

impl From<&StoredNote> for NoteGql {
    fn from(n: &StoredNote) -> Self {
        Self {
            code: n.note.code.to_string(),
            subject: n.note.subject.to_string(),
            text: n.note.text.as_str().to_owned(),
        }
    }
}

/// Project and note reads.
#[derive(Default)]
pub struct ProjectsQuery;

#[Object]
impl ProjectsQuery {
    /// The projects of a unit's subtree (default: the caller's whole subtree), by code.
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Org unit code")] org_unit: Option<String>,
    ) -> GqlResult<Vec<ProjectGql>> {
        let (state, caller) = state_and_caller(ctx)?;
        let list = projects::list(state, caller, org_unit.as_deref())
            .await
            .map_err(gql)?;
        Ok(list.iter().map(ProjectGql::from).collect())
    }

    /// The notes of the catalogue, by code; with `subject` (`kind:code`), those about one
    /// object.
    async fn notes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "`kind:code`, e.g. `indicator:I.01`")] subject: Option<String>,
    ) -> GqlResult<Vec<NoteGql>> {
        let (state, caller) = state_and_caller(ctx)?;
        let list = notes::list(state, caller, subject.as_deref())
            .await
            .map_err(gql)?;
        Ok(list.iter().map(NoteGql::from).collect())
    }
}

/// Recording progress.
#[derive(Default)]
pub struct ProjectsMutation;

#[Object]
impl ProjectsMutation {
    /// Records a milestone's progress (it replaces the recorded one), with the rules and
    /// codes of `PUT /api/v1/projects/{code}/milestones/{milestone}`.
    async fn record_milestone(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Project code")] project: String,
        #[graphql(desc = "Milestone code")] milestone: String,
        status: MilestoneStatusGql,
        #[graphql(desc = "The month it actually happened (`YYYY-MM`); done milestones only")]
        actual: Option<String>,
        note: Option<String>,
    ) -> GqlResult<MilestoneGql> {
        let (state, caller) = state_and_caller(ctx)?;
        let request = MilestoneRequest {
            project,
            milestone,
            status: status.as_str().to_owned(),
            actual,
            note,
        };
        let view = projects::record_milestone(state, caller, &request)
            .await
            .map_err(gql)?;
        Ok(MilestoneGql::from(&view))
    }
}
