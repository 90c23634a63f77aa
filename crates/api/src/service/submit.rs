//! Submitting figures, shared by `POST /api/v1/data-value-sets` and the GraphQL
//! `submitDataValues` mutation: one transaction, all or nothing, dry run, and replay under an
//! idempotency key scoped to the caller.

use chitieu_persistence::{
    idempotency,
    submission::{self, RawRow, SubmissionOutcome},
};

use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
};

/// Most values one set may hold.
pub const MAX_VALUES_PER_SET: usize = 100_000;

/// A retry key and the fingerprint of the request it was first used with.
#[derive(Clone, Debug)]
pub struct Idempotency {
    /// The caller's key (1–255 visible ASCII characters).
    pub key: String,
    /// SHA-256 (hex) of everything that makes the request what it is.
    pub request_hash: String,
}

/// The answer to a submission: the body the edge rendered (or the first answer, replayed).
#[derive(Clone, Debug)]
pub struct Answer {
    /// `true` when stored, or would be with a dry run; `false` when refused for conflicts.
    pub accepted: bool,
    /// The rendered body.
    pub body: String,
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

/// Stores `rows` for `caller` in one transaction (or only checks them with `dry_run`);
/// `render` turns the outcome into the body the edge answers with, which is what a retry
/// under the same key gets back.
pub async fn submit(
    state: &AppState,
    caller: &Caller,
    rows: &[RawRow],
    dry_run: bool,
    idempotency_key: Option<Idempotency>,
    render: impl Fn(&SubmissionOutcome, bool) -> Result<String, ApiError>,
) -> Result<Answer, ApiError> {
    authorize(caller, Operation::WriteData)?;
    if rows.len() > MAX_VALUES_PER_SET {
        return Err(ApiError::PayloadTooLarge(format!(
            "a set holds at most {MAX_VALUES_PER_SET} values; this one has {}",
            rows.len()
        )));
    }
    let scope_key = caller.idempotency_scope();
    if let Some(idem) = &idempotency_key
        && let Some(found) = idempotency::find(state.db.conn(), &scope_key, &idem.key).await?
    {
        return replay(found, &idem.request_hash);
    }

    let tx = state.db.write().await?;
    let outcome = submission::submit(&tx, caller.scope, &caller.actor(), rows).await?;
    let accepted = outcome.conflicts.is_empty();
    let body = render(&outcome, dry_run)?;
    if dry_run || !accepted {
        tx.rollback().await?;
        return Ok(Answer {
            accepted,
            body,
            replayed: false,
        });
    }
    if let Some(idem) = &idempotency_key {
        let remembered = idempotency::Remembered {
            request_hash: idem.request_hash.clone(),
            status: 200,
            body: body.clone(),
        };
        if !idempotency::remember(&tx, &scope_key, &idem.key, &remembered).await? {
            // A concurrent request with the same key won: answer as it did.
            tx.rollback().await?;
            let found = idempotency::find(state.db.conn(), &scope_key, &idem.key)
                .await?
                .ok_or_else(|| ApiError::internal("idempotency record vanished"))?;
            return replay(found, &idem.request_hash);
        }
    }
    tx.commit().await?;
    state.metrics.record_figures(&outcome);
    state.refresh_statistics_later();
    state.notify_figures_changed(|| rows_units(rows));
    Ok(Answer {
        accepted,
        body,
        replayed: false,
    })
}

fn rows_units(rows: &[RawRow]) -> Vec<String> {
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
        accepted: found.status == 200,
        body: found.body,
        replayed: true,
    })
}
