//! Persistence for chitieu: hand-written, set-based SQL that runs identically on SQLite (the
//! embedded default) and PostgreSQL (production), over sea-orm's connection.
//!
//! *Architecture invariant*: this crate turns domain types into rows and back; it never sees
//! HTTP or GraphQL types. Every function that writes takes a `&impl ConnectionTrait`, so the
//! caller decides the transaction boundary (a whole submission is one transaction). There
//! are no ORM entities: every statement is portable SQL run through the `sql` module's
//! helpers, every row is read by column name into a typed struct, and every id is its
//! table's type ([`ids`]).

pub mod aggregates;
pub mod api_tokens;
pub mod attainment;
pub mod audit;
pub mod auth_throttle;
pub mod bench;
pub mod catalogue;
pub mod changes;
pub mod closure;
mod connect;
pub mod data_sets;
pub mod data_values;
mod error;
pub mod expected_reports;
pub mod figure_states;
pub mod idempotency;
pub mod ids;
pub mod indicator_groups;
pub mod metadata;
pub mod min_max;
pub mod notes;
pub mod org_units;
pub mod outliers;
pub mod projects;
mod probe;
pub mod report_cycle;
pub mod rollup;
pub mod sessions;
pub mod settings;
mod sql;
pub mod submission;
mod time;
pub mod users;
pub mod validation;
mod write;

pub use connect::{Database, DbLimits, connect, connect_with};
pub use error::PersistenceError;
pub use ids::{MilestoneId, NoteId, ProjectId};
pub use ids::{
    ApiTokenId, AuditEventId, DataElementId, DataSetId, DataValueId, DeletionId, IndicatorGroupId,
    IndicatorId, OrgUnitId, RefreshTokenId, RuleId, TargetId, UserId,
};
pub use sea_orm::{ConnectionTrait, DbErr};
pub use time::{Micros, now_micros};
pub use write::WriteTx;

/// The part of the org tree a caller may see and act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Everything (administrators).
    All,
    /// The subtree rooted at this org unit id (the unit itself included).
    Subtree(OrgUnitId),
}

/// One problem with one field of a submitted document, addressed by a JSON-pointer-like path
/// such as `org_units[3].parent`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldIssue {
    /// Where the problem is, e.g. `indicators[0].numerator`.
    pub field: String,
    /// Stable snake_case code, e.g. `unknown_data_element`.
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
}

impl FieldIssue {
    /// Builds an issue.
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code,
            message: message.into(),
        }
    }
}
