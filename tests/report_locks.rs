//! The report locks on every figure write path (contract v2, "Reports" and "Data sets"):
//! JSON, CSV and GraphQL sets and one figure's `PUT`/`DELETE` meet the same `report_locked`
//! and `period_closed` refusals, with nothing stored.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "Một-mật-khẩu-dài";

/// A quarterly data set of the wards holding DOC_OUT_SW and DOC_IN_SW: 2023Q3 is due
/// 2023-09-16 and, with `lock_after_days`, closed after 2023-10-16 (long past).
async fn data_set(app: &common::TestApp, lock_after_days: Option<u32>) {
    let bundle = json!({"data_sets": [{"code": "DX_WARD_Q", "name": "Báo cáo chuyển đổi số quý",
        "period_type": "quarter", "data_elements": ["DOC_OUT_SW", "DOC_IN_SW"],
        "assigned_kinds": ["ward"], "assigned_units": [],
        "cutoff_day": 14, "due_days": 2, "approval_due_days": 3, "lock_after_days": lock_after_days}]});
    let (status, body) = app.post("/api/v1/metadata", &bundle).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn user(app: &common::TestApp, name: &str, role: &str, unit: &str) -> String {
    let (status, body) = app
        .post(
            "/api/v1/users",
            &json!({"username": name, "password": PASSWORD,
        "role": role, "org_unit": unit}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.login(name, PASSWORD).await
}

async fn token(app: &common::TestApp, unit: &str) -> String {
    let (status, body) = app
        .post(
            "/api/v1/api-tokens",
            &json!({"name": format!("{unit}-system"),
        "org_unit": unit, "scopes": ["data:read", "data:write"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

fn set(unit: &str, period: &str, values: &[(&str, Value)]) -> Value {
    let values: Vec<Value> = values
        .iter()
        .map(|(e, v)| json!({"data_element": e, "value": v}))
        .collect();
    json!({"org_unit": unit, "period": period, "data_values": values})
}

/// Posts a JSON set as `bearer`; answers the status and the conflicts' (index, code).
async fn post_set(
    app: &common::TestApp,
    bearer: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Vec<(u64, String)>) {
    let (status, body) = common::as_bearer(app, bearer, Method::POST, path, Some(body)).await;
    (status, conflicts(&body["conflicts"]))
}

fn conflicts(list: &Value) -> Vec<(u64, String)> {
    list.as_array()
        .map(|l| {
            l.iter()
                .map(|c| {
                    (
                        c["index"].as_u64().unwrap(),
                        c["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn post_csv(
    app: &common::TestApp,
    bearer: &str,
    csv: &str,
) -> (StatusCode, Vec<(u64, String)>) {
    let res = app
        .client
        .post(format!("{}/api/v1/data-value-sets", app.base))
        .bearer_auth(bearer)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let (status, body) = common::read(res).await;
    (status, conflicts(&body["conflicts"]))
}

async fn graphql_set(
    app: &common::TestApp,
    bearer: &str,
    unit: &str,
    period: &str,
    element: &str,
    value: Value,
) -> (String, Vec<(u64, String)>) {
    let query = "mutation($input: DataValueSetInput!) { submitDataValues(input: $input) { status conflicts { index code } } }";
    let input = json!({"orgUnit": unit, "period": period, "dataValues": [{"dataElement": element, "value": value}]});
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(bearer)
        .json(&json!({"query": query, "variables": {"input": input}}))
        .send()
        .await
        .unwrap();
    let body: Value = res.json().await.unwrap();
    let result = &body["data"]["submitDataValues"];
    assert!(result.is_object(), "{body}");
    (
        result["status"].as_str().unwrap().to_owned(),
        conflicts(&result["conflicts"]),
    )
}

/// `PUT` of one figure as `bearer` under `If-Match: *` (or `If-None-Match: *` when none is
/// stored); answers the status and the problem code.
async fn put_one(
    app: &common::TestApp,
    bearer: &str,
    element: &str,
    unit: &str,
    period: &str,
    value: Value,
    exists: bool,
) -> (StatusCode, String) {
    let condition = if exists {
        ("if-match", "*")
    } else {
        ("if-none-match", "*")
    };
    let res = app
        .client
        .put(format!(
            "{}/api/v1/data-values/{element}/{unit}/{period}",
            app.base
        ))
        .bearer_auth(bearer)
        .header(condition.0, condition.1)
        .json(&json!({"value": value}))
        .send()
        .await
        .unwrap();
    let (status, body) = common::read(res).await;
    (status, body["code"].as_str().unwrap_or("").to_owned())
}

async fn delete_one(
    app: &common::TestApp,
    bearer: &str,
    element: &str,
    unit: &str,
    period: &str,
) -> (StatusCode, String) {
    let res = app
        .client
        .delete(format!(
            "{}/api/v1/data-values/{element}/{unit}/{period}",
            app.base
        ))
        .bearer_auth(bearer)
        .header("if-match", "*")
        .send()
        .await
        .unwrap();
    let (status, body) = common::read(res).await;
    (status, body["code"].as_str().unwrap_or("").to_owned())
}

/// The stored figures of a unit, as (element, period, value), sorted.
async fn stored(app: &common::TestApp, unit: &str) -> Vec<(String, String, Value)> {
    let mut out: Vec<_> = app
        .values(&format!("org_unit={unit}"))
        .await
        .iter()
        .map(|v| {
            (
                v["data_element"].as_str().unwrap().to_owned(),
                v["period"].as_str().unwrap().to_owned(),
                v["value"].clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    out
}

fn closed(indexes: &[u64]) -> Vec<(u64, String)> {
    indexes
        .iter()
        .map(|&i| (i, "period_closed".to_owned()))
        .collect()
}

both_databases! {
    async fn past_the_deadline_lock_reporters_and_tokens_are_refused_on_every_path(app: TestApp) {
        app.seed_catalogue().await;
        data_set(&app, Some(30)).await;
        // The admin passes the deadline lock: a figure and its correction land.
        let admin = app.token.clone();
        let aug = |v: Value| set("VT-P1", "2023-08", &[("DOC_OUT_SW", v)]);
        assert_eq!(post_set(&app, &admin, "/api/v1/data-value-sets", aug(json!(1))).await, (StatusCode::OK, vec![]));
        let before = stored(&app, "VT-P1").await;
        assert_eq!(before, [("DOC_OUT_SW".to_owned(), "2023-08".to_owned(), json!(1))]);

        let reporter = user(&app, "p1.reporter", "reporter", "VT-P1").await;
        let ward_manager = user(&app, "p1.manager", "manager", "VT-P1").await;
        let ward_token = token(&app, "VT-P1").await;
        for bearer in [&reporter, &ward_manager, &ward_token] {
            // JSON (the element outside the set is not listed, but the whole set is refused),
            // a dry run, a deletion, CSV, GraphQL, one figure's PUT and DELETE.
            let mixed = set("VT-P1", "2023-08", &[("DOC_OUT_PAPER", json!(4)), ("DOC_OUT_SW", json!(2))]);
            assert_eq!(post_set(&app, bearer, "/api/v1/data-value-sets", mixed.clone()).await, (StatusCode::CONFLICT, closed(&[1])));
            assert_eq!(post_set(&app, bearer, "/api/v1/data-value-sets?dry_run=true", mixed).await, (StatusCode::CONFLICT, closed(&[1])));
            assert_eq!(post_set(&app, bearer, "/api/v1/data-value-sets", aug(Value::Null)).await, (StatusCode::CONFLICT, closed(&[0])));
            let csv = "data_element,period,org_unit,value,comment\nDOC_IN_SW,2023Q3,VT-P1,3,\nDOC_OUT_SW,2023-08,VT-P1,,\n";
            assert_eq!(post_csv(&app, bearer, csv).await, (StatusCode::CONFLICT, closed(&[0, 1])));
            assert_eq!(graphql_set(&app, bearer, "VT-P1", "2023-09", "DOC_IN_SW", json!(5)).await, ("error".to_owned(), closed(&[0])));
            assert_eq!(put_one(&app, bearer, "DOC_OUT_SW", "VT-P1", "2023-08", json!(9), true).await, (StatusCode::CONFLICT, "period_closed".to_owned()));
            assert_eq!(put_one(&app, bearer, "DOC_IN_SW", "VT-P1", "2023Q3", json!(9), false).await, (StatusCode::CONFLICT, "period_closed".to_owned()));
            assert_eq!(delete_one(&app, bearer, "DOC_OUT_SW", "VT-P1", "2023-08").await, (StatusCode::CONFLICT, "period_closed".to_owned()));
            assert_eq!(stored(&app, "VT-P1").await, before, "nothing changed");
        }

        // Other elements, periods beyond one report and periods not yet closed are writable.
        let open = set("VT-P1", "2023-08", &[("DOC_OUT_PAPER", json!(4))]);
        assert_eq!(post_set(&app, &reporter, "/api/v1/data-value-sets", open).await, (StatusCode::OK, vec![]));
        let year = set("VT-P1", "2023", &[("DOC_IN_SW", json!(40))]);
        assert_eq!(post_set(&app, &reporter, "/api/v1/data-value-sets", year).await, (StatusCode::OK, vec![]));
        let future = set("VT-P1", "2099Q1", &[("DOC_OUT_SW", json!(7))]);
        assert_eq!(post_set(&app, &ward_token, "/api/v1/data-value-sets", future).await, (StatusCode::OK, vec![]));
        // A unit the set is not assigned to (an office) expects no report: no deadline lock.
        let city_reporter = user(&app, "vt.reporter", "reporter", "VT").await;
        let office = set("VT-UBND", "2023-08", &[("DOC_OUT_SW", json!(6))]);
        assert_eq!(post_set(&app, &city_reporter, "/api/v1/data-value-sets", office).await, (StatusCode::OK, vec![]));
        // ... while the ward's figure stays closed to the city's reporter too.
        assert_eq!(post_set(&app, &city_reporter, "/api/v1/data-value-sets", aug(json!(3))).await, (StatusCode::CONFLICT, closed(&[0])));

        // A manager of an ancestor, and the admin, still correct the closed figure.
        let city_manager = user(&app, "vt.manager", "manager", "VT").await;
        assert_eq!(post_set(&app, &city_manager, "/api/v1/data-value-sets", aug(json!(2))).await, (StatusCode::OK, vec![]));
        assert_eq!(put_one(&app, &city_manager, "DOC_OUT_SW", "VT-P1", "2023-08", json!(3), true).await.0, StatusCode::OK);
        assert_eq!(delete_one(&app, &admin, "DOC_OUT_SW", "VT-P1", "2023-08").await.0, StatusCode::NO_CONTENT);
        let (status, conflicts) = graphql_set(&app, &admin, "VT-P1", "2023-09", "DOC_IN_SW", json!(5)).await;
        assert_eq!((status.as_str(), conflicts), ("error", vec![(0, "overlapping_period".to_owned())]), "the yearly figure overlaps; no lock");
        assert_eq!(stored(&app, "VT-P1").await, [
            ("DOC_IN_SW".to_owned(), "2023".to_owned(), json!(40)),
            ("DOC_OUT_PAPER".to_owned(), "2023-08".to_owned(), json!(4)),
            ("DOC_OUT_SW".to_owned(), "2099Q1".to_owned(), json!(7)),
        ]);
    }

    async fn without_a_deadline_lock_or_a_data_set_nothing_is_closed(app: TestApp) {
        app.seed_catalogue().await;
        let reporter = user(&app, "p1.reporter", "reporter", "VT-P1").await;
        let aug = set("VT-P1", "2023-08", &[("DOC_OUT_SW", json!(1))]);
        // No data set at all, then a data set without lock_after_days.
        assert_eq!(post_set(&app, &reporter, "/api/v1/data-value-sets", aug.clone()).await, (StatusCode::OK, vec![]));
        data_set(&app, None).await;
        let corrected = set("VT-P1", "2023-08", &[("DOC_OUT_SW", json!(2))]);
        assert_eq!(post_set(&app, &reporter, "/api/v1/data-value-sets", corrected).await, (StatusCode::OK, vec![]));
        // Setting a lock in the past closes it.
        data_set(&app, Some(0)).await;
        assert_eq!(post_set(&app, &reporter, "/api/v1/data-value-sets", aug).await, (StatusCode::CONFLICT, closed(&[0])));
        assert_eq!(stored(&app, "VT-P1").await, [("DOC_OUT_SW".to_owned(), "2023-08".to_owned(), json!(2))]);
    }
}

/// Takes `action` on the ward's 2023Q3 report of DX_WARD_Q as the admin.
async fn transition(app: &common::TestApp, action: &str) {
    let mut body = json!({"data_set": "DX_WARD_Q", "org_unit": "VT-P1", "period": "2023Q3"});
    if action == "return" {
        body["reason"] = json!("Số liệu văn bản đi chưa khớp sổ");
    }
    let (status, answer) = app.post(&format!("/api/v1/reports/{action}"), &body).await;
    assert_eq!(status, StatusCode::OK, "{action}: {answer}");
}

fn locked(indexes: &[u64]) -> Vec<(u64, String)> {
    indexes
        .iter()
        .map(|&i| (i, "report_locked".to_owned()))
        .collect()
}

/// The report lock of submitted and approved reports.
mod submitted_reports {
    use super::*;

    both_databases! {
        async fn a_submitted_report_locks_its_figures_for_everyone_on_every_path_until_returned(app: TestApp) {
            app.seed_catalogue().await;
            data_set(&app, None).await;
            let admin = app.token.clone();
            let aug = |unit: &str, v: Value| set(unit, "2023-08", &[("DOC_OUT_SW", v)]);
            for unit in ["VT-P1", "VT-P8"] {
                assert_eq!(post_set(&app, &admin, "/api/v1/data-value-sets", aug(unit, json!(1))).await, (StatusCode::OK, vec![]));
            }
            let before = stored(&app, "VT-P1").await;
            let reporter = user(&app, "p1.reporter", "reporter", "VT-P1").await;
            transition(&app, "submit").await;

            for state in ["submitted", "approved"] {
                for bearer in [&admin, &reporter] {
                    let mixed = set("VT-P1", "2023-08", &[("DOC_OUT_PAPER", json!(4)), ("DOC_OUT_SW", json!(2))]);
                    assert_eq!(post_set(&app, bearer, "/api/v1/data-value-sets", mixed.clone()).await, (StatusCode::CONFLICT, locked(&[1])), "{state}");
                    assert_eq!(post_set(&app, bearer, "/api/v1/data-value-sets?dry_run=true", mixed).await, (StatusCode::CONFLICT, locked(&[1])));
                    assert_eq!(post_set(&app, bearer, "/api/v1/data-value-sets", aug("VT-P1", Value::Null)).await, (StatusCode::CONFLICT, locked(&[0])));
                    let csv = "data_element,period,org_unit,value,comment\nDOC_IN_SW,2023Q3,VT-P1,3,\nDOC_OUT_SW,2023-08,VT-P1,,\n";
                    assert_eq!(post_csv(&app, bearer, csv).await, (StatusCode::CONFLICT, locked(&[0, 1])));
                    assert_eq!(graphql_set(&app, bearer, "VT-P1", "2023-09", "DOC_IN_SW", json!(5)).await, ("error".to_owned(), locked(&[0])));
                    assert_eq!(put_one(&app, bearer, "DOC_OUT_SW", "VT-P1", "2023-08", json!(9), true).await, (StatusCode::CONFLICT, "report_locked".to_owned()));
                    assert_eq!(put_one(&app, bearer, "DOC_IN_SW", "VT-P1", "2023Q3", json!(9), false).await, (StatusCode::CONFLICT, "report_locked".to_owned()));
                    assert_eq!(delete_one(&app, bearer, "DOC_OUT_SW", "VT-P1", "2023-08").await, (StatusCode::CONFLICT, "report_locked".to_owned()));
                    assert_eq!(stored(&app, "VT-P1").await, before, "nothing changed");
                }
                if state == "submitted" {
                    transition(&app, "approve").await;
                }
            }
            // Other elements, other units and other periods are not locked.
            let other_element = set("VT-P1", "2023-08", &[("DOC_OUT_PAPER", json!(4))]);
            assert_eq!(post_set(&app, &reporter, "/api/v1/data-value-sets", other_element).await, (StatusCode::OK, vec![]));
            assert_eq!(post_set(&app, &admin, "/api/v1/data-value-sets", aug("VT-P8", json!(2))).await, (StatusCode::OK, vec![]));
            let q4 = set("VT-P1", "2023-10", &[("DOC_OUT_SW", json!(3))]);
            assert_eq!(post_set(&app, &reporter, "/api/v1/data-value-sets", q4).await, (StatusCode::OK, vec![]));

            // Returned: the figures change again, on every path.
            transition(&app, "return").await;
            assert_eq!(post_set(&app, &reporter, "/api/v1/data-value-sets", aug("VT-P1", json!(5))).await, (StatusCode::OK, vec![]));
            assert_eq!(put_one(&app, &reporter, "DOC_OUT_SW", "VT-P1", "2023-08", json!(6), true).await.0, StatusCode::OK);
            assert_eq!(graphql_set(&app, &reporter, "VT-P1", "2023-09", "DOC_IN_SW", json!(5)).await, ("success".to_owned(), vec![]));
            assert_eq!(delete_one(&app, &reporter, "DOC_OUT_SW", "VT-P1", "2023-08").await.0, StatusCode::NO_CONTENT);
            assert_eq!(stored(&app, "VT-P1").await, [
                ("DOC_IN_SW".to_owned(), "2023-09".to_owned(), json!(5)),
                ("DOC_OUT_PAPER".to_owned(), "2023-08".to_owned(), json!(4)),
                ("DOC_OUT_SW".to_owned(), "2023-10".to_owned(), json!(3)),
            ]);
        }
    }
}
