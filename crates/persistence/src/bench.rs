//! Hand-written SQL baselines for `chitieu bench`: what a competent engineer would write
//! directly against the database, to compare the API's ingestion and attainment with.

use chitieu_domain::Period;
use sea_orm::{ConnectionTrait, Value};

use crate::{DataElementId, Database, OrgUnitId, PersistenceError, aggregates, sql};

/// One raw figure: (org unit id, element id, start month, end month, scaled value).
pub type RawFigure = (OrgUnitId, DataElementId, i32, i32, i64);

/// Creates (empty) the baseline table: the same columns and unique key as `data_value`.
pub async fn create_raw_table(db: &Database) -> Result<(), PersistenceError> {
    let conn = db.conn();
    conn.execute_unprepared("DROP TABLE IF EXISTS bench_raw_value")
        .await?;
    // The same storage work as `data_value`: keys, foreign keys and indexes.
    conn.execute_unprepared(
        "CREATE TABLE bench_raw_value (id BIGINT, org_unit_id BIGINT NOT NULL REFERENCES org_unit (id), \
         data_element_id BIGINT NOT NULL REFERENCES data_element (id), \
         start_month INTEGER NOT NULL, end_month INTEGER NOT NULL, value_num BIGINT, value_text TEXT, \
         comment TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, updated_by VARCHAR(120) NOT NULL)",
    )
    .await?;
    conn.execute_unprepared(
        "CREATE UNIQUE INDEX uq_bench_raw_value ON bench_raw_value (org_unit_id, data_element_id, start_month, end_month)",
    )
    .await?;
    conn.execute_unprepared(
        "CREATE INDEX idx_bench_raw_value_updated ON bench_raw_value (updated_at)",
    )
    .await?;
    Ok(())
}

/// Drops the baseline table.
pub async fn drop_raw_table(db: &Database) -> Result<(), PersistenceError> {
    db.conn()
        .execute_unprepared("DROP TABLE IF EXISTS bench_raw_value")
        .await?;
    Ok(())
}

