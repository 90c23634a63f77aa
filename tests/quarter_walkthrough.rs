//! One quarter of the reporting cycle, end to end, as the README's walk-through tells it: a
//! ward's system submits its figures and its report with an API token, the city returns the
//! report with a reason (GraphQL), the ward corrects a figure and resubmits, the city approves
//! (REST), the figures are locked for everyone, and the completeness answer, the reports list
//! and the audit trail show each step.
//!
//! The quarter is the current one (Vietnam time), so the report can be submitted and its
//! deadline lock (30 days after it is due) has not passed, whenever the test runs.
#![allow(clippy::unwrap_used)]

mod common;

use chrono::{Datelike, FixedOffset, Utc};
use common::{TestApp, as_bearer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "Một-mật-khẩu-dài";

/// The current quarter in Vietnam time, e.g. `2026Q4`.
fn this_quarter() -> String {
    let now = Utc::now().with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap());
    format!("{}Q{}", now.year(), (now.month() - 1) / 3 + 1)
}

/// The metadata of the walk-through: the city, two wards, two elements, the quarterly form.
fn bundle() -> Value {
    json!({
        "org_units": [
            {"code": "VN", "name": "Việt Nam", "kind": "nation"},
            {"code": "BRVT", "name": "Tỉnh Bà Rịa - Vũng Tàu", "parent": "VN", "kind": "province"},
            {"code": "VT", "name": "Thành phố Vũng Tàu", "parent": "BRVT", "kind": "city"},
            {"code": "VT-P1", "name": "Phường 1", "parent": "VT", "kind": "ward"},
            {"code": "VT-P8", "name": "Phường 8", "parent": "VT", "kind": "ward"}
        ],
        "data_elements": [
            {"code": "DOC_OUT_SW", "name": "Văn bản đi trên phần mềm", "value_type": "integer", "aggregation": "sum"},
            {"code": "DOC_IN_SW", "name": "Văn bản đến trên phần mềm", "value_type": "integer", "aggregation": "sum"}
        ],
        "data_sets": [
            {"code": "DX_WARD_Q", "name": "Báo cáo chuyển đổi số quý (phường, xã)", "period_type": "quarter",
             "data_elements": ["DOC_OUT_SW", "DOC_IN_SW"], "assigned_kinds": ["ward", "commune"],
             "cutoff_day": 14, "due_days": 2, "approval_due_days": 3, "lock_after_days": 30}
        ]
    })
}

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let (status, body) = as_bearer(app, token, method, path, body).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

