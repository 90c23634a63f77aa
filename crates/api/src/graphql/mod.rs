//! GraphQL for third-party frontends: the whole product (tree, catalogue, figures,
//! submission, reports, users, tokens, audit, live updates) over the same use cases as REST
//! (`crate::service`) and the same authorization.
//!
//! Map: `http` and `ws` (the two transports and their own refusals), `pipeline` (the one path
//! every operation takes: document checks, rate limit, time limit, refusal audit), `limits`
//! (linear document checks: fragments, size, depth), `validation` (codes on async-graphql's
//! validation errors, the cost limit), `loaders` (batching), `paging` (connections), `numbers` (exact JSON and `Float`
//! values), one file
//! per area for objects and resolvers.

mod access;
mod batching;
mod catalogue;
mod context;
mod data;
mod data_sets;
mod error;
mod http;
mod limits;
mod loaders;
mod metadata;
mod numbers;
mod org_unit;
mod outliers;
mod paging;
mod pipeline;
mod projects;
mod query;
mod report_cycle;
mod report_reads;
mod scores;
mod single_value;
mod subscription;
mod tree;
mod types;
mod validation;
mod ws;

use async_graphql::{MergedObject, Schema};

pub use http::{DEFAULT_TIMEOUT, MAX_BODY_BYTES, get, post};
pub use limits::{
    MAX_ARGUMENTS, MAX_DEPTH, MAX_FIELDS, MAX_INTROSPECTION_DEPTH, MAX_INTROSPECTION_LISTS,
    MAX_NESTING, MAX_VARIABLE_REFERENCES, MAX_VARIABLES,
};
pub use paging::MAX_PAGE;
pub use query::ReportQuery;
pub use subscription::SubscriptionRoot;
pub use validation::MAX_COMPLEXITY;
pub use ws::websocket;

/// Every read.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    tree::TreeQuery,
    catalogue::CatalogueQuery,
    data_sets::DataSetsQuery,
    data::DataQuery,
    single_value::SingleValueQuery,
    ReportQuery,
    outliers::OutlierQueryRoot,
    report_reads::ReportCycleQuery,
    access::AccessQuery,
    scores::ScoresQueryRoot,
    projects::ProjectsQuery,
);

/// Every write.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    data::DataMutation,
    single_value::SingleValueMutation,
    metadata::MetadataMutation,
    report_cycle::ReportCycleMutation,
    access::AccessMutation,
    projects::ProjectsMutation,
);

/// The served schema.
pub type ChitieuSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema; introspection and field suggestions follow the configuration (off in
/// the production profile). The depth and size limits are `limits`' (applied before the
/// schema sees a document), the cost limit is `validation`'s.
pub fn schema(config: &crate::Config) -> ChitieuSchema {
    let builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .extension(validation::CodedValidation)
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
