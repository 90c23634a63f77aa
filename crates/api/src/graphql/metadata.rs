//! Catalogue writes: the same metadata bundle as `POST /api/v1/metadata`.

use async_graphql::{Context, Object, SimpleObject};

use super::{
    context::state_and_caller,
    error::{GqlResult, gql},
    numbers::JsonValue,
};
use crate::{ApiError, dto::metadata::MetadataRequest, service::metadata as service};

/// What an import did (or, with `dryRun`, would do); counts over every kind of object.
#[derive(SimpleObject)]
pub struct MetadataResult {
    /// Checked only, nothing stored.
    pub dry_run: bool,
    /// Objects created.
    pub created: i64,
    /// Objects updated.
    pub updated: i64,
    /// Objects unchanged.
    pub unchanged: i64,
}

/// Catalogue writes (admins).
#[derive(Default)]
pub struct MetadataMutation;

#[Object]
impl MetadataMutation {
    /// Imports a bundle in the REST contract's shape (snake_case keys: `org_units`,
    /// `data_elements`, `indicators`, `targets`, `validation_rules`, `data_sets`,
    /// `indicator_groups`, `min_max`, `projects`, `notes`), upserted by code, all or nothing; an invalid bundle
    /// fails with `invalid_metadata` and every error in `extensions.errors`.
    async fn import_metadata(
        &self,
        ctx: &Context<'_>,
        bundle: JsonValue,
        #[graphql(default)] dry_run: bool,
    ) -> GqlResult<MetadataResult> {
        let (state, caller) = state_and_caller(ctx)?;
        crate::authz::authorize(caller, crate::authz::Operation::EditMetadata).map_err(gql)?;
        let request: MetadataRequest = serde_json::from_value(bundle.0).map_err(|e| {
            gql(ApiError::Unprocessable {
                code: "invalid_body",
                detail: e.to_string(),
            })
        })?;
        let (bundle, issues) = request.into_bundle();
        let summary = service::import(state, caller, &bundle, issues, dry_run)
            .await
            .map_err(gql)?;
        let t = summary.total();
        Ok(MetadataResult {
            dry_run,
            created: t.created as i64,
            updated: t.updated as i64,
            unchanged: t.unchanged as i64,
        })
    }
}
