//! Live aggregates: each data element rolled up over the whole subtree of each requested unit
//! and over every stored period inside the query period, computed by the database in
//! set-based queries (one per aggregation kind), never by looping over figures in Rust.
//!
//! - `sum`: Σ over units and periods — the roll-up rows of the unit plus its own figures.
//! - `average`: Σ / count of the same rows.
//! - `last`: per unit the figure of the latest period inside the query, then Σ over units
//!   (read from the roll-up through each figure's `next_end`).
//! - `none`: only the unit's own figure for exactly the query period.
//!
//! Every sum is taken over the 32-bit parts of the figures (see [`chitieu_domain::sum`]) and
//! joined exactly in `i128`, so no admissible data can make a sum overflow, fail or saturate
//! on either database.

use std::collections::HashMap;

use chitieu_domain::{Aggregation, Period, ValueType, sum::join};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{
    DataElementId, OrgUnitId, PersistenceError,
    rollup::{high, low},
    sql::{self, placeholders},
};

/// An element to aggregate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElementRef {
    /// Element id.
    pub id: DataElementId,
    /// How it rolls up.
    pub aggregation: Aggregation,
    /// Its value type (for the fixed-point scale).
    pub value_type: ValueType,
}

/// Aggregated values keyed by (unit id, element id); absent when there is no data.
pub type Aggregated = HashMap<(OrgUnitId, DataElementId), Decimal>;

fn ids<I: Into<Value> + Copy>(v: &[I]) -> Vec<Value> {
    v.iter().map(|&i| i.into()).collect()
}

/// Aggregates `elements` for each unit in `units` over `period`.
pub async fn aggregate(
    db: &impl ConnectionTrait,
    units: &[OrgUnitId],
    elements: &[ElementRef],
    period: Period,
) -> Result<Aggregated, PersistenceError> {
    let mut out = Aggregated::new();
    if units.is_empty() || elements.is_empty() {
        return Ok(out);
    }
    let by_id: HashMap<DataElementId, &ElementRef> = elements.iter().map(|e| (e.id, e)).collect();
    let of = |kind: Aggregation| -> Vec<DataElementId> {
        elements
            .iter()
            .filter(|e| e.aggregation == kind && e.value_type != ValueType::Text)
            .map(|e| e.id)
            .collect()
    };
    let (qs, qe) = (period.start().index(), period.end().index());
    let unscale = |element: DataElementId, total: i128| {
        by_id
            .get(&element)
            .map_or(ValueType::Integer, |e| e.value_type)
            .unscale_sum(total)
            .ok_or(PersistenceError::Overflow)
    };

    // The three kinds are independent reads: run them at once (separate pool connections).
    let summed: Vec<DataElementId> = [of(Aggregation::Sum), of(Aggregation::Average)].concat();
    let last = of(Aggregation::Last);
    let exact = of(Aggregation::None);
    let (sums, lasts, exacts) = futures::try_join!(
        subtree_sums(db, units, &summed, qs, qe, false),
        subtree_sums(db, units, &last, qs, qe, true),
        exact_rows(db, units, &exact, qs, qe),
    )?;
    for (unit, element, sum, count) in sums {
        if count == 0 {
            continue;
        }
        let total = unscale(element, sum)?;
        let value = match by_id.get(&element).map(|e| e.aggregation) {
            // Rounds at Decimal's 28 significant digits (a mean need not be a finite decimal).
            Some(Aggregation::Average) => total
                .checked_div(Decimal::from(count))
                .ok_or(PersistenceError::Overflow)?
                .normalize(),
            _ => total,
        };
        out.insert((unit, element), value);
    }
    for (unit, element, sum, count) in lasts {
        if count > 0 {
            out.insert((unit, element), unscale(element, sum)?);
        }
    }
    for (unit, element, value, _) in exacts {
        out.insert((unit, element), unscale(element, value)?);
    }
    Ok(out)
}

/// (unit, element, exact sum, count) rows.
pub type SumRows = Vec<(OrgUnitId, DataElementId, i128, i64)>;

