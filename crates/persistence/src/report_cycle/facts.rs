//! What a transition is decided on, looked up set-based through the closure table: where the
//! report's unit lies from the caller's unit, the reports below it that are not approved, and
//! whether a report above it is submitted.

use chitieu_domain::{OrgUnitCode, ReportState};
use sea_orm::{ConnectionTrait, FromQueryResult};

use super::ReportKey;
use crate::{OrgUnitId, PersistenceError, sql};

/// Most not-approved reports below a unit that [`pending_below`] lists.
pub const MAX_PENDING_LISTED: usize = 100;

#[derive(FromQueryResult)]
struct Depth {
    depth: i32,
}

/// The depth of `unit` below `ancestor` (0: the unit itself); `None` when it is not in
/// `ancestor`'s subtree.
pub async fn depth_below(
    db: &impl ConnectionTrait,
    ancestor: OrgUnitId,
    unit: OrgUnitId,
) -> Result<Option<u32>, PersistenceError> {
    let rows: Vec<Depth> = sql::query_as(
        db,
        "SELECT depth FROM org_unit_closure WHERE ancestor_id = ? AND descendant_id = ?",
        vec![ancestor.into(), unit.into()],
    )
    .await?;
    Ok(rows.first().map(|r| u32::try_from(r.depth).unwrap_or(0)))
}

/// Locks the org-unit rows of `unit` and its ancestors, in id order (PostgreSQL; SQLite has
/// one writer already). Transitions of a unit and of its ancestors queue here, so a child's
/// reopening and its parent's submission cannot both pass their checks; figure writes to the
/// unit (which lock its row the same way) queue behind a transition of its report.
pub async fn lock_chain(
    db: &impl ConnectionTrait,
    unit: OrgUnitId,
) -> Result<(), PersistenceError> {
    if db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    sql::query(
        db,
        "SELECT id FROM org_unit WHERE id IN \
         (SELECT ancestor_id FROM org_unit_closure WHERE descendant_id = ?) \
         ORDER BY id FOR UPDATE",
        vec![unit.into()],
    )
    .await?;
    Ok(())
}

/// A report below a unit that is not approved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Its unit.
    pub org_unit: OrgUnitCode,
    /// Its state (`open` when nothing happened to it).
    pub state: ReportState,
}

#[derive(FromQueryResult)]
struct PendingRow {
    code: String,
    state: Option<String>,
}

/// The expected reports of `key`'s data set and period in the **proper** subtree of `key`'s
/// unit that are not approved: the units below it whose kind the set is assigned to or that
/// it names. Nearest first, then by code; at most [`MAX_PENDING_LISTED`] + 1 (one more tells
/// the list was cut). One statement.
pub async fn pending_below(
    db: &impl ConnectionTrait,
    key: &ReportKey,
) -> Result<Vec<Pending>, PersistenceError> {
    let rows: Vec<PendingRow> = sql::query_as(
        db,
        &format!(
            "SELECT u.code, r.state FROM org_unit_closure c \
             JOIN org_unit u ON u.id = c.descendant_id \
             LEFT JOIN report r ON r.data_set_id = ? AND r.org_unit_id = u.id \
               AND r.start_month = ? AND r.end_month = ? \
             WHERE c.ancestor_id = ? AND c.depth > 0 \
               AND (EXISTS (SELECT 1 FROM data_set_kind k WHERE k.data_set_id = ? AND k.kind = u.kind) \
                 OR EXISTS (SELECT 1 FROM data_set_unit a WHERE a.data_set_id = ? AND a.org_unit_id = u.id)) \
               AND (r.state IS NULL OR r.state <> 'approved') \
             ORDER BY c.depth, u.code LIMIT {}",
            MAX_PENDING_LISTED + 1
        ),
        vec![
            key.data_set.into(),
            key.period.start().index().into(),
            key.period.end().index().into(),
            key.org_unit.into(),
            key.data_set.into(),
            key.data_set.into(),
        ],
    )
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Pending {
                org_unit: OrgUnitCode::parse(&r.code).map_err(PersistenceError::corrupt)?,
                state: match r.state {
                    Some(s) => ReportState::parse(&s).map_err(PersistenceError::corrupt)?,
                    None => ReportState::Open,
                },
            })
        })
        .collect()
}

/// Whether a report of `key`'s data set and period of a **proper** ancestor of `key`'s unit
/// is submitted or approved. One statement.
pub async fn ancestor_submitted(
    db: &impl ConnectionTrait,
    key: &ReportKey,
) -> Result<bool, PersistenceError> {
    let rows = sql::query(
        db,
        "SELECT 1 AS hit FROM org_unit_closure c \
         JOIN report r ON r.org_unit_id = c.ancestor_id AND r.data_set_id = ? \
           AND r.start_month = ? AND r.end_month = ? \
         WHERE c.descendant_id = ? AND c.depth > 0 AND r.state IN ('submitted', 'approved')",
        vec![
            key.data_set.into(),
            key.period.start().index().into(),
            key.period.end().index().into(),
            key.org_unit.into(),
        ],
    )
    .await?;
    Ok(!rows.is_empty())
}
