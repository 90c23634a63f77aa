//! `GET`, `PUT` and `DELETE /api/v1/data-values/{data_element}/{org_unit}/{period}`: one
//! figure with its `ETag`, changed only under `If-Match` (or created under
//! `If-None-Match: *`); see [`crate::service::single_value`].

use axum::{
    Json,
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::data_values::{DataValueDto, DataValueWrite},
    json::ApiJson,
    service::single_value::{self, Condition, OneValue, Preconditions, ValueKey},
};

/// The path of one figure.
type KeyPath = Path<(String, String, String)>;

fn key(path: &(String, String, String)) -> ValueKey<'_> {
    ValueKey {
        data_element: &path.0,
        org_unit: &path.1,
        period: &path.2,
    }
}

fn header_text<'h>(
    headers: &'h HeaderMap,
    name: &'static str,
    which: header::HeaderName,
) -> Result<Option<&'h str>, ApiError> {
    headers
        .get(which)
        .map(|v| {
            v.to_str().map_err(|_| {
                ApiError::bad_request("invalid_precondition", format!("{name}: not visible ASCII"))
            })
        })
        .transpose()
}

fn preconditions(headers: &HeaderMap) -> Result<Preconditions, ApiError> {
    Preconditions::parse(
        header_text(headers, "If-Match", header::IF_MATCH)?,
        header_text(headers, "If-None-Match", header::IF_NONE_MATCH)?,
    )
}

/// 200 with the figure and its `ETag`.
fn answer(one: &OneValue) -> Response {
    let mut res = Json(DataValueDto::from(&one.value)).into_response();
    if let Ok(v) = HeaderValue::from_str(&one.etag) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// Read one figure.
///
/// The figure stored for exactly this data element, org unit and period (`2023-09`, `2023Q3`,
/// `2023-01%2F2023-09`), in the shape of an item of `GET /api/v1/data-values`, with a strong
/// `ETag` to send back in `If-Match` when changing it. `If-None-Match` naming the current tag
/// gets 304.
#[utoipa::path(get, path = "/api/v1/data-values/{data_element}/{org_unit}/{period}", tag = "data-values",
    operation_id = "get_data_value",
    params(
        ("data_element" = String, Path, description = "Data element code"),
        ("org_unit" = String, Path, description = "Org unit code"),
        ("period" = String, Path, description = "Period, canonical or not; `/` encoded as `%2F`"),
        ("If-None-Match" = Option<String>, Header, description = "The ETag you hold: 304 while it is current"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The figure", body = DataValueDto,
            headers(("ETag" = String, description = "Strong entity tag of the figure"))),
        (status = 304, description = "Unchanged since the ETag in If-None-Match"),
        (status = 404, description = "No such figure, or an unknown code, or a unit outside your subtree", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_data_value(
    State(state): State<AppState>,
    caller: Caller,
    path: KeyPath,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let one = single_value::get(&state, &caller, key(&path)).await?;
    if let Some(text) = header_text(&headers, "If-None-Match", header::IF_NONE_MATCH)?
        && Condition::parse("If-None-Match", text)?.matches_weakly(Some(&one.etag))
    {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::NOT_MODIFIED;
        if let Ok(v) = HeaderValue::from_str(&one.etag) {
            res.headers_mut().insert(header::ETAG, v);
        }
        return Ok(res);
    }
    Ok(answer(&one))
}

/// Store one figure, conditionally.
///
/// A one-row data value set: the same checks (scope, value type, overlapping periods, report
/// locks), audit, roll-ups and change feed. Needs `If-Match` with the figure's current ETag
/// (412 `precondition_failed` when it changed; nothing stored), or `If-None-Match: *` to
/// create a figure that does not exist yet (412 if it does); neither is 428
/// `precondition_required`. Answers the stored figure and its new `ETag`.
#[utoipa::path(put, path = "/api/v1/data-values/{data_element}/{org_unit}/{period}", tag = "data-values",
    operation_id = "put_data_value",
    params(
        ("data_element" = String, Path, description = "Data element code"),
        ("org_unit" = String, Path, description = "Org unit code"),
        ("period" = String, Path, description = "Period, canonical or not; `/` encoded as `%2F`"),
        ("If-Match" = Option<String>, Header, description = "The figure's current ETag (or `*`: any stored figure)"),
        ("If-None-Match" = Option<String>, Header, description = "`*`: create only"),
    ),
    request_body = DataValueWrite,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Stored", body = DataValueDto,
            headers(("ETag" = String, description = "Strong entity tag of the stored figure"))),
        (status = 403, description = "The unit lies outside your subtree or your token's scope", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown org unit or data element", body = crate::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`report_locked`, `period_closed` or `overlapping_period`: nothing stored", body = crate::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`precondition_failed`: the figure changed (or exists, with If-None-Match: *); nothing stored", body = crate::Problem, content_type = "application/problem+json"),
        (status = 428, description = "`precondition_required`: neither If-Match nor If-None-Match", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_data_value(
    State(state): State<AppState>,
    caller: Caller,
    path: KeyPath,
    headers: HeaderMap,
    ApiJson(body): ApiJson<DataValueWrite>,
) -> Result<Response, ApiError> {
    let conditions = preconditions(&headers)?;
    let one =
        single_value::put(&state, &caller, key(&path), body.into_figure(), &conditions).await?;
    Ok(answer(&one))
}

/// Delete one figure, conditionally.
///
/// A one-row data value set deleting the figure (report locks apply to deletions too). Needs
/// `If-Match` with its current ETag: 412 when it changed, 428 without; 404 when there is no
/// such figure. Answers 204.
#[utoipa::path(delete, path = "/api/v1/data-values/{data_element}/{org_unit}/{period}", tag = "data-values",
    operation_id = "delete_data_value",
    params(
        ("data_element" = String, Path, description = "Data element code"),
        ("org_unit" = String, Path, description = "Org unit code"),
        ("period" = String, Path, description = "Period, canonical or not; `/` encoded as `%2F`"),
        ("If-Match" = Option<String>, Header, description = "The figure's current ETag (or `*`)"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The unit lies outside your subtree or your token's scope", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such figure, or an unknown org unit or data element", body = crate::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`report_locked` or `period_closed`: nothing deleted", body = crate::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`precondition_failed`: the figure changed; nothing deleted", body = crate::Problem, content_type = "application/problem+json"),
        (status = 428, description = "`precondition_required`: no If-Match", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_data_value(
    State(state): State<AppState>,
    caller: Caller,
    path: KeyPath,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let conditions = preconditions(&headers)?;
    single_value::delete(&state, &caller, key(&path), &conditions).await?;
    Ok(StatusCode::NO_CONTENT)
}
