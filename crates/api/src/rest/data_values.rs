//! `POST /api/v1/data-value-sets` (JSON or CSV, dry run, all or nothing, idempotent).

use axum::{
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, HeaderValue, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use chitieu_persistence::{
    TransactionTrait, idempotency,
    submission::{self, RawRow, RawValue},
};
use sha2::{Digest, Sha256};

use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
    dto::data_values::{DataValueSetRequest, DryRunQuery, ImportSummary},
    json::{ApiQuery, from_object_slice},
};

/// Most values one set may hold.
pub const MAX_VALUES_PER_SET: usize = 100_000;
const CSV_HEADER: [&str; 5] = ["data_element", "period", "org_unit", "value", "comment"];
const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Submit a data value set.
///
/// JSON (`application/json`) or CSV (`text/csv` with header
/// `data_element,period,org_unit,value,comment`). All or nothing: any conflict means nothing
/// is stored (409). An `Idempotency-Key` makes retries safe.
#[utoipa::path(post, path = "/api/v1/data-value-sets", tag = "data-values", operation_id = "create_data_value_set",
    params(
        DryRunQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Makes a retry with the same key and body return the first response"),
    ),
    request_body(content(
        (DataValueSetRequest = "application/json"),
        (String = "text/csv", example = "data_element,period,org_unit,value,comment\nDOC_OUT_SW,2023-01/2023-09,VT-P1,1582,\n"),
    )),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Stored (`success`, or `warning` with violations); or checked only with dry_run", body = ImportSummary),
        (status = 409, description = "Refused: conflicts listed, nothing stored", body = ImportSummary),
        (status = 400, description = "Malformed body", body = crate::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Outside your subtree or scope; nothing stored", body = crate::Problem, content_type = "application/problem+json"),
        (status = 413, description = "More than 100 000 values or 16 MiB", body = crate::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor CSV", body = crate::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Idempotency key reused with another body", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn submit_data_value_set(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<DryRunQuery>,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    authorize(&caller, Operation::WriteData)?;
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge("the request body is larger than 16 MiB".into())
        } else {
            ApiError::bad_request("invalid_body", e.body_text())
        }
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let rows = if content_type.starts_with("application/json") {
        let set: DataValueSetRequest = from_object_slice(&body)?;
        set.into_rows()
    } else if content_type.starts_with("text/csv") {
        parse_csv(&body)?
    } else {
        return Err(ApiError::UnsupportedMediaType(
            "send application/json or text/csv".into(),
        ));
    };
    if rows.len() > MAX_VALUES_PER_SET {
        return Err(ApiError::PayloadTooLarge(format!(
            "a set holds at most {MAX_VALUES_PER_SET} values; this one has {}",
            rows.len()
        )));
    }

    let key = idempotency_key(&headers)?;
    let request_hash = {
        let mut h = Sha256::new();
        h.update(content_type.as_bytes());
        h.update([0]);
        h.update(uri.query().unwrap_or("").as_bytes());
        h.update([0]);
        h.update(&body);
        hex::encode(h.finalize())
    };
    let scope_key = caller.idempotency_scope();
    if let Some(key) = &key
        && let Some(found) = idempotency::find(state.db.conn(), &scope_key, key).await?
    {
        return replay(found, &request_hash);
    }

    let _guard = state.write_guard().await;
    let tx = state.db.conn().begin().await?;
    let outcome = submission::submit(&tx, caller.scope, &caller.actor(), &rows).await?;
    let summary = ImportSummary::new(&outcome, query.dry_run);
    let status = if outcome.conflicts.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    let body = serde_json::to_string(&summary).map_err(ApiError::internal)?;
    if query.dry_run || status != StatusCode::OK {
        tx.rollback().await?;
    } else {
        if let Some(key) = &key {
            let remembered = idempotency::Remembered {
                request_hash,
                status: status.as_u16(),
                body: body.clone(),
            };
            if !idempotency::remember(&tx, &scope_key, key, &remembered).await? {
                // A concurrent request with the same key won: answer as it did.
                tx.rollback().await?;
                let found = idempotency::find(state.db.conn(), &scope_key, key)
                    .await?
                    .ok_or_else(|| ApiError::internal("idempotency record vanished"))?;
                return replay(found, &remembered.request_hash);
            }
        }
        tx.commit().await?;
        state.metrics.record_figures(&outcome);
        state.refresh_statistics_later();
    }
    Ok(json_response(status, body))
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

fn replay(found: idempotency::Remembered, request_hash: &str) -> Result<Response, ApiError> {
    if found.request_hash != request_hash {
        return Err(ApiError::Unprocessable {
            code: "idempotency_key_reused",
            detail: "this Idempotency-Key was already used with a different request".into(),
        });
    }
    let status = StatusCode::from_u16(found.status).map_err(ApiError::internal)?;
    let mut res = json_response(status, found.body);
    res.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(res)
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = v
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.chars().all(|c| c.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1-255 visible ASCII characters",
            )
        })?;
    Ok(Some(key.to_owned()))
}

/// Parses a CSV data value set. A malformed header is a 400; a row with the wrong number of
/// cells becomes a conflict at its index, found by the submission like any other.
fn parse_csv(body: &[u8]) -> Result<Vec<RawRow>, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("invalid_csv", "the CSV body is not UTF-8"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| ApiError::bad_request("invalid_csv", format!("unreadable CSV header: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if header != CSV_HEADER {
        return Err(ApiError::bad_request(
            "invalid_csv",
            format!("the CSV header must be exactly {}", CSV_HEADER.join(",")),
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record
            .map_err(|e| ApiError::bad_request("invalid_csv", format!("unreadable CSV: {e}")))?;
        let cell = |i: usize| record.get(i).map(str::to_owned);
        let value = if record.len() != CSV_HEADER.len() {
            RawValue::Unsupported("a CSV row with the wrong number of cells")
        } else {
            match record.get(3) {
                Some("") | None => RawValue::Delete,
                Some(v) => RawValue::Csv(v.to_owned()),
            }
        };
        rows.push(RawRow {
            data_element: cell(0).unwrap_or_default(),
            period: cell(1),
            org_unit: cell(2),
            value,
            comment: cell(4),
        });
    }
    Ok(rows)
}
