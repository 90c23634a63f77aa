//! async-graphql's validation as our clients see it: every validation error carries
//! `extensions.code` (`graphql_validation_failed`), and the cost limit is applied to the
//! complexity async-graphql computes (a list costs its page size times its selection), as
//! `query_too_complex`. The document reaching this point already passed `limits::check`, so
//! async-graphql's own passes over it are cheap.

use std::sync::Arc;

use async_graphql::{
    ServerError, ValidationResult,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation},
};

use super::error::{request_error, with_code};
use crate::ApiError;

/// Highest cost a query may have (list fields cost their page size times their children).
pub const MAX_COMPLEXITY: usize = 100_000;

/// The extension, installed on the schema: every transport goes through it.
pub struct CodedValidation;

impl ExtensionFactory for CodedValidation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CodedValidation)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for CodedValidation {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| with_code(e, "graphql_validation_failed"))
                .collect::<Vec<_>>()
        })?;
        if result.complexity > MAX_COMPLEXITY {
            let refusal = ApiError::bad_request(
                "query_too_complex",
                format!(
                    "the query costs {} (a list costs its page size times its selection); \
                     at most {MAX_COMPLEXITY} is allowed",
                    result.complexity
                ),
            );
            return Err(vec![request_error(&refusal, Vec::new())]);
        }
        Ok(result)
    }
}
