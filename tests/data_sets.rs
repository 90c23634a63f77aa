//! Data sets, indicator groups and min–max bounds in the metadata bundle, read back over
//! REST (`GET /api/v1/data-sets`) and GraphQL (`dataSets`, `indicatorGroups`).
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn gql(app: &common::TestApp, query: &str) -> Value {
    let res = app
        .req(Method::POST, "/graphql")
        .json(&json!({"query": query}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

both_databases! {
    async fn data_sets_are_created_read_back_and_unchanged_when_sent_again(app: TestApp) {
        app.seed_catalogue().await;
        let (status, body) = app.post("/api/v1/metadata", &common::cycle::bundle()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["by_kind"]["data_sets"]["created"], 2);
        assert_eq!(body["by_kind"]["indicator_groups"]["created"], 2);
        assert_eq!(body["by_kind"]["min_max"]["created"], 2);
        assert_eq!(body["created"], 6);

        let (status, list) = app.get("/api/v1/data-sets").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list, json!({"data_sets": [
            {"code": "DX_Q", "name": "Báo cáo chuyển đổi số quý", "period_type": "quarter",
             "data_elements": ["DOC_IN_SW", "DOC_OUT_SW"], "assigned_kinds": ["city", "ward"],
             "assigned_units": ["VT-UBND"], "cutoff_day": 14, "due_days": 2,
             "approval_due_days": 3, "lock_after_days": 30},
            {"code": "DX_Y", "name": "Báo cáo thanh toán năm", "period_type": "year",
             "data_elements": ["PAY_TX_OK", "PAY_TX_TOTAL"], "assigned_kinds": [],
             "assigned_units": ["VT"], "cutoff_day": null, "due_days": 10,
             "approval_due_days": 5, "lock_after_days": null}
        ]}));

        // The same bundle with its lists in another order changes nothing.
        let mut again = common::cycle::bundle();
        again["data_sets"][0]["data_elements"] = json!(["DOC_IN_SW", "DOC_OUT_SW"]);
        again["data_sets"][0]["assigned_kinds"] = json!(["city", "ward"]);
        again["min_max"][0]["max"] = json!(5000.0);
        let (status, body) = app.post("/api/v1/metadata", &again).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!((body["created"].as_u64(), body["updated"].as_u64()), (Some(0), Some(0)), "{body}");
        assert_eq!(body["unchanged"], 6);
    }

    async fn an_update_replaces_the_lists_of_a_data_set(app: TestApp) {
        app.seed_cycle().await;
        let (status, body) = app.post("/api/v1/metadata", &json!({
            "data_sets": [{"code": "DX_Q", "name": "Báo cáo quý", "period_type": "quarter",
                           "data_elements": ["DOC_OUT_PAPER"], "assigned_kinds": ["office"],
                           "due_days": 5, "approval_due_days": 3}],
            "indicator_groups": [{"code": "digital_government", "name": "Chính quyền số", "weight": 40}],
            "min_max": [{"data_element": "DOC_OUT_SW", "org_unit": "VT-P1", "min": 10}]
        })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["updated"], 3, "{body}");
        let (_, list) = app.get("/api/v1/data-sets").await;
        let q = &list["data_sets"][0];
        assert_eq!(q["data_elements"], json!(["DOC_OUT_PAPER"]));
        assert_eq!(q["assigned_kinds"], json!(["office"]));
        assert_eq!(q["assigned_units"], json!([]));
        assert_eq!(q["cutoff_day"], Value::Null);
        assert_eq!(q["lock_after_days"], Value::Null);

        let data = gql(&app, "{ dataSets { code periodType dataElements assignedUnits dueDays } \
                                indicatorGroups { code name weight indicators { code } } }").await;
        assert_eq!(data["dataSets"][1], json!({"code": "DX_Y", "periodType": "year",
            "dataElements": ["PAY_TX_OK", "PAY_TX_TOTAL"], "assignedUnits": ["VT"], "dueDays": 10}));
        assert_eq!(data["indicatorGroups"], json!([
            {"code": "digital_economy", "name": "Kinh tế số", "weight": 12.5, "indicators": []},
            {"code": "digital_government", "name": "Chính quyền số", "weight": 40,
             "indicators": [{"code": "DOC_SW_RATE"}]}
        ]));
    }

    async fn an_invalid_cycle_bundle_lists_every_error_and_stores_nothing(app: TestApp) {
        app.seed_catalogue().await;
        let (status, body) = app.post("/api/v1/metadata", &json!({
            "data_sets": [
                {"code": "A", "name": "A", "period_type": "week", "data_elements": ["NOPE", "DOC_IN_SW", "DOC_IN_SW"],
                 "assigned_units": ["NOWHERE"], "cutoff_day": 32, "due_days": 2, "approval_due_days": 3},
                {"code": "B", "name": "B", "period_type": "month", "data_elements": ["GONE"],
                 "assigned_units": ["NOWHERE"], "due_days": -1, "approval_due_days": 3},
                {"code": "B", "name": "B2", "period_type": "month", "data_elements": [],
                 "due_days": 1, "approval_due_days": 400}
            ],
            "indicator_groups": [{"code": "G", "name": "G", "weight": -1}],
            "min_max": [
                {"data_element": "NOTE", "org_unit": "VT", "min": 1},
                {"data_element": "SHARE", "org_unit": "VT", "min": 2, "max": 1},
                {"data_element": "SHARE", "org_unit": "NOWHERE"}
            ]
        })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["code"], "invalid_metadata");
        let got: Vec<(String, String)> = body["errors"].as_array().unwrap().iter()
            .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
            .collect();
        let want = [
            ("data_sets[0].period_type", "invalid_period_type"),
            ("data_sets[0].cutoff_day", "invalid_schedule"),
            ("data_sets[1].due_days", "invalid_schedule"),
            ("data_sets[2].approval_due_days", "invalid_schedule"),
            ("indicator_groups[0].weight", "invalid_weight"),
            ("min_max[1]", "invalid_bounds"),
            ("min_max[2]", "invalid_bounds"),
            ("min_max[0].data_element", "non_numeric_element"),
        ];
        for (field, code) in want {
            assert!(got.iter().any(|(f, c)| f == field && c == code), "{field} {code}: {body}");
        }
        let (_, list) = app.get("/api/v1/data-sets").await;
        assert_eq!(list["data_sets"], json!([]));

        // With the parse errors fixed, the references are checked.
        let (status, body) = app.post("/api/v1/metadata", &json!({
            "data_sets": [
                {"code": "A", "name": "A", "period_type": "quarter", "data_elements": ["NOPE", "DOC_IN_SW", "DOC_IN_SW"],
                 "assigned_units": ["NOWHERE"], "due_days": 2, "approval_due_days": 3},
                {"code": "A", "name": "A", "period_type": "month", "data_elements": [],
                 "due_days": 2, "approval_due_days": 3}
            ]
        })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let got: Vec<(&str, &str)> = body["errors"].as_array().unwrap().iter()
            .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
            .collect();
        assert_eq!(got, [
            ("data_sets[1].code", "duplicate_code"),
            ("data_sets[0].data_elements", "duplicate_code"),
            ("data_sets[0].data_elements", "unknown_data_element"),
            ("data_sets[0].assigned_units", "unknown_org_unit"),
        ], "{body}");
    }

    async fn a_data_set_list_is_bounded(app: TestApp) {
        app.seed_catalogue().await;
        let many: Vec<String> = (0..10_001).map(|i| format!("E{i}")).collect();
        let (status, body) = app.post("/api/v1/metadata", &json!({
            "data_sets": [{"code": "BIG", "name": "Big", "period_type": "month",
                           "data_elements": many, "due_days": 1, "approval_due_days": 1}]
        })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "data_sets[0].data_elements");
        assert_eq!(body["errors"][0]["code"], "too_many_items");
    }
    async fn the_sets_holding_some_elements_are_found_in_one_read(app: TestApp) {
        use chitieu_persistence::{catalogue, data_sets};
        app.seed_cycle().await;
        let conn = app.state.db.conn();
        let elements = catalogue::all_data_elements(conn).await.unwrap();
        let id = |code: &str| *elements.iter().find(|(_, e)| e.element.code.as_str() == code).unwrap().0;
        let codes = |sets: Vec<data_sets::StoredDataSet>| sets.iter().map(|s| s.code.to_string()).collect::<Vec<_>>();
        assert_eq!(codes(data_sets::for_elements(conn, &[id("DOC_IN_SW")]).await.unwrap()), ["DX_Q"]);
        assert_eq!(codes(data_sets::for_elements(conn, &[id("PAY_TX_OK"), id("DOC_OUT_SW"), id("DOC_IN_SW")]).await.unwrap()), ["DX_Q", "DX_Y"]);
        assert!(data_sets::for_elements(conn, &[id("NOTE")]).await.unwrap().is_empty());
        let q = data_sets::load_by_code(conn, &chitieu_domain::DataSetCode::parse("DX_Q").unwrap()).await.unwrap().unwrap();
        let names: Vec<&str> = q.elements.iter().map(|(_, c)| c.as_str()).collect();
        assert_eq!(names, ["DOC_IN_SW", "DOC_OUT_SW"]);
        assert_eq!(q.units.len(), 1);
        assert!(q.is_assigned(q.units[0].0, "office"));
        assert!(q.is_assigned(chitieu_persistence::OrgUnitId::new(-1), "ward"));
        assert!(!q.is_assigned(chitieu_persistence::OrgUnitId::new(-1), "province"));
        assert_eq!(q.schedule.cutoff_day(), Some(14));
        assert!(data_sets::load_by_code(conn, &chitieu_domain::DataSetCode::parse("NOPE").unwrap()).await.unwrap().is_none());
    }
}
