//! Reads of stored figures within the caller's subtree: the figures in storage order, the
//! change feed (figures changed and deleted since a time), and the pull that machine clients
//! page through (either of them, with a cursor that remembers when the pull began and the
//! `updated_since` of the next pull).
//!
//! A pull's next `updated_since` lies one request timeout (plus a second) before the moment
//! the pull began: a figure written by a transaction still open then gets an `updated_at` no
//! earlier than its request began, and no request outlives the timeout, so nothing committed
//! late is missed. What falls inside that overlap is sent twice, which is harmless to apply.

use std::{fmt, str::FromStr, time::Duration};

use chitieu_persistence::{
    DataValueId, Micros, changes,
    data_values::{self, StoredDataValue},
    now_micros,
};

use super::{
    filters::{self, FigureQuery},
    page::{Page, PageRequest, Paging},
};
use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
};

/// Stored figures by id (storage order).
pub async fn list(
    state: &AppState,
    caller: &Caller,
    query: FigureQuery<'_>,
    page: PageRequest<'_>,
) -> Result<Page<StoredDataValue>, ApiError> {
    authorize(caller, Operation::Read)?;
    let paging: Paging<DataValueId> = page.open()?;
    let filter = filters::figure_filter(state, caller, query).await?;
    let rows = data_values::list(
        state.db.conn(),
        caller.scope,
        &filter,
        paging.after,
        paging.fetch(),
    )
    .await?;
    Ok(paging.finish(rows, |v| v.id))
}

/// Changes at or after `since`, in the order they were made, deletions included.
pub async fn changes(
    state: &AppState,
    caller: &Caller,
    query: FigureQuery<'_>,
    since: Micros,
    page: PageRequest<'_>,
) -> Result<Page<changes::Change>, ApiError> {
    authorize(caller, Operation::Read)?;
    let paging: Paging<changes::FeedKey> = page.open()?;
    let filter = filters::figure_filter(state, caller, query).await?;
    let rows = changes::list(
        state.db.conn(),
        caller.scope,
        &filter,
        since,
        paging.after,
        paging.fetch(),
    )
    .await?;
    Ok(paging.finish(rows, |c| c.key))
}

/// One row of a pull: a stored figure (full pull) or a change (incremental pull).
#[derive(Clone, Debug)]
pub enum PullRow {
    /// A stored figure.
    Value(StoredDataValue),
    /// A figure changed or deleted.
    Change(changes::Change),
}

/// A page of a pull.
#[derive(Clone, Debug)]
pub struct Pull {
    /// The rows.
    pub page: Page<PullRow>,
    /// On the last page only: the `updated_since` of the next incremental pull.
    pub next_updated_since: Option<Micros>,
}

/// A full pull (no `since`: the stored figures by id) or an incremental one (the changes at
/// or after `since`); a cursor of one kind does not continue the other.
pub async fn pull(
    state: &AppState,
    caller: &Caller,
    query: FigureQuery<'_>,
    since: Option<Micros>,
    page: PageRequest<'_>,
) -> Result<Pull, ApiError> {
    authorize(caller, Operation::Read)?;
    let paging: Paging<PullCursor> = page.open()?;
    let filter = filters::figure_filter(state, caller, query).await?;
    let started = paging.after.map_or_else(now_micros, |c| c.started);
    let mismatched = || {
        ApiError::bad_request(
            "invalid_cursor",
            "the cursor belongs to another kind of pull",
        )
    };
    let conn = state.db.conn();
    let (scope, fetch) = (caller.scope, paging.fetch());
    let page = match since {
        Some(since) => {
            let after = match paging.after.map(|c| c.position) {
                None => None,
                Some(Position::Feed(k)) => Some(k),
                Some(Position::Id(_)) => return Err(mismatched()),
            };
            let rows = changes::list(conn, scope, &filter, since, after, fetch).await?;
            paging
                .finish(rows, |c| PullCursor {
                    position: Position::Feed(c.key),
                    started,
                })
                .map(PullRow::Change)
        }
        None => {
            let after = match paging.after.map(|c| c.position) {
                None => None,
                Some(Position::Id(id)) => Some(id),
                Some(Position::Feed(_)) => return Err(mismatched()),
            };
            let rows = data_values::list(conn, scope, &filter, after, fetch).await?;
            paging
                .finish(rows, |v| PullCursor {
                    position: Position::Id(v.id),
                    started,
                })
                .map(PullRow::Value)
        }
    };
    let next_updated_since = (!page.has_more).then(|| {
        let lag = state.config.request_timeout + Duration::from_secs(1);
        let lag = i64::try_from(lag.as_micros()).unwrap_or(i64::MAX);
        started.saturating_sub(lag).max(since.unwrap_or(i64::MIN))
    });
    Ok(Pull {
        page,
        next_updated_since,
    })
}

/// Where a page of a pull ends, and when the pull's first page was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PullCursor {
    position: Position,
    started: Micros,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Position {
    /// A full pull: the last row id shown.
    Id(DataValueId),
    /// An incremental pull: the last change shown.
    Feed(changes::FeedKey),
}

/// `i.<id>.<started>` or `f.<feed key>.<started>`.
impl fmt::Display for PullCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Position::Id(id) => write!(f, "i.{id}.{}", self.started),
            Position::Feed(k) => write!(f, "f.{k}.{}", self.started),
        }
    }
}

impl FromStr for PullCursor {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        let (kind, rest) = text.split_at_checked(2).ok_or(())?;
        let (position, started) = rest.rsplit_once('.').ok_or(())?;
        let started: i64 = started.parse().map_err(|_| ())?;
        let position = match kind {
            "i." => Position::Id(position.parse().map_err(|_| ())?),
            "f." => Position::Feed(position.parse().map_err(|_| ())?),
            _ => return Err(()),
        };
        Ok(Self { position, started })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::page::{decode_position, encode_cursor};

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let feed = PullCursor {
            position: Position::Feed(changes::FeedKey {
                at: 1_700_000_000_000_000,
                row: changes::FeedRow::Deletion(chitieu_persistence::DeletionId::new(42)),
            }),
            started: 1_700_000_100_000_000,
        };
        let full = PullCursor {
            position: Position::Id(DataValueId::new(7)),
            started: 5,
        };
        assert_eq!(feed.to_string(), "f.1700000000000000.1.42.1700000100000000");
        assert_eq!(full.to_string(), "i.7.5");
        for c in [feed, full] {
            let decoded = decode_position::<PullCursor>(&encode_cursor(&c.to_string()));
            assert_eq!(decoded.ok(), Some(c));
        }
        for bad in [
            "",
            "eA",
            &encode_cursor("f.1.2.3.4"),
            &encode_cursor("i.1"),
            &encode_cursor("i.1.2.3"),
            &encode_cursor("f.1.0.2"),
            &encode_cursor("f.1.0.2.3.4"),
            &encode_cursor("x.1.2"),
            &encode_cursor("42"),
        ] {
            assert!(decode_position::<PullCursor>(bad).is_err(), "{bad}");
        }
    }
}
