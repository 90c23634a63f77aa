//! GraphQL for third-party frontends, over the same read side as REST (`crate::reports`) and
//! the same authorization. The full schema grows here; it starts with the aggregate queries.

mod error;
mod query;
mod types;

use async_graphql::{EmptyMutation, EmptySubscription, Schema, http::GraphiQLSource};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{
    extract::State,
    response::{Html, IntoResponse},
};

use crate::{AppState, auth::Caller};

pub use query::QueryRoot;

/// The served schema.
pub type ChitieuSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Builds the schema (limits apply to every request).
pub fn schema() -> ChitieuSchema {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .limit_depth(12)
        .limit_complexity(2_000)
        .finish()
}

/// `POST /graphql`: needs a token like every `/api/v1` route.
pub async fn graphql_handler(
    State(state): State<AppState>,
    caller: Caller,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let request = request.into_inner().data(state.clone()).data(caller);
    state.graphql.execute(request).await.into()
}

/// `GET /graphql`: GraphiQL.
pub async fn graphiql() -> impl IntoResponse {
    Html(GraphiQLSource::build().endpoint("/graphql").finish())
}
