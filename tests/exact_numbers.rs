//! Figures are exact end to end. A figure beyond its type's bounds is refused at submission
//! (it could otherwise break every aggregate above its ward); every number literal is read
//! digit for digit from JSON, CSV and GraphQL (never through a double); sums over the largest
//! admissible figures neither overflow nor saturate, on either database; and numbers come
//! back exactly as stored.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Twelve wards in the city VT, one ward in the city BR, both in the province BRVT.
fn catalogue() -> Value {
    let mut units = vec![
        json!({"code": "VN", "name": "Việt Nam", "kind": "nation"}),
        json!({"code": "BRVT", "name": "Tỉnh Bà Rịa - Vũng Tàu", "parent": "VN", "kind": "province"}),
        json!({"code": "VT", "name": "Thành phố Vũng Tàu", "parent": "BRVT", "kind": "city"}),
        json!({"code": "BR", "name": "Thành phố Bà Rịa", "parent": "BRVT", "kind": "city"}),
        json!({"code": "BR-W1", "name": "Phường Phước Hưng", "parent": "BR", "kind": "ward"}),
    ];
    for w in WARDS {
        units.push(
            json!({"code": w, "name": format!("Phường {w}"), "parent": "VT", "kind": "ward"}),
        );
    }
    json!({
        "org_units": units,
        "data_elements": [
            {"code": "AMOUNT", "name": "Giá trị", "value_type": "number", "aggregation": "sum"},
            {"code": "CAP", "name": "Giá trị tối đa", "value_type": "number", "aggregation": "sum"},
            {"code": "LEVEL", "name": "Mức", "value_type": "number", "aggregation": "average"},
            {"code": "COUNT", "name": "Số lượng", "value_type": "integer", "aggregation": "sum"},
            {"code": "STOCK", "name": "Tồn", "value_type": "integer", "aggregation": "last"}
        ],
        "indicators": [
            {"code": "AMOUNT_OF_CAP", "name": "Tỷ lệ giá trị", "numerator": "#{AMOUNT}",
             "denominator": "#{CAP}", "factor": 100, "decimals": 2}
        ],
        // Written as JSON text: a Rust float literal would already be a double.
        "targets": serde_json::from_str::<Value>(r#"[
            {"indicator": "AMOUNT_OF_CAP", "org_unit": "VN", "period": "2023", "operator": ">=",
             "value": 99.9999999999999999, "label": "national"},
            {"indicator": "AMOUNT_OF_CAP", "org_unit": "VT", "period": "2023", "operator": ">=",
             "value": 100, "label": "city"}
        ]"#).unwrap()
    })
}

const WARDS: [&str; 12] = [
    "VT-W01", "VT-W02", "VT-W03", "VT-W04", "VT-W05", "VT-W06", "VT-W07", "VT-W08", "VT-W09",
    "VT-W10", "VT-W11", "VT-W12",
];

