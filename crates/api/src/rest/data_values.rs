//! `POST /api/v1/data-value-sets` (JSON or CSV, dry run, all or nothing, idempotent).

use axum::{
    body::Bytes,
    extract::{State, rejection::BytesRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
    dto::{
        data_values::{DataValueSetRequest, DryRunQuery, ImportSummary},
        data_values_csv,
    },
    json::{ApiQuery, from_object_slice},
    service::submit,
};

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
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    // Refuse before reading the body; the service checks again.
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
    let set = if content_type.starts_with("application/json") {
        let set: DataValueSetRequest = from_object_slice(&body)?;
        set.into_set()?
    } else if content_type.starts_with("text/csv") {
        data_values_csv::parse(&body, submit::MAX_VALUES_PER_SET)?
    } else {
        return Err(ApiError::UnsupportedMediaType(
            "send application/json or text/csv".into(),
        ));
    };
    let request = submit::SubmitRequest {
        set,
        dry_run: query.dry_run,
        idempotency_key: headers
            .get(IDEMPOTENCY_KEY)
            .map(|v| v.to_str().unwrap_or("").to_owned()),
    };
    let answer = submit::submit(&state, &caller, request).await?;
    let status = if answer.result.accepted() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    let body =
        serde_json::to_string(&ImportSummary::from(&answer.result)).map_err(ApiError::internal)?;
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if answer.replayed {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(res)
}
