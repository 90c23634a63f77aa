//! Loading the catalogue with `POST /api/v1/metadata` and reading it back.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::StatusCode;
use serde_json::json;

both_databases! {
    async fn a_bundle_is_created_then_unchanged_when_sent_again(app: TestApp) {
        let (status, first) = app.post("/api/v1/metadata", &common::catalogue()).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        assert_eq!(first["status"], "success");
        // 6 units + 9 elements + 1 indicator + 2 targets + 1 rule
        assert_eq!(first["created"], 19);
        assert_eq!(first["by_kind"]["org_units"]["created"], 6);
        assert_eq!(first["errors"], json!([]));
        let (status, again) = app.post("/api/v1/metadata", &common::catalogue()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again["created"], 0);
        assert_eq!(again["updated"], 0);
        assert_eq!(again["unchanged"], 19);
    }

    async fn changed_objects_are_counted_as_updated(app: TestApp) {
        app.seed_catalogue().await;
        let (status, body) = app.post("/api/v1/metadata", &json!({
            "org_units": [{"code": "VT-P1", "name": "Phường Một", "parent": "VT", "kind": "ward"}],
            "targets": [{"indicator": "DOC_SW_RATE", "org_unit": "VT", "period": "2023", "operator": ">=", "value": 95, "label": "city"}]
        })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["updated"], 2);
        let (_, unit) = app.get("/api/v1/org-units/VT-P1").await;
        assert_eq!(unit["name"], "Phường Một");
        let (_, targets) = app.get("/api/v1/targets?org_unit=VT").await;
        assert_eq!(targets["targets"][0]["value"], 95);
    }

    async fn a_name_sent_in_nfd_comes_back_in_nfc(app: TestApp) {
        let nfd = "Phu\u{031B}o\u{031B}\u{0300}ng Tha\u{0306}\u{0301}ng Nhi\u{0300}";
        let (status, body) = app.post("/api/v1/metadata", &json!({
            "org_units": [{"code": "TN", "name": nfd, "kind": "ward"}]
        })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, unit) = app.get("/api/v1/org-units/TN").await;
        assert_eq!(unit["name"], "Phường Thắng Nhì");
        assert_ne!(unit["name"], nfd);
    }

    async fn an_invalid_bundle_lists_every_error_and_stores_nothing(app: TestApp) {
        let (status, body) = app.post("/api/v1/metadata", &json!({
            "org_units": [
                {"code": "A", "name": "Đơn vị A", "kind": "city"},
                {"code": "B", "name": "Đơn vị B", "parent": "NOWHERE", "kind": "ward"},
                {"code": "bad code!", "name": "x", "kind": "ward"}
            ],
            "data_elements": [
                {"code": "E1", "name": "E1", "value_type": "integer", "aggregation": "sum"},
                {"code": "E2", "name": "E2", "value_type": "decimal", "aggregation": "sum"}
            ],
            "indicators": [
                {"code": "I1", "name": "I1", "numerator": "#{E1} + #{MISSING}", "denominator": "#{E1} *", "factor": 100}
            ],
            "targets": [
                {"indicator": "I1", "org_unit": "A", "period": "2023Q5", "operator": ">=", "value": 1},
                {"indicator": "NOPE", "org_unit": "A", "period": "2023", "operator": "!=", "value": 1}
            ],
            "validation_rules": [
                {"code": "R1", "name": "R1", "left": "#{E1}", "operator": "=<", "right": "#{E1}"}
            ]
        })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["code"], "invalid_metadata");
        let errors = body["errors"].as_array().unwrap();
        let has = |field: &str, code: &str| errors.iter().any(|e| e["field"] == field && e["code"] == code);
        assert!(has("org_units[1].parent", "unknown_org_unit"), "{body}");
        assert!(has("org_units[2].code", "invalid_code"), "{body}");
        assert!(has("data_elements[1].value_type", "invalid_value_type"), "{body}");
        assert!(has("indicators[0].denominator", "invalid_expression"), "{body}");
        assert!(has("indicators[0].numerator", "unknown_data_element"), "{body}");
        assert!(has("targets[0].period", "invalid_period"), "{body}");
        assert!(has("targets[1].operator", "invalid_operator"), "{body}");
        assert!(has("validation_rules[0].operator", "invalid_operator"), "{body}");
        // Nothing was stored, not even the valid unit A.
        let (status, _) = app.get("/api/v1/org-units/A").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (_, elements) = app.get("/api/v1/data-elements").await;
        assert_eq!(elements["data_elements"], json!([]));
    }

    async fn a_cycle_in_the_tree_is_refused(app: TestApp) {
        app.seed_catalogue().await;
        let (status, body) = app.post("/api/v1/metadata", &json!({
            "org_units": [{"code": "VN", "name": "Việt Nam", "parent": "VT-P1", "kind": "nation"}]
        })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["code"], "org_unit_cycle");
    }

    async fn a_tree_error_points_at_its_own_unit_not_one_whose_code_prefixes_it(app: TestApp) {
        app.seed_catalogue().await;
        // `VT` comes first and its code is a prefix of `VT-P1`, the only unit in error.
        let (status, body) = app.post("/api/v1/metadata", &json!({
            "org_units": [
                {"code": "VT", "name": "Thành phố Vũng Tàu", "parent": "BRVT", "kind": "city"},
                {"code": "VT-P1", "name": "Phường 1", "parent": "VT-P1", "kind": "ward"}
            ]
        })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let errors = body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{body}");
        assert_eq!(errors[0]["field"], "org_units[1].parent", "{body}");
        assert_eq!(errors[0]["code"], "org_unit_cycle", "{body}");
    }

    async fn a_dry_run_answers_like_the_real_import_and_stores_nothing(app: TestApp) {
        let (status, body) = app.post("/api/v1/metadata?dry_run=true", &common::catalogue()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["created"], 19);
        assert_eq!(body["dry_run"], true);
        let (_, units) = app.get("/api/v1/org-units").await;
        assert_eq!(units["org_units"], json!([]));
    }

    async fn moving_a_unit_moves_its_subtree(app: TestApp) {
        app.seed_catalogue().await;
        let (status, body) = app.post("/api/v1/metadata", &json!({
            "org_units": [
                {"code": "HCM", "name": "Thành phố Hồ Chí Minh", "parent": "VN", "kind": "province"},
                {"code": "VT", "name": "Thành phố Vũng Tàu", "parent": "HCM", "kind": "city"}
            ]
        })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, p1) = app.get("/api/v1/org-units/VT-P1").await;
        assert_eq!(p1["level"], 4);
        let (_, children) = app.get("/api/v1/org-units?parent=HCM").await;
        assert_eq!(children["org_units"][0]["code"], "VT");
        let (_, under_brvt) = app.get("/api/v1/org-units?parent=BRVT").await;
        assert_eq!(under_brvt["org_units"], json!([]));
    }

    async fn the_catalogue_reads_list_what_was_loaded(app: TestApp) {
        app.seed_catalogue().await;
        let (_, elements) = app.get("/api/v1/data-elements").await;
        assert_eq!(elements["data_elements"].as_array().unwrap().len(), 9);
        assert_eq!(elements["data_elements"][0]["code"], "DOC_IN_PAPER");
        let (_, indicators) = app.get("/api/v1/indicators?group=digital_government").await;
        assert_eq!(indicators["indicators"][0]["factor"], 100);
        assert_eq!(indicators["indicators"][0]["decimals"], 2);
        let (_, targets) = app.get("/api/v1/targets?indicator=DOC_SW_RATE").await;
        assert_eq!(targets["targets"].as_array().unwrap().len(), 2);
        assert_eq!(targets["targets"][0]["period"], "2023");
        let (_, rules) = app.get("/api/v1/validation-rules").await;
        assert_eq!(rules["validation_rules"][0]["operator"], "<=");
        let (_, page) = app.get("/api/v1/data-elements?limit=4").await;
        assert_eq!(page["data_elements"].as_array().unwrap().len(), 4);
        let cursor = page["next_cursor"].as_str().unwrap();
        let (_, next) = app.get(&format!("/api/v1/data-elements?limit=10&cursor={cursor}")).await;
        assert_eq!(next["data_elements"].as_array().unwrap().len(), 5);
        assert!(next.get("next_cursor").is_none());
    }

    async fn org_units_are_searched_ignoring_case_and_diacritics(app: TestApp) {
        app.seed_catalogue().await;
        let (status, body) = app.get("/api/v1/org-units?q=PHUONG%208").await;
        assert_eq!(status, StatusCode::OK);
        let codes: Vec<&str> = body["org_units"].as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["VT-P8"]);
        let (_, body) = app.get("/api/v1/org-units?q=vung%20tau").await;
        assert_eq!(body["org_units"].as_array().unwrap().len(), 3);
        let (_, body) = app.get("/api/v1/org-units?q=100%25").await;
        assert_eq!(body["org_units"], json!([]), "% is matched literally");
        let (status, body) = app.get("/api/v1/org-units/NOPE").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["code"], "unknown_org_unit");
    }
}
