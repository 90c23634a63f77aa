//! Reports through their cycle over real HTTP (`POST /api/v1/reports/{action}`) and GraphQL
//! (`transitionReport`, `subtreeChanged.reportStateChanged`): who may do what, bottom-up
//! submission, the contract's refusal order, the audit trail.
//!
//! The catalogue: VN > BRVT > VT (city) > {VT-P1, VT-P8 (wards), VT-UBND (office)}; `DX_Q`
//! (quarterly, due 2 days after the 14th of the quarter's last month) is expected from the
//! wards, the city and VT-UBND; `DX_Y` (yearly, due 10 days after the year) from VT only.
#![allow(clippy::unwrap_used)]

mod common;
mod graphql_support;

use chrono::{Datelike, Utc};
use common::{TestApp, as_bearer};
use graphql_support::Socket;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "Một-mật-khẩu-dài";

/// Users: `vt.manager`, `vt.viewer` (VT), `p1.manager`, `p1.reporter` (VT-P1); returns the
/// access token of each, by name.
async fn people(app: &TestApp) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (name, role, unit) in [
        ("vt.manager", "manager", "VT"),
        ("vt.viewer", "viewer", "VT"),
        ("p1.manager", "manager", "VT-P1"),
        ("p1.reporter", "reporter", "VT-P1"),
    ] {
        let (status, body) = app
            .post(
                "/api/v1/users",
                &json!({"username": name, "password": PASSWORD, "role": role, "org_unit": unit}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        out.push((name, app.login(name, PASSWORD).await));
    }
    out
}

fn who<'a>(people: &'a [(&str, String)], name: &str) -> &'a str {
    &people.iter().find(|(n, _)| *n == name).unwrap().1
}

/// `POST /api/v1/reports/{action}` as the bearer of `token`.
async fn act(
    app: &TestApp,
    token: &str,
    action: &str,
    unit: &str,
    period: &str,
    reason: Option<&str>,
) -> (StatusCode, Value) {
    act_on(app, token, action, "DX_Q", unit, period, reason).await
}

async fn act_on(
    app: &TestApp,
    token: &str,
    action: &str,
    set: &str,
    unit: &str,
    period: &str,
    reason: Option<&str>,
) -> (StatusCode, Value) {
    let mut body = json!({"data_set": set, "org_unit": unit, "period": period});
    if let Some(r) = reason {
        body["reason"] = json!(r);
    }
    as_bearer(
        app,
        token,
        Method::POST,
        &format!("/api/v1/reports/{action}"),
        Some(body),
    )
    .await
}

fn refused(answer: &(StatusCode, Value)) -> (StatusCode, &str) {
    (answer.0, answer.1["code"].as_str().unwrap_or("(none)"))
}

fn ok(answer: &(StatusCode, Value)) -> &Value {
    assert_eq!(answer.0, StatusCode::OK, "{}", answer.1);
    &answer.1
}

