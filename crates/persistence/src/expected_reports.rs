//! The expected reports of a data set over a subtree and a period, set-based (see
//! `docs/design/reporting-cycle.md`): (units of the subtree whose kind is assigned ∪ assigned
//! units of the subtree) × (the periods of the set's type inside the period), computed by
//! one statement over the closure table joined with a `VALUES` list of the periods (computed
//! in Rust, each with the instant its report is due), `LEFT JOIN report`. An expected report
//! without a row is `open`.
//!
//! Three reads share that join: [`counts`] (completeness: `GROUP BY` the row unit through the
//! closure, `CASE` counts, so the database counts), [`missing_by_unit`] (how many reports of
//! each unit are neither submitted nor approved) and [`reports`] (the reports themselves, of
//! chosen units).

use std::collections::HashMap;

use chitieu_domain::{Completeness, Period, ReportState, text::NaturalKey};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{
    DataSetId, OrgUnitId, PersistenceError,
    catalogue::period,
    report_cycle::StoredReport,
    sql::{self, InList},
};

/// One period of the data set's type inside the query period, with the last instant (µs)
/// at which a report of it is on time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpectedPeriod {
    /// The period.
    pub period: Period,
    /// End of the due day in Vietnam (`Deadlines::due_at`).
    pub due_at: i64,
}

/// A data set and the periods whose reports are expected.
#[derive(Clone, Copy, Debug)]
pub struct Expected<'a> {
    /// The data set.
    pub data_set: DataSetId,
    /// Its periods inside the query period, in order (at most a few thousand).
    pub periods: &'a [ExpectedPeriod],
}

/// `WITH periods (start_month, end_month, due_at) AS (VALUES …)` and its values.
fn periods_cte(periods: &[ExpectedPeriod]) -> (String, Vec<Value>) {
    let mut sql = String::from("WITH periods (start_month, end_month, due_at) AS (VALUES ");
    let mut values = Vec::with_capacity(periods.len() * 3);
    for (i, p) in periods.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str("(?, ?, ?)");
        values.push(Value::from(p.period.start().index()));
        values.push(Value::from(p.period.end().index()));
        values.push(Value::from(p.due_at));
    }
    sql.push_str(") ");
    (sql, values)
}

/// The join every read shares, after its `SELECT` list: units `u` reached through closure
/// rows `c`, × periods `p`, `LEFT JOIN report r`; then `WHERE` the unit is assigned. Binds
/// the data set three times.
const JOIN: &str = " FROM org_unit_closure c JOIN org_unit u ON u.id = c.descendant_id \
     CROSS JOIN periods p \
     LEFT JOIN report r ON r.data_set_id = ? AND r.org_unit_id = u.id \
       AND r.start_month = p.start_month AND r.end_month = p.end_month \
     WHERE (u.kind IN (SELECT k.kind FROM data_set_kind k WHERE k.data_set_id = ?) \
       OR u.id IN (SELECT a.org_unit_id FROM data_set_unit a WHERE a.data_set_id = ?))";

/// Submitted or approved (what completeness counts as submitted).
const SUBMITTED: &str = "r.state IN ('submitted', 'approved')";

/// The statement head: the periods, `select`, the shared join, with their values.
fn head(expected: Expected<'_>, select: &str) -> (String, Vec<Value>) {
    let (mut sql, mut values) = periods_cte(expected.periods);
    sql.push_str(select);
    sql.push_str(JOIN);
    values.extend([expected.data_set; 3].map(Value::from));
    (sql, values)
}

#[derive(FromQueryResult)]
struct CountRow {
    row_id: OrgUnitId,
    expected: i64,
    submitted: i64,
    on_time: i64,
    approved: i64,
}

