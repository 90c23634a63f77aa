//! Notes of the catalogue (the seed model's `notes`): declared in the metadata bundle about
//! one object each (`kind:code`), upserted by code, read by every caller on REST and GraphQL.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const DRAFT_METADATA: &str = include_str!("../crates/api/demo/vungtau-metadata.json");

fn note(code: &str, subject: &str, text: &str) -> Value {
    json!({"code": code, "subject": subject, "text": text})
}

fn errors(body: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = (body["errors"].as_array().unwrap().iter())
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

both_databases! {
    async fn notes_are_stored_listed_by_subject_and_updated_by_code(app: TestApp) {
        app.seed_catalogue().await;
        // The draft demo's notes about tables and projects, as written (tables are not
        // checked; the projects come in the same bundle).
        let draft: Value = serde_json::from_str(DRAFT_METADATA).unwrap();
        let mut notes: Vec<Value> = (draft["notes"].as_array().unwrap().iter())
            .filter(|n| {
                let s = n["subject"].as_str().unwrap();
                s.starts_with("table:") || s.starts_with("project:")
            })
            .cloned()
            .collect();
        assert_eq!(notes.len(), 4);
        notes.push(note("city", "org_unit:VT", "Thành phố Vũng Tàu."));
        notes.push(note("rate", "indicator:DOC_SW_RATE", "Tỷ lệ\nhai dòng."));
        notes.push(note("national", "target:national", "Chỉ tiêu quốc gia."));
        let bundle = json!({"projects": draft["projects"], "notes": notes});
        let (status, body) = app.post("/api/v1/metadata", &bundle).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["by_kind"]["notes"]["created"], 7, "{body}");

        let (status, list) = app.get("/api/v1/notes").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        let codes: Vec<&str> = (list["notes"].as_array().unwrap().iter()).map(|n| n["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["city", "milestones", "milestones.v01", "national", "rate", "t1.format", "t1.row_ii"]);
        let (status, list) = app.get("/api/v1/notes?subject=project:IOC-VT").await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["notes"].as_array().unwrap().len(), 1);
        assert_eq!(list["notes"][0]["code"], "milestones");
        assert!(list["notes"][0]["text"].as_str().unwrap().contains("out_of_order"));
        let (_, list) = app.get("/api/v1/notes?subject=indicator:DOC_SW_RATE").await;
        assert_eq!(list["notes"], json!([note("rate", "indicator:DOC_SW_RATE", "Tỷ lệ\nhai dòng.")]));
        let (_, list) = app.get("/api/v1/notes?subject=org_unit:VT-P1").await;
        assert_eq!(list, json!({"notes": []}));
        let (status, body) = app.get("/api/v1/notes?subject=unit:VT").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_subject")), "{body}");

        // Upserted by code: a new text or subject updates, the same note is unchanged.
        let again = json!({"notes": [note("city", "org_unit:VT-P1", "Phường 1."), note("national", "target:national", "Chỉ tiêu quốc gia.")]});
        let (status, body) = app.post("/api/v1/metadata", &again).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!((body["by_kind"]["notes"]["updated"].as_u64(), body["by_kind"]["notes"]["unchanged"].as_u64()), (Some(1), Some(1)));
        let (_, list) = app.get("/api/v1/notes?subject=org_unit:VT-P1").await;
        assert_eq!(list["notes"], json!([note("city", "org_unit:VT-P1", "Phường 1.")]));

        // Public catalogue metadata: a viewer and a read token see every note, GraphQL too.
        let (status, created) = app.post("/api/v1/api-tokens", &json!({"name": "p8", "org_unit": "VT-P8", "scopes": ["data:read"]})).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let token = created["token"].as_str().unwrap();
        let (status, list) = common::as_bearer(&app, token, Method::GET, "/api/v1/notes", None).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        assert_eq!(list["notes"].as_array().unwrap().len(), 7);
        let res = app.client.post(format!("{}/graphql", app.base)).bearer_auth(token)
            .json(&json!({"query": "{ notes(subject: \"org_unit:VT-P1\") { code subject text } }"}))
            .send().await.unwrap();
        let data: Value = res.json().await.unwrap();
        assert_eq!(data["data"]["notes"], json!([{"code": "city", "subject": "org_unit:VT-P1", "text": "Phường 1."}]), "{data}");

        // The import's audit event names the notes it wrote.
        let (_, audit) = app.get("/api/v1/audit?limit=10").await;
        let import = (audit["events"].as_array().unwrap().iter()).find(|e| e["action"] == "metadata.import").unwrap();
        assert_eq!(import["detail"]["notes"], json!(["city", "national"]), "{import}");
    }

    async fn a_note_about_nothing_is_refused_with_its_place(app: TestApp) {
        app.seed_catalogue().await;
        let bundle = json!({"notes": [
            note("a", "indicator:NOPE", "x"),
            note("b", "unit:VT", "x"),
            note("c", "org_unit:VT", ""),
            note("a", "org_unit:VT", "x"),
            note("d e", "org_unit:VT", "x"),
            note("f", "project:NOPE", "x"),
            note("g", "data_set:NOPE", "x"),
            note("h", "validation_rule:PAY_OK_LE_TOTAL", "x"),
            note("i", "data_element:DOC_OUT_SW", "x")
        ]});
        let (status, body) = app.post("/api/v1/metadata", &bundle).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let expected: Vec<(String, String)> = [
            ("notes[0].subject", "unknown_subject"),
            ("notes[1].subject", "invalid_subject"),
            ("notes[2].text", "invalid_text"),
            ("notes[3].code", "duplicate_code"),
            ("notes[4].code", "invalid_code"),
            ("notes[5].subject", "unknown_subject"),
            ("notes[6].subject", "unknown_subject"),
        ].iter().map(|(f, c)| (f.to_string(), c.to_string())).collect();
        assert_eq!(errors(&body), expected, "{body}");
        let (_, list) = app.get("/api/v1/notes").await;
        assert_eq!(list, json!({"notes": []}), "nothing was stored");
    }
}
