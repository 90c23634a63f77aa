//! Writing a plan's reporting-cycle items: data sets (their lists replaced by the bundle's),
//! indicator groups and min–max bounds, each kind upserted by its key in batched statements.

use std::collections::HashMap;

use chitieu_domain::{DataSet, IndicatorGroup, MinMax};
use sea_orm::{ConnectionTrait, Value};

use super::{
    plan::{Plan, Step},
    write::{decimal_text, ids_of},
};
use crate::{DataElementId, DataSetId, OrgUnitId, PersistenceError, sql};

/// The items of `steps` that are written (created or updated).
fn written<'a, T, I>(steps: &'a [Step<'a, T, I>]) -> Vec<&'a T> {
    (steps.iter())
        .filter_map(|s| match s {
            Step::Create(x) | Step::Update(_, x) => Some(*x),
            Step::Same => None,
        })
        .collect()
}

/// Writes the data sets, groups and bounds of `plan`; `units` holds every unit's id.
pub(super) async fn apply(
    db: &impl ConnectionTrait,
    plan: &Plan<'_>,
    units: &HashMap<String, OrgUnitId>,
    now: i64,
) -> Result<(), PersistenceError> {
    data_sets(db, &written(&plan.data_sets), units, now).await?;
    groups(db, &written(&plan.indicator_groups), now).await?;
    bounds(db, &written(&plan.min_max), units, now).await
}

fn id_of<I: Copy>(ids: &HashMap<String, I>, code: &str) -> Result<I, PersistenceError> {
    (ids.get(code).copied()).ok_or_else(|| PersistenceError::corrupt(format!("'{code}' has no id")))
}

async fn data_sets(
    db: &impl ConnectionTrait,
    sets: &[&DataSet],
    units: &HashMap<String, OrgUnitId>,
    now: i64,
) -> Result<(), PersistenceError> {
    if sets.is_empty() {
        return Ok(());
    }
    let day = |d: u32| i32::try_from(d).unwrap_or(i32::MAX);
    let rows = (sets.iter())
        .map(|d| {
            let s = d.schedule;
            vec![
                d.code.as_str().into(),
                d.name.as_str().into(),
                d.period_type.as_str().into(),
                s.cutoff_day().map(day).into(),
                day(s.due_days()).into(),
                day(s.approval_due_days()).into(),
                s.lock_after_days().map(day).into(),
                now.into(),
            ]
        })
        .collect();
    sql::insert_rows(
        db,
        "data_set",
        &[
            "code",
            "name",
            "period_type",
            "cutoff_day",
            "due_days",
            "approval_due_days",
            "lock_after_days",
            "updated_at",
        ],
        rows,
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
         period_type = excluded.period_type, cutoff_day = excluded.cutoff_day, \
         due_days = excluded.due_days, approval_due_days = excluded.approval_due_days, \
         lock_after_days = excluded.lock_after_days, updated_at = excluded.updated_at",
    )
    .await?;
    let codes: Vec<&str> = sets.iter().map(|d| d.code.as_str()).collect();
    let set_ids: HashMap<String, DataSetId> = ids_of(db, "data_set", &codes).await?;
    let ids: Vec<Value> = set_ids.values().map(|&id| id.into()).collect();
    for table in ["data_set_element", "data_set_kind", "data_set_unit"] {
        let delete = format!("DELETE FROM {table} WHERE data_set_id");
        sql::execute_in(db, &delete, &ids, "").await?;
    }
    let element_codes: Vec<&str> = (sets.iter())
        .flat_map(|d| d.data_elements.iter().map(|c| c.as_str()))
        .collect();
    let elements: HashMap<String, DataElementId> =
        ids_of(db, "data_element", &element_codes).await?;
    let (mut element_rows, mut kind_rows, mut unit_rows) = (Vec::new(), Vec::new(), Vec::new());
    for d in sets {
        let id = id_of(&set_ids, d.code.as_str())?;
        for e in &d.data_elements {
            element_rows.push(vec![id.into(), id_of(&elements, e.as_str())?.into()]);
        }
        for k in &d.assigned_kinds {
            kind_rows.push(vec![id.into(), k.as_str().into()]);
        }
        for u in &d.assigned_units {
            unit_rows.push(vec![id.into(), id_of(units, u.as_str())?.into()]);
        }
    }
    let (set_element, element) = (["data_set_id", "data_element_id"], "data_set_element");
    sql::insert_rows(db, element, &set_element, element_rows, "").await?;
    let kind_columns = ["data_set_id", "kind"];
    sql::insert_rows(db, "data_set_kind", &kind_columns, kind_rows, "").await?;
    let unit_columns = ["data_set_id", "org_unit_id"];
    sql::insert_rows(db, "data_set_unit", &unit_columns, unit_rows, "").await?;
    Ok(())
}

async fn groups(
    db: &impl ConnectionTrait,
    groups: &[&IndicatorGroup],
    now: i64,
) -> Result<(), PersistenceError> {
    let rows = (groups.iter())
        .map(|g| {
            vec![
                g.code.as_str().into(),
                g.name.as_str().into(),
                decimal_text(g.weight.value()).into(),
                now.into(),
            ]
        })
        .collect();
    sql::insert_rows(
        db,
        "indicator_group",
        &["code", "name", "weight", "updated_at"],
        rows,
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, weight = excluded.weight, \
         updated_at = excluded.updated_at",
    )
    .await?;
    Ok(())
}

async fn bounds(
    db: &impl ConnectionTrait,
    bounds: &[&MinMax],
    units: &HashMap<String, OrgUnitId>,
    now: i64,
) -> Result<(), PersistenceError> {
    if bounds.is_empty() {
        return Ok(());
    }
    let codes: Vec<&str> = bounds.iter().map(|m| m.data_element.as_str()).collect();
    let elements: HashMap<String, DataElementId> = ids_of(db, "data_element", &codes).await?;
    let text = |d: Option<rust_decimal::Decimal>| d.map(decimal_text);
    let mut rows = Vec::with_capacity(bounds.len());
    for m in bounds {
        rows.push(vec![
            id_of(&elements, m.data_element.as_str())?.into(),
            id_of(units, m.org_unit.as_str())?.into(),
            text(m.bounds.min()).into(),
            text(m.bounds.max()).into(),
            now.into(),
        ]);
    }
    sql::insert_rows(
        db,
        "min_max",
        &[
            "data_element_id",
            "org_unit_id",
            "min_value",
            "max_value",
            "updated_at",
        ],
        rows,
        "ON CONFLICT (data_element_id, org_unit_id) DO UPDATE SET \
         min_value = excluded.min_value, max_value = excluded.max_value, \
         updated_at = excluded.updated_at",
    )
    .await?;
    Ok(())
}
