//! The expected reports of a data set (`GET /api/v1/reports`) and their completeness and
//! timeliness (`GET /api/v1/completeness`), over REST and GraphQL, on both databases.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The cycle fixture, a ward below `VT-P1` (to see an outline), and `DX_M`: monthly, from
/// `VT-P8` only, due 5 days after each month.
async fn seed(app: &common::TestApp) {
    app.seed_cycle().await;
    let (status, body) = app.post("/api/v1/metadata", &json!({
        "org_units": [{"code": "VT-P1-K1", "name": "Khu phố 1", "parent": "VT-P1", "kind": "ward"}],
        "data_sets": [{"code": "DX_M", "name": "Báo cáo tháng", "period_type": "month",
                       "data_elements": ["PAY_TX_OK"], "assigned_units": ["VT-P8"],
                       "due_days": 5, "approval_due_days": 5}]
    })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn ok(app: &common::TestApp, path: &str) -> Value {
    let (status, body) = app.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// `POST /api/v1/reports/{action}` as the admin.
async fn act(
    app: &common::TestApp,
    action: &str,
    data_set: &str,
    unit: &str,
    period: &str,
    reason: Option<&str>,
) {
    let mut body = json!({"data_set": data_set, "org_unit": unit, "period": period});
    if let Some(r) = reason {
        body["reason"] = json!(r);
    }
    let (status, res) = app.post(&format!("/api/v1/reports/{action}"), &body).await;
    assert_eq!(status, StatusCode::OK, "{action} {unit} {period}: {res}");
}

/// The current month in Vietnam (UTC+7), e.g. `2026-12`.
fn this_month() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(7))
        .format("%Y-%m")
        .to_string()
}

fn keys(reports: &Value) -> Vec<String> {
    reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r["org_unit"].as_str().unwrap(),
                r["period"].as_str().unwrap()
            )
        })
        .collect()
}

fn quarters(unit: &str) -> Vec<String> {
    (1..=4).map(|q| format!("{unit} 2023Q{q}")).collect()
}

