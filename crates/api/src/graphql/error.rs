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
            // A transition waiting for reports names them, as REST's `children` does.
            if let Some(children) = &problem.children
                && let Ok(value) = async_graphql::Value::from_json(
                    serde_json::to_value(children).unwrap_or_default(),
                )
            {
                e.set("children", value);
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

/// A request-level GraphQL error (no path) for an API error, at `locations` in the document.
pub fn request_error(
    e: &ApiError,
    locations: Vec<async_graphql::Pos>,
) -> async_graphql::ServerError {
    let error = e.extend();
    let mut server_error = async_graphql::ServerError::new(error.message, None);
    server_error.locations = locations;
    server_error.extensions = error.extensions;
    server_error
}

/// Gives a request-level error that async-graphql raised without one (its validation rules,
/// an unknown operation) the code `code`, with status 400.
pub fn with_code(
    mut e: async_graphql::ServerError,
    code: &'static str,
) -> async_graphql::ServerError {
    let has_code = e
        .extensions
        .as_ref()
        .is_some_and(|x| x.get("code").is_some());
    if !has_code {
        let extensions = e.extensions.get_or_insert_with(Default::default);
        extensions.set("code", code);
        extensions.set("status", 400);
    }
    e
}
