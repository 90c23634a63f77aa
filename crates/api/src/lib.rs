//! The HTTP edge of chitieu: REST (the integration contract, documented with utoipa),
//! authentication and authorization, problem+json errors.
//!
//! *API boundary*: request and response types live in `dto`; they are built from domain
//! types and never from sea-orm models.

mod app;
mod assets;
pub mod auth;
mod authz;
mod bounded;
mod config;
mod db_watch;
pub mod demo;
mod dto;
mod error;
mod etag;
pub mod graphql;
mod headers;
mod json;
mod metrics;
mod pages;
mod rest;
pub mod service;
mod state;
mod text_input;
mod upkeep;

pub use app::{App, build, open_state};
pub use config::Config;
pub use error::{ApiError, FieldError, Problem};
pub use rest::openapi;
pub use state::{AppState, Change, ReportChange};
