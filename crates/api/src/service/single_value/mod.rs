//! One figure addressed by its key (data element, org unit, period), with optimistic
//! concurrency (contract v2, "One value, with optimistic concurrency"): `GET` answers it with
//! its strong `ETag`; `PUT` and `DELETE` are one-row submissions through the submission
//! pipeline (`service::submit::run`: scopes, value checks, report locks, roll-ups, change
//! feed, audit), whose precondition is judged inside the same write transaction, after the
//! unit's figures are held against concurrent writers, so of two writes sent with the same
//! `If-Match` exactly one wins and the other gets 412.

pub mod precondition;

use chitieu_domain::Period;
use chitieu_persistence::{
    catalogue::StoredDataElement,
    data_values::{self, StoredDataValue},
    org_units::StoredOrgUnit,
    submission::{self, SubmissionOutcome},
};

pub use self::precondition::{Condition, Preconditions, etag};
use super::{
    filters,
    submit::{self, FigureInput, SetInput, SubmittedValue},
    units::{unit_in_scope, visible_unit},
};
use crate::{
    ApiError, AppState, FieldError,
    auth::Caller,
    authz::{Operation, authorize},
};

/// Longest period path segment accepted, in bytes (the longest valid one, `2023-01/2023-09`,
/// has 15).
pub const MAX_PERIOD_BYTES: usize = 32;

/// The key of one figure, as sent (path segments or GraphQL arguments).
#[derive(Clone, Copy, Debug)]
pub struct ValueKey<'a> {
    /// Data element code.
    pub data_element: &'a str,
    /// Org unit code.
    pub org_unit: &'a str,
    /// Period, e.g. `2023-09`, `2023Q3`, `2023-01/2023-09`.
    pub period: &'a str,
}

/// A stored figure with its `ETag`.
#[derive(Clone, Debug)]
pub struct OneValue {
    /// The figure.
    pub value: StoredDataValue,
    /// Its strong entity tag, quoted.
    pub etag: String,
}

impl From<StoredDataValue> for OneValue {
    fn from(value: StoredDataValue) -> Self {
        Self {
            etag: etag(&value),
            value,
        }
    }
}

/// The key resolved: the unit, the element, the period.
struct Resolved {
    unit: StoredOrgUnit,
    element: StoredDataElement,
    period: Period,
}

/// Resolves a key for a read (a unit outside the subtree is unknown: 404) or a write (403).
async fn resolve(
    state: &AppState,
    caller: &Caller,
    key: ValueKey<'_>,
    write: bool,
) -> Result<Resolved, ApiError> {
    let unit = if write {
        unit_in_scope(state, caller.scope, key.org_unit).await?
    } else {
        visible_unit(state, caller.scope, key.org_unit).await?
    };
    let element = filters::data_element(state, key.data_element).await?;
    if key.period.len() > MAX_PERIOD_BYTES {
        return Err(ApiError::bad_request(
            "invalid_period",
            format!("a period has at most {MAX_PERIOD_BYTES} characters"),
        ));
    }
    let period = Period::parse(key.period)?;
    Ok(Resolved {
        unit,
        element,
        period,
    })
}

fn unknown_value(key: ValueKey<'_>) -> ApiError {
    ApiError::not_found(
        "unknown_data_value",
        format!(
            "no figure is stored for data element '{}', org unit '{}' and period '{}'",
            key.data_element, key.org_unit, key.period
        ),
    )
}

/// The figure stored under `key` in the caller's subtree, with its `ETag`; 404
/// `unknown_data_value` when there is none.
pub async fn get(
    state: &AppState,
    caller: &Caller,
    key: ValueKey<'_>,
) -> Result<OneValue, ApiError> {
    authorize(caller, Operation::Read)?;
    let r = resolve(state, caller, key, false).await?;
    data_values::find(
        state.db.conn(),
        caller.scope,
        r.unit.id,
        r.element.id,
        r.period,
    )
    .await?
    .map(OneValue::from)
    .ok_or_else(|| unknown_value(key))
}

/// What a `PUT` stores: a value, or a figure state in its place (then no value, or `null`).
#[derive(Clone, Debug, Default)]
pub struct NewFigure {
    /// The value as sent (`None`: absent).
    pub value: Option<serde_json::Value>,
    /// A figure state (`no_source`, `pending`) as sent.
    pub state: Option<String>,
    /// Optional comment.
    pub comment: Option<String>,
}

