//! Storing a data value set: every row is checked, then the whole set is written with
//! batched set-based upserts, or nothing is written at all.
//!
//! The rules are pure functions: `parse` reads each row on its own, `checks` judges the
//! rows against the state loaded for them, `plan` works out the writes (the `next_end`
//! chains and the roll-up deltas) and `audit_trail` what the audit records. `store` only
//! loads that state and applies the plan, in the caller's transaction.

mod audit_trail;
mod checks;
mod parse;
mod plan;
mod store;

use chitieu_domain::{Period, ValueInput};
use sea_orm::ConnectionTrait;

use crate::{
    OrgUnitId, PersistenceError, Scope, audit,
    validation::{self, Selection, Violation},
};

/// Longest comment accepted, in characters.
pub const MAX_COMMENT_CHARS: usize = 2_000;

/// The value of a submitted row, as it arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RawValue {
    /// A JSON value (typed).
    Json(ValueInput),
    /// A CSV cell (text, parsed according to the element's value type).
    Csv(String),
    /// `null` or an empty CSV cell: delete the stored value.
    Delete,
    /// A JSON value of a kind no element accepts (array, object); the text says which.
    Unsupported(&'static str),
}

/// One submitted row, with the set's defaults already applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawRow {
    /// Org unit code, if any was given.
    pub org_unit: Option<String>,
    /// Period, if any was given.
    pub period: Option<String>,
    /// Data element code.
    pub data_element: String,
    /// The value.
    pub value: RawValue,
    /// Optional comment.
    pub comment: Option<String>,
}

/// Why one row was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// Position of the row in the submitted list (CSV: data row counted from 0).
    pub index: usize,
    /// Stable code, e.g. `overlapping_period`.
    pub code: &'static str,
    /// Explanation.
    pub message: String,
}

/// What storing (or trying to store) a set did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubmissionOutcome {
    /// Values that did not exist before.
    pub imported: u64,
    /// Values that existed and changed (value or comment).
    pub updated: u64,
    /// Values that existed unchanged (and deletions of values that did not exist).
    pub unchanged: u64,
    /// Values deleted.
    pub deleted: u64,
    /// Rows refused; when not empty nothing was written.
    pub conflicts: Vec<Conflict>,
    /// Validation rules the stored figures now break.
    pub violations: Vec<Violation>,
}

pub(crate) fn conflict(index: usize, code: &'static str, message: impl Into<String>) -> Conflict {
    Conflict {
        index,
        code,
        message: message.into(),
    }
}

/// Checks `rows` and, when every row is acceptable, stores them as `actor`. Run it inside a
/// transaction: on conflicts nothing is written and the outcome lists them; writing outside
/// `scope` is `PersistenceError::Forbidden`.
pub async fn submit(
    db: &impl ConnectionTrait,
    scope: Scope,
    actor: &audit::Actor,
    rows: &[RawRow],
) -> Result<SubmissionOutcome, PersistenceError> {
    let (parsed, mut conflicts) = parse::parse_rows(rows);
    let (units, elements) = store::resolve(db, &parsed).await?;
    // One unit outside the scope refuses the whole set.
    let allowed = store::allowed(db, scope, &units).await?;
    if let Some(refusal) = checks::scope_refusal(&units, &allowed) {
        return Err(PersistenceError::Forbidden(refusal));
    }
    store::lock_units(db, &units).await?;
    let stored = store::load_stored(db, &checks::named_pairs(&parsed, &units, &elements)).await?;
    let loaded = checks::Loaded {
        units: &units,
        elements: &elements,
        stored: &stored,
    };
    let checked = checks::check(parsed, &loaded, &mut conflicts);
    if !conflicts.is_empty() {
        conflicts.sort_by_key(|c| c.index);
        return Ok(SubmissionOutcome {
            conflicts,
            ..SubmissionOutcome::default()
        });
    }
    let plan = plan::plan_writes(&checked, &stored);
    store::apply(db, actor, &plan, &elements).await?;
    // Which rules do the stored figures now break?
    let pairs: Vec<(OrgUnitId, Period)> = plan.touched.iter().copied().collect();
    let violations = validation::evaluate(db, Selection::Pairs(&pairs)).await?;
    let plan::Counts {
        imported,
        updated,
        unchanged,
        deleted,
    } = plan.counts;
    Ok(SubmissionOutcome {
        imported,
        updated,
        unchanged,
        deleted,
        conflicts,
        violations,
    })
}
