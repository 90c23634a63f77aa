//! Outliers (contract v2, "Outliers"): every stored numeric figure inside a period, of a unit
//! in a subtree, compared with its history, the largest scores kept.
//!
//! The figures are read unit batch by unit batch ([`UNIT_BATCH`] units per statement), each
//! batch ordered by (unit, element, period length, start), so one (unit, element, length)
//! group is scored at a time with `domain::outliers` and memory stays bounded by a batch and
//! the [`Top`] selection of at most [`MAX_OUTLIERS`] flagged figures, whatever the subtree.
//!
//! A figure's history is its unit and element's figures of the same length (number of
//! months) whose last month lies in the 36 months ending with the query period's last month,
//! the figure itself included (added when the query period is longer than 36 months and the
//! figure ends before the window). Only `integer` and `number` elements are scored: a
//! boolean or a text has no meaningful spread.

use std::cmp::{Ordering, Reverse};
use std::collections::HashMap;

use chitieu_domain::{
    Algorithm, Baseline, Bounds, Outlier, Period, Threshold, ValueType, top::Top,
};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{DataElementId, OrgUnitId, PersistenceError, catalogue::period, min_max, sql};

/// Most outliers in one answer.
pub const MAX_OUTLIERS: usize = 500;

/// Months of history, counted back from the query period's last month.
pub const HISTORY_MONTHS: i32 = 36;

/// Units whose figures are read by one statement.
const UNIT_BATCH: usize = 500;

/// What to look for.
#[derive(Clone, Debug)]
pub struct OutlierSearch {
    /// The subtree's root.
    pub root: OrgUnitId,
    /// Figures whose period lies inside this one are checked.
    pub period: Period,
    /// Only these elements (empty: every numeric element).
    pub data_elements: Vec<DataElementId>,
    /// How figures are compared.
    pub algorithm: Algorithm,
    /// The score a figure must exceed (ignored by `min_max`).
    pub threshold: Threshold,
}

/// One flagged figure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundOutlier {
    /// Data element code.
    pub data_element: String,
    /// Org unit code.
    pub org_unit: String,
    /// The figure's period.
    pub period: Period,
    /// The figure.
    pub value: Decimal,
    /// How it compares with its baseline.
    pub outlier: Outlier,
}

/// The ranking of a flagged figure: greater score first, then unit code, element code and
/// period ascending, so equal scores come out in a fixed order.
#[derive(PartialEq, Eq)]
struct Ranked(FoundOutlier);

