//! One figure with optimistic concurrency: `GET`, `PUT` and `DELETE
//! /api/v1/data-values/{data_element}/{org_unit}/{period}` and GraphQL's `dataValue`,
//! `putDataValue` and `deleteDataValue`.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const Q3: &str = "/api/v1/data-values/DOC_OUT_SW/VT-P1/2023Q3";

/// Sends a request with optional `If-Match`/`If-None-Match`; answers the status, the `ETag`
/// and the body.
async fn send(
    app: &common::TestApp,
    method: Method,
    path: &str,
    conditions: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, Option<String>, Value) {
    send_as(app, &app.token, method, path, conditions, body).await
}

async fn send_as(
    app: &common::TestApp,
    bearer: &str,
    method: Method,
    path: &str,
    conditions: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, Option<String>, Value) {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(bearer);
    for (name, value) in conditions {
        req = req.header(*name, *value);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let etag = res
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned());
    let (status, body) = common::read(res).await;
    (status, etag, body)
}

async fn gql(app: &common::TestApp, query: &str, variables: Value) -> Value {
    let res = app
        .req(Method::POST, "/graphql")
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("none")
}

/// The stored figures of DOC_OUT_SW of VT-P1, as (period, value).
async fn stored(app: &common::TestApp) -> Vec<(String, Value)> {
    app.values("org_unit=VT-P1&data_element=DOC_OUT_SW")
        .await
        .iter()
        .map(|v| (v["period"].as_str().unwrap().to_owned(), v["value"].clone()))
        .collect()
}

