//! The roll-up is an optimisation only: after any sequence of submissions, corrections,
//! figure states and deletions, every aggregate equals the same aggregate computed naively
//! from the figures (a state holds no number; as a unit's latest period it leaves `last`
//! without that unit's figure).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::json;

const UNITS: [&str; 3] = ["VT-P1", "VT-P8", "VT"];
/// Every unit and its ancestors within the test tree (VN > BRVT > VT > wards).
fn ancestors_or_self(unit: &str) -> Vec<&'static str> {
    match unit {
        "VT-P1" => vec!["VT-P1", "VT", "BRVT", "VN"],
        "VT-P8" => vec!["VT-P8", "VT", "BRVT", "VN"],
        _ => vec!["VT", "BRVT", "VN"],
    }
}

/// Deterministic pseudo-random numbers.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Expected `sum` and `last` of the model for a unit and an inclusive month window.
fn expected(
    model: &BTreeMap<(String, String, u32), Option<i64>>,
    root: &str,
    element: &str,
    from: u32,
    to: u32,
    last: bool,
) -> Option<i64> {
    let mut total = None;
    for unit in UNITS {
        if !ancestors_or_self(unit).contains(&root) {
            continue;
        }
        let in_window = model
            .iter()
            .filter(|((u, e, m), _)| u == unit && e == element && (from..=to).contains(m));
        if last {
            if let Some((_, Some(v))) = in_window.max_by_key(|((_, _, m), _)| *m) {
                total = Some(total.unwrap_or(0) + v);
            }
        } else {
            for (_, v) in in_window {
                if let Some(v) = v {
                    total = Some(total.unwrap_or(0) + v);
                }
            }
        }
    }
    total
}

both_databases! {
    async fn aggregates_always_equal_a_naive_recomputation(app: TestApp) {
        app.seed_catalogue().await;
        app.post("/api/v1/metadata", &json!({"data_elements": [
            {"code": "STOCK", "name": "Tồn", "value_type": "integer", "aggregation": "last"}]})).await;
        let mut rng = Lcg(20231001);
        let mut model: BTreeMap<(String, String, u32), Option<i64>> = BTreeMap::new();
        for round in 0..25 {
            // A set of 1-6 random writes: new figures, corrections and deletions of months.
            let mut rows = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for _ in 0..=rng.next(6) {
                let unit = UNITS[rng.next(3) as usize];
                let element = if rng.next(2) == 0 { "DOC_OUT_SW" } else { "STOCK" };
                let month = 1 + rng.next(12) as u32;
                if !seen.insert((unit, element, month)) {
                    continue;
                }
                let period = format!("2023-{month:02}");
                let key = (unit.to_owned(), element.to_owned(), month);
                match rng.next(6) {
                    0 => {
                        rows.push(json!({"org_unit": unit, "data_element": element, "period": period, "value": null}));
                        model.remove(&key);
                    }
                    1 => {
                        rows.push(json!({"org_unit": unit, "data_element": element, "period": period, "state": "pending"}));
                        model.insert(key, None);
                    }
                    _ => {
                        let v = rng.next(1000) as i64;
                        rows.push(json!({"org_unit": unit, "data_element": element, "period": period, "value": v}));
                        model.insert(key, Some(v));
                    }
                }
            }
            let (status, body) = app.post("/api/v1/data-value-sets", &json!({"data_values": rows})).await;
            assert_eq!(status, StatusCode::OK, "round {round}: {body}");
            // Check a few windows on every level.
            for (from, to) in [(1, 12), (1, 9), (7, 9), (4, 6), (1 + rng.next(12) as u32, 12)] {
                let period = if from == to { format!("2023-{from:02}") } else { format!("2023-{from:02}/2023-{to:02}") };
                for root in ["VN", "VT", "VT-P1"] {
                    let (_, body) = app.get(&format!("/api/v1/aggregates?data_element=DOC_OUT_SW&data_element=STOCK&org_unit={root}&period={period}")).await;
                    let got = |e: &str| body["rows"].as_array().unwrap().iter().find(|r| r["data_element"] == e).unwrap()["value"].as_i64();
                    assert_eq!(got("DOC_OUT_SW"), expected(&model, root, "DOC_OUT_SW", from, to, false), "sum, round {round}, {root} {period}");
                    assert_eq!(got("STOCK"), expected(&model, root, "STOCK", from, to, true), "last, round {round}, {root} {period}");
                }
            }
        }
    }
}