/// Upserts one batch in one transaction with multi-row `INSERT ... ON CONFLICT DO UPDATE`
/// (begun like every write, by [`Database::write`]).
pub async fn raw_upsert(db: &Database, figures: &[RawFigure]) -> Result<(), PersistenceError> {
    let tx = db.write().await?;
    let now = crate::now_micros();
    let rows: Vec<Vec<Value>> = figures
        .iter()
        .map(|&(u, e, s, en, v)| {
            vec![
                u.into(),
                e.into(),
                s.into(),
                en.into(),
                v.into(),
                now.into(),
                now.into(),
                "bench".into(),
            ]
        })
        .collect();
    sql::insert_rows(
        &tx,
        "bench_raw_value",
        &["org_unit_id", "data_element_id", "start_month", "end_month", "value_num", "created_at", "updated_at", "updated_by"],
        rows,
        "ON CONFLICT (org_unit_id, data_element_id, start_month, end_month) DO UPDATE SET \
         value_num = excluded.value_num, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The hand-written SQL core of the attainment answer, run directly: every element summed
/// over each unit's subtree from the roll-up rows plus the unit's own figures, stocks
/// (`last`) through `next_end` — the same statements the API runs, without the API around
/// them. Returns the number of (unit, element) sums.
pub async fn raw_attainment_sums(
    db: &Database,
    units: &[OrgUnitId],
    summed: &[DataElementId],
    last: &[DataElementId],
    period: Period,
) -> Result<usize, PersistenceError> {
    let (qs, qe) = (period.start().index(), period.end().index());
    let sums = aggregates::subtree_sums(db.conn(), units, summed, qs, qe, false).await?;
    let stocks = aggregates::subtree_sums(db.conn(), units, last, qs, qe, true).await?;
    Ok(sums.len() + stocks.len())
}

/// One seeded report: (org unit, month index, state, first submitted at, approved at), the
/// times in µs.
pub type RawReport = (OrgUnitId, i32, &'static str, Option<i64>, Option<i64>);

/// Bench setup only: a monthly data set `code` assigned to the unit kind `kind` (due 5 days
/// after each month), written directly; returns its id.
pub async fn seed_monthly_data_set(
    db: &Database,
    code: &str,
    kind: &str,
) -> Result<crate::DataSetId, PersistenceError> {
    #[derive(sea_orm::FromQueryResult)]
    struct IdRow {
        id: crate::DataSetId,
    }
    let tx = db.write().await?;
    let now = crate::now_micros();
    sql::execute(
        &tx,
        "INSERT INTO data_set (code, name, period_type, cutoff_day, due_days, approval_due_days, \
         lock_after_days, updated_at) VALUES (?, ?, 'month', NULL, 5, 5, NULL, ?)",
        vec![code.into(), format!("Bench {code}").into(), now.into()],
    )
    .await?;
    let ids: Vec<IdRow> = sql::query_as(
        &tx,
        "SELECT id FROM data_set WHERE code = ?",
        vec![code.into()],
    )
    .await?;
    let id = ids
        .first()
        .map(|r| r.id)
        .ok_or_else(|| PersistenceError::corrupt("the seeded data set vanished"))?;
    sql::execute(
        &tx,
        "INSERT INTO data_set_kind (data_set_id, kind) VALUES (?, ?)",
        vec![id.into(), kind.into()],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Bench setup only: writes `reports` of the monthly data set directly, in one transaction.
pub async fn seed_reports(
    db: &Database,
    data_set: crate::DataSetId,
    reports: &[RawReport],
) -> Result<(), PersistenceError> {
    let tx = db.write().await?;
    let now = crate::now_micros();
    let rows: Vec<Vec<Value>> = reports
        .iter()
        .map(|&(unit, month, state, first, approved)| {
            vec![
                data_set.into(),
                unit.into(),
                month.into(),
                month.into(),
                state.into(),
                first.into(),
                first.into(),
                first.map(|_| "bench").into(),
                approved.into(),
                approved.map(|_| "bench").into(),
                now.into(),
            ]
        })
        .collect();
    sql::insert_rows(
        &tx,
        "report",
        &[
            "data_set_id",
            "org_unit_id",
            "start_month",
            "end_month",
            "state",
            "first_submitted_at",
            "submitted_at",
            "submitted_by",
            "approved_at",
            "approved_by",
            "updated_at",
        ],
        rows,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Report counts of one row unit: (unit, expected, submitted, on time, approved).
pub type RawCounts = (OrgUnitId, i64, i64, i64, i64);

/// The hand-written completeness baseline: for each of `rows`, the reports of the monthly
/// data set expected of the `kind` units of its subtree over `months` (month index, due
/// instant), counted by one `GROUP BY` over closure × months × report.
pub async fn raw_completeness(
    db: &Database,
    data_set: crate::DataSetId,
    kind: &str,
    rows: &[OrgUnitId],
    months: &[(i32, i64)],
) -> Result<Vec<RawCounts>, PersistenceError> {
    #[derive(sea_orm::FromQueryResult)]
    struct Row {
        row_id: OrgUnitId,
        expected: i64,
        submitted: i64,
        on_time: i64,
        approved: i64,
    }
    let mut values: Vec<Value> = Vec::new();
    let months_sql = months
        .iter()
        .map(|&(m, due)| {
            values.push(m.into());
            values.push(due.into());
            "(?, ?)"
        })
        .collect::<Vec<_>>()
        .join(", ");
    values.push(data_set.into());
    values.push(kind.into());
    values.extend(rows.iter().map(|&r| Value::from(r)));
    let sql = format!(
        "WITH m (month, due_at) AS (VALUES {months_sql}) \
         SELECT c.ancestor_id AS row_id, COUNT(*) AS expected, \
         SUM(CASE WHEN r.state IN ('submitted', 'approved') THEN 1 ELSE 0 END) AS submitted, \
         SUM(CASE WHEN r.state IN ('submitted', 'approved') AND r.first_submitted_at <= m.due_at THEN 1 ELSE 0 END) AS on_time, \
         SUM(CASE WHEN r.state = 'approved' THEN 1 ELSE 0 END) AS approved \
         FROM org_unit_closure c JOIN org_unit u ON u.id = c.descendant_id CROSS JOIN m \
         LEFT JOIN report r ON r.data_set_id = ? AND r.org_unit_id = u.id \
           AND r.start_month = m.month AND r.end_month = m.month \
         WHERE u.kind = ? AND c.ancestor_id IN ({}) GROUP BY c.ancestor_id",
        sql::placeholders(rows.len())
    );
    let found: Vec<Row> = sql::query_as(db.conn(), &sql, values).await?;
    Ok(found
        .into_iter()
        .map(|r| (r.row_id, r.expected, r.submitted, r.on_time, r.approved))
        .collect())
}

/// The missing reports of the completeness baseline: how many there are under `root`, and
/// the first `limit` as (unit code, month index) in natural order of unit names (then code),
/// then month — the same answer as the API's `missing`, by the same plan written by hand:
/// one `GROUP BY` of the missing reports per unit, the units sorted, then only the needed
/// units' reports read.
pub async fn raw_missing(
    db: &Database,
    data_set: crate::DataSetId,
    kind: &str,
    root: OrgUnitId,
    months: &[(i32, i64)],
    limit: usize,
) -> Result<(i64, Vec<(String, i32)>), PersistenceError> {
    #[derive(sea_orm::FromQueryResult)]
    struct PerUnit {
        id: OrgUnitId,
        code: String,
        name: String,
        missing: i64,
    }
    #[derive(sea_orm::FromQueryResult)]
    struct One {
        id: OrgUnitId,
        month: i32,
    }
    let months_sql = vec!["(?)"; months.len()].join(", ");
    let month_values = || months.iter().map(|&(m, _)| Value::from(m));
    let not_in = "(r.state IS NULL OR r.state NOT IN ('submitted', 'approved'))";
    let mut values: Vec<Value> = month_values().collect();
    values.extend([data_set.into(), root.into(), kind.into()]);
    let mut units: Vec<PerUnit> = sql::query_as(
        db.conn(),
        &format!(
            "WITH m (month) AS (VALUES {months_sql}) \
             SELECT u.id AS id, u.code AS code, u.name AS name, COUNT(*) AS missing \
             FROM org_unit_closure c JOIN org_unit u ON u.id = c.descendant_id CROSS JOIN m \
             LEFT JOIN report r ON r.data_set_id = ? AND r.org_unit_id = u.id \
               AND r.start_month = m.month AND r.end_month = m.month \
             WHERE c.ancestor_id = ? AND u.kind = ? AND {not_in} GROUP BY u.id, u.code, u.name"
        ),
        values,
    )
    .await?;
    let total = units.iter().map(|u| u.missing).sum();
    units.sort_by_cached_key(|u| {
        (
            chitieu_domain::text::NaturalKey::new(&u.name),
            u.code.clone(),
        )
    });
    let mut needed = Vec::new();
    let mut covered = 0_i64;
    for unit in &units {
        if covered >= limit as i64 {
            break;
        }
        covered += unit.missing;
        needed.push(unit);
    }
    if needed.is_empty() {
        return Ok((total, Vec::new()));
    }
    let mut values: Vec<Value> = month_values().collect();
    values.push(data_set.into());
    values.extend(needed.iter().map(|u| Value::from(u.id)));
    let found: Vec<One> = sql::query_as(
        db.conn(),
        &format!(
            "WITH m (month) AS (VALUES {months_sql}) \
             SELECT u.id AS id, m.month AS month FROM org_unit u CROSS JOIN m \
             LEFT JOIN report r ON r.data_set_id = ? AND r.org_unit_id = u.id \
               AND r.start_month = m.month AND r.end_month = m.month \
             WHERE u.id IN ({}) AND {not_in}",
            sql::placeholders(needed.len())
        ),
        values,
    )
    .await?;
    let rank: std::collections::HashMap<OrgUnitId, usize> =
        needed.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let mut listed: Vec<(usize, i32)> = found
        .iter()
        .filter_map(|r| rank.get(&r.id).map(|&i| (i, r.month)))
        .collect();
    listed.sort_unstable();
    listed.truncate(limit);
    Ok((
        total,
        listed
            .into_iter()
            .map(|(i, month)| (needed[i].code.clone(), month))
            .collect(),
    ))
}
