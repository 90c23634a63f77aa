//! Reading data sets (forms): a data set by code with its period type and calendar.

use chitieu_domain::{DataSetCode, PeriodType, Schedule};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{DataSetId, PersistenceError, sql};

/// A data set as the reporting reads need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDataSet {
    /// Internal id.
    pub id: DataSetId,
    /// Its code.
    pub code: DataSetCode,
    /// The type of its periods.
    pub period_type: PeriodType,
    /// Its reporting calendar.
    pub schedule: Schedule,
}

#[derive(FromQueryResult)]
struct DataSetRow {
    id: DataSetId,
    code: String,
    period_type: String,
    cutoff_day: Option<i32>,
    due_days: i32,
    approval_due_days: i32,
    lock_after_days: Option<i32>,
}

/// The data set with this code, if any.
pub async fn load_by_code(
    db: &impl ConnectionTrait,
    code: &DataSetCode,
) -> Result<Option<StoredDataSet>, PersistenceError> {
    let rows: Vec<DataSetRow> = sql::query_as(
        db,
        "SELECT id, code, period_type, cutoff_day, due_days, approval_due_days, lock_after_days \
         FROM data_set WHERE code = ?",
        vec![code.as_str().into()],
    )
    .await?;
    rows.into_iter()
        .next()
        .map(|r| {
            Ok(StoredDataSet {
                id: r.id,
                code: DataSetCode::parse(&r.code).map_err(PersistenceError::corrupt)?,
                period_type: PeriodType::parse(&r.period_type)
                    .map_err(PersistenceError::corrupt)?,
                schedule: Schedule::new(
                    r.cutoff_day.map(i64::from),
                    i64::from(r.due_days),
                    i64::from(r.approval_due_days),
                    r.lock_after_days.map(i64::from),
                )
                .map_err(PersistenceError::corrupt)?,
            })
        })
        .transpose()
}
