//! The composite index (contract v2, "Scores"): per group, the attainment statuses of its
//! indicators counted and weighted; a unit's children ranked, ties sharing a rank.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// R with four wards A–D. Every indicator is `100 × N / D` with D = 100 per ward, so a
/// ward's value is its N and R's the mean of its wards'.
///
/// | indicator | group | target (set by R, 2023) | A | B | C | D | R |
/// | X1 | I (30) | ≥ 50 | 60 | 60 | 60 | 10 | 47.5 not met |
/// | X2 | I | ≥ 80 | 90 | 50 | 50 | no data | 63.3 not met |
/// | X3 | II (20) | ≥ 50 | 70 | 70 | 70 | 20 | 57.5 met |
/// | X4 | III (undeclared: 0) | ≥ 50 | 70 | 70 | 70 | 70 | met |
/// | X5 | II | none | no_target everywhere |
/// | X6 | no group | ≥ 50 | ignored |
/// and group IV (weight 10) has no indicator.
fn catalogue() -> Value {
    let mut elements = Vec::new();
    let mut indicators = Vec::new();
    let mut targets = Vec::new();
    for (k, group, target) in [
        (1, Some("I"), Some(50)),
        (2, Some("I"), Some(80)),
        (3, Some("II"), Some(50)),
        (4, Some("III"), Some(50)),
        (5, Some("II"), None),
        (6, None, Some(50)),
    ] {
        for side in ["N", "D"] {
            elements.push(json!({"code": format!("{side}{k}"), "name": format!("{side}{k}"),
                                 "value_type": "integer", "aggregation": "sum"}));
        }
        indicators.push(json!({"code": format!("X{k}"), "name": format!("Chỉ tiêu {k}"), "group": group,
                               "numerator": format!("#{{N{k}}}"), "denominator": format!("#{{D{k}}}"),
                               "factor": 100}));
        if let Some(value) = target {
            targets.push(json!({"indicator": format!("X{k}"), "org_unit": "R", "period": "2023",
                                "operator": ">=", "value": value}));
        }
    }
    json!({
        "org_units": [
            {"code": "R", "name": "Thành phố", "kind": "city"},
            {"code": "A", "name": "Phường A", "parent": "R", "kind": "ward"},
            {"code": "B", "name": "Phường B", "parent": "R", "kind": "ward"},
            {"code": "C", "name": "Phường C", "parent": "R", "kind": "ward"},
            {"code": "D", "name": "Phường D", "parent": "R", "kind": "ward"}
        ],
        "data_elements": elements,
        "indicators": indicators,
        "targets": targets,
        "indicator_groups": [
            {"code": "I", "name": "Chính quyền số", "weight": 30},
            {"code": "II", "name": "Kinh tế số", "weight": 20},
            {"code": "IV", "name": "An toàn thông tin", "weight": 10}
        ]
    })
}

