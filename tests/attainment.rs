//! Live aggregation and KPI attainment against targets set by several authorities.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const NINE_MONTHS: &str = "2023-01/2023-09";

async fn submit(app: &common::TestApp, body: Value) {
    let (status, res) = app.post("/api/v1/data-value-sets", &body).await;
    assert_eq!(status, StatusCode::OK, "{res}");
}

async fn docs(app: &common::TestApp, unit: &str, out_sw: i64, in_sw: i64, out_p: i64, in_p: i64) {
    submit(app, json!({"org_unit": unit, "period": NINE_MONTHS, "data_values": [
        {"data_element": "DOC_OUT_SW", "value": out_sw}, {"data_element": "DOC_IN_SW", "value": in_sw},
        {"data_element": "DOC_OUT_PAPER", "value": out_p}, {"data_element": "DOC_IN_PAPER", "value": in_p}]})).await;
}

fn row<'a>(body: &'a Value, indicator: &str, unit: &str) -> &'a Value {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["indicator"] == indicator && r["org_unit"] == unit)
        .unwrap_or_else(|| panic!("no row {indicator}/{unit} in {body}"))
}

both_databases! {
    async fn a_ratio_over_a_subtree_is_the_sum_of_counts_not_the_mean_of_percentages(app: TestApp) {
        app.seed_catalogue().await;
        docs(&app, "VT-P1", 1582, 4465, 0, 0).await;   // 100 %
        docs(&app, "VT-P8", 1867, 5235, 8, 61).await;  // 99.04 %
        docs(&app, "VT-UBND", 10, 0, 90, 0).await;     // 10 %
        let (status, body) = app.get(&format!("/api/v1/attainment?org_unit=VT&period={NINE_MONTHS}&indicator=DOC_SW_RATE&breakdown=children")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let vt = row(&body, "DOC_SW_RATE", "VT");
        assert_eq!(vt["numerator"], 1582 + 4465 + 1867 + 5235 + 10);
        assert_eq!(vt["denominator"], 1582 + 4465 + 1867 + 5235 + 8 + 61 + 10 + 90);
        // 13159 / 13318 = 98.81 %, while the mean of the three percentages would be 69.68 %.
        assert_eq!(vt["value"], 98.81);
        let p8 = row(&body, "DOC_SW_RATE", "VT-P8");
        assert_eq!((p8["numerator"].clone(), p8["denominator"].clone(), p8["value"].clone()), (json!(7102), json!(7171), json!(99.04)));
        // The parent's row comes first, then the children (natural order by name).
        let units: Vec<&str> = body["rows"].as_array().unwrap().iter().map(|r| r["org_unit"].as_str().unwrap()).collect();
        assert_eq!(units, ["VT", "VT-P1", "VT-P8", "VT-UBND"]);
        assert_eq!(body["org_unit"], "VT");
        assert_eq!(body["period"], NINE_MONTHS);
    }

    async fn targets_from_three_authorities_are_each_checked_exactly(app: TestApp) {
        app.seed_catalogue().await;
        app.post("/api/v1/metadata", &json!({"targets": [
            {"indicator": "DOC_SW_RATE", "org_unit": "BRVT", "period": "2023", "operator": ">=", "value": 99.04, "label": "provincial"}
        ]})).await;
        docs(&app, "VT-P8", 1867, 5235, 8, 61).await; // 99.0378...
        let (_, body) = app.get(&format!("/api/v1/attainment?org_unit=VT-P8&period={NINE_MONTHS}")).await;
        let r = row(&body, "DOC_SW_RATE", "VT-P8");
        assert_eq!(r["value"], 99.04);
        let targets = r["targets"].as_array().unwrap();
        let by = |u: &str| targets.iter().find(|t| t["set_by"] == u).unwrap();
        assert_eq!(targets.len(), 3);
        assert_eq!(targets[0]["set_by"], "VN", "highest authority first");
        assert_eq!(by("VN")["met"], true);
        assert_eq!(by("VN")["label"], "national");
        // 99.0378… rounds to 99.04 for display but does not meet ">= 99.04".
        assert_eq!(by("BRVT")["met"], false);
        assert_eq!(by("VT")["met"], false);
        assert_eq!(r["status"], "not_met");
    }

    async fn an_exact_boundary_meets_its_target(app: TestApp) {
        app.seed_catalogue().await;
        app.post("/api/v1/metadata", &json!({"targets": [
            {"indicator": "DOC_SW_RATE", "org_unit": "VT", "period": "2023", "operator": ">=", "value": 60, "label": "city"}
        ]})).await;
        docs(&app, "VT-P1", 3, 0, 2, 0).await; // exactly 60 %
        let (_, body) = app.get(&format!("/api/v1/attainment?org_unit=VT-P1&period={NINE_MONTHS}")).await;
        let r = row(&body, "DOC_SW_RATE", "VT-P1");
        assert_eq!(r["value"], 60);
        let city = r["targets"].as_array().unwrap().iter().find(|t| t["set_by"] == "VT").unwrap();
        assert_eq!(city["met"], true, "60 >= 60 in exact arithmetic");
        let nation = r["targets"].as_array().unwrap().iter().find(|t| t["set_by"] == "VN").unwrap();
        assert_eq!(nation["met"], false);
        assert_eq!(r["status"], "not_met", "every applicable target must be met");
    }

    async fn the_seed_report_e_id_share_is_computed_from_its_counts(app: TestApp) {
        app.seed_catalogue().await;
        app.post("/api/v1/metadata", &json!({
            "data_elements": [
                {"code": "ADULT_POP", "name": "Dân số trưởng thành", "value_type": "integer", "aggregation": "last"},
                {"code": "ADULT_EID", "name": "Có tài khoản định danh điện tử", "value_type": "integer", "aggregation": "last"}],
            "indicators": [{"code": "EID_ADULT_RATE", "name": "Tỷ lệ có định danh điện tử", "group": "digital_society",
                "numerator": "#{ADULT_EID}", "denominator": "#{ADULT_POP}", "factor": 100, "decimals": 2}],
            "targets": [
                {"indicator": "EID_ADULT_RATE", "org_unit": "VN", "period": "2023H1", "operator": ">=", "value": 30, "label": "national"},
                {"indicator": "EID_ADULT_RATE", "org_unit": "VN", "period": "2023", "operator": ">=", "value": 50, "label": "national"}]
        })).await;
        // The report typed 54.03 %; the counts say otherwise.
        submit(&app, json!({"org_unit": "VT", "period": "2023-09", "data_values": [
            {"data_element": "ADULT_POP", "value": 142378}, {"data_element": "ADULT_EID", "value": 118103}]})).await;
        let (_, body) = app.get(&format!("/api/v1/attainment?org_unit=VT&period={NINE_MONTHS}&group=digital_society")).await;
        let r = row(&body, "EID_ADULT_RATE", "VT");
        assert_eq!(r["value"], 82.95);
        assert_eq!(r["numerator"], 118103);
        assert_eq!(r["denominator"], 142378);
        // Staged targets: for nine months only the year's 50 % applies; for H1 the 30 %.
        assert_eq!(r["targets"].as_array().unwrap().len(), 1);
        assert_eq!(r["targets"][0]["value"], 50);
        submit(&app, json!({"org_unit": "VT", "period": "2023-06", "data_values": [
            {"data_element": "ADULT_POP", "value": 142000}, {"data_element": "ADULT_EID", "value": 40000}]})).await;
        let (_, h1) = app.get("/api/v1/attainment?org_unit=VT&period=2023H1&indicator=EID_ADULT_RATE").await;
        let r = row(&h1, "EID_ADULT_RATE", "VT");
        assert_eq!(r["targets"][0]["value"], 30);
        assert_eq!(r["targets"][0]["period"], "2023H1");
        assert_eq!(r["status"], "not_met");
        // `last` takes the September figure for nine months, not the sum of June and September.
        let (_, nine) = app.get(&format!("/api/v1/attainment?org_unit=VT&period={NINE_MONTHS}&indicator=EID_ADULT_RATE")).await;
        assert_eq!(row(&nine, "EID_ADULT_RATE", "VT")["denominator"], 142378);
    }

    async fn a_stock_rolls_up_with_last_while_a_flow_sums(app: TestApp) {
        app.seed_catalogue().await;
        app.post("/api/v1/metadata", &json!({"data_elements": [
            {"code": "HH_FIBRE", "name": "Hộ có cáp quang", "value_type": "integer", "aggregation": "last"},
            {"code": "FLOW", "name": "Hồ sơ tiếp nhận", "value_type": "integer", "aggregation": "sum"}]})).await;
        for (m, fibre_p1, fibre_p8) in [(7, 100, 200), (8, 110, 210), (9, 120, 0)] {
            submit(&app, json!({"period": format!("2023-{m:02}"), "data_values": [
                {"org_unit": "VT-P1", "data_element": "HH_FIBRE", "value": fibre_p1},
                {"org_unit": "VT-P1", "data_element": "FLOW", "value": 10},
                {"org_unit": "VT-P8", "data_element": "FLOW", "value": 5}]})).await;
            if fibre_p8 > 0 {
                submit(&app, json!({"period": format!("2023-{m:02}"), "data_values": [
                    {"org_unit": "VT-P8", "data_element": "HH_FIBRE", "value": fibre_p8}]})).await;
            }
        }
        let (status, body) = app.get("/api/v1/aggregates?data_element=HH_FIBRE&data_element=FLOW&org_unit=VT&period=2023Q3&breakdown=children").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let get = |e: &str, u: &str| body["rows"].as_array().unwrap().iter()
            .find(|r| r["data_element"] == e && r["org_unit"] == u).unwrap()["value"].clone();
        // Per unit the latest figure: P1's September 120, P8's August 210.
        assert_eq!(get("HH_FIBRE", "VT"), 330);
        assert_eq!(get("HH_FIBRE", "VT-P1"), 120);
        assert_eq!(get("FLOW", "VT"), 45);
        assert_eq!(get("FLOW", "VT-UBND"), Value::Null, "a child without data is listed with null");
        let (_, aug) = app.get("/api/v1/aggregates?data_element=HH_FIBRE&org_unit=VT&period=2023-08").await;
        assert_eq!(aug["rows"][0]["value"], 320);
    }

    async fn a_longer_period_is_never_counted_in_a_shorter_query(app: TestApp) {
        app.seed_catalogue().await;
        docs(&app, "VT-P1", 1582, 4465, 0, 0).await;
        submit(&app, json!({"org_unit": "VT-P8", "period": "2023-08", "data_values": [{"data_element": "DOC_OUT_SW", "value": 7}]})).await;
        let (_, q3) = app.get("/api/v1/aggregates?data_element=DOC_OUT_SW&org_unit=VT&period=2023Q3").await;
        assert_eq!(q3["rows"][0]["value"], 7);
        let (_, year) = app.get("/api/v1/aggregates?data_element=DOC_OUT_SW&org_unit=VT&period=2023").await;
        assert_eq!(year["rows"][0]["value"], 1582 + 7);
        let (_, q1) = app.get("/api/v1/attainment?org_unit=VT-P1&period=2023Q1").await;
        assert_eq!(row(&q1, "DOC_SW_RATE", "VT-P1")["status"], "no_data");
        assert_eq!(row(&q1, "DOC_SW_RATE", "VT-P1")["value"], Value::Null);
    }

    async fn averages_and_exact_only_elements_follow_their_aggregation(app: TestApp) {
        app.seed_catalogue().await;
        submit(&app, json!({"period": "2023", "data_values": [
            {"org_unit": "VT-P1", "data_element": "SHARE", "value": 8.5},
            {"org_unit": "VT-P8", "data_element": "SHARE", "value": 9.25},
            {"org_unit": "VT-P1", "data_element": "HAS_SITE", "value": true},
            {"org_unit": "VT-P8", "data_element": "HAS_SITE", "value": false}]})).await;
        let (_, body) = app.get("/api/v1/aggregates?data_element=SHARE&data_element=HAS_SITE&org_unit=VT&period=2023").await;
        let get = |e: &str| body["rows"].as_array().unwrap().iter().find(|r| r["data_element"] == e).unwrap()["value"].clone();
        assert_eq!(get("SHARE"), 8.875);
        assert_eq!(get("HAS_SITE"), 1, "a boolean sums as the number of units answering yes");
    }

    async fn a_figure_submitted_now_counts_in_the_next_query(app: TestApp) {
        app.seed_catalogue().await;
        docs(&app, "VT-P1", 10, 0, 0, 0).await;
        let q = "/api/v1/aggregates?data_element=DOC_OUT_SW&org_unit=VN&period=2023";
        assert_eq!(app.get(q).await.1["rows"][0]["value"], 10);
        submit(&app, json!({"org_unit": "VT-P1", "period": NINE_MONTHS, "data_values": [{"data_element": "DOC_OUT_SW", "value": 25}]})).await;
        assert_eq!(app.get(q).await.1["rows"][0]["value"], 25, "updated");
        submit(&app, json!({"org_unit": "VT-P1", "period": NINE_MONTHS, "data_values": [{"data_element": "DOC_OUT_SW", "value": null}]})).await;
        assert_eq!(app.get(q).await.1["rows"][0]["value"], Value::Null, "deleted");
        // Figures on an inner unit count for itself and its ancestors.
        submit(&app, json!({"org_unit": "VT", "period": NINE_MONTHS, "data_values": [{"data_element": "DOC_OUT_SW", "value": 3}]})).await;
        docs(&app, "VT-P8", 4, 0, 0, 0).await;
        assert_eq!(app.get(q).await.1["rows"][0]["value"], 7);
        // Moving a unit moves its figures between the ancestors' totals.
        app.post("/api/v1/metadata", &json!({"org_units": [
            {"code": "DN", "name": "Tỉnh Đồng Nai", "parent": "VN", "kind": "province"},
            {"code": "VT-P8", "name": "Phường 8", "parent": "DN", "kind": "ward"}]})).await;
        let brvt = app.get("/api/v1/aggregates?data_element=DOC_OUT_SW&org_unit=BRVT&period=2023").await.1;
        assert_eq!(brvt["rows"][0]["value"], 3);
        let dn = app.get("/api/v1/aggregates?data_element=DOC_OUT_SW&org_unit=DN&period=2023").await.1;
        assert_eq!(dn["rows"][0]["value"], 4);
        assert_eq!(app.get(q).await.1["rows"][0]["value"], 7);
    }

    async fn validation_flags_the_report_errors_per_unit(app: TestApp) {
        app.seed_catalogue().await;
        app.post("/api/v1/metadata", &json!({
            "data_elements": [
                {"code": "OSS_RECEIVED", "name": "Hồ sơ tiếp nhận", "value_type": "integer", "aggregation": "sum"},
                {"code": "OSS_ON_TIME", "name": "Đúng hạn", "value_type": "integer", "aggregation": "sum"},
                {"code": "OSS_LATE", "name": "Trễ hạn", "value_type": "integer", "aggregation": "sum"}],
            "validation_rules": [{"code": "OSS_BALANCE", "name": "Tiếp nhận = đúng hạn + trễ hạn",
                "left": "#{OSS_RECEIVED}", "operator": "==", "right": "#{OSS_ON_TIME} + #{OSS_LATE}"}]})).await;
        submit(&app, json!({"org_unit": "VT-UBND", "period": NINE_MONTHS, "data_values": [
            {"data_element": "OSS_RECEIVED", "value": 24020}, {"data_element": "OSS_ON_TIME", "value": 23987},
            {"data_element": "OSS_LATE", "value": 33},
            {"data_element": "PAY_TX_TOTAL", "value": 23391}, {"data_element": "PAY_TX_OK", "value": 23802}]})).await;
        // Totals that balance at the city level hide nothing: rules run per unit.
        submit(&app, json!({"org_unit": "VT-P1", "period": NINE_MONTHS, "data_values": [
            {"data_element": "PAY_TX_TOTAL", "value": 1000}, {"data_element": "PAY_TX_OK", "value": 100}]})).await;
        let (status, body) = app.get(&format!("/api/v1/validation?org_unit=VT&period={NINE_MONTHS}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let v = body["violations"].as_array().unwrap();
        assert_eq!(v.len(), 1, "{body}");
        assert_eq!(v[0]["rule"], "PAY_OK_LE_TOTAL");
        assert_eq!(v[0]["org_unit"], "VT-UBND");
        assert_eq!(v[0]["left"], 23802);
        assert_eq!(v[0]["right"], 23391);
        assert!(v[0]["message"].as_str().unwrap().contains("23802"));
        let (_, p1) = app.get(&format!("/api/v1/validation?org_unit=VT-P1&period={NINE_MONTHS}")).await;
        assert_eq!(p1["violations"], json!([]));
    }

    async fn attainment_is_available_as_csv(app: TestApp) {
        app.seed_catalogue().await;
        docs(&app, "VT-P8", 1867, 5235, 8, 61).await;
        let res = app.req(Method::GET, &format!("/api/v1/attainment?org_unit=VT&period={NINE_MONTHS}&breakdown=children"))
            .header("accept", "text/csv").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let text = res.text().await.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("indicator,org_unit,period,numerator,denominator,value,status"));
        assert!(lines.iter().any(|l| l.starts_with("DOC_SW_RATE,VT-P8,2023-01/2023-09,7102,7171,99.04,not_met")), "{text}");
        assert!(lines.iter().any(|l| l.starts_with("DOC_SW_RATE,VT-P1,2023-01/2023-09,,,,no_data")), "{text}");
    }

    async fn bad_report_queries_get_clear_problems(app: TestApp) {
        app.seed_catalogue().await;
        for (path, status, code) in [
            ("/api/v1/attainment?org_unit=VT&period=2023Q5", 400, "invalid_period"),
            ("/api/v1/attainment?org_unit=VT", 400, "invalid_query"),
            ("/api/v1/attainment?org_unit=NOPE&period=2023", 404, "unknown_org_unit"),
            ("/api/v1/attainment?org_unit=VT&period=2023&indicator=NOPE", 404, "unknown_indicator"),
            ("/api/v1/attainment?org_unit=VT&period=2023&breakdown=everything", 400, "invalid_breakdown"),
            ("/api/v1/attainment?org_unit=VT&period=2023&colour=red", 400, "invalid_query"),
            ("/api/v1/aggregates?org_unit=VT&period=2023", 400, "missing_data_element"),
            ("/api/v1/aggregates?data_element=NOPE&org_unit=VT&period=2023", 404, "unknown_data_element"),
            ("/api/v1/validation?org_unit=VT&period=2023-09/2023-01", 400, "invalid_period"),
        ] {
            let (s, body) = app.get(path).await;
            assert_eq!(s.as_u16(), status, "{path}: {body}");
            assert_eq!(body["code"], code, "{path}");
        }
    }

    async fn graphql_answers_attainment_aggregates_and_violations_like_rest(app: TestApp) {
        app.seed_catalogue().await;
        docs(&app, "VT-P8", 1867, 5235, 8, 61).await;
        submit(&app, json!({"org_unit": "VT-UBND", "period": NINE_MONTHS, "data_values": [
            {"data_element": "PAY_TX_TOTAL", "value": 23391}, {"data_element": "PAY_TX_OK", "value": 23802}]})).await;
        let query = r#"query($p: String!) {
            attainment(orgUnit: "VT", period: $p, indicators: ["DOC_SW_RATE"], breakdown: CHILDREN) {
                indicator orgUnit numerator denominator value status targets { setBy met }
            }
            aggregates(dataElements: ["DOC_OUT_SW"], orgUnit: "VT", period: $p) { orgUnit value }
            violations(orgUnit: "VT", period: $p) { nodes { rule orgUnit left operator right } }
        }"#;
        let (status, body) = app.post("/graphql", &json!({"query": query, "variables": {"p": NINE_MONTHS}})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
        let rows = body["data"]["attainment"].as_array().unwrap();
        let p8 = rows.iter().find(|r| r["orgUnit"] == "VT-P8").unwrap();
        assert_eq!(p8["numerator"], 7102.0);
        assert_eq!(p8["denominator"], 7171.0);
        assert_eq!(p8["value"], 99.04);
        assert_eq!(p8["status"], "NOT_MET");
        assert_eq!(body["data"]["aggregates"][0]["value"], 1867.0);
        assert_eq!(body["data"]["violations"]["nodes"][0]["rule"], "PAY_OK_LE_TOTAL");
        // Errors carry the REST problem code.
        let (_, body) = app.post("/graphql", &json!({"query": "{ attainment(orgUnit: \"VT\", period: \"2023Q5\") { value } }"})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "invalid_period", "{body}");
        // Without a token: 401 like REST.
        let res = app.client.post(format!("{}/graphql", app.base)).json(&json!({"query": "{ violations(orgUnit: \"VT\", period: \"2023\") { nodes { rule } } }"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
}