/// Completeness of each of `rows` over its whole subtree (itself included), counted by the
/// database. Rows with nothing expected are absent.
pub async fn counts(
    db: &impl ConnectionTrait,
    expected: Expected<'_>,
    rows: &[OrgUnitId],
) -> Result<HashMap<OrgUnitId, Completeness>, PersistenceError> {
    if expected.periods.is_empty() || rows.is_empty() {
        return Ok(HashMap::new());
    }
    let select = format!(
        "SELECT c.ancestor_id AS row_id, COUNT(*) AS expected, \
         SUM(CASE WHEN {SUBMITTED} THEN 1 ELSE 0 END) AS submitted, \
         SUM(CASE WHEN {SUBMITTED} AND r.first_submitted_at <= p.due_at THEN 1 ELSE 0 END) AS on_time, \
         SUM(CASE WHEN r.state = 'approved' THEN 1 ELSE 0 END) AS approved"
    );
    let (mut sql, values) = head(expected, &select);
    sql.push_str(" AND c.ancestor_id");
    let found: Vec<CountRow> = InList::new(&sql, " GROUP BY c.ancestor_id")
        .bind_before(values)
        .query(db, rows)
        .await?;
    let count = |n: i64| u64::try_from(n).map_err(PersistenceError::corrupt);
    found
        .into_iter()
        .map(|r| {
            let c = Completeness::new(
                count(r.expected)?,
                count(r.submitted)?,
                count(r.on_time)?,
                count(r.approved)?,
            )
            .map_err(PersistenceError::corrupt)?;
            Ok((r.row_id, c))
        })
        .collect()
}

#[derive(FromQueryResult)]
struct TotalRow {
    total: i64,
}

/// How many reports are expected of `root` and its descendants down to `max_depth` levels
/// below it (`None`: the whole subtree).
pub async fn count_within(
    db: &impl ConnectionTrait,
    expected: Expected<'_>,
    root: OrgUnitId,
    max_depth: Option<i32>,
) -> Result<u64, PersistenceError> {
    if expected.periods.is_empty() {
        return Ok(0);
    }
    let (mut sql, mut values) = head(expected, "SELECT COUNT(*) AS total");
    sql.push_str(" AND c.ancestor_id = ?");
    values.push(root.into());
    if let Some(depth) = max_depth {
        sql.push_str(" AND c.depth <= ?");
        values.push(depth.into());
    }
    let rows: Vec<TotalRow> = sql::query_as(db, &sql, values).await?;
    let total = rows.first().map_or(0, |r| r.total);
    u64::try_from(total).map_err(PersistenceError::corrupt)
}

/// A unit of the subtree with reports neither submitted nor approved.
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct UnitMissing {
    /// The unit.
    pub org_unit_id: OrgUnitId,
    /// Its code.
    pub code: String,
    /// Its name (for the natural order).
    pub name: String,
    /// How many of its expected reports are missing.
    pub missing: i64,
}

/// Each unit of `root`'s subtree with missing reports, and how many (unordered).
pub async fn missing_by_unit(
    db: &impl ConnectionTrait,
    expected: Expected<'_>,
    root: OrgUnitId,
) -> Result<Vec<UnitMissing>, PersistenceError> {
    if expected.periods.is_empty() {
        return Ok(Vec::new());
    }
    let (mut sql, mut values) = head(
        expected,
        "SELECT u.id AS org_unit_id, u.code, u.name, COUNT(*) AS missing",
    );
    sql.push_str(&format!(
        " AND c.ancestor_id = ? AND (r.state IS NULL OR NOT {SUBMITTED}) \
         GROUP BY u.id, u.code, u.name"
    ));
    values.push(root.into());
    sql::query_as(db, &sql, values).await
}

/// One expected report: the unit, the period, and the stored row (`None`: nothing happened
/// to it yet, so it is `open`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedReport {
    /// The unit.
    pub org_unit_id: OrgUnitId,
    /// Its code.
    pub org_unit: String,
    /// The period.
    pub period: Period,
    /// The stored report, if any.
    pub stored: Option<StoredReport>,
}

#[derive(FromQueryResult)]
struct ReportRow {
    org_unit_id: OrgUnitId,
    org_unit: String,
    start_month: i32,
    end_month: i32,
    state: Option<String>,
    first_submitted_at: Option<i64>,
    submitted_at: Option<i64>,
    submitted_by: Option<String>,
    approved_at: Option<i64>,
    approved_by: Option<String>,
    reason: Option<String>,
}

/// Which of a unit's reports [`reports`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// Every expected report.
    All,
    /// Only those neither submitted nor approved.
    Missing,
}