/// Stores `figure` under `key` when `preconditions` hold for the figure stored there now;
/// answers the stored figure and its new `ETag`.
pub async fn put(
    state: &AppState,
    caller: &Caller,
    key: ValueKey<'_>,
    figure: NewFigure,
    preconditions: &Preconditions,
) -> Result<OneValue, ApiError> {
    authorize(caller, Operation::WriteData)?;
    preconditions.require(true)?;
    let value = match (figure.value, &figure.state) {
        // A state is checked by the pipeline, with any value sent beside it.
        (value, Some(_)) => value.map_or(SubmittedValue::Missing, SubmittedValue::Json),
        (Some(value), None) if !value.is_null() => SubmittedValue::Json(value),
        (_, None) => {
            return Err(ApiError::bad_request(
                "invalid_value",
                "PUT stores a value or a state; use DELETE to remove a figure",
            ));
        }
    };
    let r = resolve(state, caller, key, true).await?;
    let row = Row {
        value,
        comment: figure.comment,
        state: figure.state,
    };
    write(state, caller, &r, row, preconditions, key)
        .await?
        .ok_or_else(|| ApiError::internal("a stored figure could not be read back"))
}

/// Deletes the figure stored under `key` when `preconditions` hold for it; 404
/// `unknown_data_value` when there is none.
pub async fn delete(
    state: &AppState,
    caller: &Caller,
    key: ValueKey<'_>,
    preconditions: &Preconditions,
) -> Result<(), ApiError> {
    authorize(caller, Operation::WriteData)?;
    preconditions.require(false)?;
    let r = resolve(state, caller, key, true).await?;
    let deletion = Row {
        value: SubmittedValue::Json(serde_json::Value::Null),
        comment: None,
        state: None,
    };
    write(state, caller, &r, deletion, preconditions, key).await?;
    Ok(())
}

/// The one row a write submits.
struct Row {
    value: SubmittedValue,
    comment: Option<String>,
    state: Option<String>,
}

/// One write in one transaction: the unit held, the precondition judged on the figure stored
/// now, the row through the pipeline, the figure read back; committed only when all passed.
async fn write(
    state: &AppState,
    caller: &Caller,
    r: &Resolved,
    row: Row,
    preconditions: &Preconditions,
    key: ValueKey<'_>,
) -> Result<Option<OneValue>, ApiError> {
    let Row {
        value,
        comment,
        state: figure_state,
    } = row;
    let deleting =
        figure_state.is_none() && matches!(&value, SubmittedValue::Json(v) if v.is_null());
    let rows = SetInput {
        org_unit: Some(r.unit.unit.code.to_string()),
        period: Some(r.period.to_string()),
        values: vec![FigureInput {
            data_element: r.element.element.code.to_string(),
            value,
            comment,
            org_unit: None,
            period: None,
            state: figure_state,
        }],
    }
    .into_rows();
    let tx = state.db.write().await?;
    submission::hold(&tx, &[r.unit.id]).await?;
    let current = data_values::find(&tx, caller.scope, r.unit.id, r.element.id, r.period).await?;
    if deleting && current.is_none() {
        return Err(unknown_value(key));
    }
    preconditions.check(current.as_ref().map(etag).as_deref())?;
    let outcome = submit::run(&tx, caller, &rows).await?;
    if let Some(refusal) = refusal(&outcome) {
        return Err(refusal);
    }
    let stored = data_values::find(&tx, caller.scope, r.unit.id, r.element.id, r.period).await?;
    tx.commit().await?;
    submit::committed(
        state,
        outcome.imported,
        outcome.updated,
        outcome.deleted,
        &rows,
    );
    Ok(stored.map(OneValue::from))
}

/// Conflicts with the state of things (the report locks, a stored overlapping period).
const STATE_CONFLICTS: [&str; 4] = [
    "report_locked",
    "period_closed",
    "overlapping_period",
    "duplicate_data_value",
];

/// The answer to a refused row: 409 with the conflict's code when it conflicts with the
/// state of things (a lock first), otherwise 422 naming the field (`value`, `state` or
/// `comment`).
fn refusal(outcome: &SubmissionOutcome) -> Option<ApiError> {
    let first = outcome
        .conflicts
        .iter()
        .find(|c| STATE_CONFLICTS.contains(&c.code))
        .or_else(|| outcome.conflicts.first())?;
    if STATE_CONFLICTS.contains(&first.code) {
        return Some(ApiError::Conflict {
            code: first.code,
            detail: first.message.clone(),
        });
    }
    let field = match first.code {
        "invalid_comment" => "comment",
        "invalid_state" => "state",
        _ => "value",
    };
    Some(ApiError::Validation {
        code: first.code,
        detail: format!("the {field} was refused; nothing was stored"),
        errors: vec![FieldError {
            field: field.to_owned(),
            code: first.code.to_owned(),
            message: first.message.clone(),
        }],
    })
}
