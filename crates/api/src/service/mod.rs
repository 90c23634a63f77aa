//! Use cases shared by every edge (REST, GraphQL, the command line): each authorizes its
//! caller through [`crate::authz`], validates, and writes with its audit event. Edges only
//! translate their wire format to and from these functions.

pub mod access;
pub mod bootstrap;
pub mod callers;
pub mod catalogue;
pub mod data_sets;
pub mod data_values;
pub mod filters;
pub mod metadata;
pub mod notes;
pub mod outliers;
pub mod page;
pub mod projects;
pub mod ranks;
pub mod report_cycle;
pub mod report_reads;
pub mod reports;
pub mod scores;
pub mod sessions;
pub mod single_value;
pub mod submit;
pub mod tree;
pub mod units;

use crate::{ApiError, FieldError};

/// A 422 naming one invalid field.
pub fn invalid(code: &'static str, field: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::Validation {
        code,
        detail: message.clone(),
        errors: vec![FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message,
        }],
    }
}
