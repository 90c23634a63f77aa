//! Many wards submitting at the same moment, each with its own API token: on SQLite (one
//! writer at a time) as on PostgreSQL, every submission is answered 200 — never 500 or 503 —
//! and the city's total is exactly the sum of what the wards sent.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WARDS: usize = 200;

both_databases! {
    async fn two_hundred_wards_submitting_at_once_all_get_their_answer(app: TestApp) {
        app.seed_catalogue().await;
        let units: Vec<Value> = (0..WARDS)
            .map(|i| json!({"code": format!("VT-W{i:03}"), "name": format!("Phường thử {i}"), "parent": "VT", "kind": "ward"}))
            .collect();
        let (status, body) = app.post("/api/v1/metadata", &json!({"org_units": units})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let mut tokens = Vec::with_capacity(WARDS);
        for i in 0..WARDS {
            let (status, created) = app
                .post("/api/v1/api-tokens", &json!({"name": format!("w{i}"), "org_unit": format!("VT-W{i:03}"), "scopes": ["data:write"]}))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            tokens.push(created["token"].as_str().unwrap().to_owned());
        }

        // Two rounds, all wards at once; the second round corrects the first (an update of
        // each stored figure, which moves the roll-ups too).
        let mut expected = 0i64;
        for round in 1..=2i64 {
            let sends = tokens.iter().enumerate().map(|(i, token)| {
                let body = json!({"org_unit": format!("VT-W{i:03}"), "period": "2023Q3",
                    "data_values": [{"data_element": "DOC_OUT_SW", "value": round * 1000 + i as i64},
                                    {"data_element": "DOC_IN_SW", "value": round}]});
                common::as_bearer(&app, token, Method::POST, "/api/v1/data-value-sets", Some(body))
            });
            let answers = futures::future::join_all(sends).await;
            let failed: Vec<_> = answers.iter().filter(|(s, _)| *s != StatusCode::OK).collect();
            assert!(failed.is_empty(), "round {round}: {} of {WARDS} failed, e.g. {:?}", failed.len(), failed.first());
            expected = (0..WARDS as i64).map(|i| round * 1000 + i).sum();
        }

        let (status, body) = app.get("/api/v1/aggregates?data_element=DOC_OUT_SW&org_unit=VT&period=2023").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["rows"][0]["value"].as_i64(), Some(expected), "{body}");
        let (_, body) = app.get("/api/v1/aggregates?data_element=DOC_IN_SW&org_unit=VT&period=2023").await;
        assert_eq!(body["rows"][0]["value"].as_i64(), Some(2 * WARDS as i64), "{body}");
    }
}
