//! Figure states («no source yet», «being counted») and the owner and source of data
//! elements (docs/SEED-MODEL.md §2): a state is stored, read, pulled, audited, locked and
//! scoped like a value, holds no number (sums, attainment and rules skip it), and explains
//! an attainment row without a value through `data_state`.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PERIOD: &str = "2023-01/2023-09";
const PASSWORD: &str = "Một-mật-khẩu-dài";
const DRAFT_METADATA: &str = include_str!("../crates/api/demo/vungtau-metadata.json");
const DRAFT_FIGURES: &str = include_str!("../crates/api/demo/vungtau-2023-9m.json");

/// Two elements shared by a ratio, on top of the common catalogue.
async fn seed(app: &common::TestApp) {
    app.seed_catalogue().await;
    let bundle = json!({
        "data_elements": [
            {"code": "ENT_TOTAL", "name": "Tổng số doanh nghiệp", "value_type": "integer", "aggregation": "last",
             "owner": "VT", "source": "Sở Kế hoạch và Đầu tư"},
            {"code": "ENT_ECONTRACT", "name": "Doanh nghiệp sử dụng hợp đồng điện tử", "value_type": "integer",
             "aggregation": "sum"}],
        "indicators": [
            {"code": "ECONTRACT_RATE", "name": "Tỷ lệ doanh nghiệp dùng hợp đồng điện tử",
             "numerator": "#{ENT_ECONTRACT}", "denominator": "#{ENT_TOTAL}", "factor": 100, "decimals": 2},
            {"code": "PAY_OK_RATE", "name": "Tỷ lệ giao dịch thành công",
             "numerator": "#{PAY_TX_OK}", "denominator": "#{PAY_TX_TOTAL}", "factor": 100, "decimals": 2}]
    });
    let (status, body) = app.post("/api/v1/metadata", &bundle).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn submit(app: &common::TestApp, path: &str, set: Value) -> (StatusCode, Value) {
    app.post(path, &set).await
}

fn counts(body: &Value) -> [u64; 4] {
    ["imported", "updated", "unchanged", "deleted"].map(|k| body[k].as_u64().unwrap())
}

/// One figure of a unit as (value, state, comment).
async fn figure(app: &common::TestApp, unit: &str, element: &str) -> Option<(Value, Value, Value)> {
    app.values(&format!("org_unit={unit}&data_element={element}"))
        .await
        .first()
        .map(|v| (v["value"].clone(), v["state"].clone(), v["comment"].clone()))
}

/// An element's aggregate for a unit over the nine months.
async fn aggregate(app: &common::TestApp, element: &str, unit: &str) -> Value {
    let (status, body) = app
        .get(&format!(
            "/api/v1/aggregates?data_element={element}&org_unit={unit}&period={PERIOD}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["rows"][0]["value"].clone()
}

/// One attainment row as (numerator, value, status, data_state).
async fn attainment(
    app: &common::TestApp,
    indicator: &str,
    unit: &str,
) -> (Value, Value, Value, Value) {
    let (status, body) = app
        .get(&format!(
            "/api/v1/attainment?org_unit={unit}&period={PERIOD}&indicator={indicator}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let row = &body["rows"][0];
    (
        row["numerator"].clone(),
        row["value"].clone(),
        row["status"].clone(),
        row["data_state"].clone(),
    )
}

fn one(unit: &str, element: &str, entry: Value) -> Value {
    let mut entry = entry;
    entry["data_element"] = json!(element);
    json!({"org_unit": unit, "period": PERIOD, "data_values": [entry]})
}

async fn graphql(app: &common::TestApp, query: &str, variables: Value) -> Value {
    let (status, body) = app
        .post("/graphql", &json!({"query": query, "variables": variables}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["errors"].is_null(), "{body}");
    body["data"].clone()
}

both_databases! {
    async fn a_state_replaces_a_value_and_back_with_sums_exact_before_and_after(app: TestApp) {
        seed(&app).await;
        let path = "/api/v1/data-value-sets";
        let (status, body) = submit(&app, path, json!({"period": PERIOD, "data_values": [
            {"org_unit": "VT-P1", "data_element": "PAY_TX_OK", "value": 40},
            {"org_unit": "VT-P8", "data_element": "PAY_TX_OK", "value": 2},
            {"org_unit": "VT-P1", "data_element": "PAY_TX_TOTAL", "value": 50},
            {"org_unit": "VT-P8", "data_element": "PAY_TX_TOTAL", "state": "pending", "comment": "Đang thống kê"}]})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(counts(&body), [4, 0, 0, 0]);
        assert_eq!(figure(&app, "VT-P8", "PAY_TX_TOTAL").await, Some((Value::Null, json!("pending"), json!("Đang thống kê"))));
        assert_eq!(figure(&app, "VT-P1", "PAY_TX_TOTAL").await, Some((json!(50), Value::Null, Value::Null)));
        // The state holds no number: the sums are the values' alone, at every ancestor.
        assert_eq!(aggregate(&app, "PAY_TX_TOTAL", "VT").await, 50);
        assert_eq!(aggregate(&app, "PAY_TX_TOTAL", "VN").await, 50);
        assert_eq!(aggregate(&app, "PAY_TX_TOTAL", "VT-P8").await, Value::Null);
        assert_eq!(attainment(&app, "PAY_OK_RATE", "VT").await, (json!(42), json!(84), json!("no_target"), Value::Null));
        assert_eq!(attainment(&app, "PAY_OK_RATE", "VT-P8").await.3, json!("pending"));

        // The same state again is unchanged; a state becoming a value is an update.
        let state = one("VT-P8", "PAY_TX_TOTAL", json!({"state": "pending", "comment": "Đang thống kê"}));
        assert_eq!(counts(&submit(&app, path, state).await.1), [0, 0, 1, 0]);
        let value = one("VT-P8", "PAY_TX_TOTAL", json!({"value": 8}));
        assert_eq!(counts(&submit(&app, path, value).await.1), [0, 1, 0, 0]);
        assert_eq!(aggregate(&app, "PAY_TX_TOTAL", "VT").await, 58);
        assert_eq!(aggregate(&app, "PAY_TX_TOTAL", "BRVT").await, 58);
        assert_eq!(attainment(&app, "PAY_OK_RATE", "VT").await, (json!(42), json!(72.41), json!("no_target"), Value::Null));
        assert_eq!(attainment(&app, "PAY_OK_RATE", "VT-P8").await, (json!(2), json!(25), json!("no_target"), Value::Null));

        // A value becoming a state takes exactly that value out of every sum.
        let state = one("VT-P8", "PAY_TX_TOTAL", json!({"state": "no_source", "value": null}));
        assert_eq!(counts(&submit(&app, path, state).await.1), [0, 1, 0, 0]);
        assert_eq!(figure(&app, "VT-P8", "PAY_TX_TOTAL").await, Some((Value::Null, json!("no_source"), Value::Null)));
        assert_eq!(aggregate(&app, "PAY_TX_TOTAL", "VT").await, 50);
        assert_eq!(aggregate(&app, "PAY_TX_TOTAL", "VN").await, 50);
        assert_eq!(attainment(&app, "PAY_OK_RATE", "VT-P8").await, (json!(2), Value::Null, json!("no_data"), json!("no_source")));
        // `null` without a state still deletes.
        let deletion = one("VT-P8", "PAY_TX_TOTAL", json!({"value": null}));
        assert_eq!(counts(&submit(&app, path, deletion).await.1), [0, 0, 0, 1]);
        assert_eq!(figure(&app, "VT-P8", "PAY_TX_TOTAL").await, None);
        assert_eq!(attainment(&app, "PAY_OK_RATE", "VT-P8").await.3, Value::Null, "nothing explains a missing figure");
    }

    async fn a_state_with_a_value_or_an_unknown_state_refuses_the_set(app: TestApp) {
        seed(&app).await;
        let (status, body) = submit(&app, "/api/v1/data-value-sets", json!({"org_unit": "VT-P1", "period": PERIOD, "data_values": [
            {"data_element": "PAY_TX_OK", "value": 1},
            {"data_element": "PAY_TX_TOTAL", "state": "no_source", "value": 5},
            {"data_element": "DOC_OUT_SW", "state": "missing"},
            {"data_element": "NOTE", "state": "pending", "value": "văn bản"},
            {"data_element": "DOC_IN_SW"}]})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(common::conflicts(&body), [
            (1, "state_with_value".to_owned()),
            (2, "invalid_state".to_owned()),
            (3, "state_with_value".to_owned()),
            (4, "invalid_value".to_owned()),
        ]);
        assert!(app.values("org_unit=VT-P1").await.is_empty(), "nothing stored");
        // A dry run answers as a real set would and stores nothing.
        let state = one("VT-P1", "PAY_TX_TOTAL", json!({"state": "pending"}));
        let (status, body) = submit(&app, "/api/v1/data-value-sets?dry_run=true", state).await;
        assert_eq!((status, body["dry_run"].clone(), counts(&body)), (StatusCode::OK, json!(true), [1, 0, 0, 0]));
        assert!(app.values("org_unit=VT-P1").await.is_empty(), "a dry run stores nothing");
        // A state may stand for any type of element, text included.
        let text = one("VT-P1", "NOTE", json!({"state": "pending"}));
        assert_eq!(submit(&app, "/api/v1/data-value-sets", text).await.0, StatusCode::OK);
    }

    async fn csv_takes_an_optional_state_column(app: TestApp) {
        seed(&app).await;
        let csv = "data_element,period,org_unit,value,comment,state\n\
                   PAY_TX_TOTAL,2023-01/2023-09,VT-P1,,Mục 10.2,no_source\n\
                   PAY_TX_OK,2023-01/2023-09,VT-P1,7,,\n\
                   DOC_OUT_SW,2023-01/2023-09,VT-P1,3,,pending\n\
                   DOC_IN_SW,2023-01/2023-09,VT-P1,,,someday\n";
        let (status, body) = app.post_csv("/api/v1/data-value-sets", csv).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(common::conflicts(&body), [(2, "state_with_value".to_owned()), (3, "invalid_state".to_owned())]);
        let csv = "data_element,period,org_unit,value,comment,state\n\
                   PAY_TX_TOTAL,2023-01/2023-09,VT-P1,,Mục 10.2,no_source\n\
                   PAY_TX_OK,2023-01/2023-09,VT-P1,7,,\n";
        let (status, body) = app.post_csv("/api/v1/data-value-sets", csv).await;
        assert_eq!((status, counts(&body)), (StatusCode::OK, [2, 0, 0, 0]), "{body}");
        assert_eq!(figure(&app, "VT-P1", "PAY_TX_TOTAL").await, Some((Value::Null, json!("no_source"), json!("Mục 10.2"))));
        // The v1 header still works, and an empty value cell still deletes.
        let (status, body) = app.post_csv("/api/v1/data-value-sets",
            "data_element,period,org_unit,value,comment\nPAY_TX_TOTAL,2023-01/2023-09,VT-P1,,\n").await;
        assert_eq!((status, counts(&body)), (StatusCode::OK, [0, 0, 0, 1]), "{body}");
        assert_eq!(figure(&app, "VT-P1", "PAY_TX_TOTAL").await, None);
    }

    async fn states_are_read_pulled_audited_and_put_one_at_a_time(app: TestApp) {
        seed(&app).await;
        let (_, before) = app.get("/api/v1/data-values?updated_since=2000-01-01T00:00:00Z").await;
        assert!(before["data_values"].as_array().unwrap().is_empty());
        let state = one("VT-P1", "PAY_TX_TOTAL", json!({"state": "pending"}));
        assert_eq!(submit(&app, "/api/v1/data-value-sets", state).await.0, StatusCode::OK);
        // The single figure, the incremental pull and GraphQL show the state.
        let url = format!("/api/v1/data-values/PAY_TX_TOTAL/VT-P1/{}", PERIOD.replace('/', "%2F"));
        let res = app.req(Method::GET, &url).send().await.unwrap();
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        let (status, one_value) = common::read(res).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((one_value["value"].clone(), one_value["state"].clone()), (Value::Null, json!("pending")));
        let (_, pulled) = app.get("/api/v1/data-values?updated_since=2000-01-01T00:00:00Z").await;
        let pulled = &pulled["data_values"][0];
        assert_eq!((pulled["value"].clone(), pulled["state"].clone(), pulled.get("deleted")), (Value::Null, json!("pending"), None));
        let data = graphql(&app, "{ dataValue(dataElement: \"PAY_TX_TOTAL\", orgUnit: \"VT-P1\", period: \"2023-01/2023-09\") { value state etag } }", json!({})).await;
        assert_eq!(data["dataValue"]["state"], "PENDING");
        assert_eq!(data["dataValue"]["etag"], etag.as_str());

        // PUT a state in place of the state (If-Match), then a value in place of it.
        let put = |body: Value, tag: &str| app.req(Method::PUT, &url).header("if-match", tag).json(&body).send();
        let (status, stored) = common::read(put(json!({"state": "no_source"}), &etag).await.unwrap()).await;
        assert_eq!((status, stored["state"].clone()), (StatusCode::OK, json!("no_source")), "{stored}");
        let (status, refused) = common::read(put(json!({"state": "pending"}), &etag).await.unwrap()).await;
        assert_eq!((status, refused["code"].clone()), (StatusCode::PRECONDITION_FAILED, json!("precondition_failed")));
        let (status, refused) = common::read(put(json!({"state": "no_source", "value": 3}), "*").await.unwrap()).await;
        assert_eq!((status, refused["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("state_with_value")));
        let (status, refused) = common::read(put(json!({"state": "later"}), "*").await.unwrap()).await;
        assert_eq!((status, refused["errors"][0]["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("state")));
        let (status, stored) = common::read(put(json!({"value": 12}), "*").await.unwrap()).await;
        assert_eq!((status, stored["value"].clone(), stored["state"].clone()), (StatusCode::OK, json!(12), Value::Null));
        let data = graphql(&app, "mutation { putDataValue(dataElement: \"PAY_TX_TOTAL\", orgUnit: \"VT-P1\", period: \"2023-01/2023-09\", state: NO_SOURCE, ifMatch: \"*\") { value state } }", json!({})).await;
        assert_eq!(data["putDataValue"], json!({"value": null, "state": "NO_SOURCE"}));
        assert_eq!(aggregate(&app, "PAY_TX_TOTAL", "VT").await, Value::Null);

        // Each change is audited, a state as {"state": …}.
        let (_, audit) = app.get("/api/v1/audit").await;
        let changes: Vec<Value> = audit["events"].as_array().unwrap().iter()
            .filter(|e| e["action"] == "data_values.write")
            .map(|e| e["detail"]["changes"][0].clone())
            .collect();
        assert_eq!(changes, [
            json!(["PAY_TX_TOTAL", PERIOD, 12, {"state": "no_source"}]),
            json!(["PAY_TX_TOTAL", PERIOD, {"state": "no_source"}, 12]),
            json!(["PAY_TX_TOTAL", PERIOD, {"state": "pending"}, {"state": "no_source"}]),
            json!(["PAY_TX_TOTAL", PERIOD, null, {"state": "pending"}]),
        ]);
    }

    async fn graphql_sets_take_states_and_attainment_shows_data_state(app: TestApp) {
        seed(&app).await;
        let query = "mutation($input: DataValueSetInput!) { submitDataValues(input: $input) { status imported conflicts { index code } } }";
        let input = json!({"orgUnit": "VT", "period": PERIOD, "dataValues": [
            {"dataElement": "ENT_ECONTRACT", "state": "NO_SOURCE", "comment": "Mục 10.2"},
            {"dataElement": "ENT_TOTAL", "value": 900}]});
        let data = graphql(&app, query, json!({"input": input})).await;
        assert_eq!(data["submitDataValues"], json!({"status": "success", "imported": 2, "conflicts": []}));
        let refused = json!({"orgUnit": "VT", "period": PERIOD, "dataValues": [
            {"dataElement": "ENT_ECONTRACT", "state": "PENDING", "value": 4}]});
        let data = graphql(&app, query, json!({"input": refused})).await;
        assert_eq!(data["submitDataValues"]["conflicts"], json!([{"index": 0, "code": "state_with_value"}]));

        // The row has no value: its one missing reference has no source.
        assert_eq!(attainment(&app, "ECONTRACT_RATE", "VT").await, (Value::Null, Value::Null, json!("no_data"), json!("no_source")));
        // An ancestor's subtree holds the state too.
        assert_eq!(attainment(&app, "ECONTRACT_RATE", "BRVT").await.3, json!("no_source"));
        let data = graphql(&app, "query($p: String!) { attainment(orgUnit: \"VT\", period: $p, indicators: [\"ECONTRACT_RATE\"]) { status dataState } }",
            json!({"p": PERIOD})).await;
        assert_eq!(data["attainment"], json!([{"status": "NO_DATA", "dataState": "NO_SOURCE"}]));
        // A value in a ward gives the row a number: no state then.
        let ward = one("VT-P1", "ENT_ECONTRACT", json!({"value": 90}));
        assert_eq!(submit(&app, "/api/v1/data-value-sets", ward).await.0, StatusCode::OK);
        assert_eq!(attainment(&app, "ECONTRACT_RATE", "VT").await, (json!(90), json!(10), json!("no_target"), Value::Null));
    }

    async fn locks_and_scopes_apply_to_states(app: TestApp) {
        seed(&app).await;
        let bundle = json!({"data_sets": [{"code": "PAY_Q", "name": "Thanh toán quý", "period_type": "quarter",
            "data_elements": ["PAY_TX_TOTAL"], "assigned_kinds": ["ward"], "assigned_units": [],
            "cutoff_day": 14, "due_days": 2, "approval_due_days": 3, "lock_after_days": 0}]});
        let (status, body) = app.post("/api/v1/metadata", &bundle).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, body) = app.post("/api/v1/users", &json!({"username": "p1.reporter", "password": PASSWORD,
            "role": "reporter", "org_unit": "VT-P1"})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let reporter = app.login("p1.reporter", PASSWORD).await;
        let set = |unit: &str, period: &str| json!({"org_unit": unit, "period": period,
            "data_values": [{"data_element": "PAY_TX_TOTAL", "state": "pending"}]});
        // Outside the reporter's subtree: 403, nothing stored.
        let (status, body) = common::as_bearer(&app, &reporter, Method::POST, "/api/v1/data-value-sets", Some(set("VT-P8", "2023Q3"))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        // A closed period refuses a state as it refuses a value, dry runs included.
        for path in ["/api/v1/data-value-sets", "/api/v1/data-value-sets?dry_run=true"] {
            let (status, body) = common::as_bearer(&app, &reporter, Method::POST, path, Some(set("VT-P1", "2023Q3"))).await;
            assert_eq!((status, common::conflicts(&body)), (StatusCode::CONFLICT, vec![(0, "period_closed".to_owned())]));
        }
        // The admin writes it; a submitted report then locks it for everyone.
        assert_eq!(submit(&app, "/api/v1/data-value-sets", set("VT-P1", "2023Q3")).await.0, StatusCode::OK);
        let (status, body) = app.post("/api/v1/reports/submit", &json!({"data_set": "PAY_Q", "org_unit": "VT-P1", "period": "2023Q3"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let value = json!({"org_unit": "VT-P1", "period": "2023Q3", "data_values": [{"data_element": "PAY_TX_TOTAL", "value": 5}]});
        let (status, body) = submit(&app, "/api/v1/data-value-sets", value).await;
        assert_eq!((status, common::conflicts(&body)), (StatusCode::CONFLICT, vec![(0, "report_locked".to_owned())]));
        let stored = app.values("org_unit=VT-P1&data_element=PAY_TX_TOTAL").await;
        assert_eq!(stored[0]["state"], "pending");
    }

    async fn elements_carry_an_owner_and_a_source(app: TestApp) {
        seed(&app).await;
        let (status, body) = app.get("/api/v1/data-elements").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let listed = |body: &Value, code: &str| body["data_elements"].as_array().unwrap().iter()
            .find(|e| e["code"] == code).map(|e| (e["owner"].clone(), e["source"].clone())).unwrap();
        assert_eq!(listed(&body, "ENT_TOTAL"), (json!("VT"), json!("Sở Kế hoạch và Đầu tư")));
        assert_eq!(listed(&body, "ENT_ECONTRACT"), (Value::Null, Value::Null));
        let data = graphql(&app, "{ dataElements(first: 500) { nodes { code owner source } } }", json!({})).await;
        let node = data["dataElements"]["nodes"].as_array().unwrap().iter().find(|n| n["code"] == "ENT_TOTAL").unwrap().clone();
        assert_eq!(node, json!({"code": "ENT_TOTAL", "owner": "VT", "source": "Sở Kế hoạch và Đầu tư"}));

        // The same again is unchanged; a new source (decomposed, padded) is an update, stored NFC.
        let element = |owner: Value, source: &str| json!({"data_elements": [{"code": "ENT_TOTAL", "name": "Tổng số doanh nghiệp",
            "value_type": "integer", "aggregation": "last", "owner": owner, "source": source}]});
        let (_, body) = app.post("/api/v1/metadata", &element(json!("VT"), "Sở Kế hoạch và Đầu tư")).await;
        assert_eq!(body["by_kind"]["data_elements"], json!({"created": 0, "updated": 0, "unchanged": 1}), "{body}");
        let (_, body) = app.post("/api/v1/metadata", &element(json!("BRVT"), " Cu\u{323}c Thống kê tỉnh ")).await;
        assert_eq!(body["by_kind"]["data_elements"]["updated"], 1, "{body}");
        let (_, listing) = app.get("/api/v1/data-elements").await;
        assert_eq!(listing_pair(&listing), (json!("BRVT"), json!("Cục Thống kê tỉnh")));

        // An unknown owner, a bad code and an overlong source are refused at their field.
        let (status, body) = app.post("/api/v1/metadata", &element(json!("HCM"), "x")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"], json!([{"field": "data_elements[0].owner", "code": "unknown_org_unit",
            "message": "org unit 'HCM' does not exist"}]));
        let (status, body) = app.post("/api/v1/metadata", &element(json!("V T"), &"x".repeat(2_001))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let fields: Vec<(Value, Value)> = body["errors"].as_array().unwrap().iter().map(|e| (e["field"].clone(), e["code"].clone())).collect();
        assert_eq!(fields, [(json!("data_elements[0].owner"), json!("invalid_code")), (json!("data_elements[0].source"), json!("invalid_text"))]);
        // An owner created by the same bundle is known.
        let bundle = json!({"org_units": [{"code": "BRVT-CTK", "name": "Cục Thống kê", "parent": "BRVT", "kind": "office"}],
            "data_elements": [{"code": "POP", "name": "Dân số", "value_type": "integer", "aggregation": "last", "owner": "BRVT-CTK"}]});
        assert_eq!(app.post("/api/v1/metadata", &bundle).await.0, StatusCode::OK);
        let (_, audit) = app.get("/api/v1/audit").await;
        let imports = audit["events"].as_array().unwrap().iter().filter(|e| e["action"] == "metadata.import").count();
        assert_eq!(imports, 5, "every accepted import is audited");
    }

    async fn the_drafts_states_and_element_shapes_are_accepted_as_written(app: TestApp) {
        // The draft bundle's org units and data elements exactly as written (owner and
        // source included), and the indicators of the criteria whose figures carry a state.
        let draft: Value = serde_json::from_str(DRAFT_METADATA).unwrap();
        let wanted = ["I.06", "III.04", "III.11", "IV.06", "IV.09"];
        let indicators: Vec<Value> = draft["indicators"].as_array().unwrap().iter()
            .filter(|i| wanted.contains(&i["code"].as_str().unwrap()))
            .map(|i| json!({"code": i["code"], "name": i["name"], "numerator": i["numerator"],
                "denominator": i["denominator"], "factor": i["factor"], "decimals": i["decimals"]}))
            .collect();
        assert_eq!(indicators.len(), wanted.len());
        let bundle = json!({"org_units": draft["org_units"], "data_elements": draft["data_elements"], "indicators": indicators});
        let (status, body) = app.post("/api/v1/metadata", &bundle).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, listing) = app.get("/api/v1/data-elements?limit=1000").await;
        let econtract = listing["data_elements"].as_array().unwrap().iter().find(|e| e["code"] == "ENT_ECONTRACT").unwrap();
        assert_eq!((econtract["owner"].as_str(), econtract["source"].as_str()),
            (Some("VT"), Some("Chưa có nguồn: Sở Kế hoạch và Đầu tư không có số liệu (mục 10.2)")));

        // The draft's nine-month figures as written: 10 of them are states.
        let figures: Value = serde_json::from_str(DRAFT_FIGURES).unwrap();
        let (status, body) = app.post("/api/v1/data-value-sets", &figures).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let total = figures["data_values"].as_array().unwrap().len() as u64;
        assert_eq!(body["imported"].as_u64(), Some(total));
        let states: Vec<Value> = app.values("org_unit=VT&limit=10000").await.into_iter()
            .filter(|v| !v["state"].is_null()).collect();
        assert_eq!(states.len(), 10);
        assert!(states.iter().all(|v| v["value"].is_null()));

        let (status, body) = app.get(&format!("/api/v1/attainment?org_unit=VT&period={PERIOD}&indicator=I.06&indicator=III.04&indicator=III.11&indicator=IV.06&indicator=IV.09")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let rows: Vec<(Value, Value, Value)> = body["rows"].as_array().unwrap().iter()
            .map(|r| (r["indicator"].clone(), r["status"].clone(), r["data_state"].clone())).collect();
        assert_eq!(rows, [
            (json!("I.06"), json!("no_data"), json!("no_source")),
            (json!("III.04"), json!("no_data"), json!("pending")),
            (json!("III.11"), json!("no_data"), json!("pending")),
            (json!("IV.06"), json!("no_data"), json!("no_source")),
            (json!("IV.09"), json!("no_data"), json!("pending")),
        ]);
    }
}

fn listing_pair(listing: &Value) -> (Value, Value) {
    let e = listing["data_elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "ENT_TOTAL")
        .unwrap();
    (e["owner"].clone(), e["source"].clone())
}
