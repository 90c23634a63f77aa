//! The seed report's rule and target fields (issue 13): tolerances, subtree-scoped sides,
//! stated-status rules, note targets, boolean indicators, staged and strict targets, and the
//! field errors of each.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::StatusCode;
use serde_json::{Value, json};

const NINE_MONTHS: &str = "2023-01/2023-09";

async fn metadata(app: &common::TestApp, bundle: Value) {
    let (status, body) = app.post("/api/v1/metadata", &bundle).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Stores a set and answers its violations.
async fn submit(app: &common::TestApp, unit: &str, period: &str, values: Value) -> Vec<Value> {
    let body = json!({"org_unit": unit, "period": period, "data_values": values});
    let (status, res) = app.post("/api/v1/data-value-sets", &body).await;
    assert_eq!(status, StatusCode::OK, "{res}");
    res["violations"].as_array().unwrap().clone()
}

async fn violations(app: &common::TestApp, unit: &str) -> Vec<Value> {
    let (status, body) = app
        .get(&format!("/api/v1/validation?org_unit={unit}&period=2023"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["violations"].as_array().unwrap().clone()
}

/// (rule, unit) of each violation.
fn flagged(vs: &[Value]) -> Vec<(String, String)> {
    vs.iter()
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap().to_owned();
            (s("rule"), s("org_unit"))
        })
        .collect()
}

fn pair(rule: &str, unit: &str) -> (String, String) {
    (rule.to_owned(), unit.to_owned())
}

fn element(code: &str, value_type: &str, aggregation: &str) -> Value {
    json!({"code": code, "name": code, "value_type": value_type, "aggregation": aggregation})
}

async fn attainment(app: &common::TestApp, unit: &str, period: &str, indicator: &str) -> Value {
    let (status, body) = app
        .get(&format!(
            "/api/v1/attainment?org_unit={unit}&period={period}&indicator={indicator}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["rows"][0].clone()
}

both_databases! {
    async fn a_tolerance_holds_up_to_half_a_printed_unit_and_fails_beyond(app: TestApp) {
        app.seed_catalogue().await;
        metadata(&app, json!({
            "data_elements": [element("PCT", "number", "last"), element("N", "integer", "sum"), element("D", "integer", "sum")],
            "validation_rules": [{"code": "STATED", "name": "Tỷ lệ đã nêu khớp số liệu",
                "left": "#{PCT}", "operator": "==", "right": "100 * #{N} / #{D}", "tolerance": 0.5,
                "description": "Kiểm toán #21"}]
        })).await;
        // 100 × 18 / 52 = 34.615…: «34%» truncates, more than half a unit off.
        let vs = submit(&app, "VT-UBND", NINE_MONTHS, json!([
            {"data_element": "PCT", "value": 34}, {"data_element": "N", "value": 18}, {"data_element": "D", "value": 52}])).await;
        assert_eq!(flagged(&vs), [pair("STATED", "VT-UBND")]);
        assert_eq!(vs[0]["operator"], "==");
        assert_eq!(vs[0]["left"], 34);
        assert!(vs[0]["message"].as_str().unwrap().contains("within 0.5"), "{}", vs[0]);
        // «35%» is within half a unit.
        let vs = submit(&app, "VT-UBND", NINE_MONTHS, json!([{"data_element": "PCT", "value": 35}])).await;
        assert!(vs.is_empty(), "{vs:?}");
        // 100 × 1 / 8 = 12.5: 12 is exactly at the edge and holds; 11.99 is beyond it.
        let vs = submit(&app, "VT-P1", NINE_MONTHS, json!([
            {"data_element": "PCT", "value": 12}, {"data_element": "N", "value": 1}, {"data_element": "D", "value": 8}])).await;
        assert!(vs.is_empty(), "{vs:?}");
        let vs = submit(&app, "VT-P1", NINE_MONTHS, json!([{"data_element": "PCT", "value": 11.99}])).await;
        assert_eq!(flagged(&vs), [pair("STATED", "VT-P1")]);
        assert_eq!(flagged(&violations(&app, "VT").await), [pair("STATED", "VT-P1")]);
        // Listed with its fields.
        let (_, body) = app.get("/api/v1/validation-rules").await;
        let rule = body["validation_rules"].as_array().unwrap().iter().find(|r| r["code"] == "STATED").unwrap().clone();
        assert_eq!(rule["check"], "compare");
        assert_eq!(rule["tolerance"], 0.5);
        assert_eq!((rule["left_scope"].clone(), rule["right_scope"].clone()), (json!("own"), json!("own")));
        assert_eq!(rule["description"], "Kiểm toán #21");
        assert_eq!(rule["indicator"], Value::Null);
    }

    async fn a_stated_total_is_checked_against_its_children_sum(app: TestApp) {
        app.seed_catalogue().await;
        metadata(&app, json!({
            "org_units": [
                {"code": "VT-UBND-A", "name": "Phòng Nội vụ", "parent": "VT-UBND", "kind": "department"},
                {"code": "VT-UBND-B", "name": "Phòng Tư pháp", "parent": "VT-UBND", "kind": "department"}
            ],
            "data_elements": [element("DOC_OUT_SW_ROW_I", "integer", "sum")],
            "validation_rules": [{"code": "TOT", "name": "Dòng I bằng tổng các phòng",
                "left": "#{DOC_OUT_SW_ROW_I}", "operator": "==", "right": "#{DOC_OUT_SW}", "right_scope": "subtree"}]
        })).await;
        let vs = submit(&app, "VT-UBND-A", NINE_MONTHS, json!([{"data_element": "DOC_OUT_SW", "value": 40}])).await;
        assert!(vs.is_empty(), "the departments do not hold the stated total: {vs:?}");
        submit(&app, "VT-UBND-B", NINE_MONTHS, json!([{"data_element": "DOC_OUT_SW", "value": 50}])).await;
        let vs = submit(&app, "VT-UBND", NINE_MONTHS, json!([{"data_element": "DOC_OUT_SW_ROW_I", "value": 100}])).await;
        assert_eq!(flagged(&vs), [pair("TOT", "VT-UBND")]);
        assert_eq!((vs[0]["left"].clone(), vs[0]["right"].clone()), (json!(100), json!(90)));
        assert!(vs[0]["message"].as_str().unwrap().contains("over the subtree"), "{}", vs[0]);
        assert_eq!(flagged(&violations(&app, "VT").await), [pair("TOT", "VT-UBND")]);
        // The office's own figure is part of its subtree's aggregate.
        let vs = submit(&app, "VT-UBND", NINE_MONTHS, json!([{"data_element": "DOC_OUT_SW", "value": 10}])).await;
        assert!(vs.is_empty(), "{vs:?}");
        assert!(violations(&app, "VT").await.is_empty());
    }

    async fn a_stated_result_is_flagged_when_its_status_differs_from_the_computed_one(app: TestApp) {
        app.seed_catalogue().await;
        metadata(&app, json!({
            "data_elements": [
                element("R.N", "integer", "sum"), element("R.D", "integer", "sum"), element("R.PCT", "number", "last"),
                element("Q.N", "integer", "sum"), element("Q.D", "integer", "sum"), element("Q.PCT", "number", "last"),
                element("R.KQ", "text", "none")
            ],
            "indicators": [
                {"code": "R", "name": "Tỷ lệ R", "numerator": "#{R.N}", "denominator": "#{R.D}", "factor": 100, "decimals": 2,
                 "stated_element": "R.PCT", "result_element": "R.KQ"},
                {"code": "Q", "name": "Tỷ lệ Q", "numerator": "#{Q.N}", "denominator": "#{Q.D}", "factor": 100, "decimals": 2,
                 "stated_element": "Q.PCT", "part_of": "R"}
            ],
            "targets": [
                {"indicator": "R", "org_unit": "VT", "period": "2023", "operator": ">=", "value": 80, "label": "city", "printed": "80%"},
                {"indicator": "R", "org_unit": "BRVT", "period": "2023", "note": "Sở chủ trì", "label": "provincial"},
                {"indicator": "Q", "org_unit": "VN", "period": "2023", "operator": ">", "value": 90, "label": "national", "printed": "trên 90%"}
            ],
            "validation_rules": [
                {"code": "CLAIM.R", "name": "R: đã nêu và tính cùng đạt", "check": "stated_status", "indicator": "R", "stated": "#{R.PCT}"},
                {"code": "CLAIM.Q", "name": "Q: đã nêu và tính cùng đạt", "check": "stated_status", "indicator": "Q", "stated": "#{Q.PCT}"}
            ]
        })).await;
        // The counts sit on the wards; the city states the results. 898 / 1123 = 79.96 %.
        submit(&app, "VT-P1", NINE_MONTHS, json!([{"data_element": "R.N", "value": 400}, {"data_element": "R.D", "value": 500},
            {"data_element": "Q.N", "value": 850}, {"data_element": "Q.D", "value": 900}])).await;
        submit(&app, "VT-P8", NINE_MONTHS, json!([{"data_element": "R.N", "value": 498}, {"data_element": "R.D", "value": 623}])).await;
        let vs = submit(&app, "VT", NINE_MONTHS, json!([{"data_element": "R.PCT", "value": 80}, {"data_element": "Q.PCT", "value": 90}])).await;
        assert_eq!(flagged(&vs), [pair("CLAIM.Q", "VT"), pair("CLAIM.R", "VT")]);
        // Stated 90 does not meet «> 90»; computed 94.44 does.
        let q = &vs[0];
        assert_eq!(q["operator"], "status");
        assert_eq!(q["left"], 90);
        assert!(q["right"].as_f64().unwrap() > 94.44 && q["right"].as_f64().unwrap() < 94.45, "{q}");
        let m = q["message"].as_str().unwrap();
        assert!(m.contains("is not met") && m.contains("94.44 is met"), "{m}");
        // Stated 80 meets «>= 80»; computed 79.96 does not (the note target counts for neither).
        let r = &vs[1];
        assert_eq!(r["left"], 80);
        let m = r["message"].as_str().unwrap();
        assert!(m.contains("is met") && m.contains("79.96 is not met"), "{m}");
        assert_eq!(flagged(&violations(&app, "VT").await), [pair("CLAIM.Q", "VT"), pair("CLAIM.R", "VT")]);
        // Stated values whose status agrees hold.
        let vs = submit(&app, "VT", NINE_MONTHS, json!([{"data_element": "R.PCT", "value": 79.96}, {"data_element": "Q.PCT", "value": 94.44}])).await;
        assert!(vs.is_empty(), "{vs:?}");
        // Listed with their fields.
        let (_, body) = app.get("/api/v1/validation-rules").await;
        let rule = body["validation_rules"].as_array().unwrap().iter().find(|r| r["code"] == "CLAIM.R").unwrap().clone();
        assert_eq!((rule["check"].clone(), rule["indicator"].clone(), rule["stated"].clone()), (json!("stated_status"), json!("R"), json!("#{R.PCT}")));
        assert_eq!((rule["left"].clone(), rule["operator"].clone(), rule["right"].clone()), (Value::Null, Value::Null, Value::Null));
        let (_, body) = app.get("/api/v1/indicators").await;
        let by = |code: &str| body["indicators"].as_array().unwrap().iter().find(|i| i["code"] == code).unwrap().clone();
        assert_eq!((by("R")["stated_element"].clone(), by("R")["result_element"].clone(), by("R")["part_of"].clone()), (json!("R.PCT"), json!("R.KQ"), Value::Null));
        assert_eq!(by("Q")["part_of"], "R");
    }

    async fn a_note_target_is_shown_but_never_met_and_does_not_change_the_status(app: TestApp) {
        app.seed_catalogue().await;
        metadata(&app, json!({"targets": [
            {"indicator": "DOC_SW_RATE", "org_unit": "BRVT", "period": "2023", "note": "BQLDA đang chủ trì triển khai",
             "label": "provincial", "printed": "BQLDA đang chủ trì triển khai"},
            {"indicator": "DOC_SW_RATE", "org_unit": "VN", "period": "2023", "operator": ">=", "value": 90, "label": "national", "printed": "90%"}
        ]})).await;
        submit(&app, "VT-P1", NINE_MONTHS, json!([{"data_element": "DOC_OUT_SW", "value": 95}, {"data_element": "DOC_OUT_PAPER", "value": 5}])).await;
        let row = attainment(&app, "VT-P1", NINE_MONTHS, "DOC_SW_RATE").await;
        let targets = row["targets"].as_array().unwrap();
        let by = |u: &str| targets.iter().find(|t| t["set_by"] == u).unwrap().clone();
        let note = by("BRVT");
        assert_eq!((note["operator"].clone(), note["value"].clone(), note["met"].clone()), (Value::Null, Value::Null, Value::Null));
        assert_eq!(note["note"], "BQLDA đang chủ trì triển khai");
        assert_eq!(by("VN")["printed"], "90%");
        assert_eq!(by("VN")["met"], true);
        // VT's own ">= 100" is not met: the status is the comparisons' alone.
        assert_eq!(by("VT")["met"], false);
        assert_eq!(row["status"], "not_met");
        // With only the note and a met comparison left applicable, the row is met.
        let row = attainment(&app, "BRVT", NINE_MONTHS, "DOC_SW_RATE").await;
        assert_eq!(row["status"], "met", "{row}");
        assert_eq!(row["targets"].as_array().unwrap().len(), 2);
        // Listed, with its note, in REST and GraphQL.
        let (_, body) = app.get("/api/v1/targets?indicator=DOC_SW_RATE&org_unit=BRVT").await;
        let listed = &body["targets"][0];
        assert_eq!((listed["operator"].clone(), listed["value"].clone(), listed["note"].clone()), (Value::Null, Value::Null, json!("BQLDA đang chủ trì triển khai")));
        let (status, body) = app.post("/graphql", &json!({"query": "{ targets(first: 10) { nodes { orgUnit operator value note printed } } }"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let nodes = body["data"]["targets"]["nodes"].as_array().unwrap_or_else(|| panic!("{body}"));
        let brvt = nodes.iter().find(|n| n["orgUnit"] == "BRVT").unwrap();
        assert_eq!((brvt["operator"].clone(), brvt["note"].clone()), (Value::Null, json!("BQLDA đang chủ trì triển khai")));
        // Upserted by (indicator, unit, period): the note becomes a comparison again.
        metadata(&app, json!({"targets": [
            {"indicator": "DOC_SW_RATE", "org_unit": "BRVT", "period": "2023", "operator": ">=", "value": 99, "label": "provincial"}]})).await;
        let (_, body) = app.get("/api/v1/targets?indicator=DOC_SW_RATE&org_unit=BRVT").await;
        assert_eq!(body["targets"].as_array().unwrap().len(), 1);
        assert_eq!((body["targets"][0]["operator"].clone(), body["targets"][0]["note"].clone()), (json!(">="), Value::Null));
    }

    async fn a_boolean_over_a_constant_denominator_is_100_or_0_and_absent_is_no_data(app: TestApp) {
        app.seed_catalogue().await;
        metadata(&app, json!({
            "data_elements": [element("SITE.OK", "boolean", "last")],
            "indicators": [{"code": "SITE", "name": "Có trang thông tin điện tử", "numerator": "#{SITE.OK}", "denominator": "1", "factor": 100, "decimals": 2}],
            "targets": [{"indicator": "SITE", "org_unit": "VN", "period": "2023", "operator": ">=", "value": 100, "label": "national"}]
        })).await;
        submit(&app, "VT-P1", "2023-03", json!([{"data_element": "SITE.OK", "value": false}])).await;
        submit(&app, "VT-P1", "2023-08", json!([{"data_element": "SITE.OK", "value": true}])).await;
        submit(&app, "VT-P8", "2023-08", json!([{"data_element": "SITE.OK", "value": false}])).await;
        let p1 = attainment(&app, "VT-P1", NINE_MONTHS, "SITE").await;
        assert_eq!((p1["value"].clone(), p1["status"].clone()), (json!(100), json!("met")), "the last month counts: {p1}");
        let p1_h1 = attainment(&app, "VT-P1", "2023H1", "SITE").await;
        assert_eq!((p1_h1["value"].clone(), p1_h1["status"].clone()), (json!(0), json!("not_met")), "{p1_h1}");
        let p8 = attainment(&app, "VT-P8", NINE_MONTHS, "SITE").await;
        assert_eq!((p8["numerator"].clone(), p8["denominator"].clone(), p8["value"].clone(), p8["status"].clone()), (json!(0), json!(1), json!(0), json!("not_met")));
        let office = attainment(&app, "VT-UBND", NINE_MONTHS, "SITE").await;
        assert_eq!((office["value"].clone(), office["status"].clone()), (Value::Null, json!("no_data")));
    }

    async fn staged_targets_apply_by_the_query_end_and_strict_targets_exclude_the_bound(app: TestApp) {
        app.seed_catalogue().await;
        metadata(&app, json!({
            "data_elements": [element("S.N", "integer", "sum"), element("S.D", "integer", "last")],
            "indicators": [
                {"code": "STAGED", "name": "Chỉ tiêu theo giai đoạn", "numerator": "#{S.N}", "denominator": "#{S.D}", "factor": 100, "decimals": 2},
                {"code": "OVER", "name": "Chỉ tiêu trên 60%", "numerator": "#{S.N}", "denominator": "#{S.D}", "factor": 100, "decimals": 2}
            ],
            "targets": [
                {"indicator": "STAGED", "org_unit": "VT", "period": "2023-01/2023-11", "operator": ">=", "value": 30, "label": "city", "printed": "30% đến cuối năm là 50%"},
                {"indicator": "STAGED", "org_unit": "VT", "period": "2023", "operator": ">=", "value": 50, "label": "city", "printed": "30% đến cuối năm là 50%"},
                {"indicator": "OVER", "org_unit": "VT", "period": "2023", "operator": ">", "value": 60, "label": "city", "printed": "Trên 60%"}
            ]
        })).await;
        // 40 % over the nine months, 60 % over the year.
        submit(&app, "VT-P1", NINE_MONTHS, json!([{"data_element": "S.N", "value": 40}, {"data_element": "S.D", "value": 100}])).await;
        submit(&app, "VT-P1", "2023-10/2023-12", json!([{"data_element": "S.N", "value": 20}, {"data_element": "S.D", "value": 100}])).await;
        let stage = |row: &Value| (row["targets"][0]["value"].clone(), row["status"].clone());
        assert_eq!(stage(&attainment(&app, "VT-P1", NINE_MONTHS, "STAGED").await), (json!(30), json!("met")));
        assert_eq!(stage(&attainment(&app, "VT-P1", "2023", "STAGED").await), (json!(50), json!("met")));
        for (period, value) in [("2023H1", 30), ("2023Q3", 30), ("2023-10", 30), ("2023H2", 50), ("2023Q4", 50), ("2023-12", 50)] {
            let row = attainment(&app, "VT", period, "STAGED").await;
            let targets = row["targets"].as_array().unwrap();
            assert_eq!(targets.len(), 1, "{period}: {row}");
            assert_eq!(targets[0]["value"], value, "{period}: {row}");
        }
        let over = attainment(&app, "VT-P1", "2023", "OVER").await;
        assert_eq!((over["value"].clone(), over["status"].clone()), (json!(60), json!("not_met")), "60 is not «trên 60%»");
    }

    async fn each_misplaced_field_is_an_error_at_its_path(app: TestApp) {
        app.seed_catalogue().await;
        let long = "x".repeat(2001);
        let (status, body) = app.post("/api/v1/metadata", &json!({
            "indicators": [{"code": "X", "name": "X", "numerator": "#{PAY_TX_OK}", "denominator": "1",
                            "stated_element": "NOWHERE", "result_element": "NOTE", "part_of": "NOPE"}],
            "targets": [
                {"indicator": "DOC_SW_RATE", "org_unit": "VT", "period": "2024", "note": "n", "operator": ">=", "value": 1},
                {"indicator": "DOC_SW_RATE", "org_unit": "VT", "period": "2025", "operator": ">="},
                {"indicator": "DOC_SW_RATE", "org_unit": "VT", "period": "2026", "value": 1, "printed": long}
            ],
            "validation_rules": [
                {"code": "A", "name": "A", "left": "#{PAY_TX_OK}", "operator": "<=", "right": "#{PAY_TX_TOTAL}", "tolerance": 0.5},
                {"code": "B", "name": "B", "left": "#{PAY_TX_OK}", "operator": "==", "right": "#{PAY_TX_TOTAL}", "tolerance": -1},
                {"code": "C", "name": "C", "check": "stated_status", "indicator": "NOPE", "stated": "#{GONE}"},
                {"code": "D", "name": "D", "check": "stated_status", "stated": "#{PAY_TX_OK}"},
                {"code": "E", "name": "E", "left": "#{PAY_TX_OK}", "right": "#{PAY_TX_TOTAL}", "left_scope": "tree"},
                {"code": "F", "name": "F", "left": "#{PAY_TX_OK}", "operator": "==", "right": "#{PAY_TX_TOTAL}",
                 "left_scope": "subtree", "right_scope": "subtree", "indicator": "DOC_SW_RATE"},
                {"code": "G", "name": "G", "check": "claim", "description": long},
                {"code": "H", "name": "H", "check": "stated_status", "indicator": "DOC_SW_RATE", "stated": "#{PAY_TX_OK}", "left": "#{PAY_TX_OK}"}
            ]
        })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let errors = body["errors"].as_array().unwrap();
        let mut got: Vec<(String, String)> = errors.iter().map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned())).collect();
        got.sort();
        let mut want: Vec<(String, String)> = [
            ("indicators[0].stated_element", "unknown_data_element"),
            ("indicators[0].part_of", "unknown_indicator"),
            ("targets[0].operator", "unexpected_field"),
            ("targets[0].value", "unexpected_field"),
            ("targets[1].value", "missing_field"),
            ("targets[2].operator", "missing_field"),
            ("targets[2].printed", "invalid_text"),
            ("validation_rules[0].tolerance", "invalid_tolerance"),
            ("validation_rules[1].tolerance", "invalid_number"),
            ("validation_rules[7].left", "unexpected_field"),
            ("validation_rules[2].indicator", "unknown_indicator"),
            ("validation_rules[2].stated", "unknown_data_element"),
            ("validation_rules[3].indicator", "missing_field"),
            ("validation_rules[4].operator", "missing_field"),
            ("validation_rules[4].left_scope", "invalid_scope"),
            ("validation_rules[5].indicator", "unexpected_field"),
            ("validation_rules[5].right_scope", "invalid_scope"),
            ("validation_rules[6].check", "invalid_check"),
            ("validation_rules[6].description", "invalid_text"),
        ].iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
        want.sort();
        assert_eq!(got, want, "{body}");
        // Nothing was stored.
        let (_, body) = app.get("/api/v1/validation-rules").await;
        assert_eq!(body["validation_rules"].as_array().unwrap().len(), 1);
    }
}
