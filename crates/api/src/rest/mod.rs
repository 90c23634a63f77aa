//! REST routes. Every route is registered through utoipa-axum's `routes!`, so the served
//! OpenAPI document cannot drift from the router.

mod access;
mod auth;
mod catalogue;
mod data_sets;
mod data_value_pulls;
mod data_values;
mod docs;
mod fallback;
mod health;
mod metadata;
mod metrics;
mod notes;
mod org_units;
mod outliers;
mod projects;
mod report_cycle;
mod report_reads;
mod reports;
mod scores;
mod single_value;
mod spec;

use std::sync::Arc;

use axum::{Extension, Router};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;

pub use fallback::{method_not_allowed, not_found};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "chitieu",
        description = "Live KPI reporting for Vietnam's digital transformation: units submit figures, \
                       the city and province read aggregated attainment against targets.",
        version = "1"
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::Problem, crate::FieldError))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or ctk_ API token")
                    .build(),
            ),
        );
    }
}

/// The pulled reads: strong ETags and `If-None-Match` → 304, declared in the document too.
fn conditional_router() -> OpenApiRouter<AppState> {
    let mut router = OpenApiRouter::new()
        .routes(routes!(data_value_pulls::list_data_values))
        .routes(routes!(reports::get_attainment))
        .routes(routes!(reports::get_aggregates));
    spec::mark_conditional(router.get_openapi_mut());
    router.route_layer(axum::middleware::from_fn(crate::etag::conditional))
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(metrics::get_metrics))
        .routes(routes!(docs::get_openapi))
        .routes(routes!(docs::get_docs))
        .routes(routes!(metadata::import_metadata))
        .routes(routes!(data_values::submit_data_value_set))
        .routes(routes!(
            single_value::get_data_value,
            single_value::put_data_value,
            single_value::delete_data_value
        ))
        .routes(routes!(org_units::list_org_units))
        .routes(routes!(org_units::get_org_unit))
        .routes(routes!(catalogue::list_data_elements))
        .routes(routes!(catalogue::list_indicators))
        .routes(routes!(catalogue::list_targets))
        .routes(routes!(catalogue::list_validation_rules))
        .routes(routes!(data_sets::list_data_sets))
        .routes(routes!(access::create_user, access::list_users))
        .routes(routes!(access::update_user))
        .routes(routes!(access::create_api_token, access::list_api_tokens))
        .routes(routes!(access::revoke_api_token))
        .routes(routes!(access::list_audit_events))
        .routes(routes!(reports::get_validation))
        .routes(routes!(outliers::get_outliers))
        .routes(routes!(report_reads::list_reports))
        .routes(routes!(report_reads::get_completeness))
        .routes(routes!(report_cycle::transition_report))
        .routes(routes!(scores::get_scores))
        .routes(routes!(projects::list_projects))
        .routes(routes!(projects::record_milestone))
        .routes(routes!(notes::list_notes))
        .merge(conditional_router())
        .merge(auth_router())
}

/// Login, refresh, logout and password changes: their bodies are small, so they are bounded
/// to [`auth::MAX_BODY_BYTES`] before they are read (413 beyond).
fn auth_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(access::change_own_password))
        .route_layer(axum::extract::DefaultBodyLimit::max(auth::MAX_BODY_BYTES))
}

/// The REST router (state not yet supplied) and its OpenAPI document, which it also serves
/// at `/openapi.json` and `/docs`.
pub fn router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = api_router().split_for_parts();
    spec::complete(&mut doc);
    let docs = Arc::new(docs::ApiDocs::new(&doc));
    (router.layer(Extension(docs)), doc)
}

/// The OpenAPI document the server serves.
pub fn openapi() -> utoipa::openapi::OpenApi {
    router().1
}
