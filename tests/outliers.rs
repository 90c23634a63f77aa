//! Outliers (contract v2): figures far from their unit and element's history, or outside
//! the bounds of the metadata bundle, over a subtree, largest score first.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn submit(app: &common::TestApp, body: Value) {
    let (status, res) = app.post("/api/v1/data-value-sets", &body).await;
    assert_eq!(status, StatusCode::OK, "{res}");
}

/// VT-P1's DOC_OUT_SW for 2023-01 … 2023-09: 10, 12, 10, 12, 10, 12, 10, 12, then 50.
async fn history_with_a_spike(app: &common::TestApp) {
    let values: Vec<Value> = [10, 12, 10, 12, 10, 12, 10, 12, 50]
        .iter()
        .enumerate()
        .map(|(i, v)| json!({"data_element": "DOC_OUT_SW", "period": format!("2023-{:02}", i + 1), "value": v}))
        .collect();
    submit(app, json!({"org_unit": "VT-P1", "data_values": values})).await;
}

async fn outliers(app: &common::TestApp, query: &str) -> Vec<Value> {
    let (status, body) = app.get(&format!("/api/v1/outliers?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["outliers"].as_array().unwrap().clone()
}

both_databases! {
    async fn a_z_score_is_the_distance_from_the_mean_in_standard_deviations(app: TestApp) {
        app.seed_catalogue().await;
        history_with_a_spike(&app).await;
        // mean 138/9 = 15.333…, population sd √(1360/9) = 12.2927…, z = 34.666…/12.2927… = 2.8201.
        assert!(outliers(&app, "org_unit=VT&period=2023-09").await.is_empty(), "2.82 does not exceed 3");
        let found = outliers(&app, "org_unit=VT&period=2023-09&threshold=2.5").await;
        assert_eq!(found, vec![json!({
            "data_element": "DOC_OUT_SW", "org_unit": "VT-P1", "period": "2023-09", "value": 50,
            "center": 15.333333, "spread": 12.292726, "score": 2.820096,
            "lower_bound": -15.398482, "upper_bound": 46.065148
        })]);
        // Over the whole year only the spike is that far out: 10 and 12 score 0.43 and 0.27.
        let year = outliers(&app, "org_unit=VT&period=2023&threshold=2.5&algorithm=z_score").await;
        assert_eq!(year.len(), 1);
        assert_eq!(year[0]["period"], "2023-09");
    }

    async fn a_modified_z_score_uses_the_median_and_the_mad(app: TestApp) {
        app.seed_catalogue().await;
        history_with_a_spike(&app).await;
        // median 12, |x − 12| = 2,2,2,2,0,0,0,0,38 → MAD 2; score 0.6745 × 38 / 2 = 12.8155;
        // bounds 12 ± 3 × 2 / 0.6745.
        let found = outliers(&app, "org_unit=VT-P1&period=2023&algorithm=modified_z_score").await;
        assert_eq!(found, vec![json!({
            "data_element": "DOC_OUT_SW", "org_unit": "VT-P1", "period": "2023-09", "value": 50,
            "center": 12, "spread": 2, "score": 12.8155,
            "lower_bound": 3.104522, "upper_bound": 20.895478
        })]);
        // 10 scores 0.6745: flagged once the threshold is below it.
        let low = outliers(&app, "org_unit=VT-P1&period=2023&algorithm=modified_z_score&threshold=0.5").await;
        assert_eq!(low.len(), 5, "the spike and the four 10s: {low:?}");
        assert_eq!(low[0]["value"], 50);
        let tens: Vec<&str> = low[1..].iter().map(|o| o["period"].as_str().unwrap()).collect();
        assert_eq!(tens, ["2023-01", "2023-03", "2023-05", "2023-07"], "equal scores in period order");
    }

    async fn a_constant_history_has_no_spread_and_scores_zero(app: TestApp) {
        app.seed_catalogue().await;
        let values: Vec<Value> = (1..=6)
            .map(|m| json!({"data_element": "DOC_IN_SW", "period": format!("2023-{m:02}"), "value": 7}))
            .collect();
        submit(&app, json!({"org_unit": "VT-P8", "data_values": values})).await;
        for algorithm in ["z_score", "modified_z_score"] {
            assert!(outliers(&app, &format!("org_unit=VT&period=2023&algorithm={algorithm}&threshold=0")).await.is_empty(),
                "{algorithm}: a score of 0 never exceeds 0");
        }
    }

    async fn history_is_the_same_period_length_within_36_months(app: TestApp) {
        app.seed_catalogue().await;
        // A quarter far from the months: compared only with quarters.
        let mut values: Vec<Value> = (1..=9)
            .map(|m| json!({"data_element": "PAY_TX_TOTAL", "period": format!("2023-{m:02}"), "value": 1}))
            .collect();
        values.push(json!({"data_element": "PAY_TX_TOTAL", "period": "2023Q4", "value": 1000}));
        // Old quarters: 2020Q1 ends 37 months before 2023-12 (outside the window), 2021Q1 inside.
        values.push(json!({"data_element": "PAY_TX_TOTAL", "period": "2020Q1", "value": 0}));
        values.push(json!({"data_element": "PAY_TX_TOTAL", "period": "2021Q1", "value": 2000}));
        submit(&app, json!({"org_unit": "VT-UBND", "data_values": values})).await;
        // Quarters in the window: 1000 and 2000 → mean 1500, sd 500, z of 1000 = 1.
        let found = outliers(&app, "org_unit=VT-UBND&period=2023Q4&threshold=0.5").await;
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0]["center"], 1500);
        assert_eq!(found[0]["spread"], 500);
        assert_eq!(found[0]["score"], 1);
    }

    async fn the_answer_keeps_the_500_largest_scores_in_a_fixed_order(app: TestApp) {
        app.seed_catalogue().await;
        // 6 units × 6 elements × 24 months, 1 … 24 in each series: every figure off the mean
        // 12.5, so at threshold 0 all 864 are flagged; 1 and 24 score 11.5 / √(575/12).
        let elements = ["DOC_OUT_SW", "DOC_IN_SW", "DOC_OUT_PAPER", "DOC_IN_PAPER", "PAY_TX_TOTAL", "PAY_TX_OK"];
        for unit in ["VN", "BRVT", "VT", "VT-P1", "VT-P8", "VT-UBND"] {
            let mut values = Vec::new();
            for e in elements {
                for i in 0..24 {
                    let period = format!("{}-{:02}", 2022 + i / 12, i % 12 + 1);
                    values.push(json!({"data_element": e, "period": period, "value": i + 1}));
                }
            }
            submit(&app, json!({"org_unit": unit, "data_values": values})).await;
        }
        let found = outliers(&app, "org_unit=VN&period=2022-01/2023-12&threshold=0").await;
        assert_eq!(found.len(), 500);
        let scores: Vec<f64> = found.iter().map(|o| o["score"].as_f64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "largest score first");
        assert_eq!(found[0]["score"], 1.661325);
        // Ties: by org unit code, data element code, period.
        let key = |o: &Value| format!("{} {} {}", o["org_unit"].as_str().unwrap(), o["data_element"].as_str().unwrap(), o["period"].as_str().unwrap());
        assert_eq!(key(&found[0]), "BRVT DOC_IN_PAPER 2022-01");
        assert_eq!(key(&found[1]), "BRVT DOC_IN_PAPER 2023-12");
        assert_eq!(key(&found[2]), "BRVT DOC_IN_SW 2022-01");
        // The element filter narrows the search; unknown elements are 404.
        let one = outliers(&app, "org_unit=VT-P1&period=2022-01/2023-12&threshold=0&data_element=PAY_TX_OK&data_element=DOC_IN_SW").await;
        assert_eq!(one.len(), 48);
        let (status, body) = app.get("/api/v1/outliers?org_unit=VT&period=2023&data_element=NOPE").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_data_element")));
    }

    async fn queries_are_checked_and_scoped_to_the_callers_subtree(app: TestApp) {
        app.seed_catalogue().await;
        history_with_a_spike(&app).await;
        let (status, body) = app.get("/api/v1/outliers?org_unit=VT&period=2023&algorithm=iqr").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_algorithm")));
        let (status, body) = app.get("/api/v1/outliers?org_unit=VT&period=2023&threshold=-1").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_threshold")));
        let many: String = (0..101).map(|i| format!("&data_element=E{i}")).collect();
        let (status, body) = app.get(&format!("/api/v1/outliers?org_unit=VT&period=2023{many}")).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("too_many_data_elements")));
        let (status, _) = app.get("/api/v1/outliers?org_unit=VT").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let (status, _) = common::as_bearer(&app, &app.token, Method::POST, "/api/v1/users", Some(json!({
            "username": "p8.manager", "password": "Một-mật-khẩu-dài", "role": "manager", "org_unit": "VT-P8"}))).await;
        assert_eq!(status, StatusCode::CREATED);
        let ward = app.login("p8.manager", "Một-mật-khẩu-dài").await;
        let (status, body) = common::as_bearer(&app, &ward, Method::GET, "/api/v1/outliers?org_unit=VT&period=2023&threshold=1", None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_org_unit")), "the city is outside the ward's subtree");
        let (status, body) = common::as_bearer(&app, &ward, Method::GET, "/api/v1/outliers?org_unit=VT-P8&period=2023&threshold=1", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["outliers"], json!([]), "VT-P1's spike is not the ward's");
    }

    async fn graphql_answers_the_same_outliers(app: TestApp) {
        app.seed_catalogue().await;
        history_with_a_spike(&app).await;
        let (status, body) = app.post("/graphql", &json!({"query":
            "{ outliers(orgUnit: \"VT\", period: \"2023\", algorithm: MODIFIED_Z_SCORE, dataElements: [\"DOC_OUT_SW\"]) { dataElement orgUnit period value center spread score lowerBound upperBound } }"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["outliers"], json!([{
            "dataElement": "DOC_OUT_SW", "orgUnit": "VT-P1", "period": "2023-09", "value": 50,
            "center": 12, "spread": 2, "score": 12.8155, "lowerBound": 3.104522, "upperBound": 20.895478
        }]));
        let (_, body) = app.post("/graphql", &json!({"query":
            "{ outliers(orgUnit: \"VT\", period: \"2023-09\", threshold: 2.5) { period score } }"})).await;
        assert_eq!(body["data"]["outliers"], json!([{"period": "2023-09", "score": 2.820096}]));
    }
}

/// Min–max bounds come from the reporting-cycle bundle.
mod bounds {
    use super::*;

    both_databases! {
        async fn min_max_flags_figures_outside_the_units_bounds_by_their_distance(app: TestApp) {
            app.seed_cycle().await; // VT-P1 DOC_OUT_SW within [0, 5000]; VT SHARE at most 1.5
            submit(&app, json!({"period": "2023-09", "data_values": [
                {"org_unit": "VT-P1", "data_element": "DOC_OUT_SW", "value": 6000},
                {"org_unit": "VT-P1", "data_element": "DOC_IN_SW", "value": 999999},
                {"org_unit": "VT-P8", "data_element": "DOC_OUT_SW", "value": 999999},
                {"org_unit": "VT", "data_element": "SHARE", "value": 2}]})).await;
            submit(&app, json!({"org_unit": "VT-P1", "period": "2023-08", "data_values": [
                {"data_element": "DOC_OUT_SW", "value": 5000}]})).await;
            // The threshold is ignored; only bounded (unit, element) pairs are checked.
            let found = outliers(&app, "org_unit=VT&period=2023&algorithm=min_max&threshold=1000000").await;
            assert_eq!(found, vec![
                json!({"data_element": "DOC_OUT_SW", "org_unit": "VT-P1", "period": "2023-09", "value": 6000,
                       "center": null, "spread": null, "score": 1000, "lower_bound": 0, "upper_bound": 5000}),
                json!({"data_element": "SHARE", "org_unit": "VT", "period": "2023-09", "value": 2,
                       "center": null, "spread": null, "score": 0.5, "lower_bound": null, "upper_bound": 1.5}),
            ]);
        }
    }
}