/// A row of [`subtree_sums`]: Σ high parts, Σ low parts and count of a unit's element.
#[derive(FromQueryResult)]
struct PartSumRow {
    unit: OrgUnitId,
    element: DataElementId,
    sum_hi: i64,
    sum_lo: i64,
    value_count: i64,
}

/// A figure of [`exact_rows`].
#[derive(FromQueryResult)]
struct FigureRow {
    org_unit_id: OrgUnitId,
    data_element_id: DataElementId,
    value_num: i64,
}

/// Σ and count of `elements` over each unit's subtree and the stored periods inside
/// [`qs`, `qe`]: the unit's roll-up rows plus its own figures, one grouped read.
///
/// With `latest_only`, only each unit's latest figure inside the window counts (`last`): a
/// figure is the latest when its unit's next period of the element ends beyond the window
/// (`next_end > qe`). Roll-up rows carry `next_end`, so this is the same small read.
pub async fn subtree_sums(
    db: &impl ConnectionTrait,
    units: &[OrgUnitId],
    elements: &[DataElementId],
    qs: i32,
    qe: i32,
    latest_only: bool,
) -> Result<SumRows, PersistenceError> {
    if units.is_empty() || elements.is_empty() {
        return Ok(Vec::new());
    }
    let u = placeholders(units.len());
    let e = placeholders(elements.len());
    let (r_next, v_next) = if latest_only {
        ("AND r.next_end > ?", "AND v.next_end > ?")
    } else {
        ("", "")
    };
    // Σ of the high and of the low parts: each stays far inside BIGINT (see
    // chitieu_domain::sum); PostgreSQL's SUM(bigint) is numeric, cast back.
    let (hi, lo) = (high("v.value_num"), low("v.value_num"));
    let sql = format!(
        "SELECT unit, element, CAST(SUM(h) AS BIGINT) AS sum_hi, CAST(SUM(l) AS BIGINT) AS sum_lo, \
         CAST(SUM(n) AS BIGINT) AS value_count FROM ( \
           SELECT r.ancestor_id AS unit, r.data_element_id AS element, r.sum_hi AS h, r.sum_lo AS l, r.value_count AS n \
           FROM data_value_rollup r WHERE r.ancestor_id IN ({u}) AND r.data_element_id IN ({e}) \
           AND r.start_month >= ? AND r.end_month <= ? {r_next} AND r.value_count > 0 \
         UNION ALL \
           SELECT v.org_unit_id, v.data_element_id, {hi}, {lo}, 1 \
           FROM data_value v WHERE v.org_unit_id IN ({u}) AND v.data_element_id IN ({e}) \
           AND v.start_month >= ? AND v.end_month <= ? {v_next} AND v.value_num IS NOT NULL \
         ) x GROUP BY unit, element"
    );
    let mut values = Vec::with_capacity(2 * (units.len() + elements.len() + 3));
    for _ in 0..2 {
        values.extend(ids(units));
        values.extend(ids(elements));
        values.extend([qs.into(), qe.into()]);
        if latest_only {
            values.push(qe.into());
        }
    }
    let rows: Vec<PartSumRow> = sql::query_as(db, &sql, values).await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.unit, r.element, join(r.sum_hi, r.sum_lo), r.value_count))
        .collect())
}

/// none: exactly the unit and the period (count is always 1).
async fn exact_rows(
    db: &impl ConnectionTrait,
    units: &[OrgUnitId],
    exact: &[DataElementId],
    qs: i32,
    qe: i32,
) -> Result<SumRows, PersistenceError> {
    if exact.is_empty() {
        return Ok(Vec::new());
    }
    let u = placeholders(units.len());
    let e = placeholders(exact.len());
    let sql = format!(
        "SELECT org_unit_id, data_element_id, value_num FROM data_value \
         WHERE org_unit_id IN ({u}) AND data_element_id IN ({e}) AND start_month = ? AND end_month = ? \
         AND value_num IS NOT NULL"
    );
    let mut values = ids(units);
    values.extend(ids(exact));
    values.extend([qs.into(), qe.into()]);
    let rows: Vec<FigureRow> = sql::query_as(db, &sql, values).await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.org_unit_id, r.data_element_id, i128::from(r.value_num), 1))
        .collect())
}