async fn seed(app: &TestApp) {
    let (status, body) = app.post("/api/v1/metadata", &catalogue()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Sends a body exactly as written; returns the status, the parsed body and the raw text.
async fn post_raw(
    app: &TestApp,
    path: &str,
    content_type: &str,
    body: &str,
) -> (StatusCode, Value, String) {
    let res = app
        .req(reqwest::Method::POST, path)
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap(), text)
}

async fn get_raw(app: &TestApp, path: &str) -> (Value, String) {
    let res = app.req(reqwest::Method::GET, path).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    (serde_json::from_str(&text).unwrap(), text)
}

/// A GraphQL request written by hand (literals as the client typed them); the raw answer.
async fn graphql_raw(app: &TestApp, body: &str) -> (Value, String) {
    let (status, value, text) = post_raw(app, "/graphql", "application/json", body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    (value, text)
}

/// Every stored figure in the whole tree.
async fn stored(app: &TestApp) -> Vec<Value> {
    app.values("org_unit=VN&children=true&limit=10000").await
}

/// A micro-unit amount as the exact decimal the API prints (no trailing zeros).
fn micro(v: i128) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let (whole, frac) = (v.abs() / 1_000_000, v.abs() % 1_000_000);
    let frac = format!("{frac:06}");
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

/// The aggregate row of `element` at `unit` as the raw JSON number text.
fn aggregate(body: &Value, unit: &str, element: &str) -> String {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["org_unit"] == unit && r["data_element"] == element)
        .unwrap_or_else(|| panic!("no {element} row for {unit}: {body}"))["value"]
        .to_string()
}

const SUBMIT: &str = "mutation($input: DataValueSetInput!) { submitDataValues(input: $input) { status conflicts { index code } } }";

both_databases! {
    async fn a_figure_beyond_its_bounds_is_refused_and_nothing_is_stored(app: TestApp) {
        seed(&app).await;
        // JSON, written by hand: the client's literals exactly.
        let attacks = [
            ("COUNT", "9223372036854775807"),
            ("COUNT", "-9223372036854775808"),
            ("COUNT", "1000000000000001"),
            ("COUNT", "99999999999999999999999"),
            ("AMOUNT", "8999999999999.123456"),
            ("AMOUNT", "9000000000000"),
            ("AMOUNT", "1000000000000.000001"),
            ("AMOUNT", "-1e13"),
        ];
        for (element, literal) in attacks {
            let body = format!(
                r#"{{"org_unit": "VT-W01", "period": "2023", "data_values": [
                    {{"data_element": "CAP", "value": 5}},
                    {{"data_element": "{element}", "value": {literal}}}]}}"#
            );
            let (status, answer, _) = post_raw(&app, "/api/v1/data-value-sets", "application/json", &body).await;
            assert_eq!(status, StatusCode::CONFLICT, "{literal}: {answer}");
            assert_eq!(answer["status"], "error");
            assert_eq!(common::conflicts(&answer), [(1, "value_out_of_range".to_owned())], "{literal}");
            assert!(answer["conflicts"][0]["message"].as_str().unwrap().contains("10^1"), "{answer}");
        }
        // Two figures near the old cap in one roll-up row: refused as well.
        let (status, answer, _) = post_raw(&app, "/api/v1/data-value-sets", "application/json",
            r#"{"period": "2023", "data_values": [
                {"org_unit": "VT-W01", "data_element": "AMOUNT", "value": 8999999999999},
                {"org_unit": "VT-W02", "data_element": "AMOUNT", "value": 8999999999999}]}"#).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(common::conflicts(&answer), [(0, "value_out_of_range".to_owned()), (1, "value_out_of_range".to_owned())]);

        // CSV.
        let csv = "data_element,period,org_unit,value,comment\n\
                   CAP,2023,VT-W01,5,\n\
                   COUNT,2023,VT-W01,9223372036854775807,\n\
                   AMOUNT,2023,VT-W02,8999999999999.123456,\n\
                   COUNT,2023,VT-W03,-1000000000000001,\n";
        let (status, answer, _) = post_raw(&app, "/api/v1/data-value-sets", "text/csv", csv).await;
        assert_eq!(status, StatusCode::CONFLICT, "{answer}");
        assert_eq!(common::conflicts(&answer), [
            (1, "value_out_of_range".to_owned()),
            (2, "value_out_of_range".to_owned()),
            (3, "value_out_of_range".to_owned()),
        ]);

        // GraphQL: a literal in the document, and a number in the variables.
        let (answer, _) = graphql_raw(&app, r#"{"query": "mutation { submitDataValues(input: {orgUnit: \"VT-W01\", period: \"2023\", dataValues: [{dataElement: \"CAP\", value: 5}, {dataElement: \"COUNT\", value: 9223372036854775807}]}) { status conflicts { index code } } }"}"#).await;
        assert_eq!(answer["data"]["submitDataValues"]["status"], "error", "{answer}");
        assert_eq!(common::conflicts(&answer["data"]["submitDataValues"]), [(1, "value_out_of_range".to_owned())]);
        let body = format!(
            r#"{{"query": "{SUBMIT}", "variables": {{"input": {{"orgUnit": "VT-W01", "period": "2023", "dataValues": [
                {{"dataElement": "CAP", "value": 5}}, {{"dataElement": "AMOUNT", "value": 8999999999999.123456}}]}}}}}}"#
        );
        let (answer, _) = graphql_raw(&app, &body).await;
        assert_eq!(answer["data"]["submitDataValues"]["status"], "error", "{answer}");
        assert_eq!(common::conflicts(&answer["data"]["submitDataValues"]), [(1, "value_out_of_range".to_owned())]);

        assert!(stored(&app).await.is_empty(), "nothing may be stored");
        // The reports above the wards still answer.
        let (status, body) = app.get("/api/v1/attainment?org_unit=VN&period=2023").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["rows"][0]["status"], "no_data");
    }

    async fn a_literal_with_more_decimals_than_allowed_is_refused_never_rounded(app: TestApp) {
        seed(&app).await;
        let tiny = "0.5000000000000000000000000000000001";
        let refused = [("AMOUNT", tiny), ("AMOUNT", "0.1234567"), ("AMOUNT", "1e-7"), ("COUNT", "1e3"), ("COUNT", "12.0"), ("COUNT", "0.5")];
        for (element, literal) in refused {
            let body = format!(
                r#"{{"org_unit": "VT-W01", "period": "2023", "data_values": [{{"data_element": "{element}", "value": {literal}}}]}}"#
            );
            let (status, answer, _) = post_raw(&app, "/api/v1/data-value-sets", "application/json", &body).await;
            assert_eq!(status, StatusCode::CONFLICT, "{literal}: {answer}");
            assert_eq!(common::conflicts(&answer), [(0, "invalid_value".to_owned())], "{literal}");
        }
        let (status, answer, _) = post_raw(&app, "/api/v1/data-value-sets", "text/csv",
            &format!("data_element,period,org_unit,value,comment\nAMOUNT,2023,VT-W01,{tiny},\nAMOUNT,2023,VT-W02,1e3,\n")).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(common::conflicts(&answer), [(0, "invalid_value".to_owned()), (1, "invalid_value".to_owned())]);
        // GraphQL literal and variable.
        let (answer, _) = graphql_raw(&app, &format!(r#"{{"query": "mutation {{ submitDataValues(input: {{orgUnit: \"VT-W01\", period: \"2023\", dataValues: [{{dataElement: \"AMOUNT\", value: {tiny}}}]}}) {{ status conflicts {{ index code }} }} }}"}}"#)).await;
        assert_eq!(common::conflicts(&answer["data"]["submitDataValues"]), [(0, "invalid_value".to_owned())], "{answer}");
        let (answer, _) = graphql_raw(&app, &format!(
            r#"{{"query": "{SUBMIT}", "variables": {{"input": {{"orgUnit": "VT-W01", "period": "2023", "dataValues": [{{"dataElement": "AMOUNT", "value": {tiny}}}]}}}}}}"#
        )).await;
        assert_eq!(common::conflicts(&answer["data"]["submitDataValues"]), [(0, "invalid_value".to_owned())], "{answer}");
        assert!(stored(&app).await.is_empty(), "nothing may be stored");

        // An exact exponent form is a number like any other; trailing zeros do not count.
        let (status, answer, _) = post_raw(&app, "/api/v1/data-value-sets", "application/json",
            r#"{"org_unit": "VT-W01", "period": "2023", "data_values": [
                {"data_element": "AMOUNT", "value": 1E+3}, {"data_element": "LEVEL", "value": 2.500000000}]}"#).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let (_, text) = get_raw(&app, "/api/v1/data-values?org_unit=VT-W01").await;
        assert!(text.contains(r#""value":1000,"#) && text.contains(r#""value":2.5,"#), "{text}");
    }

    async fn numbers_round_trip_digit_for_digit(app: TestApp) {
        seed(&app).await;
        // More significant digits than a double holds: REST JSON, CSV, GraphQL literal and
        // GraphQL variable, each read back exactly.
        let (status, answer, _) = post_raw(&app, "/api/v1/data-value-sets", "application/json",
            r#"{"period": "2023", "data_values": [
                {"org_unit": "VT-W01", "data_element": "AMOUNT", "value": 999999999999.123456},
                {"org_unit": "VT-W01", "data_element": "COUNT", "value": 999999999999999}]}"#).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let (status, answer, _) = post_raw(&app, "/api/v1/data-value-sets", "text/csv",
            "data_element,period,org_unit,value,comment\nAMOUNT,2023,VT-W02,-123456789012.000001,\n").await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let (answer, _) = graphql_raw(&app, r#"{"query": "mutation { submitDataValues(input: {orgUnit: \"VT-W03\", period: \"2023\", dataValues: [{dataElement: \"AMOUNT\", value: 876543210987.654321}]}) { status } }"}"#).await;
        assert_eq!(answer["data"]["submitDataValues"]["status"], "success", "{answer}");
        let (answer, _) = graphql_raw(&app, &format!(
            r#"{{"query": "{SUBMIT}", "variables": {{"input": {{"orgUnit": "VT-W04", "period": "2023", "dataValues": [{{"dataElement": "AMOUNT", "value": 0.000001}}, {{"dataElement": "LEVEL", "value": 100000000000.000007}}]}}}}}}"#
        )).await;
        assert_eq!(answer["data"]["submitDataValues"]["status"], "success", "{answer}");

        let (_, text) = get_raw(&app, "/api/v1/data-values?org_unit=VT&children=true").await;
        for exact in [
            r#""value":999999999999.123456,"#,
            r#""value":999999999999999,"#,
            r#""value":-123456789012.000001,"#,
            r#""value":876543210987.654321,"#,
            r#""value":0.000001,"#,
            r#""value":100000000000.000007,"#,
        ] {
            assert!(text.contains(exact), "{exact} in {text}");
        }
        let (_, text) = graphql_raw(&app, r#"{"query": "{ dataValues(orgUnit: \"VT\", includeDescendants: true, dataElement: \"AMOUNT\") { edges { node { orgUnit value } } } }"}"#).await;
        for exact in ["999999999999.123456", "-123456789012.000001", "876543210987.654321", "0.000001"] {
            assert!(text.contains(&format!(r#""value":{exact}}}"#)), "{exact} in {text}");
        }
        // Catalogue numbers too: a target imported through GraphQL keeps all its digits.
        let (answer, _) = graphql_raw(&app, r#"{"query": "mutation($b: JSON!) { importMetadata(bundle: $b) { created } }",
            "variables": {"b": {"targets": [{"indicator": "AMOUNT_OF_CAP", "org_unit": "BR", "period": "2023",
            "operator": ">=", "value": 99.9999999999999999, "label": "city"}]}}}"#).await;
        assert_eq!(answer["data"]["importMetadata"]["created"], 1, "{answer}");
        let (_, text) = get_raw(&app, "/api/v1/targets").await;
        assert!(text.contains(r#""value":99.9999999999999999,"#), "{text}");
        let (_, text) = graphql_raw(&app, r#"{"query": "{ targets(indicator: \"AMOUNT_OF_CAP\") { nodes { orgUnit value } } }"}"#).await;
        assert!(text.contains(r#"{"orgUnit":"BR","value":99.9999999999999999}"#), "{text}");

        // The sum of them, in REST and in GraphQL.
        let total = micro(999_999_999_999_123_456 - 123_456_789_012_000_001 + 876_543_210_987_654_321 + 1);
        assert_eq!(total, "1753086421974.777777");
        let (body, _) = get_raw(&app, "/api/v1/aggregates?data_element=AMOUNT&org_unit=VT&period=2023").await;
        assert_eq!(aggregate(&body, "VT", "AMOUNT"), total);
        let (_, text) = graphql_raw(&app, r#"{"query": "{ aggregates(dataElements: [\"AMOUNT\"], orgUnit: \"BRVT\", period: \"2023\") { value } }"}"#).await;
        assert!(text.contains(&format!(r#""value":{total}"#)), "{text}");
    }

    async fn maximal_figures_at_every_ward_give_exact_aggregates_and_attainment(app: TestApp) {
        seed(&app).await;
        const MAX_NUMBER: i128 = 1_000_000_000_000_000_000; // 10^12 in micro-units
        // Two sets, so the second one adds to roll-up rows that already hold the first.
        for (wards, amount) in [(&WARDS[..6], "1000000000000"), (&WARDS[6..], "999999999999.999999")] {
            let rows: Vec<String> = wards.iter().flat_map(|w| [
                format!(r#"{{"org_unit": "{w}", "data_element": "AMOUNT", "value": {amount}}}"#),
                format!(r#"{{"org_unit": "{w}", "data_element": "CAP", "value": 1e12}}"#),
                format!(r#"{{"org_unit": "{w}", "data_element": "LEVEL", "value": -1000000000000}}"#),
            ]).collect();
            let body = format!(r#"{{"period": "2023", "data_values": [{}]}}"#, rows.join(","));
            let (status, answer, _) = post_raw(&app, "/api/v1/data-value-sets", "application/json", &body).await;
            assert_eq!(status, StatusCode::OK, "{answer}");
        }
        // The largest integers, monthly over 80 years: 11 520 figures of 10^15, a total of
        // 1.152 × 10^19 — beyond the 64-bit range — in every roll-up row above the wards.
        let mut rows = Vec::new();
        for w in WARDS {
            for year in 1950..2030 {
                for month in 1..=12 {
                    rows.push(json!({"org_unit": w, "data_element": "COUNT", "period": format!("{year}-{month:02}"), "value": 1_000_000_000_000_000i64}));
                }
            }
        }
        let (status, answer) = app.post("/api/v1/data-value-sets", &json!({"data_values": rows})).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["imported"], 11_520);

        let amount = 6 * MAX_NUMBER + 6 * (MAX_NUMBER - 1);
        assert_eq!(micro(amount), "11999999999999.999994");
        for unit in ["VT", "BRVT", "VN"] {
            let (body, _) = get_raw(&app, &format!(
                "/api/v1/aggregates?data_element=AMOUNT&data_element=CAP&data_element=LEVEL&data_element=COUNT&org_unit={unit}&period=1950-01/2029-12")).await;
            assert_eq!(aggregate(&body, unit, "AMOUNT"), "11999999999999.999994", "{unit}");
            assert_eq!(aggregate(&body, unit, "CAP"), "12000000000000", "{unit}");
            assert_eq!(aggregate(&body, unit, "LEVEL"), "-1000000000000", "{unit}");
            assert_eq!(aggregate(&body, unit, "COUNT"), "11520000000000000000", "{unit}");
        }
        // GraphQL prints the same exact totals.
        let (_, text) = graphql_raw(&app, r#"{"query": "{ aggregates(dataElements: [\"AMOUNT\", \"COUNT\"], orgUnit: \"VN\", period: \"1950-01/2029-12\") { dataElement value } }"}"#).await;
        assert!(text.contains(r#""value":11999999999999.999994"#) && text.contains(r#""value":11520000000000000000"#), "{text}");

        // Attainment: 11999999999999.999994 / 12000000000000 × 100 = 99.99999999999999995, shown
        // as 100 (2 decimals) but exactly below the city's target of 100, and above the
        // nation's 99.9999999999999999.
        for unit in ["VT", "BRVT"] {
            let (body, _) = get_raw(&app, &format!("/api/v1/attainment?org_unit={unit}&period=2023")).await;
            let row = &body["rows"][0];
            assert_eq!(row["numerator"].to_string(), "11999999999999.999994", "{body}");
            assert_eq!(row["denominator"].to_string(), "12000000000000");
            assert_eq!(row["value"].to_string(), "100");
            let met: Vec<(String, bool)> = row["targets"].as_array().unwrap().iter()
                .map(|t| (t["set_by"].as_str().unwrap().to_owned(), t["met"].as_bool().unwrap())).collect();
            let expected = if unit == "VT" { vec![("VN".to_owned(), true), ("VT".to_owned(), false)] } else { vec![("VN".to_owned(), true)] };
            assert_eq!(met, expected, "{unit}");
            assert_eq!(row["status"], if unit == "VT" { "not_met" } else { "met" });
        }

        // Corrections and deletions subtract exactly what was added: one ward to the negative
        // bound, one deleted, one moved to another city (its ancestors' rows are rebuilt by
        // the database) and then corrected.
        let (status, answer, _) = post_raw(&app, "/api/v1/data-value-sets", "application/json",
            r#"{"period": "2023", "data_values": [
                {"org_unit": "VT-W01", "data_element": "AMOUNT", "value": -1000000000000},
                {"org_unit": "VT-W02", "data_element": "AMOUNT", "value": null}]}"#).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let (status, body) = app.post("/api/v1/metadata", &json!({"org_units": [
            {"code": "VT-W12", "name": "Phường VT-W12", "parent": "BR", "kind": "ward"}]})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, answer, _) = post_raw(&app, "/api/v1/data-value-sets", "application/json",
            r#"{"org_unit": "VT-W12", "period": "2023", "data_values": [
                {"data_element": "AMOUNT", "value": -999999999999.999999},
                {"data_element": "COUNT", "period": "1950-01", "value": -1000000000000000}]}"#).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        // VT: W01 at −max, W02 gone, W03–W06 at max, W07–W11 at max − 1µ.
        let vt = -MAX_NUMBER + 4 * MAX_NUMBER + 5 * (MAX_NUMBER - 1);
        let br = -(MAX_NUMBER - 1);
        for (unit, expected) in [("VT", vt), ("BR", br), ("BRVT", vt + br), ("VN", vt + br)] {
            let (body, _) = get_raw(&app, &format!("/api/v1/aggregates?data_element=AMOUNT&org_unit={unit}&period=2023")).await;
            assert_eq!(aggregate(&body, unit, "AMOUNT"), micro(expected), "{unit}");
        }
        let count_vt = 11i128 * 960 * 1_000_000_000_000_000;
        let count_br = 959i128 * 1_000_000_000_000_000 - 1_000_000_000_000_000;
        for (unit, expected) in [("VT", count_vt), ("BR", count_br), ("VN", count_vt + count_br)] {
            let (body, _) = get_raw(&app, &format!("/api/v1/aggregates?data_element=COUNT&org_unit={unit}&period=1950-01/2029-12")).await;
            assert_eq!(aggregate(&body, unit, "COUNT"), expected.to_string(), "{unit}");
        }
    }

    async fn upgrading_rebuilds_the_roll_up_as_part_sums_from_the_figures(app: TestApp) {
        use chitieu_migrations::{Migrator, MigratorTrait};
        seed(&app).await;
        let (status, answer, _) = post_raw(&app, "/api/v1/data-value-sets", "application/json",
            r#"{"period": "2023", "data_values": [
                {"org_unit": "VT-W01", "data_element": "AMOUNT", "value": -123456.789012},
                {"org_unit": "VT-W02", "data_element": "AMOUNT", "value": 4294.967296},
                {"org_unit": "VT-W03", "data_element": "AMOUNT", "value": -4294.967297},
                {"org_unit": "BR-W1", "data_element": "AMOUNT", "value": 1000000},
                {"org_unit": "VT-W01", "data_element": "COUNT", "value": -4294967296},
                {"org_unit": "VT-W02", "data_element": "COUNT", "value": 4294967295},
                {"org_unit": "VT-W03", "data_element": "COUNT", "value": -1}]}"#).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let amounts = || async {
            let (body, _) = get_raw(&app, "/api/v1/aggregates?data_element=AMOUNT&data_element=COUNT&org_unit=BRVT&period=2023&breakdown=children").await;
            ["VT", "BR", "BRVT"].map(|u| (aggregate(&body, u, "AMOUNT"), aggregate(&body, u, "COUNT")))
        };
        let before = amounts().await;
        assert_eq!(before[0], ("-123456.789013".to_owned(), "-2".to_owned()));
        assert_eq!(before[2], ("876543.210987".to_owned(), "-2".to_owned()));
        // Back to the single-column roll-up of the previous release, then upgrade again: the
        // migration rebuilds every row from the stored figures with the database's own split.
        let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
        Migrator::down(&db, Some(1)).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        db.close().await.unwrap();
        assert_eq!(amounts().await, before);
        // And the rebuilt rows take corrections from the API exactly.
        let (status, answer, _) = post_raw(&app, "/api/v1/data-value-sets", "application/json",
            r#"{"period": "2023", "data_values": [
                {"org_unit": "VT-W01", "data_element": "AMOUNT", "value": null},
                {"org_unit": "VT-W03", "data_element": "COUNT", "value": -4294967297}]}"#).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let after = amounts().await;
        assert_eq!(after[0], ("-0.000001".to_owned(), "-4294967298".to_owned()));
        assert_eq!(after[2], ("999999.999999".to_owned(), "-4294967298".to_owned()));
    }
}
