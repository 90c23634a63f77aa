//! Writing a plan's projects and notes, each kind upserted by its key in batched statements.
//!
//! A written project's milestone list becomes the bundle's: listed milestones are upserted by
//! (project, code) with their new name, planned month and position, so a kept code keeps the
//! progress recorded on it; a stored milestone the list no longer names is deleted with its
//! progress (the `milestone.record` events of the audit trail keep what was recorded).

use std::collections::{HashMap, HashSet};

use chitieu_domain::{MilestoneStatus, Note, Project};
use sea_orm::{ConnectionTrait, Value};

use super::{
    existing::Existing,
    plan::{Plan, Step},
    write::ids_of,
};
use crate::{MilestoneId, OrgUnitId, PersistenceError, ProjectId, sql};

fn written<'a, T, I>(steps: &'a [Step<'a, T, I>]) -> Vec<&'a T> {
    (steps.iter())
        .filter_map(|s| match s {
            Step::Create(x) | Step::Update(_, x) => Some(*x),
            Step::Same => None,
        })
        .collect()
}

fn id_of<I: Copy>(ids: &HashMap<String, I>, code: &str) -> Result<I, PersistenceError> {
    (ids.get(code).copied()).ok_or_else(|| PersistenceError::corrupt(format!("'{code}' has no id")))
}

/// Writes the projects and notes of `plan`; `units` holds every unit's id.
pub(super) async fn apply(
    db: &impl ConnectionTrait,
    plan: &Plan<'_>,
    existing: &Existing,
    units: &HashMap<String, OrgUnitId>,
    now: i64,
) -> Result<(), PersistenceError> {
    projects(db, &written(&plan.projects), existing, units, now).await?;
    notes(db, &written(&plan.notes), now).await
}

async fn projects(
    db: &impl ConnectionTrait,
    projects: &[&Project],
    existing: &Existing,
    units: &HashMap<String, OrgUnitId>,
    now: i64,
) -> Result<(), PersistenceError> {
    if projects.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::with_capacity(projects.len());
    for p in projects {
        rows.push(vec![
            p.code.as_str().into(),
            p.name.as_str().into(),
            id_of(units, p.org_unit.as_str())?.into(),
            now.into(),
        ]);
    }
    sql::insert_rows(
        db,
        "project",
        &["code", "name", "org_unit_id", "updated_at"],
        rows,
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
         org_unit_id = excluded.org_unit_id, updated_at = excluded.updated_at",
    )
    .await?;
    let codes: Vec<&str> = projects.iter().map(|p| p.code.as_str()).collect();
    let ids: HashMap<String, ProjectId> = ids_of(db, "project", &codes).await?;
    let mut removed: Vec<MilestoneId> = Vec::new();
    let mut milestone_rows: Vec<Vec<Value>> = Vec::new();
    for p in projects {
        let id = id_of(&ids, p.code.as_str())?;
        let listed: HashSet<&str> = p.milestones.iter().map(|m| m.code.as_str()).collect();
        if let Some(old) = existing.projects.projects.get(p.code.as_str()) {
            removed.extend(
                (old.milestones.iter())
                    .filter(|m| !listed.contains(m.milestone.code.as_str()))
                    .map(|m| m.id),
            );
        }
        for (position, m) in p.milestones.iter().enumerate() {
            milestone_rows.push(vec![
                id.into(),
                m.code.as_str().into(),
                i32::try_from(position).unwrap_or(i32::MAX).into(),
                m.name.as_str().into(),
                m.planned.index().into(),
                MilestoneStatus::Planned.as_str().into(),
                now.into(),
            ]);
        }
    }
    sql::execute_in(db, "DELETE FROM milestone WHERE id", &removed, "").await?;
    sql::insert_rows(
        db,
        "milestone",
        &[
            "project_id",
            "code",
            "position",
            "name",
            "planned_month",
            "status",
            "updated_at",
        ],
        milestone_rows,
        "ON CONFLICT (project_id, code) DO UPDATE SET position = excluded.position, \
         name = excluded.name, planned_month = excluded.planned_month, \
         updated_at = excluded.updated_at",
    )
    .await?;
    Ok(())
}

async fn notes(
    db: &impl ConnectionTrait,
    notes: &[&Note],
    now: i64,
) -> Result<(), PersistenceError> {
    let rows = (notes.iter())
        .map(|n| {
            vec![
                n.code.as_str().into(),
                n.subject.kind().as_str().into(),
                n.subject.code().into(),
                n.text.as_str().into(),
                now.into(),
            ]
        })
        .collect();
    sql::insert_rows(
        db,
        "note",
        &["code", "subject_kind", "subject_code", "text", "updated_at"],
        rows,
        "ON CONFLICT (code) DO UPDATE SET subject_kind = excluded.subject_kind, \
         subject_code = excluded.subject_code, text = excluded.text, \
         updated_at = excluded.updated_at",
    )
    .await?;
    Ok(())
}
