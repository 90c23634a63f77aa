//! The SQL of a submission: loading what the checks and the plan read, and applying a plan.
//! Every function runs in the caller's transaction.

use std::collections::{BTreeSet, HashMap, HashSet};

use chitieu_domain::FigureState;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use super::{
    audit_trail,
    checks::{Histories, StoredRow},
    parse::Parsed,
    plan::Plan,
};
use crate::{
    DataElementId, DataValueId, OrgUnitId, PersistenceError, Scope, audit,
    catalogue::{self, StoredDataElement, period},
    changes, now_micros, org_units, rollup,
    sql::{self, InList, placeholders},
};

/// The ids of the unit codes and the elements of the element codes the rows name (the ones
/// that exist), in two set-based lookups.
pub(crate) async fn resolve(
    db: &impl ConnectionTrait,
    parsed: &[Parsed<'_>],
) -> Result<
    (
        HashMap<String, OrgUnitId>,
        HashMap<String, StoredDataElement>,
    ),
    PersistenceError,
> {
    let unit_codes: BTreeSet<&str> = parsed.iter().map(|p| p.unit.as_str()).collect();
    let unit_codes: Vec<&str> = unit_codes.into_iter().collect();
    let units = org_units::ids_by_codes(db, &unit_codes).await?;
    let element_codes: BTreeSet<&str> = parsed.iter().map(|p| p.element.as_str()).collect();
    let element_codes: Vec<&str> = element_codes.into_iter().collect();
    let elements = catalogue::data_elements_by_codes(db, &element_codes).await?;
    Ok((units, elements))
}

/// The units of `units` inside `scope`.
pub(crate) async fn allowed(
    db: &impl ConnectionTrait,
    scope: Scope,
    units: &HashMap<String, OrgUnitId>,
) -> Result<HashSet<OrgUnitId>, PersistenceError> {
    let ids: Vec<OrgUnitId> = units.values().copied().collect();
    Ok(org_units::filter_in_scope(db, scope, &ids)
        .await?
        .into_iter()
        .collect())
}

/// On PostgreSQL, writers to the same units queue here (their org-unit rows locked in id
/// order, so no deadlock), so two concurrent sets can never both pass the overlap check.
/// SQLite has a single writer already.
pub(crate) async fn lock_units(
    db: &impl ConnectionTrait,
    units: &[OrgUnitId],
) -> Result<(), PersistenceError> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres || units.is_empty() {
        return Ok(());
    }
    let mut sorted: Vec<OrgUnitId> = units.to_vec();
    sorted.sort_unstable();
    InList::new(
        "SELECT id FROM org_unit WHERE id",
        " ORDER BY id FOR UPDATE",
    )
    .rows(db, &sorted)
    .await?;
    Ok(())
}

/// A stored figure of [`load_stored`].
#[derive(FromQueryResult)]
struct StoredFigure {
    id: DataValueId,
    org_unit_id: OrgUnitId,
    data_element_id: DataElementId,
    start_month: i32,
    end_month: i32,
    value_num: Option<i64>,
    value_text: Option<String>,
    state: Option<String>,
    comment: Option<String>,
    next_end: i32,
}

/// The whole stored history of each wanted (unit, element): the neighbours of a new period
/// decide its `next_end`. One query per chunk of units.
pub(crate) async fn load_stored(
    db: &impl ConnectionTrait,
    wanted: &HashSet<(OrgUnitId, DataElementId)>,
) -> Result<Histories, PersistenceError> {
    let mut out = Histories::new();
    if wanted.is_empty() {
        return Ok(out);
    }
    let units: BTreeSet<OrgUnitId> = wanted.iter().map(|&(u, _)| u).collect();
    let units: Vec<OrgUnitId> = units.into_iter().collect();
    let elements: BTreeSet<DataElementId> = wanted.iter().map(|&(_, e)| e).collect();
    let rows: Vec<StoredFigure> = InList::new(
        "SELECT id, org_unit_id, data_element_id, start_month, end_month, value_num, value_text, \
         state, comment, next_end FROM data_value WHERE org_unit_id",
        &format!(" AND data_element_id IN ({})", placeholders(elements.len())),
    )
    .bind_after(elements.iter().map(|&e| Value::from(e)))
    .query(db, &units)
    .await?;
    for row in rows {
        let key = (row.org_unit_id, row.data_element_id);
        if !wanted.contains(&key) {
            continue;
        }
        out.entry(key).or_default().push(StoredRow {
            id: row.id,
            period: period(row.start_month, row.end_month)?,
            next_end: row.next_end,
            num: row.value_num,
            text: row.value_text,
            state: stored_state(row.state.as_deref())?,
            comment: row.comment,
        });
    }
    Ok(out)
}