both_databases! {
    async fn a_report_goes_up_bottom_first_and_comes_back_with_a_reason(app: TestApp) {
        app.seed_cycle().await;
        let people = people(&app).await;
        let (admin, vt, p1_reporter) = (app.token.clone(), who(&people, "vt.manager"), who(&people, "p1.reporter"));

        let submitted = act(&app, p1_reporter, "submit", "VT-P1", "2023Q3", None).await;
        let r = ok(&submitted);
        assert_eq!(r["state"], "submitted");
        assert_eq!(r["due_date"], "2023-09-16");
        assert_eq!(r["submitted_by"], "p1.reporter");
        // Submitted years after its due date.
        assert_eq!(r["on_time"], false);
        assert_eq!((&r["approved_at"], &r["reason"]), (&Value::Null, &Value::Null));
        assert!(r["submitted_at"].as_str().unwrap().ends_with('Z'), "{r}");
        let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["approved_at", "approved_by", "data_set", "due_date", "on_time", "org_unit",
                          "period", "reason", "state", "submitted_at", "submitted_by"]);

        // Approval is for a manager of a proper ancestor (or an admin).
        assert_eq!(refused(&act(&app, p1_reporter, "approve", "VT-P1", "2023Q3", None).await), (StatusCode::FORBIDDEN, "forbidden"));
        let own = who(&people, "p1.manager");
        assert_eq!(refused(&act(&app, own, "approve", "VT-P1", "2023Q3", None).await), (StatusCode::FORBIDDEN, "forbidden"));
        let approved = act(&app, vt, "approve", "VT-P1", "2023Q3", None).await;
        let r = ok(&approved);
        assert_eq!((r["state"].as_str(), r["approved_by"].as_str(), r["submitted_by"].as_str()),
                   (Some("approved"), Some("vt.manager"), Some("p1.reporter")));

        // The city waits for every expected report below it.
        let waiting = act(&app, vt, "submit", "VT", "2023Q3", None).await;
        assert_eq!(refused(&waiting), (StatusCode::CONFLICT, "children_not_approved"));
        assert_eq!(waiting.1["children"], json!([
            {"org_unit": "VT-P8", "period": "2023Q3", "state": "open"},
            {"org_unit": "VT-UBND", "period": "2023Q3", "state": "open"}
        ]));
        ok(&act(&app, &admin, "submit", "VT-P8", "2023Q3", None).await);
        let still = act(&app, vt, "submit", "VT", "2023Q3", None).await;
        assert_eq!(still.1["children"], json!([
            {"org_unit": "VT-P8", "period": "2023Q3", "state": "submitted"},
            {"org_unit": "VT-UBND", "period": "2023Q3", "state": "open"}
        ]));
        ok(&act(&app, vt, "approve", "VT-P8", "2023Q3", None).await);
        ok(&act(&app, &admin, "submit", "VT-UBND", "2023Q3", None).await);
        ok(&act(&app, &admin, "approve", "VT-UBND", "2023Q3", None).await);
        let city = act(&app, vt, "submit", "VT", "2023Q3", None).await;
        assert_eq!(ok(&city)["state"], "submitted");

        // While the city's report is submitted, a ward's cannot be returned.
        let blocked = act(&app, vt, "return", "VT-P1", "2023Q3", Some("Thiếu số liệu")).await;
        assert_eq!(refused(&blocked), (StatusCode::CONFLICT, "parent_submitted"));
        // The province's reviewer (an admin here) returns the city's, then the city a ward's.
        let back = act(&app, &admin, "return", "VT", "2023Q3", Some("  Kiểm tra lại phường 1\n")).await;
        assert_eq!((ok(&back)["state"].as_str(), back.1["reason"].as_str()), (Some("returned"), Some("Kiểm tra lại phường 1")));
        let ward = act(&app, vt, "return", "VT-P1", "2023Q3", Some("Thiếu số liệu")).await;
        let r = ok(&ward);
        assert_eq!((r["state"].as_str(), r["reason"].as_str(), r["approved_at"].as_str()), (Some("returned"), Some("Thiếu số liệu"), None));
        // A returned report is submitted again; its timeliness is the first submission's.
        let again = act(&app, p1_reporter, "submit", "VT-P1", "2023-07/2023-09", None).await;
        let r = ok(&again);
        assert_eq!((r["state"].as_str(), r["period"].as_str(), r["reason"].as_str()), (Some("submitted"), Some("2023Q3"), None));
        assert_eq!(r["on_time"], false);
        let reopened = act(&app, p1_reporter, "reopen", "VT-P1", "2023Q3", None).await;
        let r = ok(&reopened);
        assert_eq!((r["state"].as_str(), r["submitted_at"].as_str(), r["on_time"].as_bool()), (Some("open"), None, Some(false)));
    }

    async fn refusals_come_in_the_contracts_order(app: TestApp) {
        app.seed_cycle().await;
        let people = people(&app).await;
        let (admin, viewer, p1) = (app.token.clone(), who(&people, "vt.viewer"), who(&people, "p1.reporter"));

        // 403 first: a viewer, or a unit outside the caller's subtree, whatever else is wrong.
        assert_eq!(refused(&act(&app, viewer, "submit", "VT-P1", "2023-07", None).await), (StatusCode::FORBIDDEN, "forbidden"));
        assert_eq!(refused(&act(&app, viewer, "submit", "BRVT", "2023Q5", None).await), (StatusCode::FORBIDDEN, "forbidden"));
        assert_eq!(refused(&act(&app, p1, "submit", "VT-P8", "2023-07", None).await), (StatusCode::FORBIDDEN, "forbidden"));
        // Then the period: of the set's type, even on a unit the set is not assigned to.
        assert_eq!(refused(&act(&app, &admin, "submit", "BRVT", "2023-07", None).await), (StatusCode::BAD_REQUEST, "invalid_period"));
        assert_eq!(refused(&act(&app, &admin, "submit", "VT-P1", "2023Q5", None).await), (StatusCode::BAD_REQUEST, "invalid_period"));
        // Then the assignment, then the transition table, then the calendar.
        assert_eq!(refused(&act(&app, &admin, "approve", "BRVT", "2023Q3", None).await), (StatusCode::CONFLICT, "not_assigned"));
        assert_eq!(refused(&act(&app, &admin, "approve", "VT-P1", "2023Q3", None).await), (StatusCode::CONFLICT, "invalid_transition"));
        assert_eq!(refused(&act(&app, &admin, "reopen", "VT-P1", "2099Q1", None).await), (StatusCode::CONFLICT, "invalid_transition"));
        assert_eq!(refused(&act(&app, p1, "submit", "VT-P1", "2099Q1", None).await), (StatusCode::CONFLICT, "period_not_started"));
        // invalid_transition comes before children_not_approved.
        ok(&act(&app, &admin, "submit", "VT-P8", "2023Q3", None).await);
        ok(&act(&app, &admin, "submit", "VT-P1", "2023Q3", None).await);
        ok(&act(&app, &admin, "approve", "VT-P1", "2023Q3", None).await);
        ok(&act(&app, &admin, "approve", "VT-P8", "2023Q3", None).await);
        ok(&act(&app, &admin, "submit", "VT-UBND", "2023Q3", None).await);
        ok(&act(&app, &admin, "approve", "VT-UBND", "2023Q3", None).await);
        ok(&act(&app, &admin, "submit", "VT", "2023Q3", None).await);
        assert_eq!(refused(&act(&app, &admin, "submit", "VT", "2023Q3", None).await), (StatusCode::CONFLICT, "invalid_transition"));
        assert_eq!(refused(&act(&app, p1, "reopen", "VT-P1", "2023Q3", None).await), (StatusCode::CONFLICT, "invalid_transition"));

        // A return needs a reason, and only a return takes one (422, from the body alone).
        assert_eq!(refused(&act(&app, &admin, "return", "VT", "2023Q3", None).await), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_reason"));
        assert_eq!(refused(&act(&app, &admin, "return", "VT", "2023Q3", Some(" \n\t ")).await), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_reason"));
        assert_eq!(refused(&act(&app, &admin, "submit", "VT-P8", "2023Q4", Some("x")).await), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_reason"));
        // Unknown codes and actions.
        assert_eq!(refused(&act_on(&app, &admin, "submit", "NOPE", "VT-P1", "2023Q3", None).await), (StatusCode::NOT_FOUND, "unknown_data_set"));
        assert_eq!(refused(&act(&app, &admin, "submit", "NOWHERE", "2023Q3", None).await), (StatusCode::NOT_FOUND, "unknown_org_unit"));
        assert_eq!(refused(&act(&app, &admin, "reject", "VT-P1", "2023Q3", None).await), (StatusCode::BAD_REQUEST, "invalid_report_action"));
        let (status, body) = app.post("/api/v1/reports/submit", &json!({"data_set": "DX_Q", "org_unit": "VT-P1", "period": "2023Q4", "extra": 1})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }

    async fn a_report_submitted_by_its_due_date_is_on_time(app: TestApp) {
        app.seed_cycle().await;
        // DX_Y for this year (Vietnam time) is due on 10 January next year: not yet.
        let year = (Utc::now() + chrono::Duration::hours(7)).year();
        let r = act_on(&app, &app.token, "submit", "DX_Y", "VT", &year.to_string(), None).await;
        let r = ok(&r);
        assert_eq!((r["on_time"].as_bool(), r["due_date"].as_str()), (Some(true), Some(format!("{}-01-10", year + 1).as_str())));
        assert_eq!(refused(&act_on(&app, &app.token, "submit", "DX_Y", "VT", &format!("{}", year + 1), None).await),
                   (StatusCode::CONFLICT, "period_not_started"));
    }

    async fn a_data_write_token_submits_but_never_approves(app: TestApp) {
        app.seed_cycle().await;
        let token = |name: &'static str, scopes: Value| {
            let app = &app;
            async move {
                let (status, created) = app.post("/api/v1/api-tokens", &json!({"name": name, "org_unit": "VT-P1", "scopes": scopes})).await;
                assert_eq!(status, StatusCode::CREATED, "{created}");
                created["token"].as_str().unwrap().to_owned()
            }
        };
        let reader = token("p1-reader", json!(["data:read"])).await;
        let writer = token("p1-writer", json!(["data:write"])).await;
        assert_eq!(refused(&act(&app, &reader, "submit", "VT-P1", "2023Q3", None).await), (StatusCode::FORBIDDEN, "forbidden"));
        let r = act(&app, &writer, "submit", "VT-P1", "2023Q3", None).await;
        assert_eq!(ok(&r)["submitted_by"], "token:p1-writer");
        assert_eq!(refused(&act(&app, &writer, "approve", "VT-P1", "2023Q3", None).await), (StatusCode::FORBIDDEN, "forbidden"));
        assert_eq!(refused(&act(&app, &writer, "return", "VT-P1", "2023Q3", Some("no")).await), (StatusCode::FORBIDDEN, "forbidden"));
        ok(&act(&app, &writer, "reopen", "VT-P1", "2023Q3", None).await);
        assert_eq!(refused(&act(&app, &writer, "submit", "VT-P8", "2023Q3", None).await), (StatusCode::FORBIDDEN, "forbidden"));
    }

    async fn transitions_are_in_the_audit_trail_with_their_reason(app: TestApp) {
        app.seed_cycle().await;
        let admin = app.token.clone();
        ok(&act(&app, &admin, "submit", "VT-P1", "2023Q3", None).await);
        ok(&act(&app, &admin, "return", "VT-P1", "2023Q3", Some("Thiếu số liệu văn bản đến")).await);
        // A refused transition writes nothing.
        act(&app, &admin, "approve", "VT-P1", "2023Q3", None).await;
        let (status, body) = app.get("/api/v1/audit").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let events: Vec<&Value> = body["events"].as_array().unwrap().iter()
            .filter(|e| e["action"].as_str().unwrap().starts_with("report."))
            .collect();
        let detail = |e: &Value| -> Value {
            match &e["detail"] { Value::String(s) => serde_json::from_str(s).unwrap(), other => other.clone() }
        };
        let mut seen: Vec<(String, Value)> = events.iter().map(|e| (e["action"].as_str().unwrap().to_owned(), detail(e))).collect();
        seen.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(seen, [
            ("report.return".to_owned(), json!({"data_set": "DX_Q", "org_unit": "VT-P1", "period": "2023Q3",
                "from": "submitted", "to": "returned", "reason": "Thiếu số liệu văn bản đến"})),
            ("report.submit".to_owned(), json!({"data_set": "DX_Q", "org_unit": "VT-P1", "period": "2023Q3",
                "from": "open", "to": "submitted", "reason": null})),
        ], "{body}");
        assert!(events.iter().all(|e| e["actor"] == "admin" && e["org_unit"] == "VT-P1"), "{body}");
    }

    async fn graphql_transitions_answer_the_same_codes(app: TestApp) {
        app.seed_cycle().await;
        let run = |query: &'static str| {
            let app = &app;
            async move {
                let res = app.req(Method::POST, "/graphql").json(&json!({"query": query})).send().await.unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                res.json::<Value>().await.unwrap()
            }
        };
        let body = run(r#"mutation { transitionReport(action: SUBMIT, dataSet: "DX_Q", orgUnit: "VT-P1", period: "2023-07/2023-09") { dataSet orgUnit period state dueDate submittedBy onTime reason } }"#).await;
        assert_eq!(body["data"]["transitionReport"], json!({"dataSet": "DX_Q", "orgUnit": "VT-P1", "period": "2023Q3",
            "state": "SUBMITTED", "dueDate": "2023-09-16", "submittedBy": "admin", "onTime": false, "reason": null}), "{body}");
        let body = run(r#"mutation { transitionReport(action: SUBMIT, dataSet: "DX_Q", orgUnit: "VT", period: "2023Q3") { state } }"#).await;
        let error = &body["errors"][0]["extensions"];
        assert_eq!(error["code"], "children_not_approved", "{body}");
        assert_eq!(error["children"], json!([
            {"org_unit": "VT-P1", "period": "2023Q3", "state": "submitted"},
            {"org_unit": "VT-P8", "period": "2023Q3", "state": "open"},
            {"org_unit": "VT-UBND", "period": "2023Q3", "state": "open"}
        ]), "{body}");
        let body = run(r#"mutation { transitionReport(action: RETURN, dataSet: "DX_Q", orgUnit: "VT-P1", period: "2023Q3") { state } }"#).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "invalid_reason", "{body}");
        let body = run(r#"mutation { transitionReport(action: RETURN, dataSet: "DX_Q", orgUnit: "VT-P1", period: "2023Q3", reason: "Sai") { state reason } }"#).await;
        assert_eq!(body["data"]["transitionReport"], json!({"state": "RETURNED", "reason": "Sai"}), "{body}");
    }

    async fn subscribers_of_the_subtree_hear_of_a_transition(app: TestApp) {
        app.seed_cycle().await;
        let mut city = Socket::open(&app, &app.token).await;
        city.subscribe(r#"subscription { subtreeChanged(orgUnit: "VT") { changedOrgUnits reportStateChanged { dataSet orgUnit period state reason } } }"#, json!({})).await;
        let mut beside = Socket::open(&app, &app.token).await;
        beside.subscribe(r#"subscription { subtreeChanged(orgUnit: "VT-P8") { changedOrgUnits reportStateChanged { orgUnit } } }"#, json!({})).await;
        common::wait_until("both subscriptions to listen", std::time::Duration::from_secs(10),
            || async { app.state.changes.receiver_count() >= 2 }).await;

        ok(&act(&app, &app.token, "submit", "VT-P1", "2023-07/2023-09", None).await);
        let event = city.next_json().await;
        assert_eq!(event["payload"]["data"]["subtreeChanged"], json!({"changedOrgUnits": ["VT-P1"],
            "reportStateChanged": {"dataSet": "DX_Q", "orgUnit": "VT-P1", "period": "2023Q3", "state": "SUBMITTED", "reason": null}}), "{event}");
        ok(&act(&app, &app.token, "return", "VT-P1", "2023Q3", Some("Sai số")).await);
        let event = city.next_json().await;
        assert_eq!(event["payload"]["data"]["subtreeChanged"]["reportStateChanged"]["reason"], "Sai số", "{event}");

        // VT-P8's subscriber heard neither: its first event is its own unit's.
        ok(&act(&app, &app.token, "submit", "VT-P8", "2023Q3", None).await);
        let event = beside.next_json().await;
        assert_eq!(event["payload"]["data"]["subtreeChanged"], json!({"changedOrgUnits": ["VT-P8"], "reportStateChanged": {"orgUnit": "VT-P8"}}), "{event}");
    }
}
