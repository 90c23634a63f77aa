//! Catalogue reads: data elements, indicators, targets, validation rules.

use axum::{Json, extract::State};
use chitieu_persistence::catalogue;

use crate::{
    ApiError, AppState,
    auth::Caller,
    authz::{Operation, authorize},
    dto::{
        catalogue::{
            DataElementDto, DataElementList, IndicatorDto, IndicatorList, IndicatorQuery,
            PageQuery, TargetDto, TargetList, TargetQuery, ValidationRuleDto, ValidationRuleList,
        },
        common::{decode_cursor, decode_id_cursor, page_size, split_page},
    },
    json::ApiQuery,
    service::filters,
};

fn cursor(c: &Option<String>) -> Result<Option<String>, ApiError> {
    c.as_deref().map(decode_cursor).transpose()
}

/// List data elements.
#[utoipa::path(get, path = "/api/v1/data-elements", tag = "catalogue", operation_id = "list_data_elements",
    params(PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "Data elements by code", body = DataElementList),
              (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json")))]
pub async fn list_data_elements(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<DataElementList>, ApiError> {
    authorize(&caller, Operation::Read)?;
    let limit = page_size(q.limit, 1000, 10_000)?;
    let after = cursor(&q.cursor)?;
    let items = catalogue::data_elements(state.db.conn(), after.as_deref(), limit + 1).await?;
    let (items, next_cursor) = split_page(items, limit, |e| e.element.code.as_str().to_owned());
    Ok(Json(DataElementList {
        data_elements: items.iter().map(DataElementDto::from).collect(),
        next_cursor,
    }))
}

/// List indicators.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "catalogue", operation_id = "list_indicators",
    params(IndicatorQuery), security(("bearer" = [])),
    responses((status = 200, description = "Indicators by code", body = IndicatorList),
              (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json")))]
pub async fn list_indicators(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<IndicatorQuery>,
) -> Result<Json<IndicatorList>, ApiError> {
    authorize(&caller, Operation::Read)?;
    let limit = page_size(q.limit, 1000, 10_000)?;
    let after = cursor(&q.cursor)?;
    let group = crate::service::filters::group_code(q.group.as_deref())?;
    let items =
        catalogue::indicators(state.db.conn(), group.as_ref(), after.as_deref(), limit + 1).await?;
    let (items, next_cursor) = split_page(items, limit, |i| i.indicator.code.as_str().to_owned());
    Ok(Json(IndicatorList {
        indicators: items.iter().map(IndicatorDto::from).collect(),
        next_cursor,
    }))
}

/// List the targets that apply to your subtree.
///
/// Those set by a unit inside your subtree or by one of its ancestors (a national target
/// applies to a ward); never those of a unit beside it.
#[utoipa::path(get, path = "/api/v1/targets", tag = "catalogue", operation_id = "list_targets",
    params(TargetQuery), security(("bearer" = [])),
    responses((status = 200, description = "Targets", body = TargetList),
              (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json"),
              (status = 404, description = "`indicator` or `org_unit` names nothing you can see", body = crate::Problem, content_type = "application/problem+json")))]
pub async fn list_targets(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<TargetQuery>,
) -> Result<Json<TargetList>, ApiError> {
    authorize(&caller, Operation::Read)?;
    let limit = page_size(q.limit, 1000, 10_000)?;
    let after = decode_id_cursor(q.cursor.as_deref())?;
    let filter = filters::target_filter(
        &state,
        &caller,
        q.indicator.as_deref(),
        q.org_unit.as_deref(),
    )
    .await?;
    let items = catalogue::targets(state.db.conn(), &filter, after, limit + 1).await?;
    let (items, next_cursor) = split_page(items, limit, |t| t.id.to_string());
    Ok(Json(TargetList {
        targets: items.iter().map(TargetDto::from).collect(),
        next_cursor,
    }))
}

/// List validation rules.
#[utoipa::path(get, path = "/api/v1/validation-rules", tag = "catalogue", operation_id = "list_validation_rules",
    params(PageQuery), security(("bearer" = [])),
    responses((status = 200, description = "Validation rules by code", body = ValidationRuleList),
              (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json")))]
pub async fn list_validation_rules(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<ValidationRuleList>, ApiError> {
    authorize(&caller, Operation::Read)?;
    let limit = page_size(q.limit, 1000, 10_000)?;
    let after = cursor(&q.cursor)?;
    let items = catalogue::validation_rules(state.db.conn(), after.as_deref(), limit + 1).await?;
    let (items, next_cursor) = split_page(items, limit, |r| r.rule.code.as_str().to_owned());
    Ok(Json(ValidationRuleList {
        validation_rules: items.iter().map(ValidationRuleDto::from).collect(),
        next_cursor,
    }))
}
