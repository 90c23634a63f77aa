//! What every resolver needs: the shared state and the authenticated caller.

use async_graphql::Context;

use super::error::{GqlResult, gql};
use crate::{ApiError, AppState, auth::Caller};

/// The state and the caller of this request.
pub fn state_and_caller<'a>(ctx: &'a Context<'_>) -> GqlResult<(&'a AppState, &'a Caller)> {
    let state = ctx
        .data::<AppState>()
        .map_err(|_| gql(ApiError::internal("state missing from GraphQL context")))?;
    let caller = ctx
        .data::<Caller>()
        .map_err(|_| gql(ApiError::Unauthorized("a Bearer token is required".into())))?;
    Ok((state, caller))
}
