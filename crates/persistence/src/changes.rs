//! The change feed behind incremental pulls: stored figures changed since a time, and the
//! deletions since then (tombstones), in one `(changed_at, kind, id)` keyset order.
//!
//! A deleted figure leaves a tombstone in `data_value_deletion`, one per (unit, element,
//! period) key, written by [`record_deletions`] in the same transaction as the delete. A key
//! deleted and written again shows up twice in a feed, the deletion first; applying the feed
//! in order gives the current state.

use std::{fmt, str::FromStr};

use chitieu_domain::{Figure, Period};
use sea_orm::{ConnectionTrait, FromQueryResult, Value};

use crate::{
    DataValueId, DeletionId, Micros, PersistenceError, Scope,
    catalogue::period,
    data_values::{DataValueFilter, decode_figure, filter_sql},
    sql::{self, InList},
};

/// The row behind an entry of the feed. Stored figures come before deletions made at the
/// same time (the variants' order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeedRow {
    /// A stored figure (kind 0 in a cursor).
    Value(DataValueId),
    /// A deletion's tombstone (kind 1 in a cursor).
    Deletion(DeletionId),
}

impl FeedRow {
    /// 0 for a stored figure, 1 for a deletion: the `kind` column of the feed.
    fn kind(self) -> i32 {
        match self {
            FeedRow::Value(_) => 0,
            FeedRow::Deletion(_) => 1,
        }
    }

    /// The row id within its table, bound as a value.
    fn id_value(self) -> Value {
        match self {
            FeedRow::Value(id) => id.into(),
            FeedRow::Deletion(id) => id.into(),
        }
    }
}

/// A position in the feed: the change time, then the row (a stored figure before a
/// deletion, then by id within its table). It prints as `at.kind.id` (kind 0 for a figure,
/// 1 for a deletion), the text cursors carry, and parses back from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FeedKey {
    /// When the change was made.
    pub at: Micros,
    /// The row changed.
    pub row: FeedRow,
}

impl fmt::Display for FeedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.row {
            FeedRow::Value(id) => write!(f, "{}.0.{id}", self.at),
            FeedRow::Deletion(id) => write!(f, "{}.1.{id}", self.at),
        }
    }
}

/// Text that is not `at.kind.id` with integers and a kind of 0 or 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a position in the change feed")]
pub struct InvalidFeedKey;

impl FromStr for FeedKey {
    type Err = InvalidFeedKey;

    fn from_str(s: &str) -> Result<Self, InvalidFeedKey> {
        let mut parts = s.split('.');
        let (Some(at), Some(kind), Some(id), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(InvalidFeedKey);
        };
        let at: Micros = at.parse().map_err(|_| InvalidFeedKey)?;
        let kind: i64 = kind.parse().map_err(|_| InvalidFeedKey)?;
        let id: i64 = id.parse().map_err(|_| InvalidFeedKey)?;
        let row = match kind {
            0 => FeedRow::Value(DataValueId::new(id)),
            1 => FeedRow::Deletion(DeletionId::new(id)),
            _ => return Err(InvalidFeedKey),
        };
        Ok(FeedKey { at, row })
    }
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
    /// The stored value or state; `None` for a deletion.
    pub figure: Option<Figure>,
    /// Comment of a stored figure.
    pub comment: Option<String>,
    /// Who made the change.
    pub changed_by: String,
}

/// Tombstones for the `data_value` rows `ids`, about to be deleted by `by` at `at`. Call it in
/// the deleting transaction, before the delete.
pub async fn record_deletions(
    db: &impl ConnectionTrait,
    ids: &[DataValueId],
    at: Micros,
    by: &str,
) -> Result<(), PersistenceError> {
    InList::new(
        "INSERT INTO data_value_deletion \
         (org_unit_id, data_element_id, start_month, end_month, deleted_at, deleted_by) \
         SELECT org_unit_id, data_element_id, start_month, end_month, ?, ? \
         FROM data_value WHERE id",
        " ON CONFLICT (org_unit_id, data_element_id, start_month, end_month) DO UPDATE SET \
         deleted_at = excluded.deleted_at, deleted_by = excluded.deleted_by",
    )
    .bind_before([at.into(), by.into()])
    .execute(db, ids)
    .await?;
    Ok(())
}