both_databases! {
    async fn a_figure_is_created_changed_and_deleted_only_under_its_current_etag(app: TestApp) {
        app.seed_catalogue().await;
        // Nothing yet: 404, and a write without a condition is refused before anything.
        let (status, _, body) = send(&app, Method::GET, Q3, &[], None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_data_value")));
        let (status, _, body) = send(&app, Method::PUT, Q3, &[], Some(json!({"value": 5}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::PRECONDITION_REQUIRED, Some("precondition_required")));
        let (status, _, body) = send(&app, Method::PUT, Q3, &[("if-match", "\"nope\"")], Some(json!({"value": 5}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::PRECONDITION_FAILED, Some("precondition_failed")));
        assert!(stored(&app).await.is_empty());

        // Create only.
        let (status, first, body) = send(&app, Method::PUT, Q3, &[("if-none-match", "*")], Some(json!({"value": 5, "comment": "quý 3"}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let first = first.expect("an ETag");
        assert_eq!(body["value"], 5);
        assert_eq!(body["comment"], "quý 3");
        assert_eq!(body["period"], "2023Q3");
        assert_eq!(body["updated_by"], "admin");
        let (status, _, body) = send(&app, Method::PUT, Q3, &[("if-none-match", "*")], Some(json!({"value": 6}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::PRECONDITION_FAILED, Some("precondition_failed")));

        // The read gives the same tag, under any spelling of the period; 304 while it holds.
        for path in [Q3, "/api/v1/data-values/DOC_OUT_SW/VT-P1/2023-07%2F2023-09"] {
            let (status, tag, body) = send(&app, Method::GET, path, &[], None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert_eq!(tag.as_deref(), Some(first.as_str()));
            assert_eq!(body["value"], 5);
        }
        let (status, tag, _) = send(&app, Method::GET, Q3, &[("if-none-match", &first)], None).await;
        assert_eq!((status, tag.as_deref()), (StatusCode::NOT_MODIFIED, Some(first.as_str())));

        // A stale tag changes nothing; the current one does, and the tag moves on.
        let (status, second, body) = send(&app, Method::PUT, Q3, &[("if-match", &first)], Some(json!({"value": 7}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let second = second.unwrap();
        assert_ne!(second, first);
        assert_eq!((body["value"].clone(), body["comment"].clone()), (json!(7), Value::Null));
        let (status, _, _) = send(&app, Method::PUT, Q3, &[("if-match", &first)], Some(json!({"value": 8}))).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED);
        let (status, _, _) = send(&app, Method::PUT, Q3, &[("if-match", &format!("W/{second}"))], Some(json!({"value": 8}))).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "a weak tag never matches If-Match");
        assert_eq!(stored(&app).await, [("2023Q3".to_owned(), json!(7))]);

        // Deleting needs If-Match too.
        let (status, _, _) = send(&app, Method::DELETE, Q3, &[], None).await;
        assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
        let (status, _, _) = send(&app, Method::DELETE, Q3, &[("if-none-match", "*")], None).await;
        assert_eq!(status, StatusCode::PRECONDITION_REQUIRED);
        let (status, _, _) = send(&app, Method::DELETE, Q3, &[("if-match", &first)], None).await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED);
        assert_eq!(stored(&app).await.len(), 1);
        let (status, _, body) = send(&app, Method::DELETE, Q3, &[("if-match", &second)], None).await;
        assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
        assert!(stored(&app).await.is_empty());
        let (status, _, body) = send(&app, Method::DELETE, Q3, &[("if-match", &second)], None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_data_value")));

        // Every write went through the pipeline: the change feed shows the deletion, and the
        // audit trail has the three writes.
        let changes = app.values("org_unit=VT-P1&updated_since=2000-01-01T00:00:00Z").await;
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0]["deleted"], true);
        let (_, audit) = app.get("/api/v1/audit").await;
        let writes = audit["events"].as_array().unwrap().iter()
            .filter(|e| e["action"] == "data_values.write").count();
        assert_eq!(writes, 3, "{audit}");
    }

    async fn a_single_figure_meets_the_same_checks_as_a_set(app: TestApp) {
        app.seed_catalogue().await;
        let create = [("if-none-match", "*")];
        // Value type and bounds, comment: 422 naming the field; nothing stored.
        let (status, _, body) = send(&app, Method::PUT, Q3, &create, Some(json!({"value": "many"}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_value")), "{body}");
        assert_eq!(body["errors"][0]["field"], "value");
        let (status, _, body) = send(&app, Method::PUT, Q3, &create, Some(json!({"value": 10_i64.pow(16)}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("value_out_of_range")));
        let (status, _, body) = send(&app, Method::PUT, Q3, &create, Some(json!({"value": null}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_value")));
        let (status, _, body) = send(&app, Method::PUT, Q3, &create, Some(json!({"value": 1, "extra": 1}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        // Unknown codes and malformed periods.
        let (status, _, body) = send(&app, Method::PUT, "/api/v1/data-values/NOPE/VT-P1/2023Q3", &create, Some(json!({"value": 1}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_data_element")));
        let (status, _, body) = send(&app, Method::GET, "/api/v1/data-values/DOC_OUT_SW/NOPE/2023Q3", &[], None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_org_unit")));
        let (status, _, body) = send(&app, Method::GET, "/api/v1/data-values/DOC_OUT_SW/VT-P1/2023Q5", &[], None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_period")));
        let long = format!("/api/v1/data-values/DOC_OUT_SW/VT-P1/{}", "2".repeat(200));
        let (status, _, body) = send(&app, Method::GET, &long, &[], None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_period")));
        let (status, _, body) = send(&app, Method::PUT, Q3, &[("if-match", "not a tag")], Some(json!({"value": 1}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_precondition")));
        assert!(stored(&app).await.is_empty());

        // Overlapping periods, as in a set.
        let (status, _, body) = send(&app, Method::PUT, Q3, &create, Some(json!({"value": 3}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (status, _, body) = send(&app, Method::PUT, "/api/v1/data-values/DOC_OUT_SW/VT-P1/2023-08", &create, Some(json!({"value": 1}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("overlapping_period")), "{body}");
        // The roll-up follows: the city sees the ward's figure.
        let (_, agg) = app.get("/api/v1/aggregates?data_element=DOC_OUT_SW&org_unit=VT&period=2023Q3").await;
        assert_eq!(agg["rows"][0]["value"], 3, "{agg}");

        // Scopes: a reporter of VT-P8 does not see VT-P1's figure (404) and may not write it
        // (403); a viewer may read but not write.
        for (name, role, unit) in [("p8.reporter", "reporter", "VT-P8"), ("p1.viewer", "viewer", "VT-P1")] {
            let (status, body) = app.post("/api/v1/users", &json!({"username": name,
                "password": "Một-mật-khẩu-dài", "role": role, "org_unit": unit})).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        let reporter = app.login("p8.reporter", "Một-mật-khẩu-dài").await;
        let (status, _, body) = send_as(&app, &reporter, Method::GET, Q3, &[], None).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_org_unit")));
        let (status, _, _) = send_as(&app, &reporter, Method::PUT, Q3, &[("if-match", "*")], Some(json!({"value": 9}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = send_as(&app, &reporter, Method::DELETE, Q3, &[("if-match", "*")], None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let viewer = app.login("p1.viewer", "Một-mật-khẩu-dài").await;
        let (status, tag, _) = send_as(&app, &viewer, Method::GET, Q3, &[], None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, _) = send_as(&app, &viewer, Method::PUT, Q3, &[("if-match", &tag.unwrap())], Some(json!({"value": 9}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // A token without data:write reads but does not write, even inside its subtree.
        let (status, body) = app.post("/api/v1/api-tokens", &json!({"name": "p1-reader",
            "org_unit": "VT-P1", "scopes": ["data:read"]})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let reader = body["token"].as_str().unwrap().to_owned();
        let (status, tag, _) = send_as(&app, &reader, Method::GET, Q3, &[], None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, _) = send_as(&app, &reader, Method::PUT, Q3, &[("if-match", &tag.clone().unwrap())], Some(json!({"value": 9}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = send_as(&app, &reader, Method::DELETE, Q3, &[("if-match", &tag.unwrap())], None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(stored(&app).await, [("2023Q3".to_owned(), json!(3))]);
    }

    async fn concurrent_writes_with_one_etag_let_exactly_one_win(app: TestApp) {
        app.seed_catalogue().await;
        let (status, tag, _) = send(&app, Method::PUT, Q3, &[("if-none-match", "*")], Some(json!({"value": 1}))).await;
        assert_eq!(status, StatusCode::OK);
        let tag = tag.unwrap();
        let writes = (0..8).map(|i| {
            let tag = tag.clone();
            let app = &app;
            async move {
                let (status, _, body) = send(app, Method::PUT, Q3, &[("if-match", &tag)], Some(json!({"value": 100 + i}))).await;
                (status, body)
            }
        });
        let answers = futures::future::join_all(writes).await;
        let won: Vec<&Value> = answers.iter().filter(|(s, _)| *s == StatusCode::OK).map(|(_, b)| b).collect();
        let lost = answers.iter().filter(|(s, b)| *s == StatusCode::PRECONDITION_FAILED && b["code"] == "precondition_failed").count();
        assert_eq!((won.len(), lost), (1, 7), "{answers:?}");
        assert_eq!(stored(&app).await, [("2023Q3".to_owned(), won[0]["value"].clone())]);
        // Creating concurrently: exactly one as well.
        let path = "/api/v1/data-values/DOC_IN_SW/VT-P1/2023Q3";
        let creates = (0..6).map(|i| {
            let app = &app;
            async move { send(app, Method::PUT, path, &[("if-none-match", "*")], Some(json!({"value": i}))).await.0 }
        });
        let statuses = futures::future::join_all(creates).await;
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::PRECONDITION_FAILED).count(), 5, "{statuses:?}");
    }

    async fn graphql_reads_and_writes_one_figure_with_the_same_rules(app: TestApp) {
        app.seed_catalogue().await;
        let read = "query($p: String!) { dataValue(dataElement: \"DOC_OUT_SW\", orgUnit: \"VT-P1\", period: $p) { value comment etag period } }";
        let put = "mutation($v: JSON!, $m: String, $n: String) { putDataValue(dataElement: \"DOC_OUT_SW\", orgUnit: \"VT-P1\", period: \"2023Q3\", value: $v, comment: \"c\", ifMatch: $m, ifNoneMatch: $n) { value comment etag } }";
        let delete = "mutation($m: String) { deleteDataValue(dataElement: \"DOC_OUT_SW\", orgUnit: \"VT-P1\", period: \"2023Q3\", ifMatch: $m) }";
        assert_eq!(error_code(&gql(&app, read, json!({"p": "2023Q3"})).await), "unknown_data_value");
        assert_eq!(error_code(&gql(&app, put, json!({"v": 4})).await), "precondition_required");
        let created = gql(&app, put, json!({"v": 4, "n": "*"})).await;
        assert!(created.get("errors").is_none(), "{created}");
        let tag = created["data"]["putDataValue"]["etag"].as_str().unwrap().to_owned();
        assert_eq!(created["data"]["putDataValue"]["value"], 4);
        // The same tag as REST's.
        let (_, rest_tag, _) = send(&app, Method::GET, Q3, &[], None).await;
        assert_eq!(rest_tag.as_deref(), Some(tag.as_str()));
        let read_back = gql(&app, read, json!({"p": "2023-07/2023-09"})).await;
        assert_eq!(read_back["data"]["dataValue"], json!({"value": 4, "comment": "c", "etag": tag, "period": "2023Q3"}));
        assert_eq!(error_code(&gql(&app, put, json!({"v": 5, "m": "\"stale\""})).await), "precondition_failed");
        let changed = gql(&app, put, json!({"v": 5, "m": tag})).await;
        let new_tag = changed["data"]["putDataValue"]["etag"].as_str().unwrap().to_owned();
        assert_ne!(new_tag, tag);
        assert_eq!(error_code(&gql(&app, delete, json!({})).await), "precondition_required");
        assert_eq!(error_code(&gql(&app, delete, json!({"m": tag})).await), "precondition_failed");
        assert_eq!(stored(&app).await, [("2023Q3".to_owned(), json!(5))]);
        let deleted = gql(&app, delete, json!({"m": new_tag})).await;
        assert_eq!(deleted["data"]["deleteDataValue"], true, "{deleted}");
        assert!(stored(&app).await.is_empty());
    }
}