impl Ranked {
    #[allow(clippy::type_complexity)]
    fn key(&self) -> (Decimal, Reverse<(&str, &str, i32, i32)>) {
        let f = &self.0;
        (
            f.outlier.score,
            Reverse((
                f.org_unit.as_str(),
                f.data_element.as_str(),
                f.period.start().index(),
                f.period.end().index(),
            )),
        )
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(FromQueryResult)]
struct UnitRow {
    org_unit_id: OrgUnitId,
}

#[derive(FromQueryResult)]
struct FigureRow {
    org_unit_id: OrgUnitId,
    org_unit: String,
    data_element_id: DataElementId,
    data_element: String,
    value_type: String,
    start_month: i32,
    end_month: i32,
    value_num: Option<i64>,
}

/// A figure as scored.
struct Figure {
    start: i32,
    end: i32,
    value: Decimal,
}

/// ` AND t.data_element_id IN (…)` (nothing when `elements` is empty), numeric types, and
/// figures holding a number (a figure state holds none and is never scored).
fn element_filter(elements: &[DataElementId], sql: &mut String, values: &mut Vec<Value>) {
    sql.push_str(" AND de.value_type IN ('integer', 'number') AND t.value_num IS NOT NULL");
    if !elements.is_empty() {
        sql.push_str(&format!(
            " AND t.data_element_id IN ({})",
            sql::placeholders(elements.len())
        ));
        values.extend(elements.iter().map(|&e| Value::from(e)));
    }
}

/// The flagged figures of `search`, largest score first, at most [`MAX_OUTLIERS`].
pub async fn find(
    db: &impl ConnectionTrait,
    search: &OutlierSearch,
) -> Result<Vec<FoundOutlier>, PersistenceError> {
    let start = search.period.start().index();
    let end = search.period.end().index();
    let window_start = end - (HISTORY_MONTHS - 1);
    let mut sql = String::from(
        "SELECT DISTINCT t.org_unit_id FROM data_value t \
         JOIN data_element de ON de.id = t.data_element_id \
         WHERE t.org_unit_id IN (SELECT descendant_id FROM org_unit_closure WHERE ancestor_id = ?) \
         AND t.start_month >= ? AND t.end_month <= ?",
    );
    let mut values: Vec<Value> = vec![search.root.into(), start.into(), end.into()];
    element_filter(&search.data_elements, &mut sql, &mut values);
    sql.push_str(" ORDER BY t.org_unit_id");
    let units: Vec<UnitRow> = sql::query_as(db, &sql, values).await?;
    let units: Vec<OrgUnitId> = units.into_iter().map(|u| u.org_unit_id).collect();

    let statistical = search.algorithm != Algorithm::MinMax;
    let mut top = Top::new(MAX_OUTLIERS);
    for batch in units.chunks(UNIT_BATCH) {
        let bounds = if statistical {
            HashMap::new()
        } else {
            min_max::of_units(db, batch).await?
        };
        let mut sql = format!(
            "SELECT t.org_unit_id, u.code AS org_unit, t.data_element_id, de.code AS data_element, \
             de.value_type, t.start_month, t.end_month, t.value_num FROM data_value t \
             JOIN data_element de ON de.id = t.data_element_id \
             JOIN org_unit u ON u.id = t.org_unit_id \
             WHERE t.org_unit_id IN ({})",
            sql::placeholders(batch.len())
        );
        let mut values: Vec<Value> = batch.iter().map(|&u| Value::from(u)).collect();
        element_filter(&search.data_elements, &mut sql, &mut values);
        if statistical {
            sql.push_str(
                " AND ((t.end_month >= ? AND t.end_month <= ?) OR (t.start_month >= ? AND t.end_month <= ?))",
            );
            values.extend([window_start, end, start, end].map(Value::from));
        } else {
            sql.push_str(" AND t.start_month >= ? AND t.end_month <= ?");
            values.extend([start, end].map(Value::from));
        }
        sql.push_str(
            " ORDER BY t.org_unit_id, t.data_element_id, t.end_month - t.start_month, t.start_month",
        );
        let rows: Vec<FigureRow> = sql::query_as(db, &sql, values).await?;
        let mut group: Vec<Figure> = Vec::new();
        let mut rows = rows.into_iter().peekable();
        while let Some(row) = rows.next() {
            let value = ValueType::parse(&row.value_type)
                .map_err(PersistenceError::corrupt)?
                .from_stored(row.value_num, None)
                .and_then(|v| v.as_decimal())
                .ok_or_else(|| PersistenceError::corrupt("stored figure without a number"))?;
            let len = row.end_month - row.start_month;
            group.push(Figure {
                start: row.start_month,
                end: row.end_month,
                value,
            });
            let same_group = rows.peek().is_some_and(|next| {
                next.org_unit_id == row.org_unit_id
                    && next.data_element_id == row.data_element_id
                    && next.end_month - next.start_month == len
            });
            if same_group {
                continue;
            }
            let figures = std::mem::take(&mut group);
            let group_bounds = bounds.get(&(row.org_unit_id, row.data_element_id)).copied();
            for (figure, outlier) in score_group(
                &figures,
                (start, end, window_start),
                search.algorithm,
                search.threshold,
                group_bounds,
            ) {
                top.push(Ranked(FoundOutlier {
                    data_element: row.data_element.clone(),
                    org_unit: row.org_unit.clone(),
                    period: period(figure.start, figure.end)?,
                    value: figure.value,
                    outlier,
                }));
            }
        }
    }
    Ok(top.into_sorted_desc().into_iter().map(|r| r.0).collect())
}

/// The flagged figures of one (unit, element, length) group: those inside the query period
/// `(start, end)`, each against the history of the window starting at `window_start`.
fn score_group(
    figures: &[Figure],
    (start, end, window_start): (i32, i32, i32),
    algorithm: Algorithm,
    threshold: Threshold,
    bounds: Option<Bounds>,
) -> Vec<(&Figure, Outlier)> {
    let history: Vec<Decimal> = figures
        .iter()
        .filter(|f| f.end >= window_start && f.end <= end)
        .map(|f| f.value)
        .collect();
    let baseline = Baseline::of(algorithm, &history, bounds);
    let mut out = Vec::new();
    for figure in figures.iter().filter(|f| f.start >= start && f.end <= end) {
        let own;
        let baseline = if figure.end >= window_start {
            baseline
        } else {
            // Before the window: the figure itself joins its history.
            let mut with_it = history.clone();
            with_it.push(figure.value);
            own = Baseline::of(algorithm, &with_it, bounds);
            own
        };
        if let Some(outlier) = baseline.map(|b| b.assess(figure.value, threshold))
            && outlier.flagged
        {
            out.push((figure, outlier));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn fig(start: i32, end: i32, v: i64) -> Figure {
        Figure {
            start,
            end,
            value: Decimal::from(v),
        }
    }

    #[test]
    fn a_figure_is_scored_against_the_window_including_itself() {
        // Months 0..=11 of history at 10, month 12 at 100: mean 16.92…, z = √12 (the most one of 13 can reach).
        let mut figures: Vec<Figure> = (0..12).map(|m| fig(m, m, 10)).collect();
        figures.push(fig(12, 12, 100));
        let flagged = score_group(
            &figures,
            (12, 12, 12 - 35),
            Algorithm::ZScore,
            Threshold::DEFAULT,
            None,
        );
        assert_eq!(flagged.len(), 1);
        assert_eq!(flagged[0].0.value, Decimal::from(100));
        assert_eq!(flagged[0].1.score.to_string(), "3.464102");
    }

    #[test]
    fn history_outside_the_window_is_ignored() {
        // Only month 40 is in the window [5, 40]: one value, spread 0, score 0.
        let figures = vec![fig(0, 0, 1), fig(1, 1, 1), fig(40, 40, 1000)];
        let flagged = score_group(
            &figures,
            (40, 40, 5),
            Algorithm::ZScore,
            Threshold::new(Decimal::ZERO).unwrap(),
            None,
        );
        assert!(flagged.is_empty(), "spread 0 scores 0, never above 0");
    }

    #[test]
    fn min_max_needs_bounds() {
        let figures = vec![fig(0, 0, 1000)];
        let none = score_group(
            &figures,
            (0, 0, -35),
            Algorithm::MinMax,
            Threshold::DEFAULT,
            None,
        );
        assert!(none.is_empty());
        let bounds = Bounds::new(None, Some(Decimal::from(10))).unwrap();
        let flagged = score_group(
            &figures,
            (0, 0, -35),
            Algorithm::MinMax,
            Threshold::DEFAULT,
            Some(bounds),
        );
        assert_eq!(flagged[0].1.score, Decimal::from(990));
    }
}