/// A row of [`list`]: `kind` says which table `id` belongs to.
#[derive(FromQueryResult)]
struct ChangeRow {
    at: Micros,
    kind: i32,
    id: i64,
    data_element: String,
    value_type: String,
    org_unit: String,
    start_month: i32,
    end_month: i32,
    value_num: Option<i64>,
    value_text: Option<String>,
    state: Option<String>,
    comment: Option<String>,
    changed_by: String,
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
        "SELECT c.at, c.kind, c.id, de.code AS data_element, de.value_type, u.code AS org_unit, \
         c.start_month, c.end_month, c.value_num, c.value_text, c.state, c.comment, c.changed_by \
         FROM (SELECT t.updated_at AS at, 0 AS kind, t.id, t.org_unit_id, t.data_element_id, \
         t.start_month, t.end_month, t.value_num, t.value_text, t.state, t.comment, \
         t.updated_by AS changed_by FROM data_value t WHERE t.updated_at >= ?",
    );
    values.push(from.into());
    filter_sql(scope, filter, &mut sql, &mut values);
    sql.push_str(
        " UNION ALL SELECT t.deleted_at, 1, t.id, t.org_unit_id, t.data_element_id, \
         t.start_month, t.end_month, CAST(NULL AS BIGINT), CAST(NULL AS TEXT), \
         CAST(NULL AS TEXT), CAST(NULL AS TEXT), t.deleted_by FROM data_value_deletion t WHERE t.deleted_at >= ?",
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
            Value::from(k.row.kind()),
            Value::from(k.row.kind()),
            k.row.id_value(),
        ]);
    }
    sql.push_str(" ORDER BY c.at, c.kind, c.id LIMIT ?");
    values.push((limit as i64).into());
    let rows: Vec<ChangeRow> = sql::query_as(db, &sql, values).await?;
    rows.into_iter()
        .map(|r| {
            let deleted = r.kind == 1;
            Ok(Change {
                key: FeedKey {
                    at: r.at,
                    row: if deleted {
                        FeedRow::Deletion(DeletionId::new(r.id))
                    } else {
                        FeedRow::Value(DataValueId::new(r.id))
                    },
                },
                period: period(r.start_month, r.end_month)?,
                figure: if deleted {
                    None
                } else {
                    Some(decode_figure(
                        &r.value_type,
                        r.value_num,
                        r.value_text.as_deref(),
                        r.state.as_deref(),
                    )?)
                },
                data_element: r.data_element,
                org_unit: r.org_unit,
                comment: r.comment,
                changed_by: r.changed_by,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(at: Micros, row: FeedRow) -> FeedKey {
        FeedKey { at, row }
    }

    #[test]
    fn a_feed_key_prints_as_at_kind_id_and_parses_back() {
        let figure = key(1_700_000_000_000_000, FeedRow::Value(DataValueId::new(42)));
        let deletion = key(-5, FeedRow::Deletion(DeletionId::new(7)));
        assert_eq!(figure.to_string(), "1700000000000000.0.42");
        assert_eq!(deletion.to_string(), "-5.1.7");
        for k in [figure, deletion] {
            assert_eq!(k.to_string().parse::<FeedKey>(), Ok(k));
        }
    }

    #[test]
    fn anything_else_is_not_a_feed_key() {
        for text in [
            "", "1.0", "1.2.3", "1.0.3.4", "1.0.x", "a.0.1", "1..1", "1.-1.1", "1.0.1.",
        ] {
            assert_eq!(text.parse::<FeedKey>(), Err(InvalidFeedKey), "{text}");
        }
    }

    #[test]
    fn the_feed_is_ordered_by_time_then_figures_before_deletions_then_id() {
        let mut keys = [
            key(2, FeedRow::Value(DataValueId::new(1))),
            key(1, FeedRow::Deletion(DeletionId::new(1))),
            key(1, FeedRow::Value(DataValueId::new(9))),
            key(1, FeedRow::Value(DataValueId::new(3))),
            key(1, FeedRow::Deletion(DeletionId::new(0))),
        ];
        keys.sort();
        let text: Vec<String> = keys.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["1.0.3", "1.0.9", "1.1.0", "1.1.1", "2.0.1"]);
    }
}