async fn completeness(app: &TestApp, quarter: &str) -> Value {
    let (status, body) = app
        .get(&format!("/api/v1/completeness?data_set=DX_WARD_Q&org_unit=VT&period={quarter}&breakdown=children"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn missing(body: &Value) -> Vec<(String, String)> {
    body["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["org_unit"].as_str().unwrap().to_owned(),
                m["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

both_databases! {
    async fn a_quarter_from_a_wards_submission_to_the_citys_approval(app: TestApp) {
        let quarter = this_quarter();
        let (status, body) = app.post("/api/v1/metadata", &bundle()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = app
            .post("/api/v1/users", &json!({"username": "vt.manager", "password": PASSWORD, "role": "manager", "org_unit": "VT"}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let city = app.login("vt.manager", PASSWORD).await;
        let (status, body) = app
            .post("/api/v1/api-tokens", &json!({"name": "p8-ward-system", "org_unit": "VT-P8", "scopes": ["data:write"]}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let ward = body["token"].as_str().unwrap().to_owned();

        // Nothing yet: both wards' reports are expected and missing.
        let start = completeness(&app, &quarter).await;
        assert_eq!(start["rows"][0]["expected"], 2, "{start}");
        assert_eq!(start["rows"][0]["submitted"], 0, "{start}");
        assert_eq!(missing(&start), [("VT-P1".to_owned(), "open".to_owned()), ("VT-P8".to_owned(), "open".to_owned())]);

        // 1. The ward's system sends its figures and submits its report.
        let figures = |out: i64| json!({"org_unit": "VT-P8", "period": quarter,
            "data_values": [{"data_element": "DOC_OUT_SW", "value": out}, {"data_element": "DOC_IN_SW", "value": 300}]});
        call(&app, &ward, Method::POST, "/api/v1/data-value-sets", Some(figures(120))).await;
        let report = json!({"data_set": "DX_WARD_Q", "org_unit": "VT-P8", "period": quarter});
        let submitted = call(&app, &ward, Method::POST, "/api/v1/reports/submit", Some(report.clone())).await;
        assert_eq!(submitted["state"], "submitted", "{submitted}");
        assert_eq!(submitted["submitted_by"], "token:p8-ward-system", "{submitted}");
        assert!(submitted["on_time"].is_boolean(), "{submitted}");
        // While it is submitted, the ward cannot change its figures.
        let (status, body) = as_bearer(&app, &ward, Method::POST, "/api/v1/data-value-sets", Some(figures(125))).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.to_string().contains("report_locked"), "{body}");

        // 2. The city returns it with a reason, over GraphQL.
        let reason = "DOC_OUT_SW: thiếu 5 văn bản đi ngày 30/9";
        let returned = call(&app, &city, Method::POST, "/graphql", Some(json!({
            "query": "mutation($p: String!, $r: String) { transitionReport(action: RETURN, dataSet: \"DX_WARD_Q\", \
                      orgUnit: \"VT-P8\", period: $p, reason: $r) { state reason } }",
            "variables": {"p": quarter, "r": reason}
        }))).await;
        assert_eq!(returned["data"]["transitionReport"], json!({"state": "RETURNED", "reason": reason}), "{returned}");
        let middle = completeness(&app, &quarter).await;
        assert_eq!(missing(&middle), [("VT-P1".to_owned(), "open".to_owned()), ("VT-P8".to_owned(), "returned".to_owned())]);

        // 3. The ward corrects the figure and submits again.
        let corrected = call(&app, &ward, Method::POST, "/api/v1/data-value-sets", Some(figures(125))).await;
        assert_eq!(corrected["updated"], 1, "{corrected}");
        let resubmitted = call(&app, &ward, Method::POST, "/api/v1/reports/submit", Some(report.clone())).await;
        assert_eq!(resubmitted["state"], "submitted");
        assert_eq!(resubmitted["on_time"], submitted["on_time"], "timeliness counts the first submission");

        // 4. The city approves, over REST.
        let approved = call(&app, &city, Method::POST, "/api/v1/reports/approve", Some(report.clone())).await;
        assert_eq!(approved["state"], "approved", "{approved}");
        assert_eq!(approved["approved_by"], "vt.manager");

        // 5. The figures are locked for everyone, the admin included, and stay as approved.
        for token in [&ward, &app.token] {
            let (status, body) = as_bearer(&app, token, Method::POST, "/api/v1/data-value-sets", Some(figures(130))).await;
            assert_eq!(status, StatusCode::CONFLICT, "{body}");
            assert!(body.to_string().contains("report_locked"), "{body}");
        }
        let stored = app.values(&format!("org_unit=VT-P8&period={quarter}")).await;
        let out: Vec<&Value> = stored.iter().filter(|v| v["data_element"] == "DOC_OUT_SW").collect();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0]["value"], 125);

        // 6. Completeness shows it all: one of two reports in, approved; Phường 1 still missing.
        let end = completeness(&app, &quarter).await;
        let city_row = &end["rows"][0];
        assert_eq!(city_row["org_unit"], "VT");
        assert_eq!((city_row["expected"].clone(), city_row["submitted"].clone(), city_row["approved"].clone()), (json!(2), json!(1), json!(1)), "{end}");
        assert_eq!(city_row["rate"], 50.0, "{end}");
        let rows: Vec<(&str, &Value)> = end["rows"].as_array().unwrap().iter()
            .map(|r| (r["org_unit"].as_str().unwrap(), &r["approved"])).collect();
        assert_eq!(rows, [("VT", &json!(1)), ("VT-P1", &json!(0)), ("VT-P8", &json!(1))], "{end}");
        assert_eq!(missing(&end), [("VT-P1".to_owned(), "open".to_owned())]);
        let (_, list) = app
            .get(&format!("/api/v1/reports?data_set=DX_WARD_Q&org_unit=VT&period={quarter}&breakdown=children"))
            .await;
        let states: Vec<(&str, &str)> = list["reports"].as_array().unwrap().iter()
            .map(|r| (r["org_unit"].as_str().unwrap(), r["state"].as_str().unwrap())).collect();
        assert_eq!(states, [("VT-P1", "open"), ("VT-P8", "approved")], "{list}");

        // 7. Each step is in the audit trail, the reason with the return.
        let (_, audit) = app.get("/api/v1/audit?limit=100").await;
        let mut steps: Vec<(String, String)> = audit["events"].as_array().unwrap().iter()
            .filter(|e| e["action"].as_str().unwrap().starts_with("report."))
            .map(|e| (e["action"].as_str().unwrap().to_owned(), e["actor"].as_str().unwrap().to_owned()))
            .collect();
        steps.sort();
        assert_eq!(steps, [
            ("report.approve".to_owned(), "vt.manager".to_owned()),
            ("report.return".to_owned(), "vt.manager".to_owned()),
            ("report.submit".to_owned(), "token:p8-ward-system".to_owned()),
            ("report.submit".to_owned(), "token:p8-ward-system".to_owned()),
        ], "{audit}");
        assert!(audit.to_string().contains("thiếu 5 văn bản"), "the reason is kept: {audit}");
    }
}
