//! API errors as GraphQL errors whose `extensions.code` equals the REST problem code.

use async_graphql::ErrorExtensions;

use crate::ApiError;

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        if let ApiError::Internal(msg) = self {
            tracing::error!(error = %msg, "internal error");
        }
        let problem = self.to_problem();
        async_graphql::Error::new(problem.detail).extend_with(|_, e| {
            e.set("code", problem.code);
            e.set("status", problem.status);
            // A validation error names each field, as REST's `errors[]` does.
            if let Some(errors) = &problem.errors
                && let Ok(value) = async_graphql::Value::from_json(
                    serde_json::to_value(errors).unwrap_or_default(),
                )
            {
                e.set("errors", value);
            }
        })
    }
}

/// Shorthand for resolver results.
pub type GqlResult<T> = async_graphql::Result<T>;

/// Converts an API error at a resolver's edge.
pub fn gql(e: ApiError) -> async_graphql::Error {
    e.extend()
}