async fn seed(app: &common::TestApp) {
    let (status, body) = app.post("/api/v1/metadata", &catalogue()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let figures = [
        ("A", [Some(60), Some(90), Some(70), Some(70), Some(10), Some(70)]),
        ("B", [Some(60), Some(50), Some(70), Some(70), Some(10), Some(70)]),
        ("C", [Some(60), Some(50), Some(70), Some(70), Some(10), Some(70)]),
        ("D", [Some(10), None, Some(20), Some(70), Some(10), Some(70)]),
    ];
    for (unit, values) in figures {
        let mut rows = Vec::new();
        for (k, n) in values.iter().enumerate() {
            if let Some(n) = n {
                rows.push(json!({"data_element": format!("N{}", k + 1), "period": "2023", "value": n}));
                rows.push(json!({"data_element": format!("D{}", k + 1), "period": "2023", "value": 100}));
            }
        }
        let (status, body) = app.post("/api/v1/data-value-sets", &json!({"org_unit": unit, "data_values": rows})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

fn group(code: &str, weight: u32, counts: [u32; 4], score: f64) -> Value {
    json!({"group": code, "weight": weight, "criteria": counts[0], "met": counts[1],
           "not_met": counts[2], "no_data": counts[3], "score": score})
}

both_databases! {
    async fn children_are_ranked_by_their_weighted_groups_ties_sharing_a_rank(app: TestApp) {
        seed(&app).await;
        let (status, body) = app.get("/api/v1/scores?org_unit=R&period=2023&breakdown=children").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let rows = body["rows"].as_array().unwrap();
        let summary: Vec<(&str, f64, Value)> = rows.iter()
            .map(|r| (r["org_unit"].as_str().unwrap(), r["score"].as_f64().unwrap(), r["rank"].clone()))
            .collect();
        assert_eq!(summary, [
            ("R", 20.0, Value::Null),
            ("A", 50.0, json!(1)),
            ("B", 35.0, json!(2)),
            ("C", 35.0, json!(2)),
            ("D", 0.0, json!(4)),
        ]);
        // R: X1 and X2 missed, X3 met, X5 without a target counts as a criterion only, the
        // undeclared group III weighs 0, the declared group IV without indicators is listed.
        assert_eq!(rows[0]["groups"], json!([
            group("I", 30, [2, 0, 2, 0], 0.0),
            group("II", 20, [2, 1, 0, 0], 20.0),
            group("III", 0, [1, 1, 0, 0], 0.0),
            group("IV", 10, [0, 0, 0, 0], 0.0),
        ]));
        assert_eq!(rows[2]["groups"][0], group("I", 30, [2, 1, 1, 0], 15.0));
        assert_eq!(rows[4]["groups"][0], group("I", 30, [2, 0, 1, 1], 0.0));

        // Without a breakdown: the unit alone, unranked.
        let (status, body) = app.get("/api/v1/scores?org_unit=A&period=2023").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["rows"].as_array().unwrap().len(), 1);
        assert_eq!((body["rows"][0]["score"].as_f64(), body["rows"][0]["rank"].clone()), (Some(50.0), Value::Null));

        // GraphQL: the same rows.
        let res = app.req(Method::POST, "/graphql")
            .json(&json!({"query": "{ scores(orgUnit: \"R\", period: \"2023\", breakdown: CHILDREN) { orgUnit score rank groups { group weight criteria met notMet noData score } } }"}))
            .send().await.unwrap();
        let data: Value = res.json().await.unwrap();
        assert!(data.get("errors").is_none(), "{data}");
        let ranks: Vec<Value> = (data["data"]["scores"].as_array().unwrap().iter()).map(|r| r["rank"].clone()).collect();
        assert_eq!(ranks, [Value::Null, json!(1), json!(2), json!(2), json!(4)]);
        assert_eq!(data["data"]["scores"][1]["groups"][1],
                   json!({"group": "II", "weight": 20.0, "criteria": 2, "met": 1, "notMet": 0, "noData": 0, "score": 20.0}));
    }

    async fn scores_are_rounded_only_when_shown(app: TestApp) {
        seed(&app).await;
        // Group I now weighs 10 and group II 6.666667: B scores 10 × 1/2 + 6.666667 × 1/1,
        // shown 11.67, its group II 6.67.
        let groups = json!({"indicator_groups": [{"code": "I", "name": "Chính quyền số", "weight": 10},
                                                  {"code": "II", "name": "Kinh tế số", "weight": 6.666667}]});
        let (status, body) = app.post("/api/v1/metadata", &groups).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, body) = app.get("/api/v1/scores?org_unit=B&period=2023").await;
        assert_eq!(body["rows"][0]["score"].as_f64(), Some(11.67), "5 + 6.666667 → 11.67: {body}");
        assert_eq!(body["rows"][0]["groups"][1]["score"].as_f64(), Some(6.67), "{body}");
    }

    async fn a_score_read_is_scoped_and_checked_like_the_other_reads(app: TestApp) {
        seed(&app).await;
        let (status, created) = app.post("/api/v1/api-tokens", &json!({"name": "a-reader", "org_unit": "A", "scopes": ["data:read"]})).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let token = created["token"].as_str().unwrap();
        let (status, body) = common::as_bearer(&app, token, Method::GET, "/api/v1/scores?org_unit=A&period=2023", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["rows"][0]["score"].as_f64(), Some(50.0));
        let (status, body) = common::as_bearer(&app, token, Method::GET, "/api/v1/scores?org_unit=R&period=2023", None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_org_unit")));
        for (query, code) in [
            ("org_unit=R&period=2023Q5", "invalid_period"),
            ("org_unit=R&period=2023&breakdown=all", "invalid_breakdown"),
            ("org_unit=R", "invalid_query"),
            ("org_unit=R&period=2023&group=I", "invalid_query"),
        ] {
            let (status, body) = app.get(&format!("/api/v1/scores?{query}")).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{query}: {body}");
        }
    }
}
