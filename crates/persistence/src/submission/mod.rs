//! Storing a data value set: every row is checked, then the whole set is written with
//! batched set-based upserts, or nothing is written at all.
//!
//! The rules are pure functions: `parse` reads each row on its own, `checks` judges the
//! rows against the state loaded for them, `plan` works out the writes (the `next_end`
//! chains and the roll-up deltas) and `audit_trail` what the audit records. `locks` holds
//! the report locks (`report_locked`, `period_closed`) of every row. `store` only loads that
//! state and applies the plan, in the caller's transaction.

mod audit_trail;
mod checks;
mod locks;
mod parse;
mod plan;
mod store;

pub(crate) use store::stored_state;

use chitieu_domain::{Period, ValueInput, report::Reach};
use sea_orm::ConnectionTrait;

use crate::{
    OrgUnitId, PersistenceError, Scope, audit, now_micros,
    validation::{self, Selection, Violation},
};

/// What kind of caller writes, as far as the report locks go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriterRole {
    /// An admin (or the system, e.g. the demo loader).
    Admin,
    /// A manager: past a deadline lock, it still writes the figures of units strictly below
    /// its own.
    Manager,
    /// A reporter.
    Reporter,
    /// An API token with `data:write`.
    Token,
}

/// Who writes a set: where, as what, and as whom in the audit trail.
#[derive(Clone, Copy, Debug)]
pub struct Writer<'a> {
    /// Where it may write; a unit outside refuses the whole set.
    pub scope: Scope,
    /// Its kind, for the deadline lock.
    pub role: WriterRole,
    /// As whom the changes are recorded.
    pub audit: &'a audit::Actor,
}

impl Writer<'_> {
    /// The writer as the report rules see it, on a unit inside its scope.
    pub(crate) fn actor_on(&self, unit: OrgUnitId) -> chitieu_domain::Actor {
        use chitieu_domain::Actor;
        let reach = match self.scope {
            Scope::Subtree(root) if root == unit => Reach::Own,
            _ => Reach::Below,
        };
        match self.role {
            WriterRole::Admin => Actor::Admin,
            WriterRole::Manager => Actor::Manager(reach),
            WriterRole::Reporter => Actor::Reporter(reach),
            WriterRole::Token => Actor::Token {
                data_write: true,
                reach,
            },
        }
    }
}

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
    /// A figure state (`no_source`, `pending`) in place of a value, as sent: the value must
    /// then be [`RawValue::Delete`] (absent, `null` or an empty cell), else the row is
    /// `state_with_value`; an unknown state is `invalid_state`.
    pub state: Option<String>,
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
    /// Values that existed and changed (value, state or comment).
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

/// Holds `units` against concurrent submissions until the transaction ends (PostgreSQL: their
/// rows locked in id order, as [`submit`] does; SQLite has one writer already), so what is
/// read about their figures next stays true until the commit.
pub async fn hold(db: &impl ConnectionTrait, units: &[OrgUnitId]) -> Result<(), PersistenceError> {
    store::lock_units(db, units).await
}

/// Checks `rows` and, when every row is acceptable, stores them as `writer`. Run it inside a
/// transaction: on conflicts nothing is written and the outcome lists them; writing outside
/// the writer's scope is `PersistenceError::Forbidden`.
pub async fn submit(
    db: &impl ConnectionTrait,
    writer: &Writer<'_>,
    rows: &[RawRow],
) -> Result<SubmissionOutcome, PersistenceError> {
    let (parsed, mut conflicts) = parse::parse_rows(rows);
    let (units, elements) = store::resolve(db, &parsed).await?;
    // One unit outside the scope refuses the whole set.
    let allowed = store::allowed(db, writer.scope, &units).await?;
    if let Some(refusal) = checks::scope_refusal(&units, &allowed) {
        return Err(PersistenceError::Forbidden(refusal));
    }
    let unit_ids: Vec<OrgUnitId> = units.values().copied().collect();
    store::lock_units(db, &unit_ids).await?;
    let stored = store::load_stored(db, &checks::named_pairs(&parsed, &units, &elements)).await?;
    let loaded = checks::Loaded {
        units: &units,
        elements: &elements,
        stored: &stored,
    };
    let checked = checks::check(parsed, &loaded, &mut conflicts);
    // The report locks, for every caller, dry runs included.
    let locks = locks::load(db, &checked).await?;
    conflicts.extend(locks::check(&checked, &locks, writer, now_micros()));
    if !conflicts.is_empty() {
        conflicts.sort_by_key(|c| c.index);
        return Ok(SubmissionOutcome {
            conflicts,
            ..SubmissionOutcome::default()
        });
    }
    let plan = plan::plan_writes(&checked, &stored);
    store::apply(db, writer.audit, &plan, &elements).await?;
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
