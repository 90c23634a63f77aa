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
