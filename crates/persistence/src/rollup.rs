//! Maintenance of `data_value_rollup`: for every proper ancestor of a unit, the sum and count
//! of the unit's numeric figures per element and stored period.
//!
//! *Architecture invariant*: after every committed transaction, for each ancestor `a`,
//! element `e` and period `p`, `data_value_rollup(a, e, p)` equals the sum and count of
//! `data_value(u, e, p)` over the strict descendants `u` of `a`. Writes apply deltas in the
//! same transaction; moving a subtree rebuilds the rows of every ancestor it left or joined.

use std::collections::{BTreeMap, HashMap};

use sea_orm::{ConnectionTrait, Value};

use crate::{
    PersistenceError,
    sql::{self, get, placeholders},
};

/// (ancestor, element, start month, end month, next_end).
type RollupKey = (i64, i64, i32, i32, i32);

/// `next_end` of a figure with no later period stored.
pub const NO_NEXT: i32 = i32::MAX;

/// A change of one stored numeric figure: `sum` and `count` are added (negative to remove).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delta {
    /// The unit holding the figure.
    pub unit_id: i64,
    /// Its element.
    pub element_id: i64,
    /// First month index of its period.
    pub start: i32,
    /// Last month index of its period.
    pub end: i32,
    /// Last month index of the unit's next stored period of the element ([`NO_NEXT`] if none).
    pub next_end: i32,
    /// Change of the sum (scaled integer).
    pub sum: i64,
    /// Change of the number of figures.
    pub count: i64,
}

/// Adds `deltas` to the roll-up rows of every proper ancestor of their units.
pub async fn apply(db: &impl ConnectionTrait, deltas: &[Delta]) -> Result<(), PersistenceError> {
    if deltas.is_empty() {
        return Ok(());
    }
    let mut units: Vec<i64> = deltas.iter().map(|d| d.unit_id).collect();
    units.sort_unstable();
    units.dedup();
    let mut ancestors: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in units.chunks(sql::MAX_PARAMS) {
        let rows = sql::query(
            db,
            &format!(
                "SELECT descendant_id, ancestor_id FROM org_unit_closure \
                 WHERE depth > 0 AND descendant_id IN ({})",
                placeholders(chunk.len())
            ),
            chunk.iter().map(|&u| Value::from(u)).collect(),
        )
        .await?;
        for row in &rows {
            ancestors
                .entry(get::<i64>(row, 0)?)
                .or_default()
                .push(get::<i64>(row, 1)?);
        }
    }
    // Sorted keys: concurrent writers lock shared rows in the same order.
    let mut sums: BTreeMap<RollupKey, (i64, i64)> = BTreeMap::new();
    for d in deltas {
        for &a in ancestors.get(&d.unit_id).into_iter().flatten() {
            let e = sums
                .entry((a, d.element_id, d.start, d.end, d.next_end))
                .or_default();
            e.0 = e.0.checked_add(d.sum).ok_or(PersistenceError::Overflow)?;
            e.1 += d.count;
        }
    }
    let rows: Vec<Vec<Value>> = sums
        .into_iter()
        .filter(|(_, (s, c))| *s != 0 || *c != 0)
        .map(|((a, e, s, en, ne), (sum, count))| {
            vec![
                a.into(),
                e.into(),
                s.into(),
                en.into(),
                ne.into(),
                sum.into(),
                count.into(),
            ]
        })
        .collect();
    sql::insert_rows(
        db,
        "data_value_rollup",
        &[
            "ancestor_id",
            "data_element_id",
            "start_month",
            "end_month",
            "next_end",
            "sum_num",
            "value_count",
        ],
        rows,
        "ON CONFLICT (ancestor_id, data_element_id, start_month, end_month, next_end) DO UPDATE SET \
         sum_num = data_value_rollup.sum_num + excluded.sum_num, \
         value_count = data_value_rollup.value_count + excluded.value_count",
    )
    .await?;
    Ok(())
}

/// Recomputes every roll-up row of these ancestors from the stored figures.
pub async fn rebuild(
    db: &impl ConnectionTrait,
    ancestor_ids: &[i64],
) -> Result<(), PersistenceError> {
    if ancestor_ids.is_empty() {
        return Ok(());
    }
    sql::execute_in(
        db,
        "DELETE FROM data_value_rollup WHERE ancestor_id",
        ancestor_ids,
        "",
    )
    .await?;
    sql::execute_in(
        db,
        "INSERT INTO data_value_rollup (ancestor_id, data_element_id, start_month, end_month, next_end, sum_num, value_count) \
         SELECT c.ancestor_id, v.data_element_id, v.start_month, v.end_month, v.next_end, SUM(v.value_num), COUNT(*) \
         FROM data_value v JOIN org_unit_closure c ON c.descendant_id = v.org_unit_id AND c.depth > 0 \
         WHERE v.value_num IS NOT NULL AND c.ancestor_id",
        ancestor_ids,
        " GROUP BY c.ancestor_id, v.data_element_id, v.start_month, v.end_month, v.next_end",
    )
    .await?;
    Ok(())
}

/// The proper ancestors of a unit.
pub async fn ancestors_of(
    db: &impl ConnectionTrait,
    unit: i64,
) -> Result<Vec<i64>, PersistenceError> {
    let rows = sql::query(
        db,
        "SELECT ancestor_id FROM org_unit_closure WHERE descendant_id = ? AND depth > 0",
        vec![unit.into()],
    )
    .await?;
    rows.iter().map(|r| get::<i64>(r, 0)).collect()
}
