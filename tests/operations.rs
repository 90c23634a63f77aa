//! Health, readiness, unknown routes and wrong methods, background upkeep.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;

both_databases! {
    async fn health_and_readiness_answer_without_a_token(app: TestApp) {
        for path in ["/healthz", "/readyz"] {
            let res = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert!(res.headers().get("x-request-id").is_some());
        }
    }

    async fn unknown_routes_and_wrong_methods_are_problem_json(app: TestApp) {
        let (status, body) = common::read(app.client.get(format!("{}/api/v1/nothing", app.base)).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["code"], "not_found");
        assert_eq!(body["type"], "urn:chitieu:problem:not_found");
        let (status, body) = common::read(app.client.delete(format!("{}/api/v1/org-units", app.base)).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(body["code"], "method_not_allowed");
    }

    async fn the_demo_loads_the_report_and_loading_it_again_changes_nothing(app: TestApp) {
        let first = chitieu_api::demo::load(&app.state).await.unwrap();
        assert_eq!(first.values_imported, 316, "306 figures and 10 figure states");
        assert_eq!(first.violations, 30, "the report's arithmetic inconsistencies are flagged");
        assert_eq!(first.users_created, 4);
        assert_eq!(first.report_transitions, 61, "29 approved (2 steps each), 1 returned (2), 1 submitted (1)");
        assert_eq!(first.milestones_recorded, 10);
        let second = chitieu_api::demo::load(&app.state).await.unwrap();
        assert_eq!(second.metadata_created, 0);
        assert_eq!(second.values_imported, 0);
        assert_eq!(second.users_created, 0);
        assert_eq!(second.report_transitions, 0);
        assert_eq!(second.milestones_recorded, 0);
        let (_, units) = app.get("/api/v1/org-units?parent=VT&limit=100").await;
        assert_eq!(units["org_units"].as_array().unwrap().len(), 2, "the city office and the wards as a whole");
        let (_, p2) = app.get("/api/v1/data-values?org_unit=VT-P2").await;
        assert_eq!(p2["data_values"].as_array().unwrap().len(), 3, "Phường 2's blank cell stays absent");
    }

    async fn the_served_openapi_document_is_the_checked_in_one(app: TestApp) {
        let res = app.client.get(format!("{}/openapi.json", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let served: serde_json::Value = res.json().await.unwrap();
        let checked_in: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(served, checked_in);
        assert!(served["openapi"].as_str().unwrap().starts_with("3.1"));
        assert!(served["paths"]["/api/v1/data-value-sets"]["post"]["security"].is_array());
    }
}

mod upkeep {
    use super::*;

    /// The keys of the stored idempotency records.
    async fn idempotency_keys(db: &sea_orm::DatabaseConnection) -> Vec<String> {
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                r#"SELECT "key" FROM idempotency_record ORDER BY "key""#,
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| r.try_get_by_index::<String>(0).unwrap())
            .collect()
    }

    both_databases! {
        config = |c| c.purge_interval = Duration::from_millis(200);

        async fn expired_idempotency_records_are_purged_in_the_background(app: TestApp) {
            let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
            let hour: i64 = 3600 * 1_000_000;
            let now = chitieu_persistence::now_micros();
            for (key, age) in [("expired", 49 * hour), ("long-expired", 30 * 24 * hour), ("recent", 23 * hour)] {
                db.execute_unprepared(&format!(
                    r#"INSERT INTO idempotency_record (scope, "key", request_hash, status_code, response_body, created_at)
                       VALUES ('user:1', '{key}', 'h', 200, '{{}}', {})"#,
                    now - age
                ))
                .await
                .unwrap();
            }
            common::wait_until("the expired records to be purged, the recent one kept", Duration::from_secs(20), || async {
                idempotency_keys(&db).await == ["recent"]
            })
            .await;
        }
    }
}
