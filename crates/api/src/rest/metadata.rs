//! `POST /api/v1/metadata`.

use axum::{Json, extract::State};

use crate::{
    ApiError, AppState,
    auth::Caller,
    dto::{
        data_values::DryRunQuery,
        metadata::{MetadataRequest, MetadataResponse},
    },
    json::{ApiJson, ApiQuery},
    service::metadata as metadata_service,
};

/// Import a metadata bundle, upserted by code, all or nothing.
#[utoipa::path(post, path = "/api/v1/metadata", tag = "metadata", operation_id = "import_metadata",
    params(DryRunQuery),
    request_body = MetadataRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Imported", body = MetadataResponse),
        (status = 422, description = "Invalid bundle; every error listed, nothing stored", body = crate::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = crate::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed", body = crate::Problem, content_type = "application/problem+json"),
    ))]
pub async fn import_metadata(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<DryRunQuery>,
    ApiJson(body): ApiJson<MetadataRequest>,
) -> Result<Json<MetadataResponse>, ApiError> {
    let (bundle, issues) = body.into_bundle();
    let summary = metadata_service::import(&state, &caller, &bundle, issues, query.dry_run).await?;
    Ok(Json(MetadataResponse::new(&summary, query.dry_run)))
}