/// The expected reports of `units` (each unit's own, not its subtree's), unordered.
pub async fn reports(
    db: &impl ConnectionTrait,
    expected: Expected<'_>,
    units: &[OrgUnitId],
    which: Which,
) -> Result<Vec<ExpectedReport>, PersistenceError> {
    if expected.periods.is_empty() || units.is_empty() {
        return Ok(Vec::new());
    }
    let (mut sql, values) = head(
        expected,
        "SELECT u.id AS org_unit_id, u.code AS org_unit, p.start_month, p.end_month, r.state, \
         r.first_submitted_at, r.submitted_at, r.submitted_by, r.approved_at, r.approved_by, \
         r.reason",
    );
    if which == Which::Missing {
        sql.push_str(&format!(" AND (r.state IS NULL OR NOT {SUBMITTED})"));
    }
    sql.push_str(" AND c.depth = 0 AND c.ancestor_id");
    let rows: Vec<ReportRow> = InList::new(&sql, "")
        .bind_before(values)
        .query(db, units)
        .await?;
    rows.into_iter()
        .map(|r| {
            let stored = r
                .state
                .as_deref()
                .map(|state| {
                    Ok::<_, PersistenceError>(StoredReport {
                        state: ReportState::parse(state).map_err(PersistenceError::corrupt)?,
                        first_submitted_at: r.first_submitted_at,
                        submitted_at: r.submitted_at,
                        submitted_by: r.submitted_by.clone(),
                        approved_at: r.approved_at,
                        approved_by: r.approved_by.clone(),
                        reason: r.reason.clone(),
                    })
                })
                .transpose()?;
            Ok(ExpectedReport {
                org_unit_id: r.org_unit_id,
                period: period(r.start_month, r.end_month)?,
                org_unit: r.org_unit,
                stored,
            })
        })
        .collect()
}

/// A unit of a subtree, for ordering it.
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct TreeUnit {
    /// The unit.
    pub id: OrgUnitId,
    /// Its parent (`None` for a root).
    pub parent_id: Option<OrgUnitId>,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
}

/// Every unit of `root`'s subtree down to `max_depth` levels below it (`None`: all), with
/// parent, code and name, unordered.
pub async fn subtree_units(
    db: &impl ConnectionTrait,
    root: OrgUnitId,
    max_depth: Option<i32>,
) -> Result<Vec<TreeUnit>, PersistenceError> {
    let mut sql = String::from(
        "SELECT u.id, u.parent_id, u.code, u.name FROM org_unit_closure c \
         JOIN org_unit u ON u.id = c.descendant_id WHERE c.ancestor_id = ?",
    );
    let mut values: Vec<Value> = vec![root.into()];
    if let Some(depth) = max_depth {
        sql.push_str(" AND c.depth <= ?");
        values.push(depth.into());
    }
    sql::query_as(db, &sql, values).await
}

/// `units` (a subtree, its root first or anywhere) in the order of a tree outline: each
/// parent before its children, siblings in natural order of names (then code), each child's
/// own subtree before the next sibling. Units whose parent is not in the list are roots.
pub fn outline_order(units: &[TreeUnit]) -> Vec<OrgUnitId> {
    let present: std::collections::HashSet<OrgUnitId> = units.iter().map(|u| u.id).collect();
    let mut children: HashMap<Option<OrgUnitId>, Vec<&TreeUnit>> = HashMap::new();
    for u in units {
        let parent = u.parent_id.filter(|p| present.contains(p));
        children.entry(parent).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by_cached_key(|u| (NaturalKey::new(&u.name), u.code.clone()));
    }
    let mut out = Vec::with_capacity(units.len());
    // Depth-first, iteratively: a stack of the remaining siblings at each level.
    let mut stack: Vec<std::slice::Iter<'_, &TreeUnit>> = Vec::new();
    if let Some(roots) = children.get(&None) {
        stack.push(roots.iter());
    }
    while let Some(level) = stack.last_mut() {
        match level.next() {
            Some(unit) => {
                out.push(unit.id);
                if let Some(kids) = children.get(&Some(unit.id)) {
                    stack.push(kids.iter());
                }
            }
            None => {
                stack.pop();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, parent: Option<i64>, name: &str) -> TreeUnit {
        TreeUnit {
            id: OrgUnitId::new(id),
            parent_id: parent.map(OrgUnitId::new),
            code: format!("U{id}"),
            name: name.to_owned(),
        }
    }

    #[test]
    fn an_outline_puts_parents_first_and_siblings_in_natural_order() {
        let units = [
            unit(5, Some(2), "Phường 10"),
            unit(1, Some(99), "Thành phố"),
            unit(2, Some(1), "Phường 2"),
            unit(3, Some(1), "Phường 1"),
            unit(4, Some(3), "Tổ 1"),
            unit(6, Some(1), "Phường 10"),
        ];
        let order: Vec<i64> = outline_order(&units).iter().map(|u| u.get()).collect();
        assert_eq!(order, [1, 3, 4, 2, 5, 6]);
    }
}
