//! Maintenance of `data_value_rollup`: for every proper ancestor of a unit, the sum and count
//! of the unit's numeric figures per element and stored period.
//!
//! *Architecture invariant*: after every committed transaction, for each ancestor `a`,
//! element `e` and period `p`, `data_value_rollup(a, e, p)` equals the sum and count of
//! `data_value(u, e, p)` over the strict descendants `u` of `a`. Writes apply deltas in the
//! same transaction; moving a subtree rebuilds the rows of every ancestor it left or joined.
//!
//! A row keeps its sum as two part sums, `sum_hi` and `sum_lo` (of `value_num >> 32` and
//! `value_num & 4294967295`, see [`chitieu_domain::sum`]), so neither the upsert's
//! `sum + excluded.sum` nor any later `SUM` can overflow or saturate on either database.
//! Removing a figure subtracts exactly the parts that adding it added.

use std::collections::{BTreeMap, HashMap};

use chitieu_domain::sum::PartSums;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{DataElementId, OrgUnitId, PersistenceError, sql};

/// (ancestor, element, start month, end month, next_end).
type RollupKey = (OrgUnitId, DataElementId, i32, i32, i32);

/// A closure row: `ancestor_id` is a proper ancestor of `descendant_id`.
#[derive(FromQueryResult)]
struct AncestorRow {
    descendant_id: OrgUnitId,
    ancestor_id: OrgUnitId,
}

/// The high part of a stored figure in SQL: `column >> 32`, an arithmetic shift on both
/// databases, exactly [`chitieu_domain::sum::split`]'s `hi`.
pub(crate) fn high(column: &str) -> String {
    format!("({column} >> 32)")
}

/// The low part of a stored figure in SQL: `column & (2^32 − 1)`, exactly
/// [`chitieu_domain::sum::split`]'s `lo` (two's complement on both databases).
pub(crate) fn low(column: &str) -> String {
    format!("({column} & 4294967295)")
}

/// `next_end` of a figure with no later period stored.
pub const NO_NEXT: i32 = i32::MAX;

/// A change of one stored numeric figure: `count` copies of `value` are added (`count` −1
/// removes the figure).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delta {
    /// The unit holding the figure.
    pub unit_id: OrgUnitId,
    /// Its element.
    pub element_id: DataElementId,
    /// First month index of its period.
    pub start: i32,
    /// Last month index of its period.
    pub end: i32,
    /// Last month index of the unit's next stored period of the element ([`NO_NEXT`] if none).
    pub next_end: i32,
    /// The stored figure (scaled integer).
    pub value: i64,
    /// +1 to add the figure, −1 to remove it.
    pub count: i64,
}

/// Adds `deltas` to the roll-up rows of every proper ancestor of their units.
pub async fn apply(db: &impl ConnectionTrait, deltas: &[Delta]) -> Result<(), PersistenceError> {
    if deltas.is_empty() {
        return Ok(());
    }
    let mut units: Vec<OrgUnitId> = deltas.iter().map(|d| d.unit_id).collect();
    units.sort_unstable();
    units.dedup();
    let mut ancestors: HashMap<OrgUnitId, Vec<OrgUnitId>> = HashMap::new();
    let rows: Vec<AncestorRow> = sql::query_in(
        db,
        "SELECT descendant_id, ancestor_id FROM org_unit_closure \
         WHERE depth > 0 AND descendant_id",
        &units,
        "",
    )
    .await?;
    for row in rows {
        ancestors
            .entry(row.descendant_id)
            .or_default()
            .push(row.ancestor_id);
    }
    // Sorted keys: concurrent writers lock shared rows in the same order.
    let mut sums: BTreeMap<RollupKey, (PartSums, i64)> = BTreeMap::new();
    for d in deltas {
        for &a in ancestors.get(&d.unit_id).into_iter().flatten() {
            let e = sums
                .entry((a, d.element_id, d.start, d.end, d.next_end))
                .or_default();
            e.0 =
                e.0.add(d.value, d.count)
                    .ok_or(PersistenceError::Overflow)?;
            e.1 = e.1.checked_add(d.count).ok_or(PersistenceError::Overflow)?;
        }
    }
    let rows: Vec<Vec<Value>> = sums
        .into_iter()
        .filter(|(_, (s, c))| *s != PartSums::default() || *c != 0)
        .map(|((a, e, s, en, ne), (sum, count))| {
            vec![
                a.into(),
                e.into(),
                s.into(),
                en.into(),
                ne.into(),
                sum.hi.into(),
                sum.lo.into(),
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
            "sum_hi",
            "sum_lo",
            "value_count",
        ],
        rows,
        "ON CONFLICT (ancestor_id, data_element_id, start_month, end_month, next_end) DO UPDATE SET \
         sum_hi = data_value_rollup.sum_hi + excluded.sum_hi, \
         sum_lo = data_value_rollup.sum_lo + excluded.sum_lo, \
         value_count = data_value_rollup.value_count + excluded.value_count",
    )
    .await?;
    Ok(())
}

/// Recomputes every roll-up row of these ancestors from the stored figures.
pub async fn rebuild(
    db: &impl ConnectionTrait,
    ancestor_ids: &[OrgUnitId],
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
        &format!(
            "INSERT INTO data_value_rollup (ancestor_id, data_element_id, start_month, end_month, next_end, sum_hi, sum_lo, value_count) \
             SELECT c.ancestor_id, v.data_element_id, v.start_month, v.end_month, v.next_end, SUM({}), SUM({}), COUNT(*) \
             FROM data_value v JOIN org_unit_closure c ON c.descendant_id = v.org_unit_id AND c.depth > 0 \
             WHERE v.value_num IS NOT NULL AND c.ancestor_id",
            high("v.value_num"),
            low("v.value_num")
        ),
        ancestor_ids,
        " GROUP BY c.ancestor_id, v.data_element_id, v.start_month, v.end_month, v.next_end",
    )
    .await?;
    Ok(())
}
