//! Reports of the reporting cycle (one per data set, unit and period): the stored row of one
//! report ([`load`], [`save`]) and the facts a transition is decided on ([`facts`]).
//!
//! An `open` report that nothing happened to has no row; [`load`] answers `None` for it.

pub mod facts;

use chitieu_domain::{Period, ReportState};
use sea_orm::{ConnectionTrait, FromQueryResult};

use crate::{DataSetId, OrgUnitId, PersistenceError, sql};

/// Which report: a data set, a unit, a period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReportKey {
    /// The data set.
    pub data_set: DataSetId,
    /// The reporting unit.
    pub org_unit: OrgUnitId,
    /// The period (one period of the set's type).
    pub period: Period,
}

/// The stored state of a report. Times are microseconds since the epoch; `by` is the
/// acting caller's label (a username or `token:<name>`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReport {
    /// Its state.
    pub state: ReportState,
    /// When it was first submitted (kept through returns and reopenings: timeliness).
    pub first_submitted_at: Option<i64>,
    /// When it was last submitted, while it is submitted, approved or returned.
    pub submitted_at: Option<i64>,
    /// Who last submitted it.
    pub submitted_by: Option<String>,
    /// When it was approved, while it is approved.
    pub approved_at: Option<i64>,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// Why it was returned, while it is returned.
    pub reason: Option<String>,
}

impl StoredReport {
    /// A report nothing happened to yet.
    pub fn untouched() -> Self {
        Self {
            state: ReportState::Open,
            first_submitted_at: None,
            submitted_at: None,
            submitted_by: None,
            approved_at: None,
            approved_by: None,
            reason: None,
        }
    }
}

#[derive(FromQueryResult)]
pub(crate) struct ReportRow {
    pub state: String,
    pub first_submitted_at: Option<i64>,
    pub submitted_at: Option<i64>,
    pub submitted_by: Option<String>,
    pub approved_at: Option<i64>,
    pub approved_by: Option<String>,
    pub reason: Option<String>,
}

impl ReportRow {
    pub(crate) fn decode(self) -> Result<StoredReport, PersistenceError> {
        Ok(StoredReport {
            state: ReportState::parse(&self.state).map_err(PersistenceError::corrupt)?,
            first_submitted_at: self.first_submitted_at,
            submitted_at: self.submitted_at,
            submitted_by: self.submitted_by,
            approved_at: self.approved_at,
            approved_by: self.approved_by,
            reason: self.reason,
        })
    }
}

/// The stored report of `key`; `None` when nothing happened to it yet (it is `open`).
pub async fn load(
    db: &impl ConnectionTrait,
    key: &ReportKey,
) -> Result<Option<StoredReport>, PersistenceError> {
    let rows: Vec<ReportRow> = sql::query_as(
        db,
        "SELECT state, first_submitted_at, submitted_at, submitted_by, approved_at, \
         approved_by, reason FROM report \
         WHERE data_set_id = ? AND org_unit_id = ? AND start_month = ? AND end_month = ?",
        vec![
            key.data_set.into(),
            key.org_unit.into(),
            key.period.start().index().into(),
            key.period.end().index().into(),
        ],
    )
    .await?;
    rows.into_iter().next().map(ReportRow::decode).transpose()
}

/// Stores `report` as the state of `key` (inserted or replaced), stamped `at`.
pub async fn save(
    db: &impl ConnectionTrait,
    key: &ReportKey,
    report: &StoredReport,
    at: i64,
) -> Result<(), PersistenceError> {
    sql::insert_rows(
        db,
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
            "reason",
            "updated_at",
        ],
        vec![vec![
            key.data_set.into(),
            key.org_unit.into(),
            key.period.start().index().into(),
            key.period.end().index().into(),
            report.state.as_str().into(),
            report.first_submitted_at.into(),
            report.submitted_at.into(),
            report.submitted_by.clone().into(),
            report.approved_at.into(),
            report.approved_by.clone().into(),
            report.reason.clone().into(),
            at.into(),
        ]],
        "ON CONFLICT (data_set_id, org_unit_id, start_month, end_month) DO UPDATE SET \
         state = excluded.state, first_submitted_at = excluded.first_submitted_at, \
         submitted_at = excluded.submitted_at, submitted_by = excluded.submitted_by, \
         approved_at = excluded.approved_at, approved_by = excluded.approved_by, \
         reason = excluded.reason, updated_at = excluded.updated_at",
    )
    .await?;
    Ok(())
}
