//! Relay-style connections: `first` (at most [`MAX_PAGE`]) and `after`, with opaque cursors
//! shared with REST's `next_cursor` encoding.

use async_graphql::{
    OutputType,
    connection::{Connection, Edge},
};

use super::error::{GqlResult, gql};
use crate::{
    ApiError,
    dto::common::{decode_cursor, encode_cursor},
};

/// Largest page any list returns.
pub const MAX_PAGE: i32 = 500;
/// Page size when `first` is absent.
pub const DEFAULT_PAGE: i32 = 100;

/// A page of nodes (a Relay connection with string cursors).
pub type Page<N> = Connection<String, N>;

/// Checks `first`: 1..=[`MAX_PAGE`], default [`DEFAULT_PAGE`].
pub fn page_size(first: Option<i32>) -> GqlResult<u64> {
    match first.unwrap_or(DEFAULT_PAGE) {
        n if (1..=MAX_PAGE).contains(&n) => Ok(n as u64),
        _ => Err(gql(ApiError::bad_request(
            "invalid_limit",
            format!("first must be between 1 and {MAX_PAGE}"),
        ))),
    }
}

/// Decodes an `after` cursor into the position it names.
pub fn after(cursor: Option<&str>) -> GqlResult<Option<String>> {
    cursor.map(|c| decode_cursor(c).map_err(gql)).transpose()
}

/// Decodes an `after` cursor naming a row id.
pub fn after_id(cursor: Option<&str>) -> GqlResult<Option<i64>> {
    crate::dto::common::decode_id_cursor(cursor).map_err(gql)
}

/// Builds a connection from `limit + 1` fetched items: `position` is an item's place in the
/// order (what `after` resumes from), `node` its GraphQL object.
pub fn connection<T, N: OutputType>(
    mut items: Vec<T>,
    limit: u64,
    has_previous: bool,
    position: impl Fn(&T) -> String,
    node: impl Fn(&T) -> N,
) -> Page<N> {
    let has_next = items.len() as u64 > limit;
    items.truncate(limit as usize);
    let mut page = Connection::new(has_previous, has_next);
    page.edges.extend(
        items
            .iter()
            .map(|t| Edge::new(encode_cursor(&position(t)), node(t))),
    );
    page
}

/// A connection over a list already in memory (a unit's children), resuming after the item
/// whose position equals the cursor.
pub fn slice<T, N: OutputType>(
    items: &[T],
    first: Option<i32>,
    after_cursor: Option<&str>,
    position: impl Fn(&T) -> String,
    node: impl Fn(&T) -> N,
) -> GqlResult<Page<N>> {
    let limit = page_size(first)?;
    let start = match after(after_cursor)? {
        None => 0,
        Some(p) => items
            .iter()
            .position(|t| position(t) == p)
            .map(|i| i + 1)
            .ok_or_else(|| {
                gql(ApiError::bad_request(
                    "invalid_cursor",
                    "the cursor is not one this API issued",
                ))
            })?,
    };
    let rest: Vec<&T> = items.iter().skip(start).take(limit as usize + 1).collect();
    Ok(connection(
        rest,
        limit,
        start > 0,
        |t| position(t),
        |t| node(t),
    ))
}

/// What a list field costs in the complexity limit: its page size times its children.
pub fn cost(first: Option<i32>, child_complexity: usize) -> usize {
    let page = first.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE) as usize;
    page.saturating_mul(child_complexity.max(1))
}
