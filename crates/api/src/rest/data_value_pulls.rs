//! `GET /api/v1/data-values`: full pulls in storage order, and incremental pulls
//! (`updated_since`) in change order with deletions, both paged by keyset cursors.
//!
//! The last page of a pull carries `Chitieu-Next-Updated-Since`, the `updated_since` of the
//! next pull. It lies one request timeout (plus a second) before the moment the pull began:
//! a figure written by a transaction still open then gets an `updated_at` no earlier than
//! its request began, and no request outlives the timeout, so nothing committed late is
//! missed. What falls inside that overlap is sent twice, which is harmless to apply.

use std::time::Duration;

use axum::{
    Json,
    extract::State,
    http::{HeaderName, HeaderValue},
    response::{IntoResponse, Response},
};
use chitieu_persistence::{DataValueId, changes, data_values, now_micros};

use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
    dto::{
        common::{decode_cursor, page_size, parse_rfc3339, rfc3339, split_page},
        data_values::{DataValueDto, DataValueList, DataValueQuery},
    },
    json::ApiQuery,
    service::filters::{self, FigureQuery},
};

/// Response header of a pull's last page: the `updated_since` of the next pull.
const NEXT_UPDATED_SINCE: HeaderName = HeaderName::from_static("chitieu-next-updated-since");

/// Where a page ends, and when the pull's first page was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PullCursor {
    position: Position,
    started: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Position {
    /// A full pull: the last row id shown.
    Id(DataValueId),
    /// An incremental pull: the last change shown.
    Feed(changes::FeedKey),
}

impl PullCursor {
    /// The position as text; `split_page` makes the opaque cursor of it.
    fn text(self) -> String {
        match self.position {
            Position::Id(id) => format!("i.{id}.{}", self.started),
            Position::Feed(k) => format!("f.{k}.{}", self.started),
        }
    }

    fn decode(cursor: &str) -> Result<Self, ApiError> {
        let bad =
            || ApiError::bad_request("invalid_cursor", "the cursor is not one this API issued");
        let text = decode_cursor(cursor)?;
        // `i.<id>.<started>` or `f.<feed key>.<started>`.
        let (kind, rest) = text.split_at_checked(2).ok_or_else(bad)?;
        let (position, started) = rest.rsplit_once('.').ok_or_else(bad)?;
        let started: i64 = started.parse().map_err(|_| bad())?;
        let position = match kind {
            "i." => Position::Id(position.parse().map_err(|_| bad())?),
            "f." => Position::Feed(position.parse().map_err(|_| bad())?),
            _ => return Err(bad()),
        };
        Ok(Self { position, started })
    }
}

/// Read stored figures: a full pull, or an incremental pull with `updated_since`.
///
/// Without `updated_since`, the stored figures in storage order. With it, every change made
/// at or after that time in the order the changes were made, a deleted figure included as
/// a marker with `deleted: true` and `value: null`. Page with `cursor` until `next_cursor`
/// is absent; that last page's `Chitieu-Next-Updated-Since` header is the `updated_since` of
/// the next pull. The body carries a strong `ETag`; send it back in `If-None-Match` to get
/// 304 when nothing changed.
#[utoipa::path(get, path = "/api/v1/data-values", tag = "data-values", operation_id = "list_data_values",
    params(DataValueQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "Stored figures, or the changes since `updated_since`", body = DataValueList,
            headers(("chitieu-next-updated-since" = String, description = "On the last page only: the `updated_since` of the next incremental pull (RFC 3339)"))),
        (status = 400, description = "Invalid filter, timestamp, cursor or limit", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown org unit or data element", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_data_values(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DataValueQuery>,
) -> Result<Response, ApiError> {
    authorize(&caller, Operation::Read)?;
    let limit = page_size(q.limit, 1000, 10_000)?;
    let cursor = q.cursor.as_deref().map(PullCursor::decode).transpose()?;
    let since = q
        .updated_since
        .as_deref()
        .map(|t| parse_rfc3339("updated_since", t))
        .transpose()?;
    let query = FigureQuery {
        org_unit: q.org_unit.as_deref(),
        include_descendants: q.children,
        period: q.period.as_deref(),
        data_element: q.data_element.as_deref(),
    };
    let filter = filters::figure_filter(&state, &caller, query).await?;
    let started = cursor.map_or_else(now_micros, |c| c.started);
    let mismatched = || {
        ApiError::bad_request(
            "invalid_cursor",
            "the cursor belongs to another kind of pull",
        )
    };
    let conn = state.db.conn();
    let (data_values, next_cursor) = match since {
        Some(since) => {
            let after = match cursor.map(|c| c.position) {
                None => None,
                Some(Position::Feed(k)) => Some(k),
                Some(Position::Id(_)) => return Err(mismatched()),
            };
            let rows = changes::list(conn, caller.scope, &filter, since, after, limit + 1).await?;
            let (rows, next) = split_page(rows, limit, |c| {
                PullCursor {
                    position: Position::Feed(c.key),
                    started,
                }
                .text()
            });
            (rows.iter().map(DataValueDto::from).collect(), next)
        }
        None => {
            let after = match cursor.map(|c| c.position) {
                None => None,
                Some(Position::Id(id)) => Some(id),
                Some(Position::Feed(_)) => return Err(mismatched()),
            };
            let rows = data_values::list(conn, caller.scope, &filter, after, limit + 1).await?;
            let (rows, next) = split_page(rows, limit, |v| {
                PullCursor {
                    position: Position::Id(v.id),
                    started,
                }
                .text()
            });
            (rows.iter().map(DataValueDto::from).collect(), next)
        }
    };
    let last_page = next_cursor.is_none();
    let mut res = Json(DataValueList {
        data_values,
        next_cursor,
    })
    .into_response();
    if last_page {
        let lag = state.config.request_timeout + Duration::from_secs(1);
        let lag = i64::try_from(lag.as_micros()).unwrap_or(i64::MAX);
        let next = started.saturating_sub(lag).max(since.unwrap_or(i64::MIN));
        if let Ok(v) = HeaderValue::from_str(&rfc3339(next)) {
            res.headers_mut().insert(NEXT_UPDATED_SINCE, v);
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::common::encode_cursor;

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
        assert_eq!(feed.text(), "f.1700000000000000.1.42.1700000100000000");
        assert_eq!(full.text(), "i.7.5");
        for c in [feed, full] {
            assert_eq!(PullCursor::decode(&encode_cursor(&c.text())).ok(), Some(c));
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
            assert!(PullCursor::decode(bad).is_err(), "{bad}");
        }
    }
}
