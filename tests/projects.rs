//! Projects and milestones (contract v2): declared in the metadata bundle, progress recorded
//! with `PUT /api/v1/projects/{code}/milestones/{milestone}` by whoever writes on the
//! project's unit, listed with their flags over a subtree, on REST and GraphQL.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "Project-Pass-2023";
const DRAFT_METADATA: &str = include_str!("../crates/api/demo/vungtau-metadata.json");
const DRAFT_REPORTS: &str = include_str!("../crates/api/demo/vungtau-reports.json");

/// The seed's three projects exactly as the draft demo bundle writes them.
fn draft_projects() -> Value {
    let bundle: Value = serde_json::from_str(DRAFT_METADATA).unwrap();
    json!({"projects": bundle["projects"]})
}

async fn put(
    app: &common::TestApp,
    token: &str,
    project: &str,
    milestone: &str,
    body: Value,
) -> (StatusCode, Value) {
    let path = format!("/api/v1/projects/{project}/milestones/{milestone}");
    common::as_bearer(app, token, Method::PUT, &path, Some(body)).await
}

async fn projects(app: &common::TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    let path = format!("/api/v1/projects{query}");
    common::as_bearer(app, token, Method::GET, &path, None).await
}

async fn user(app: &common::TestApp, name: &str, role: &str, unit: &str) -> String {
    let body = json!({"username": name, "password": PASSWORD, "role": role, "org_unit": unit});
    let (status, created) = app.post("/api/v1/users", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    app.login(name, PASSWORD).await
}

async fn token(app: &common::TestApp, name: &str, unit: &str, scopes: Value) -> String {
    let body = json!({"name": name, "org_unit": unit, "scopes": scopes});
    let (status, created) = app.post("/api/v1/api-tokens", &body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["token"].as_str().unwrap().to_owned()
}

fn milestone<'a>(list: &'a Value, project: &str, code: &str) -> &'a Value {
    let project = (list["projects"].as_array().unwrap().iter())
        .find(|p| p["code"] == project)
        .unwrap();
    (project["milestones"].as_array().unwrap().iter())
        .find(|m| m["code"] == code)
        .unwrap()
}

