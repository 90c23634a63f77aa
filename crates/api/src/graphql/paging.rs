//! Relay-style connections: `first` (at most [`MAX_PAGE`]) and `after`, built from the
//! service's [`ServicePage`] (the same cursors as REST's `next_cursor`).

use async_graphql::{
    OutputType, SimpleObject,
    connection::{Edge, EmptyFields, PageInfo},
};

use super::error::{GqlResult, gql};
use crate::service::page::{GRAPHQL_DEFAULT, GRAPHQL_MAX, Page as ServicePage, PageRequest};

/// Largest page any list returns.
pub const MAX_PAGE: i32 = GRAPHQL_MAX;
/// Page size when `first` is absent.
pub const DEFAULT_PAGE: i32 = GRAPHQL_DEFAULT;

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

/// The connection of a service [`ServicePage`], each item turned into its GraphQL object.
pub fn connection<T, N: OutputType + Clone>(
    page: ServicePage<T>,
    node: impl Fn(&T) -> N,
) -> Page<N> {
    let nodes: Vec<N> = page.items.iter().map(node).collect();
    Page {
        page_info: PageInfo {
            has_previous_page: page.resumed,
            has_next_page: page.has_more,
            start_cursor: page.cursors.first().cloned(),
            end_cursor: page.cursors.last().cloned(),
        },
        edges: page
            .cursors
            .into_iter()
            .zip(nodes.iter().cloned())
            .map(|(cursor, node)| Edge::new(cursor, node))
            .collect(),
        nodes,
    }
}

/// A connection over a list already in memory (a unit's children, violations), resuming
/// after the item whose position (`key`) the cursor names.
pub fn slice<T: Clone, N: OutputType + Clone, P: std::fmt::Display>(
    items: &[T],
    first: Option<i32>,
    after: Option<&str>,
    key: impl Fn(&T) -> P,
    node: impl Fn(&T) -> N,
) -> GqlResult<Page<N>> {
    let page = PageRequest::graphql(first, after)
        .slice(items, key)
        .map_err(gql)?;
    Ok(connection(page, node))
}

/// What a list field costs in the complexity limit: its page size times its children.
pub fn cost(first: Option<i32>, child_complexity: usize) -> usize {
    let page = first.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE) as usize;
    page.saturating_mul(child_complexity.max(1))
}
