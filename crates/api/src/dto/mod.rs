//! Request and response types of the REST API, built from domain types. Field names are
//! snake_case as the contract requires.

pub mod access;
pub mod auth;
pub mod catalogue;
pub mod common;
pub mod data_sets;
pub mod data_values;
pub mod data_values_csv;
pub mod metadata;
pub mod metadata_cycle;
pub mod metadata_projects;
mod metadata_rules;
pub mod notes;
pub mod org_units;
pub mod outliers;
pub mod projects;
pub mod report_cycle;
pub mod report_reads;
pub mod reports;
pub mod scores;