/// A stored `state` column read back.
pub(crate) fn stored_state(state: Option<&str>) -> Result<Option<FigureState>, PersistenceError> {
    state
        .map(|s| {
            FigureState::parse(s)
                .ok_or_else(|| PersistenceError::corrupt(format!("unknown figure state {s:?}")))
        })
        .transpose()
}

/// Applies `plan` as `actor`: tombstones and deletes, batched upserts, the changed
/// `next_end`s, the roll-up deltas and the audit events.
pub(crate) async fn apply(
    db: &impl ConnectionTrait,
    actor: &audit::Actor,
    plan: &Plan,
    elements: &HashMap<String, StoredDataElement>,
) -> Result<(), PersistenceError> {
    let now = now_micros();
    let upserts: Vec<Vec<Value>> = plan
        .upserts
        .iter()
        .map(|u| {
            vec![
                u.unit_id.into(),
                u.element_id.into(),
                u.period.start().index().into(),
                u.period.end().index().into(),
                u.num.into(),
                u.next_end.into(),
                u.text.clone().into(),
                u.state.map(FigureState::as_str).into(),
                u.comment.clone().into(),
                now.into(),
                now.into(),
                actor.label.clone().into(),
            ]
        })
        .collect();
    if !plan.deletes.is_empty() {
        changes::record_deletions(db, &plan.deletes, now, &actor.label).await?;
        sql::execute_in(db, "DELETE FROM data_value WHERE id", &plan.deletes, "").await?;
    }
    sql::insert_rows(
        db,
        "data_value",
        &[
            "org_unit_id",
            "data_element_id",
            "start_month",
            "end_month",
            "value_num",
            "next_end",
            "value_text",
            "state",
            "comment",
            "created_at",
            "updated_at",
            "updated_by",
        ],
        upserts,
        "ON CONFLICT (org_unit_id, data_element_id, start_month, end_month) DO UPDATE SET \
         value_num = excluded.value_num, next_end = excluded.next_end, value_text = excluded.value_text, \
         state = excluded.state, comment = excluded.comment, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .await
    .map_err(|e| match e {
        PersistenceError::Database(ref db_err) if crate::error::is_unique_violation(db_err) => {
            PersistenceError::WriteConflict
        }
        other => other,
    })?;
    update_next_ends(db, &plan.next_end_updates).await?;
    rollup::apply(db, &plan.deltas).await?;
    audit::record(
        db,
        actor,
        audit_trail::audit_events(&plan.changes, elements),
    )
    .await
}

/// Sets `next_end` of stored rows, many per statement.
async fn update_next_ends(
    db: &impl ConnectionTrait,
    updates: &[(DataValueId, i32)],
) -> Result<(), PersistenceError> {
    for chunk in updates.chunks(5_000) {
        let mut sql = String::from("UPDATE data_value SET next_end = CASE id");
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 3);
        for (id, ne) in chunk {
            sql.push_str(" WHEN ? THEN ?");
            values.push((*id).into());
            values.push((*ne).into());
        }
        sql.push_str(&format!(" END WHERE id IN ({})", placeholders(chunk.len())));
        values.extend(chunk.iter().map(|(id, _)| Value::from(*id)));
        sql::execute(db, &sql, values).await?;
    }
    Ok(())
}
