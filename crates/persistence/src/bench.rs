//! Hand-written SQL baselines for `chitieu bench`: what a competent engineer would write
//! directly against the database, to compare the API's ingestion and attainment with.

use chitieu_domain::Period;
use sea_orm::{ConnectionTrait, TransactionTrait, Value};

use crate::{
    Database, PersistenceError,
    sql::{self, placeholders},
};

/// One raw figure: (org unit id, element id, start month, end month, scaled value).
pub type RawFigure = (i64, i64, i32, i32, i64);

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

/// Upserts one batch in one transaction with multi-row `INSERT ... ON CONFLICT DO UPDATE`.
pub async fn raw_upsert(db: &Database, figures: &[RawFigure]) -> Result<(), PersistenceError> {
    let tx = db.conn().begin().await?;
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

/// The best hand-written SQL for the attainment answer: every element summed over each
/// unit's subtree from the roll-up rows plus the unit's own figures, stocks (`last`) through
/// `next_end`. Returns the number of (unit, element) sums.
pub async fn raw_attainment_sums(
    db: &Database,
    units: &[i64],
    summed: &[i64],
    last: &[i64],
    period: Period,
) -> Result<usize, PersistenceError> {
    let (qs, qe) = (period.start().index(), period.end().index());
    let u = placeholders(units.len());
    let ids = |v: &[i64]| v.iter().map(|&i| Value::from(i)).collect::<Vec<Value>>();
    let mut n = 0;
    if !summed.is_empty() {
        let e = placeholders(summed.len());
        let sql = format!(
            "SELECT unit, element, SUM(s) FROM ( \
               SELECT ancestor_id AS unit, data_element_id AS element, sum_num AS s FROM data_value_rollup \
               WHERE ancestor_id IN ({u}) AND data_element_id IN ({e}) AND start_month >= ? AND end_month <= ? \
             UNION ALL \
               SELECT org_unit_id, data_element_id, value_num FROM data_value \
               WHERE org_unit_id IN ({u}) AND data_element_id IN ({e}) AND start_month >= ? AND end_month <= ? \
             ) x GROUP BY unit, element"
        );
        let mut v = ids(units);
        v.extend(ids(summed));
        v.extend([qs.into(), qe.into()]);
        v.extend(ids(units));
        v.extend(ids(summed));
        v.extend([qs.into(), qe.into()]);
        n += sql::query(db.conn(), &sql, v).await?.len();
    }
    if !last.is_empty() {
        let e = placeholders(last.len());
        let sql = format!(
            "SELECT unit, element, SUM(s) FROM ( \
               SELECT ancestor_id AS unit, data_element_id AS element, sum_num AS s FROM data_value_rollup \
               WHERE ancestor_id IN ({u}) AND data_element_id IN ({e}) AND start_month >= ? AND end_month <= ? AND next_end > ? \
             UNION ALL \
               SELECT org_unit_id, data_element_id, value_num FROM data_value \
               WHERE org_unit_id IN ({u}) AND data_element_id IN ({e}) AND start_month >= ? AND end_month <= ? AND next_end > ? \
             ) x GROUP BY unit, element"
        );
        let mut v = ids(units);
        v.extend(ids(last));
        v.extend([qs.into(), qe.into(), qe.into()]);
        v.extend(ids(units));
        v.extend(ids(last));
        v.extend([qs.into(), qe.into(), qe.into()]);
        n += sql::query(db.conn(), &sql, v).await?.len();
    }
    Ok(n)
}
