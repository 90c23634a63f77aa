//! `GET /api/v1/data-values`: full pulls in storage order, and incremental pulls
//! (`updated_since`) in change order with deletions, both paged by keyset cursors (see
//! [`crate::service::data_values::pull`]).
//!
//! The last page of a pull carries `Chitieu-Next-Updated-Since`, the `updated_since` of the
//! next pull.

use axum::{
    Json,
    extract::State,
    http::{HeaderName, HeaderValue},
    response::{IntoResponse, Response},
};

use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::{
        common::{parse_rfc3339, rfc3339},
        data_values::{DataValueDto, DataValueList, DataValueQuery},
    },
    json::ApiQuery,
    service::{
        data_values::{self, PullRow},
        filters::FigureQuery,
        page::PageRequest,
    },
};

/// Response header of a pull's last page: the `updated_since` of the next pull.
const NEXT_UPDATED_SINCE: HeaderName = HeaderName::from_static("chitieu-next-updated-since");

/// Read stored figures: a full pull, or an incremental pull with `updated_since`.
///
/// Without `updated_since`, the stored figures in storage order. With it, every change made
/// at or after that time in the order the changes were made, a deleted figure included as
/// a marker with `deleted: true` and `value: null`. Page with `cursor` until `next_cursor`
/// is absent; that last page's `Chitieu-Next-Updated-Since` header is the `updated_since` of
/// the next pull. The body carries a strong `ETag`; send it back in `If-None-Match` to get
/// 304 when nothing changed.
#[utoipa::path(get, path = "/api/v1/data-values", tag = "data-values", operation_id = "list_data_values",
    params(DataValueQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "Stored figures, or the changes since `updated_since`", body = DataValueList,
            headers(("chitieu-next-updated-since" = String, description = "On the last page only: the `updated_since` of the next incremental pull (RFC 3339)"))),
        (status = 400, description = "Invalid filter, timestamp, cursor or limit", body = crate::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown org unit or data element", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_data_values(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<DataValueQuery>,
) -> Result<Response, ApiError> {
    let since = q
        .updated_since
        .as_deref()
        .map(|t| parse_rfc3339("updated_since", t))
        .transpose()?;
    let query = FigureQuery {
        org_unit: q.org_unit.as_deref(),
        include_descendants: q.children,
        period: q.period.as_deref(),
        data_element: q.data_element.as_deref(),
    };
    let page = PageRequest::rest(q.limit, q.cursor.as_deref());
    let pull = data_values::pull(&state, &caller, query, since, page).await?;
    let mut res = Json(DataValueList {
        next_cursor: pull.page.next_cursor(),
        data_values: pull
            .page
            .items
            .iter()
            .map(|row| match row {
                PullRow::Value(v) => DataValueDto::from(v),
                PullRow::Change(c) => DataValueDto::from(c),
            })
            .collect(),
    })
    .into_response();
    if let Some(next) = pull.next_updated_since
        && let Ok(v) = HeaderValue::from_str(&rfc3339(next))
    {
        res.headers_mut().insert(NEXT_UPDATED_SINCE, v);
    }
    Ok(res)
}
