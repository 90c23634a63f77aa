//! GraphQL for third-party frontends: the whole product (tree, catalogue, figures,
//! submission, reports, users, tokens, audit, live updates) over the same use cases as REST
//! (`crate::service`) and the same authorization.
//!
//! Map: `http` (transport and hardening), `limits` (document checks), `loaders` (batching),
//! `paging` (connections), `numbers` (exact JSON and `Float` values), one file per area for
//! objects and resolvers.

mod access;
mod catalogue;
mod context;
mod data;
mod error;
mod http;
mod limits;
mod loaders;
mod metadata;
mod numbers;
mod org_unit;
mod paging;
mod query;
mod subscription;
mod tree;
mod types;

use async_graphql::{MergedObject, Schema};

pub use http::{DEFAULT_TIMEOUT, MAX_BODY_BYTES, get, post, websocket};
pub use limits::MAX_FIELDS;
pub use paging::MAX_PAGE;
pub use query::ReportQuery;
pub use subscription::SubscriptionRoot;

/// Every read.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    tree::TreeQuery,
    catalogue::CatalogueQuery,
    data::DataQuery,
    ReportQuery,
    access::AccessQuery,
);

/// Every write.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    data::DataMutation,
    metadata::MetadataMutation,
    access::AccessMutation,
);

/// The served schema.
pub type ChitieuSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Most levels of nesting a query may have.
pub const MAX_DEPTH: usize = 12;
/// Highest cost a query may have (list fields cost their page size times their children).
pub const MAX_COMPLEXITY: usize = 100_000;

/// Builds the schema; introspection and field suggestions follow the configuration (off in
/// the production profile).
pub fn schema(config: &crate::Config) -> ChitieuSchema {
    let builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_recursive_depth(64);
    if config.graphql_introspection {
        builder.finish()
    } else {
        builder
            .disable_introspection()
            .disable_suggestions()
            .finish()
    }
}