both_databases! {
    async fn untouched_reports_are_listed_open_with_their_due_dates(app: TestApp) {
        seed(&app).await;
        let body = ok(&app, "/api/v1/reports?data_set=DX_Q&org_unit=VT&period=2023").await;
        assert_eq!(keys(&body["reports"]), quarters("VT"));
        assert_eq!(body["reports"][2], json!({
            "data_set": "DX_Q", "org_unit": "VT", "period": "2023Q3", "state": "open",
            "due_date": "2023-09-16", "submitted_at": null, "submitted_by": null,
            "approved_at": null, "approved_by": null, "reason": null, "on_time": null
        }));
        let dues: Vec<&str> = body["reports"].as_array().unwrap().iter().map(|r| r["due_date"].as_str().unwrap()).collect();
        assert_eq!(dues, ["2023-03-16", "2023-06-16", "2023-09-16", "2023-12-16"]);
        // An interval equal to one quarter is that quarter; a month holds no quarter.
        let q3 = ok(&app, "/api/v1/reports?data_set=DX_Q&org_unit=VT&period=2023-07/2023-09").await;
        assert_eq!(keys(&q3["reports"]), ["VT 2023Q3"]);
        let none = ok(&app, "/api/v1/reports?data_set=DX_Q&org_unit=VT&period=2023-07").await;
        assert_eq!(none["reports"], json!([]));
        // A unit the set is not assigned to expects nothing.
        let brvt = ok(&app, "/api/v1/reports?data_set=DX_Q&org_unit=BRVT&period=2023").await;
        assert_eq!(brvt["reports"], json!([]));
    }

    async fn breakdowns_list_children_in_natural_order_and_the_subtree_as_an_outline(app: TestApp) {
        seed(&app).await;
        let children = ok(&app, "/api/v1/reports?data_set=DX_Q&org_unit=VT&period=2023&breakdown=children").await;
        // VT first, then "Phường 1", "Phường 8", "UBND Thành phố Vũng Tàu"; not the grandchild.
        let expected: Vec<String> = ["VT", "VT-P1", "VT-P8", "VT-UBND"].iter().flat_map(|u| quarters(u)).collect();
        assert_eq!(keys(&children["reports"]), expected);
        let subtree = ok(&app, "/api/v1/reports?data_set=DX_Q&org_unit=BRVT&period=2023H2&breakdown=subtree").await;
        assert_eq!(keys(&subtree["reports"]), [
            "VT 2023Q3", "VT 2023Q4", "VT-P1 2023Q3", "VT-P1 2023Q4", "VT-P1-K1 2023Q3", "VT-P1-K1 2023Q4",
            "VT-P8 2023Q3", "VT-P8 2023Q4", "VT-UBND 2023Q3", "VT-UBND 2023Q4"
        ]);
        let (status, body) = app.get("/api/v1/reports?data_set=DX_Q&org_unit=VT&period=2023&breakdown=all").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_breakdown")));
    }

    async fn completeness_counts_every_expected_report_of_each_row_subtree(app: TestApp) {
        seed(&app).await;
        let body = ok(&app, "/api/v1/completeness?data_set=DX_Q&org_unit=VT&period=2023&breakdown=children").await;
        let rows: Vec<(String, u64)> = body["rows"].as_array().unwrap().iter()
            .map(|r| (r["org_unit"].as_str().unwrap().to_owned(), r["expected"].as_u64().unwrap())).collect();
        assert_eq!(rows, [("VT".into(), 20), ("VT-P1".into(), 8), ("VT-P8".into(), 4), ("VT-UBND".into(), 4)]);
        assert_eq!(body["rows"][0], json!({
            "data_set": "DX_Q", "org_unit": "VT", "period": "2023", "expected": 20, "submitted": 0,
            "on_time": 0, "approved": 0, "rate": 0, "on_time_rate": 0
        }));
        // Nothing expected: the rates are null, not 0.
        let none = ok(&app, "/api/v1/completeness?data_set=DX_Y&org_unit=VT-P1&period=2023").await;
        assert_eq!(none["rows"], json!([{
            "data_set": "DX_Y", "org_unit": "VT-P1", "period": "2023", "expected": 0, "submitted": 0,
            "on_time": 0, "approved": 0, "rate": null, "on_time_rate": null
        }]));
        assert_eq!((none["missing"].clone(), none["missing_total"].clone()), (json!([]), json!(0)));
    }

    async fn missing_reports_come_in_natural_order_of_names_then_period_and_are_bounded(app: TestApp) {
        seed(&app).await;
        let body = ok(&app, "/api/v1/completeness?data_set=DX_Q&org_unit=VT&period=2023").await;
        // "Khu phố 1" < "Phường 1" < "Phường 8" < "Thành phố Vũng Tàu" < "UBND Thành phố Vũng Tàu".
        let expected: Vec<String> = ["VT-P1-K1", "VT-P1", "VT-P8", "VT", "VT-UBND"].iter().flat_map(|u| quarters(u)).collect();
        assert_eq!(keys(&body["missing"]), expected);
        assert_eq!(body["missing"][2], json!({
            "data_set": "DX_Q", "org_unit": "VT-P1-K1", "period": "2023Q3", "due_date": "2023-09-16", "state": "open"
        }));
        assert_eq!((body["missing_total"].as_u64(), body["missing_truncated"].as_bool()), (Some(20), Some(false)));
        let five = ok(&app, "/api/v1/completeness?data_set=DX_Q&org_unit=VT&period=2023&missing_limit=5").await;
        assert_eq!(keys(&five["missing"]), expected[..5].to_vec());
        assert_eq!((five["missing_total"].as_u64(), five["missing_truncated"].as_bool()), (Some(20), Some(true)));
        let zero = ok(&app, "/api/v1/completeness?data_set=DX_Q&org_unit=VT&period=2023&missing_limit=0").await;
        assert_eq!((zero["missing"].clone(), zero["missing_truncated"].clone()), (json!([]), json!(true)));
        for bad in ["5001", "-1", "x"] {
            let (status, body) = app.get(&format!("/api/v1/completeness?data_set=DX_Q&org_unit=VT&period=2023&missing_limit={bad}")).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_limit")), "{bad}");
        }
    }

    async fn reads_are_scoped_to_the_callers_subtree_and_checked(app: TestApp) {
        seed(&app).await;
        let (status, _) = common::as_bearer(&app, &app.token, Method::POST, "/api/v1/users", Some(json!({
            "username": "p8.manager", "password": "Một-mật-khẩu-dài", "role": "manager", "org_unit": "VT-P8"}))).await;
        assert_eq!(status, StatusCode::CREATED);
        let ward = app.login("p8.manager", "Một-mật-khẩu-dài").await;
        for path in ["/api/v1/reports?data_set=DX_Q&org_unit=VT&period=2023",
                     "/api/v1/completeness?data_set=DX_Q&org_unit=VT&period=2023"] {
            let (status, body) = common::as_bearer(&app, &ward, Method::GET, path, None).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_org_unit")), "{path}");
        }
        let (status, body) = common::as_bearer(&app, &ward, Method::GET, "/api/v1/completeness?data_set=DX_Q&org_unit=VT-P8&period=2023", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["rows"][0]["expected"], 4);
        assert_eq!(body["missing_total"], 4, "only the ward's own reports");

        let (status, body) = app.get("/api/v1/completeness?data_set=NOPE&org_unit=VT&period=2023").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_data_set")));
        let (status, body) = app.get("/api/v1/reports?data_set=DX_Q&org_unit=VT&period=2023Q5").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_period")));
        let (status, body) = app.get("/api/v1/reports?data_set=DX_M&org_unit=VT-P8&period=1900-01/2100-12").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("too_many_periods")));
        let (status, body) = app.get("/api/v1/completeness?data_set=DX_Q&org_unit=VT&period=2023&breakdown=subtree").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_breakdown")));
        let (status, _) = app.get("/api/v1/completeness?data_set=DX_Q&org_unit=VT").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    async fn graphql_reads_the_same_reports_and_completeness(app: TestApp) {
        seed(&app).await;
        let (status, body) = app.post("/graphql", &json!({"query":
            "{ reports(dataSet: \"DX_Q\", orgUnit: \"VT\", period: \"2023H2\", breakdown: CHILDREN) { orgUnit period state dueDate onTime } \
               completeness(dataSet: \"DX_Q\", orgUnit: \"VT\", period: \"2023\", breakdown: CHILDREN, missingLimit: 1) { \
                 rows { orgUnit expected submitted onTime approved rate onTimeRate } missing { orgUnit period dueDate state } missingTotal missingTruncated } }"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
        let reports = body["data"]["reports"].as_array().unwrap();
        assert_eq!(reports.len(), 8);
        assert_eq!(reports[0], json!({"orgUnit": "VT", "period": "2023Q3", "state": "OPEN", "dueDate": "2023-09-16", "onTime": null}));
        let c = &body["data"]["completeness"];
        assert_eq!(c["rows"][1], json!({"orgUnit": "VT-P1", "expected": 8, "submitted": 0, "onTime": 0, "approved": 0, "rate": 0, "onTimeRate": 0}));
        assert_eq!(c["missing"], json!([{"orgUnit": "VT-P1-K1", "period": "2023Q1", "dueDate": "2023-03-16", "state": "OPEN"}]));
        assert_eq!((c["missingTotal"].as_u64(), c["missingTruncated"].as_bool()), (Some(20), Some(true)));
    }

    async fn states_and_timeliness_are_read_back_and_counted(app: TestApp) {
        seed(&app).await;
        // DX_M is due 5 days after each month: every 2023 month is long past.
        act(&app, "submit", "DX_M", "VT-P8", "2023-07", None).await;
        act(&app, "submit", "DX_M", "VT-P8", "2023-08", None).await;
        act(&app, "approve", "DX_M", "VT-P8", "2023-08", None).await;
        act(&app, "submit", "DX_M", "VT-P8", "2023-09", None).await;
        act(&app, "return", "DX_M", "VT-P8", "2023-09", Some("Thiếu số liệu")).await;
        // The current month has started and is not due yet: submitted on time.
        let now = this_month();
        act(&app, "submit", "DX_M", "VT-P8", &now, None).await;

        let body = ok(&app, "/api/v1/reports?data_set=DX_M&org_unit=VT-P8&period=2023-07/2023-10").await;
        let r = body["reports"].as_array().unwrap();
        let states: Vec<(&str, &str, Value)> = r.iter()
            .map(|x| (x["period"].as_str().unwrap(), x["state"].as_str().unwrap(), x["on_time"].clone())).collect();
        assert_eq!(states, [
            ("2023-07", "submitted", json!(false)), ("2023-08", "approved", json!(false)),
            ("2023-09", "returned", json!(false)), ("2023-10", "open", json!(null))
        ]);
        assert_eq!(r[0]["due_date"], "2023-08-05");
        assert_eq!(r[0]["submitted_by"], "admin");
        assert!(r[0]["submitted_at"].as_str().unwrap().ends_with('Z'));
        assert_eq!((r[1]["approved_by"].as_str(), r[1]["approved_at"].is_string()), (Some("admin"), true));
        assert_eq!(r[2]["reason"], "Thiếu số liệu");
        let current = ok(&app, &format!("/api/v1/reports?data_set=DX_M&org_unit=VT-P8&period={now}")).await;
        assert_eq!((current["reports"][0]["state"].as_str(), current["reports"][0]["on_time"].as_bool()), (Some("submitted"), Some(true)));

        // Submitted counts submitted and approved; a returned report is missing again.
        let c = ok(&app, "/api/v1/completeness?data_set=DX_M&org_unit=VT&period=2023-07/2023-10&breakdown=children").await;
        assert_eq!(c["rows"][0], json!({
            "data_set": "DX_M", "org_unit": "VT", "period": "2023-07/2023-10", "expected": 4, "submitted": 2,
            "on_time": 0, "approved": 1, "rate": 50, "on_time_rate": 0
        }));
        let p8 = c["rows"].as_array().unwrap().iter().find(|x| x["org_unit"] == "VT-P8").unwrap();
        assert_eq!(p8["submitted"], 2);
        let p1 = c["rows"].as_array().unwrap().iter().find(|x| x["org_unit"] == "VT-P1").unwrap();
        assert_eq!((p1["expected"].as_u64(), p1["rate"].is_null()), (Some(0), true));
        assert_eq!(c["missing"], json!([
            {"data_set": "DX_M", "org_unit": "VT-P8", "period": "2023-09", "due_date": "2023-10-05", "state": "returned"},
            {"data_set": "DX_M", "org_unit": "VT-P8", "period": "2023-10", "due_date": "2023-11-05", "state": "open"}
        ]));
        let on_time = ok(&app, &format!("/api/v1/completeness?data_set=DX_M&org_unit=VT-P8&period={now}")).await;
        assert_eq!((on_time["rows"][0]["on_time"].as_u64(), on_time["rows"][0]["on_time_rate"].as_u64()), (Some(1), Some(100)));
        // 2 of 3 submitted: 66.67 %, 1 of 3 on time: 33.33 %, exactly rounded.
        act(&app, "reopen", "DX_M", "VT-P8", &now, None).await;
        act(&app, "submit", "DX_M", "VT-P8", "2023-10", None).await;
        let third = ok(&app, "/api/v1/completeness?data_set=DX_M&org_unit=VT-P8&period=2023-08/2023-10").await;
        assert_eq!((third["rows"][0]["rate"].clone(), third["rows"][0]["on_time_rate"].clone()), (json!(66.67), json!(0)));
        // A report submitted on time and then reopened is not counted, but stays on time.
        let reopened = ok(&app, &format!("/api/v1/reports?data_set=DX_M&org_unit=VT-P8&period={now}")).await;
        assert_eq!((reopened["reports"][0]["state"].as_str(), reopened["reports"][0]["on_time"].as_bool()), (Some("open"), Some(true)));
        let counted = ok(&app, &format!("/api/v1/completeness?data_set=DX_M&org_unit=VT-P8&period={now}")).await;
        assert_eq!((counted["rows"][0]["submitted"].as_u64(), counted["rows"][0]["on_time"].as_u64()), (Some(0), Some(0)));
    }

    async fn a_list_past_10000_reports_is_refused_while_completeness_counts_them(app: TestApp) {
        seed(&app).await;
        let (status, body) = app.post("/api/v1/metadata", &json!({
            "org_units": [{"code": "VT-P2", "name": "Phường 2", "parent": "VT", "kind": "ward"},
                          {"code": "VT-P3", "name": "Phường 3", "parent": "VT", "kind": "ward"}],
            "data_sets": [{"code": "DX_ALL", "name": "Báo cáo tháng mọi cấp", "period_type": "month",
                           "data_elements": ["PAY_TX_OK"],
                           "assigned_kinds": ["nation", "province", "city", "ward", "office"],
                           "due_days": 5, "approval_due_days": 5}]
        })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // 9 units × 1 200 months = 10 800 expected reports.
        let period = "1950-01/2049-12";
        let (status, body) = app.get(&format!("/api/v1/reports?data_set=DX_ALL&org_unit=VN&period={period}&breakdown=subtree")).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("too_many_rows")), "{body}");
        let one = ok(&app, &format!("/api/v1/reports?data_set=DX_ALL&org_unit=VN&period={period}")).await;
        assert_eq!(one["reports"].as_array().unwrap().len(), 1200, "one unit's reports fit");
        let c = ok(&app, &format!("/api/v1/completeness?data_set=DX_ALL&org_unit=VN&period={period}")).await;
        assert_eq!(c["rows"][0]["expected"], 10800);
        assert_eq!((c["missing"].as_array().unwrap().len(), c["missing_total"].as_u64(), c["missing_truncated"].as_bool()), (500, Some(10800), Some(true)));
        // "Khu phố 1" comes first, its months in order.
        assert_eq!((c["missing"][0]["org_unit"].as_str(), c["missing"][0]["period"].as_str()), (Some("VT-P1-K1"), Some("1950-01")));
        assert_eq!(c["missing"][499]["period"], "1991-08");
    }
}