both_databases! {
    async fn the_seeds_projects_replay_their_progress_and_flag_the_official_operation(app: TestApp) {
        app.seed_catalogue().await;
        let (status, body) = app.post("/api/v1/metadata", &draft_projects()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["by_kind"]["projects"]["created"], 3, "{body}");
        let manager = user(&app, "vt.manager", "manager", "VT").await;
        let reports: Value = serde_json::from_str(DRAFT_REPORTS).unwrap();
        for step in reports["milestone_progress"].as_array().unwrap() {
            let mut body = step.clone();
            let object = body.as_object_mut().unwrap();
            let project = object.remove("project").unwrap();
            let code = object.remove("milestone").unwrap();
            let (status, answer) =
                put(&app, &manager, project.as_str().unwrap(), code.as_str().unwrap(), body).await;
            assert_eq!(status, StatusCode::OK, "{answer}");
            assert_eq!(answer["status"], step["status"]);
        }

        let (status, list) = projects(&app, &manager, "?org_unit=VT").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let codes: Vec<&str> = (list["projects"].as_array().unwrap().iter())
            .map(|p| p["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["IOC-VT", "V01-APPS", "WEB17"]);
        // «Vận hành chính thức tháng 01/2023» after the trial run of 12/2023: out of order.
        // Today lies after 2023, so every undone milestone is late too.
        let m5 = milestone(&list, "IOC-VT", "M5");
        assert_eq!(m5["planned"], "2023-01");
        assert_eq!(m5["status"], "planned");
        assert_eq!(m5["flags"], json!(["late", "out_of_order"]));
        assert_eq!(milestone(&list, "IOC-VT", "M4")["flags"], json!(["late"]));
        assert_eq!(milestone(&list, "IOC-VT", "M1"), &json!({
            "code": "M1", "name": "Quyết định phê duyệt Kế hoạch lựa chọn nhà thầu (ngày 05/9/2023)",
            "planned": "2023-09", "actual": "2023-09", "status": "done",
            "note": "Ngày 05/9/2023 (mục 7)", "flags": []
        }));
        let web = milestone(&list, "WEB17", "M2");
        assert_eq!((web["status"].as_str(), web["flags"].clone()), (Some("in_progress"), json!(["late"])));
        // A done milestone without a month (V.01's submission) is neither late nor out of order.
        let v01 = milestone(&list, "V01-APPS", "M1");
        assert_eq!((v01["actual"].clone(), v01["flags"].clone()), (Value::Null, json!([])));

        // GraphQL: the same list and flags.
        let res = app.req(Method::POST, "/graphql")
            .json(&json!({"query": "{ projects(orgUnit: \"VT\") { code orgUnit milestones { code status flags actual } } }"}))
            .send().await.unwrap();
        let data: Value = res.json().await.unwrap();
        assert!(data.get("errors").is_none(), "{data}");
        let ioc = &data["data"]["projects"][0];
        assert_eq!(ioc["orgUnit"], "VT");
        assert_eq!(ioc["milestones"][4], json!({"code": "M5", "status": "PLANNED", "flags": ["LATE", "OUT_OF_ORDER"], "actual": null}));
        assert_eq!(ioc["milestones"][0]["status"], "DONE");

        // Each recording is in the audit trail, with what it replaced.
        let (status, audit) = app.get("/api/v1/audit?limit=100").await;
        assert_eq!(status, StatusCode::OK, "{audit}");
        let recorded: Vec<&Value> = (audit["events"].as_array().unwrap().iter())
            .filter(|e| e["action"] == "milestone.record")
            .collect();
        assert_eq!(recorded.len(), 10, "{audit}");
        assert!(recorded.iter().all(|e| e["actor"] == "vt.manager"), "{audit}");
    }

    async fn only_writers_on_the_projects_unit_record_progress(app: TestApp) {
        app.seed_catalogue().await;
        let bundle = json!({"projects": [
            {"code": "IOC", "name": "Trung tâm điều hành", "org_unit": "VT",
             "milestones": [{"code": "M1", "name": "Phê duyệt", "planned": "2023-09"},
                            {"code": "M2", "name": "Vận hành", "planned": "2023-12"}]},
            {"code": "P1-WEB", "name": "Trang Phường 1", "org_unit": "VT-P1",
             "milestones": [{"code": "M1", "name": "Đưa vào hoạt động", "planned": "2023-06"}]}
        ]});
        let (status, body) = app.post("/api/v1/metadata", &bundle).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let done = json!({"status": "done", "actual": "2023-09", "note": "05/9/2023"});

        let p1_reporter = user(&app, "p1.reporter", "reporter", "VT-P1").await;
        let vt_viewer = user(&app, "vt.viewer", "viewer", "VT").await;
        let vt_reporter = user(&app, "vt.reporter", "reporter", "VT").await;
        let reader = token(&app, "vt-reader", "VT", json!(["data:read"])).await;
        let writer = token(&app, "vt-writer", "VT", json!(["data:write"])).await;
        for who in [&p1_reporter, &vt_viewer, &reader] {
            let (status, body) = put(&app, who, "IOC", "M1", done.clone()).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{body}");
        }
        let (_, list) = projects(&app, &app.token, "").await;
        assert_eq!(milestone(&list, "IOC", "M1")["status"], "planned", "nothing was recorded");

        let (status, body) = put(&app, &vt_reporter, "IOC", "M1", done.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"code": "M1", "name": "Phê duyệt", "planned": "2023-09",
            "actual": "2023-09", "status": "done", "note": "05/9/2023", "flags": []}));
        // A later milestone done while an earlier one is not is out of order.
        let (status, body) = put(&app, &writer, "IOC", "M1", json!({"status": "in_progress"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!((body["actual"].clone(), body["note"].clone()), (Value::Null, Value::Null), "a PUT replaces");
        let (status, body) = put(&app, &writer, "IOC", "M2", json!({"status": "done", "actual": "2023-12"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["flags"], json!(["out_of_order"]));
        // The ward's own reporter writes on its ward's project.
        let (status, body) = put(&app, &p1_reporter, "P1-WEB", "M1", json!({"status": "in_progress"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        for (project, code, expected) in [("NOPE", "M1", "unknown_project"), ("IOC", "M9", "unknown_milestone")] {
            let (status, body) = put(&app, &app.token, project, code, done.clone()).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some(expected)), "{body}");
        }
        for (body, field, code) in [
            (json!({"status": "finished"}), "status", "invalid_milestone_status"),
            (json!({"status": "planned", "actual": "2023-09"}), "actual", "invalid_milestone_progress"),
            (json!({"status": "done", "actual": "2023Q3"}), "actual", "invalid_period"),
            (json!({"status": "done", "note": "x".repeat(2001)}), "note", "invalid_text"),
        ] {
            let (status, answer) = put(&app, &app.token, "IOC", "M1", body.clone()).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
            assert_eq!(answer["code"], "invalid_milestone", "{answer}");
            assert_eq!((answer["errors"][0]["field"].as_str(), answer["errors"][0]["code"].as_str()), (Some(field), Some(code)), "{answer}");
        }
        let (status, body) = put(&app, &app.token, "IOC", "M1", json!({"state": "done"})).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")), "{body}");

        // Reads are scoped: the ward sees its own project; the city is not its to see.
        let (status, list) = projects(&app, &p1_reporter, "").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let codes: Vec<&str> = (list["projects"].as_array().unwrap().iter()).map(|p| p["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["P1-WEB"]);
        let (status, body) = projects(&app, &p1_reporter, "?org_unit=VT").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_org_unit")));
        let (status, list) = projects(&app, &reader, "?org_unit=VT").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["projects"].as_array().unwrap().len(), 2);

        // GraphQL: the same rules.
        let query = json!({"query": "mutation { recordMilestone(project: \"IOC\", milestone: \"M1\", status: DONE, actual: \"2023-10\") { code status actual flags } }"});
        let res = app.client.post(format!("{}/graphql", app.base)).bearer_auth(&vt_viewer).json(&query).send().await.unwrap();
        let data: Value = res.json().await.unwrap();
        assert_eq!(data["errors"][0]["extensions"]["code"], "forbidden", "{data}");
        let res = app.client.post(format!("{}/graphql", app.base)).bearer_auth(&vt_reporter).json(&query).send().await.unwrap();
        let data: Value = res.json().await.unwrap();
        assert_eq!(data["data"]["recordMilestone"], json!({"code": "M1", "status": "DONE", "actual": "2023-10", "flags": []}), "{data}");
    }

    async fn a_new_milestone_list_keeps_the_progress_of_the_codes_it_keeps(app: TestApp) {
        app.seed_catalogue().await;
        let project = |milestones: Value| json!({"projects": [
            {"code": "IOC", "name": "Trung tâm điều hành", "org_unit": "VT", "milestones": milestones}
        ]});
        let first = project(json!([{"code": "M1", "name": "Phê duyệt", "planned": "2023-09"},
                                   {"code": "M2", "name": "Thử nghiệm", "planned": "2023-12"}]));
        let (status, body) = app.post("/api/v1/metadata", &first).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        for code in ["M1", "M2"] {
            let (status, body) = put(&app, &app.token, "IOC", code, json!({"status": "done", "actual": "2023-09"})).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        let (status, body) = app.post("/api/v1/metadata", &first).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["by_kind"]["projects"]["unchanged"], 1, "progress is not part of the plan");

        let second = project(json!([{"code": "M3", "name": "Vận hành", "planned": "2024-01"},
                                    {"code": "M2", "name": "Vận hành thử nghiệm", "planned": "2023-11"}]));
        let (status, body) = app.post("/api/v1/metadata", &second).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["by_kind"]["projects"]["updated"], 1, "{body}");
        let (_, list) = projects(&app, &app.token, "?org_unit=VT").await;
        assert_eq!(list["projects"][0]["milestones"], json!([
            {"code": "M3", "name": "Vận hành", "planned": "2024-01", "actual": null, "status": "planned", "note": null, "flags": ["late"]},
            {"code": "M2", "name": "Vận hành thử nghiệm", "planned": "2023-11", "actual": "2023-09", "status": "done", "note": null, "flags": ["out_of_order"]}
        ]));
        let (status, body) = put(&app, &app.token, "IOC", "M1", json!({"status": "done"})).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_milestone")), "a removed milestone is gone");
    }

    async fn an_invalid_project_is_refused_with_every_place_named(app: TestApp) {
        app.seed_catalogue().await;
        let many: Vec<Value> = (0..201).map(|i| json!({"code": format!("M{i}"), "name": "Bước", "planned": "2023-09"})).collect();
        let bundle = json!({"projects": [
            {"code": "A", "name": "Dự án A", "org_unit": "NOWHERE",
             "milestones": [{"code": "M1", "name": "Bước 1", "planned": "2023-09"},
                            {"code": "M1", "name": "Bước 2", "planned": "2023Q4"}]},
            {"code": "B", "name": "Dự án B", "org_unit": "VT", "milestones": many},
            {"code": "A", "name": "Dự án A lần hai", "org_unit": "VT", "milestones": []}
        ]});
        let (status, body) = app.post("/api/v1/metadata", &bundle).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let mut errors: Vec<(String, String)> = (body["errors"].as_array().unwrap().iter())
            .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
            .collect();
        errors.sort();
        let expected: Vec<(String, String)> = [
            ("projects[0].milestones[1].planned", "invalid_period"),
            ("projects[1].milestones", "too_many_items"),
        ].iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
        assert_eq!(errors, expected, "{body}");

        let bundle = json!({"projects": [
            {"code": "A", "name": "Dự án A", "org_unit": "NOWHERE",
             "milestones": [{"code": "M1", "name": "Bước 1", "planned": "2023-09"},
                            {"code": "M1", "name": "Bước 2", "planned": "2023-10"}]},
            {"code": "A", "name": "Dự án A lần hai", "org_unit": "VT", "milestones": []}
        ]});
        let (status, body) = app.post("/api/v1/metadata", &bundle).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let mut errors: Vec<(String, String)> = (body["errors"].as_array().unwrap().iter())
            .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
            .collect();
        errors.sort();
        let expected: Vec<(String, String)> = [
            ("projects[0].milestones", "duplicate_code"),
            ("projects[0].org_unit", "unknown_org_unit"),
            ("projects[1].code", "duplicate_code"),
        ].iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
        assert_eq!(errors, expected, "{body}");
        let (_, list) = projects(&app, &app.token, "").await;
        assert_eq!(list, json!({"projects": []}), "nothing was stored");
    }
}
