//! Projects and their milestones read back, and the progress recorded on a milestone.
//!
//! Every read is two statements whatever the number of projects: the projects, then the
//! milestones of all of them in their order.

use std::collections::HashMap;

use chitieu_domain::{
    MilestoneCode, MilestoneStatus, OrgUnitCode, Progress, Project, ProjectCode, ProjectMilestone,
    UnitName, period::Month,
};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{MilestoneId, OrgUnitId, PersistenceError, ProjectId, sql};

/// A stored milestone: its plan and its recorded progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredMilestone {
    /// Internal id.
    pub id: MilestoneId,
    /// The plan, as the bundle declared it.
    pub milestone: ProjectMilestone,
    /// The progress recorded.
    pub progress: Progress,
}

/// A stored project with its milestones in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredProject {
    /// Internal id.
    pub id: ProjectId,
    /// Code.
    pub code: ProjectCode,
    /// Name.
    pub name: UnitName,
    /// The unit's id.
    pub org_unit_id: OrgUnitId,
    /// The unit's code.
    pub org_unit: OrgUnitCode,
    /// Milestones in their order.
    pub milestones: Vec<StoredMilestone>,
}

impl StoredProject {
    /// The project as a bundle would declare it (its plan, without progress).
    pub fn project(&self) -> Project {
        Project {
            code: self.code.clone(),
            name: self.name.clone(),
            org_unit: self.org_unit.clone(),
            milestones: (self.milestones.iter())
                .map(|m| m.milestone.clone())
                .collect(),
        }
    }
}

#[derive(FromQueryResult)]
struct ProjectRow {
    id: ProjectId,
    code: String,
    name: String,
    org_unit_id: OrgUnitId,
    org_unit: String,
}

#[derive(FromQueryResult)]
struct MilestoneRow {
    id: MilestoneId,
    project_id: ProjectId,
    position: i32,
    code: String,
    name: String,
    planned_month: i32,
    status: String,
    actual_month: Option<i32>,
    note: Option<String>,
}

const PROJECTS: &str = "SELECT p.id, p.code, p.name, p.org_unit_id, u.code AS org_unit \
                        FROM project p JOIN org_unit u ON u.id = p.org_unit_id";

/// The projects of these codes, by code; unknown codes are left out.
pub async fn by_codes(
    db: &impl ConnectionTrait,
    codes: &[&str],
) -> Result<Vec<StoredProject>, PersistenceError> {
    let rows: Vec<ProjectRow> =
        sql::query_in(db, &format!("{PROJECTS} WHERE p.code"), codes, "").await?;
    with_milestones(db, rows).await
}

/// The projects of the units in `root`'s subtree (every project without a root), by code.
pub async fn within(
    db: &impl ConnectionTrait,
    root: Option<OrgUnitId>,
) -> Result<Vec<StoredProject>, PersistenceError> {
    let rows: Vec<ProjectRow> = match root {
        Some(root) => {
            let sql = format!(
                "{PROJECTS} WHERE p.org_unit_id IN \
                 (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?)"
            );
            sql::query_as(db, &sql, vec![root.into()]).await?
        }
        None => sql::query_as(db, PROJECTS, vec![]).await?,
    };
    with_milestones(db, rows).await
}

async fn with_milestones(
    db: &impl ConnectionTrait,
    rows: Vec<ProjectRow>,
) -> Result<Vec<StoredProject>, PersistenceError> {
    let ids: Vec<ProjectId> = rows.iter().map(|r| r.id).collect();
    let milestones: Vec<MilestoneRow> = sql::query_in(
        db,
        "SELECT id, project_id, position, code, name, planned_month, status, actual_month, note \
         FROM milestone WHERE project_id",
        &ids,
        "",
    )
    .await?;
    let mut by_project: HashMap<ProjectId, Vec<(i32, StoredMilestone)>> = HashMap::new();
    for row in milestones {
        let position = row.position;
        let project = row.project_id;
        by_project
            .entry(project)
            .or_default()
            .push((position, decode_milestone(row)?));
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut milestones = by_project.remove(&row.id).unwrap_or_default();
        milestones.sort_by_key(|(position, _)| *position);
        out.push(StoredProject {
            id: row.id,
            code: ProjectCode::parse(&row.code).map_err(PersistenceError::corrupt)?,
            name: UnitName::parse(&row.name).map_err(PersistenceError::corrupt)?,
            org_unit_id: row.org_unit_id,
            org_unit: OrgUnitCode::parse(&row.org_unit).map_err(PersistenceError::corrupt)?,
            milestones: milestones.into_iter().map(|(_, m)| m).collect(),
        });
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

fn month(index: i32) -> Result<Month, PersistenceError> {
    Month::from_index(index).map_err(PersistenceError::corrupt)
}

fn decode_milestone(row: MilestoneRow) -> Result<StoredMilestone, PersistenceError> {
    let status = MilestoneStatus::parse(&row.status).map_err(PersistenceError::corrupt)?;
    let actual = row.actual_month.map(month).transpose()?;
    let progress =
        Progress::new(status, actual, row.note.as_deref()).map_err(PersistenceError::corrupt)?;
    Ok(StoredMilestone {
        id: row.id,
        milestone: ProjectMilestone {
            code: MilestoneCode::parse(&row.code).map_err(PersistenceError::corrupt)?,
            name: UnitName::parse(&row.name).map_err(PersistenceError::corrupt)?,
            planned: month(row.planned_month)?,
        },
        progress,
    })
}

/// Records `progress` on the milestone `id`, by `by` at `at`.
pub async fn save_progress(
    db: &impl ConnectionTrait,
    id: MilestoneId,
    progress: &Progress,
    by: &str,
    at: i64,
) -> Result<(), PersistenceError> {
    sql::execute(
        db,
        "UPDATE milestone SET status = ?, actual_month = ?, note = ?, recorded_by = ?, \
         recorded_at = ?, updated_at = ? WHERE id = ?",
        vec![
            progress.status().as_str().into(),
            progress.actual().map(Month::index).into(),
            progress.note().map(str::to_owned).into(),
            by.into(),
            at.into(),
            at.into(),
            id.into(),
        ],
    )
    .await?;
    Ok(())
}
