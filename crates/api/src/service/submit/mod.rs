//! Submitting figures, the one use case behind `POST /api/v1/data-value-sets` (JSON and CSV)
//! and the GraphQL `submitDataValues` mutation: the rows built once from a neutral request
//! ([`request`]), one request fingerprint ([`fingerprint`]), one transaction, all or nothing,
//! dry run, and replay under an idempotency key scoped to the caller. The answer is a neutral
//! [`SubmitResult`] that each edge renders; the idempotency record keeps that result
//! ([`record`]), so a replay is rendered from it too.

pub mod fingerprint;
pub mod record;
pub mod request;
pub mod result;

use chitieu_persistence::{WriteTx, idempotency, submission};

pub use self::{
    request::{FigureInput, SetInput, SubmittedValue},
    result::{Conflict, Status, SubmitResult},
};
use crate::{
    ApiError, AppState,
    auth::{Caller, Principal, Role},
    authz::{Operation, authorize},
};

/// Most values one set may hold.
pub const MAX_VALUES_PER_SET: usize = 100_000;

/// A submission as any edge received it.
#[derive(Clone, Debug)]
pub struct SubmitRequest {
    /// The figures and the set's defaults.
    pub set: SetInput,
    /// Check and answer only, storing nothing.
    pub dry_run: bool,
    /// The caller's retry key, as sent.
    pub idempotency_key: Option<String>,
}

/// The answer to a submission.
#[derive(Clone, Debug)]
pub struct Answer {
    /// What the submission did (or, replayed, what the first one did).
    pub result: SubmitResult,
    /// `true` when this is the remembered answer to an earlier request with the same key.
    pub replayed: bool,
}

/// Checks a key's spelling: 1–255 visible ASCII characters.
pub fn check_key(key: &str) -> Result<String, ApiError> {
    let key = key.trim();
    if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::bad_request(
            "invalid_idempotency_key",
            "Idempotency-Key must be 1-255 visible ASCII characters",
        ));
    }
    Ok(key.to_owned())
}

/// The 413 of a set with `count` values, when it has more than [`MAX_VALUES_PER_SET`].
pub fn check_size(count: usize) -> Result<(), ApiError> {
    if count > MAX_VALUES_PER_SET {
        return Err(ApiError::PayloadTooLarge(format!(
            "a set holds at most {MAX_VALUES_PER_SET} values; this one has {count}"
        )));
    }
    Ok(())
}

/// Stores the set of `request` for `caller` in one transaction (or only checks it with a dry
/// run); under an idempotency key the first result is remembered in the same transaction and
/// answered again to every retry with the same fingerprint.
pub async fn submit(
    state: &AppState,
    caller: &Caller,
    request: SubmitRequest,
) -> Result<Answer, ApiError> {
    let SubmitRequest {
        set,
        dry_run,
        idempotency_key,
    } = request;
    let key = idempotency_key.as_deref().map(check_key).transpose()?;
    authorize(caller, Operation::WriteData)?;
    check_size(set.values.len())?;
    let rows = set.into_rows();
    let key = key.map(|key| (key, fingerprint::fingerprint(&rows, dry_run)));
    let scope_key = caller.idempotency_scope();
    if let Some((key, hash)) = &key
        && let Some(found) = idempotency::find(state.db.conn(), &scope_key, key).await?
    {
        return replay(found, hash);
    }

    let tx = state.db.write().await?;
    let result = SubmitResult::new(run(&tx, caller, &rows).await?, dry_run);
    if dry_run || !result.accepted() {
        tx.rollback().await?;
        return Ok(Answer {
            result,
            replayed: false,
        });
    }
    if let Some((key, hash)) = &key {
        let remembered = idempotency::Remembered {
            request_hash: hash.clone(),
            status: 200,
            body: record::encode(&result)?,
        };
        if !idempotency::remember(&tx, &scope_key, key, &remembered).await? {
            // A concurrent request with the same key won: answer as it did.
            tx.rollback().await?;
            let found = idempotency::find(state.db.conn(), &scope_key, key)
                .await?
                .ok_or_else(|| ApiError::internal("idempotency record vanished"))?;
            return replay(found, hash);
        }
    }
    tx.commit().await?;
    committed(
        state,
        result.imported,
        result.updated,
        result.deleted,
        &rows,
    );
    Ok(Answer {
        result,
        replayed: false,
    })
}

/// Runs the submission pipeline on `rows` as `caller` inside `tx`: every check (scope,
/// values, periods, report locks), then, when nothing is refused, the writes. The caller of
/// this function commits or rolls back. Authorization is the caller's to check first.
pub(crate) async fn run(
    tx: &WriteTx,
    caller: &Caller,
    rows: &[submission::RawRow],
) -> Result<submission::SubmissionOutcome, ApiError> {
    let audit = caller.actor();
    let writer = submission::Writer {
        scope: caller.scope,
        role: writer_role(caller),
        audit: &audit,
    };
    Ok(submission::submit(tx, &writer, rows).await?)
}

/// What follows a committed submission: the metrics, the planner statistics and the
/// subscriptions of the units written.
pub(crate) fn committed(
    state: &AppState,
    imported: u64,
    updated: u64,
    deleted: u64,
    rows: &[submission::RawRow],
) {
    state.metrics.record_figures(imported, updated, deleted);
    state.refresh_statistics_later();
    state.notify_figures_changed(|| rows_units(rows));
}

/// The caller's kind for the report locks (a viewer never gets this far: it may not write).
fn writer_role(caller: &Caller) -> submission::WriterRole {
    match &caller.principal {
        Principal::Token { .. } => submission::WriterRole::Token,
        Principal::User { role, .. } => match role {
            Role::Admin => submission::WriterRole::Admin,
            Role::Manager => submission::WriterRole::Manager,
            Role::Reporter | Role::Viewer => submission::WriterRole::Reporter,
        },
    }
}

fn rows_units(rows: &[submission::RawRow]) -> Vec<String> {
    let mut units: Vec<String> = rows.iter().filter_map(|r| r.org_unit.clone()).collect();
    units.sort();
    units.dedup();
    units
}

fn replay(found: idempotency::Remembered, request_hash: &str) -> Result<Answer, ApiError> {
    if found.request_hash != request_hash {
        return Err(ApiError::Unprocessable {
            code: "idempotency_key_reused",
            detail: "this Idempotency-Key was already used with a different request".into(),
        });
    }
    Ok(Answer {
        result: record::decode(&found.body)?,
        replayed: true,
    })
}
