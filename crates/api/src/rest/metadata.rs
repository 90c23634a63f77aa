//! `POST /api/v1/metadata`.

use axum::{Json, extract::State};
use chitieu_persistence::{TransactionTrait, metadata};

use crate::{
    ApiError, AppState, FieldError,
    auth::Caller,
    authz::{Operation, authorize},
    dto::{
        data_values::DryRunQuery,
        metadata::{MetadataRequest, MetadataResponse},
    },
    json::{ApiJson, ApiQuery},
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
    authorize(&caller, Operation::EditMetadata)?;
    let (bundle, mut issues) = body.into_bundle();
    let _guard = state.write_guard().await;
    let tx = state.db.conn().begin().await?;
    let result = metadata::import(&tx, &bundle).await?;
    let summary = match result {
        Ok(summary) if issues.is_empty() => summary,
        Ok(_) => {
            tx.rollback().await?;
            return Err(invalid(issues));
        }
        Err(more) => {
            tx.rollback().await?;
            issues.extend(more);
            return Err(invalid(issues));
        }
    };
    let total = summary.total();
    chitieu_persistence::audit::record(
        &tx,
        &caller.actor(),
        vec![chitieu_persistence::audit::NewEvent {
            action: "metadata.import",
            org_unit_id: None,
            detail: serde_json::json!({
                "created": total.created, "updated": total.updated, "unchanged": total.unchanged,
                "org_units": bundle.org_units.iter().map(|(_, u)| u.code.as_str()).collect::<Vec<_>>(),
                "data_elements": bundle.data_elements.iter().map(|(_, e)| e.code.as_str()).collect::<Vec<_>>(),
                "indicators": bundle.indicators.iter().map(|(_, i)| i.code.as_str()).collect::<Vec<_>>(),
                "targets": bundle.targets.len(),
                "validation_rules": bundle.validation_rules.iter().map(|(_, r)| r.code.as_str()).collect::<Vec<_>>(),
            }).to_string(),
        }],
    )
    .await?;
    if query.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
        state.refresh_statistics_later();
    }
    Ok(Json(MetadataResponse::new(&summary, query.dry_run)))
}

fn invalid(issues: Vec<chitieu_persistence::FieldIssue>) -> ApiError {
    ApiError::Validation {
        code: "invalid_metadata",
        detail: format!(
            "the bundle has {} error(s); nothing was stored",
            issues.len()
        ),
        errors: issues.into_iter().map(FieldError::from).collect(),
    }
}
