//! The figure states of a subtree: for each (row unit, element), the state the unit's subtree
//! holds inside a period, in one grouped query driven by the few rows that carry a state
//! (the partial index `idx_data_value_state`), so a nation without states reads nothing.

use std::collections::HashMap;

use chitieu_domain::{FigureState, Period};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{
    DataElementId, OrgUnitId, PersistenceError,
    sql::{InList, placeholders},
    submission::stored_state,
};

/// States keyed by (row unit, element): `no_source` when any figure of the subtree inside
/// the period has no source, else `pending`; absent when none carries a state.
pub type States = HashMap<(OrgUnitId, DataElementId), FigureState>;

#[derive(FromQueryResult)]
struct StateRow {
    unit: OrgUnitId,
    element: DataElementId,
    state: Option<String>,
}

/// The states of `elements` in the subtree of each of `units`, over the figures whose period
/// lies inside `period`. `MIN` picks `no_source` over `pending` (they sort that way), the
/// rule of [`FigureState::combined`].
pub async fn in_subtrees(
    db: &impl ConnectionTrait,
    units: &[OrgUnitId],
    elements: &[DataElementId],
    period: Period,
) -> Result<States, PersistenceError> {
    let mut out = States::new();
    if units.is_empty() || elements.is_empty() {
        return Ok(out);
    }
    let before = format!(
        "SELECT c.ancestor_id AS unit, v.data_element_id AS element, MIN(v.state) AS state \
         FROM data_value v JOIN org_unit_closure c ON c.descendant_id = v.org_unit_id \
         WHERE v.state IS NOT NULL AND v.data_element_id IN ({}) \
         AND v.start_month >= ? AND v.end_month <= ? AND c.ancestor_id",
        placeholders(elements.len()),
    );
    let mut bound: Vec<Value> = elements.iter().map(|&e| e.into()).collect();
    bound.push(period.start().index().into());
    bound.push(period.end().index().into());
    // Chunks of units group apart: each row unit lies in one chunk.
    let rows: Vec<StateRow> = InList::new(&before, " GROUP BY c.ancestor_id, v.data_element_id")
        .bind_before(bound)
        .query(db, units)
        .await?;
    for row in rows {
        if let Some(state) = stored_state(row.state.as_deref())? {
            out.insert((row.unit, row.element), state);
        }
    }
    Ok(out)
}
