//! Importing a metadata bundle: org units, data elements, indicators, targets and validation
//! rules, upserted by code, all or nothing.
//!
//! Every cross-reference is checked before anything is written, and every problem is
//! reported at once, addressed by its place in the bundle (`indicators[2].numerator`).
//!
//! The import is three steps: [`existing`] loads the stored state the bundle is compared
//! with (SQL); [`check`] is a pure function of the bundle and that state, returning every
//! problem or a [`plan`] of what to create, update or leave; [`write`] carries the plan out on
//! the caller's transaction.

mod bundle;
mod check;
mod check_cycle;
mod check_projects;
mod existing;
mod existing_projects;
mod plan;
mod references;
mod write;
mod write_cycle;
mod write_projects;

use sea_orm::ConnectionTrait;

pub use bundle::{Declared, FieldPath, KindCounts, List, MetadataBundle, MetadataSummary};
pub use check::{MetadataIssue, Problem};

use crate::{FieldIssue, PersistenceError};

/// Checks `bundle` against the store without writing anything: the problems the import would
/// report besides those found while reading it. For a bundle some of whose items already
/// failed to parse (nothing may be written then, and the plan would lack them).
pub async fn check_only(
    db: &impl ConnectionTrait,
    bundle: &MetadataBundle,
) -> Result<Vec<FieldIssue>, PersistenceError> {
    let existing = existing::load(db, bundle).await?;
    Ok(match check::check(bundle, &existing) {
        Ok(_) => Vec::new(),
        Err(issues) => issues.into_iter().map(FieldIssue::from).collect(),
    })
}

/// Checks and applies `bundle`. Returns the issues instead when anything is wrong, having
/// written nothing. Run it inside the write transaction ([`crate::Database::write`]).
pub async fn import(
    db: &impl ConnectionTrait,
    bundle: &MetadataBundle,
) -> Result<Result<MetadataSummary, Vec<FieldIssue>>, PersistenceError> {
    let existing = existing::load(db, bundle).await?;
    let plan = match check::check(bundle, &existing) {
        Ok(plan) => plan,
        Err(issues) => return Ok(Err(issues.into_iter().map(FieldIssue::from).collect())),
    };
    write::apply(db, &plan, &existing).await?;
    Ok(Ok(plan.summary()))
}
