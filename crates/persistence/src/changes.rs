//! The change feed behind incremental pulls: stored figures changed since a time, and the
//! deletions since then (tombstones), in one `(changed_at, kind, id)` keyset order.
//!
//! A deleted figure leaves a tombstone in `data_value_deletion`, one per (unit, element,
//! period) key, written by [`record_deletions`] in the same transaction as the delete. A key
//! deleted and written again shows up twice in a feed, the deletion first; applying the feed
//! in order gives the current state.

use chitieu_domain::{Period, Value as DomainValue};
use sea_orm::{ConnectionTrait, Value};

use crate::{
    Micros, PersistenceError, Scope,
    catalogue::period,
    data_values::{DataValueFilter, decode_value, filter_sql},
    sql::{self, MAX_PARAMS, get, placeholders},
};

/// A position in the feed: the change time, 0 for a stored figure or 1 for a deletion, and
/// the row id within its table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FeedKey {
    /// When the change was made.
    pub at: Micros,
    /// 0: a stored figure; 1: a deletion.
    pub kind: i16,
    /// Row id in `data_value` or `data_value_deletion`.
    pub id: i64,
}

/// One entry of the feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Its position.
    pub key: FeedKey,
    /// Data element code.
    pub data_element: String,
    /// Org unit code.
    pub org_unit: String,
    /// Period.
    pub period: Period,
    /// The stored value; `None` for a deletion.
    pub value: Option<DomainValue>,
    /// Comment of a stored figure.
    pub comment: Option<String>,
    /// Who made the change.
    pub changed_by: String,
}

/// Tombstones for the `data_value` rows `ids`, about to be deleted by `by` at `at`. Call it in
/// the deleting transaction, before the delete.
pub async fn record_deletions(
    db: &impl ConnectionTrait,
    ids: &[i64],
    at: Micros,
    by: &str,
) -> Result<(), PersistenceError> {
    for chunk in ids.chunks(MAX_PARAMS - 2) {
        let sql = format!(
            "INSERT INTO data_value_deletion \
             (org_unit_id, data_element_id, start_month, end_month, deleted_at, deleted_by) \
             SELECT org_unit_id, data_element_id, start_month, end_month, ?, ? \
             FROM data_value WHERE id IN ({}) \
             ON CONFLICT (org_unit_id, data_element_id, start_month, end_month) DO UPDATE SET \
             deleted_at = excluded.deleted_at, deleted_by = excluded.deleted_by",
            placeholders(chunk.len())
        );
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() + 2);
        values.push(at.into());
        values.push(by.into());
        values.extend(chunk.iter().map(|&id| Value::from(id)));
        sql::execute(db, &sql, values).await?;
    }
    Ok(())
}

/// Changes inside `scope` matching `filter`, made at or after `since`, in feed order after
/// `after`, at most `limit`.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: Scope,
    filter: &DataValueFilter,
    since: Micros,
    after: Option<FeedKey>,
    limit: u64,
) -> Result<Vec<Change>, PersistenceError> {
    // Each branch is cut at the lowest time still wanted, so both use their time index.
    let from = after.map_or(since, |k| k.at.max(since));
    let mut values: Vec<Value> = Vec::new();
    let mut sql = String::from(
        "SELECT c.at, c.kind, c.id, de.code, de.value_type, u.code, c.start_month, c.end_month, \
         c.value_num, c.value_text, c.comment, c.changed_by FROM (\
         SELECT t.updated_at AS at, 0 AS kind, t.id, t.org_unit_id, t.data_element_id, \
         t.start_month, t.end_month, t.value_num, t.value_text, t.comment, \
         t.updated_by AS changed_by FROM data_value t WHERE t.updated_at >= ?",
    );
    values.push(from.into());
    filter_sql(scope, filter, &mut sql, &mut values);
    sql.push_str(
        " UNION ALL SELECT t.deleted_at, 1, t.id, t.org_unit_id, t.data_element_id, \
         t.start_month, t.end_month, CAST(NULL AS BIGINT), CAST(NULL AS TEXT), \
         CAST(NULL AS TEXT), t.deleted_by FROM data_value_deletion t WHERE t.deleted_at >= ?",
    );
    values.push(from.into());
    filter_sql(scope, filter, &mut sql, &mut values);
    sql.push_str(
        ") c JOIN data_element de ON de.id = c.data_element_id \
         JOIN org_unit u ON u.id = c.org_unit_id",
    );
    if let Some(k) = after {
        sql.push_str(
            " WHERE (c.at > ? OR (c.at = ? AND (c.kind > ? OR (c.kind = ? AND c.id > ?))))",
        );
        values.extend([
            Value::from(k.at),
            Value::from(k.at),
            Value::from(i32::from(k.kind)),
            Value::from(i32::from(k.kind)),
            Value::from(k.id),
        ]);
    }
    sql.push_str(" ORDER BY c.at, c.kind, c.id LIMIT ?");
    values.push((limit as i64).into());
    let rows = sql::query(db, &sql, values).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let kind: i32 = get(row, 1)?;
        let deleted = kind == 1;
        out.push(Change {
            key: FeedKey {
                at: get(row, 0)?,
                kind: if deleted { 1 } else { 0 },
                id: get(row, 2)?,
            },
            data_element: get(row, 3)?,
            org_unit: get(row, 5)?,
            period: period(get(row, 6)?, get(row, 7)?)?,
            value: if deleted {
                None
            } else {
                Some(decode_value(row, 4, 8, 9)?)
            },
            comment: get(row, 10)?,
            changed_by: get(row, 11)?,
        });
    }
    Ok(out)
}
