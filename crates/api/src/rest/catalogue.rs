//! Catalogue reads: data elements, indicators, targets, validation rules.

use axum::{Json, extract::State};

use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::catalogue::{
        DataElementDto, DataElementList, IndicatorDto, IndicatorList, IndicatorQuery, PageQuery,
        TargetDto, TargetList, TargetQuery, ValidationRuleDto, ValidationRuleList,
    },
    json::ApiQuery,
    service::{catalogue, page::PageRequest},
};

fn page(q: &PageQuery) -> PageRequest<'_> {
    PageRequest::rest(q.limit, q.cursor.as_deref())
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
    let page = catalogue::data_elements(&state, &caller, page(&q)).await?;
    Ok(Json(DataElementList {
        next_cursor: page.next_cursor(),
        data_elements: page.items.iter().map(DataElementDto::from).collect(),
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
    let page = PageRequest::rest(q.limit, q.cursor.as_deref());
    let page = catalogue::indicators(&state, &caller, q.group.as_deref(), page).await?;
    Ok(Json(IndicatorList {
        next_cursor: page.next_cursor(),
        indicators: page.items.iter().map(IndicatorDto::from).collect(),
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
    let page = catalogue::targets(
        &state,
        &caller,
        q.indicator.as_deref(),
        q.org_unit.as_deref(),
        PageRequest::rest(q.limit, q.cursor.as_deref()),
    )
    .await?;
    Ok(Json(TargetList {
        next_cursor: page.next_cursor(),
        targets: page.items.iter().map(TargetDto::from).collect(),
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
    let page = catalogue::validation_rules(&state, &caller, page(&q)).await?;
    Ok(Json(ValidationRuleList {
        next_cursor: page.next_cursor(),
        validation_rules: page.items.iter().map(ValidationRuleDto::from).collect(),
    }))
}
