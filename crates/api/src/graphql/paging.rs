//! Relay-style connections: `first` (at most [`MAX_PAGE`]) and `after`, with opaque cursors
//! shared with REST's `next_cursor` encoding.

use async_graphql::{
    OutputType, SimpleObject,
    connection::{Edge, EmptyFields, PageInfo},
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

/// One page of a list, in the shape of a Relay connection: the items with their cursors,
/// and where the page ends.
#[derive(SimpleObject)]
#[graphql(
    concrete(name = "OrgUnitConnection", params(super::org_unit::OrgUnit)),
    concrete(name = "DataElementConnection", params(super::catalogue::DataElement)),
    concrete(name = "IndicatorConnection", params(super::catalogue::Indicator)),
    concrete(name = "TargetConnection", params(super::catalogue::Target)),
    concrete(
        name = "ValidationRuleConnection",
        params(super::catalogue::ValidationRule)
    ),
    concrete(name = "DataValueConnection", params(super::data::DataValue)),
    concrete(
        name = "DataValueChangeConnection",
        params(super::data::DataValueChange)
    ),
    concrete(name = "UserConnection", params(super::access::User)),
    concrete(name = "ApiTokenConnection", params(super::access::ApiToken)),
    concrete(name = "AuditEventConnection", params(super::access::AuditEvent)),
    concrete(name = "ViolationConnection", params(super::types::ViolationGql))
)]
pub struct Page<N: OutputType + Clone> {
    /// The items of this page, each with the cursor to resume after it.
    pub edges: Vec<Edge<String, N, EmptyFields>>,
    /// The items of this page, without cursors.
    pub nodes: Vec<N>,
    /// Whether more items follow, and the cursor to pass as `after` to get them.
    pub page_info: PageInfo,
}

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

/// Decodes an `after` cursor naming a row id (of the table whose id type is `I`).
pub fn after_id<I: std::str::FromStr>(cursor: Option<&str>) -> GqlResult<Option<I>> {
    crate::dto::common::decode_id_cursor(cursor).map_err(gql)
}

/// Builds a connection from `limit + 1` fetched items: `position` is an item's place in the
/// order (what `after` resumes from), `node` its GraphQL object.
pub fn connection<T, N: OutputType + Clone>(
    mut items: Vec<T>,
    limit: u64,
    has_previous: bool,
    position: impl Fn(&T) -> String,
    node: impl Fn(&T) -> N,
) -> Page<N> {
    let has_next = items.len() as u64 > limit;
    items.truncate(limit as usize);
    let cursors: Vec<String> = items.iter().map(|t| encode_cursor(&position(t))).collect();
    let nodes: Vec<N> = items.iter().map(node).collect();
    Page {
        page_info: PageInfo {
            has_previous_page: has_previous,
            has_next_page: has_next,
            start_cursor: cursors.first().cloned(),
            end_cursor: cursors.last().cloned(),
        },
        edges: cursors
            .into_iter()
            .zip(nodes.iter().cloned())
            .map(|(cursor, node)| Edge::new(cursor, node))
            .collect(),
        nodes,
    }
}

/// A connection over a list already in memory (a unit's children), resuming after the item
/// whose position equals the cursor.
pub fn slice<T, N: OutputType + Clone>(
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
