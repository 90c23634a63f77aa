//! `GET /api/v1/data-sets`.

use axum::{Json, extract::State};

use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::data_sets::{DataSetDto, DataSetList},
    service::data_sets,
};

/// List the data sets (forms) with their calendar and assignments, by code.
#[utoipa::path(get, path = "/api/v1/data-sets", tag = "catalogue", operation_id = "list_data_sets",
    security(("bearer" = [])),
    responses((status = 200, description = "Data sets by code", body = DataSetList),
              (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json")))]
pub async fn list_data_sets(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<DataSetList>, ApiError> {
    let sets = data_sets::list(&state, &caller).await?;
    Ok(Json(DataSetList {
        data_sets: sets.iter().map(DataSetDto::from).collect(),
    }))
}
