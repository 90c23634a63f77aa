//! NUL and other control characters in text: refused with 400/422 `invalid_text` (or, in a
//! data value set, as a row conflict) on REST and GraphQL, on both databases — never a 500
//! (PostgreSQL cannot store NUL in text), and nothing stored.
#![allow(clippy::unwrap_used)]

mod common;

use base64::Engine as _;
use common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const NUL: &str = "Phường\u{0}8";

async fn gql(app: &TestApp, query: &str, variables: Value) -> Value {
    let res = app
        .req(Method::POST, "/graphql")
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The `extensions.code` of a GraphQL answer's only error.
fn gql_code(body: &Value) -> &str {
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors: {body}"));
    assert_eq!(errors.len(), 1, "{body}");
    errors[0]["extensions"]["code"].as_str().unwrap()
}

/// A 422 `code` whose only field error is `field` with `field_code`.
fn assert_field(status: StatusCode, body: &Value, code: &str, field: &str, field_code: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], code, "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["field"], field, "{body}");
    assert_eq!(errors[0]["code"], field_code, "{body}");
}

async fn usernames(app: &TestApp) -> Vec<String> {
    let (status, body) = app.get("/api/v1/users").await;
    assert_eq!(status, StatusCode::OK);
    body["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect()
}

async fn token_count(app: &TestApp) -> usize {
    let (status, body) = app.get("/api/v1/api-tokens").await;
    assert_eq!(status, StatusCode::OK);
    body["api_tokens"].as_array().unwrap().len()
}

async fn count(app: &TestApp, path: &str, key: &str) -> usize {
    let (status, body) = app.get(path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body[key].as_array().unwrap().len()
}

fn cursor_of(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

both_databases! {
    async fn a_login_name_with_nul_is_refused_not_a_server_error(app: TestApp) {
        for username in ["ad\u{0}min", "admin\u{1}"] {
            let res = app.client.post(format!("{}/api/v1/auth/login", app.base))
                .json(&json!({"username": username, "password": common::ADMIN_PASSWORD}))
                .send().await.unwrap();
            let (status, body) = common::read(res).await;
            assert_field(status, &body, "invalid_text", "username", "invalid_text");
        }
    }

    async fn a_display_name_with_a_control_character_creates_no_user(app: TestApp) {
        app.seed_catalogue().await;
        let user = |display: &str| json!({"username": "chi.ba", "password": "Very-Long-Pass-2023",
            "display_name": display, "role": "viewer", "org_unit": "VT-P8"});
        // NUL is refused by the body check; a line break or a bidi override by the field's own
        // single-line rule.
        for display in [NUL, "Chị Ba\nPhường 8", "Chị Ba\u{202E}8", "Chị\u{2028}Ba"] {
            let (status, body) = app.post("/api/v1/users", &user(display)).await;
            assert_field(status, &body, "invalid_text", "display_name", "invalid_text");
        }
        let (status, body) = app.post("/api/v1/users", &user(&"ă".repeat(121))).await;
        assert_field(status, &body, "invalid_name", "display_name", "invalid_name");
        let body = gql(&app, "mutation($d: String) { createUser(input: {username: \"chi.ba\", \
            password: \"Very-Long-Pass-2023\", displayName: $d, role: \"viewer\", orgUnit: \"VT-P8\"}) { id } }",
            json!({"d": NUL})).await;
        assert_eq!(gql_code(&body), "invalid_text");
        assert_eq!(body["errors"][0]["extensions"]["errors"][0]["field"], "display_name", "{body}");
        assert_eq!(usernames(&app).await, ["admin"], "nothing stored");

        let (status, body) = app.post("/api/v1/users", &user("  Chị Ba  ")).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["display_name"], "Chị Ba");
    }

    async fn a_token_name_with_a_control_character_creates_no_token(app: TestApp) {
        app.seed_catalogue().await;
        for name in [NUL, "p8\tsystem", "p8\u{85}system"] {
            let (status, body) = app.post("/api/v1/api-tokens",
                &json!({"name": name, "org_unit": "VT-P8", "scopes": ["data:read"]})).await;
            assert_field(status, &body, "invalid_text", "name", "invalid_text");
        }
        for name in [NUL, "\u{202E}metsys-8p"] {
            let body = gql(&app, "mutation($n: String!) { createApiToken(input: {name: $n, orgUnit: \"VT-P8\", \
                scopes: [\"data:read\"]}) { secret } }", json!({"n": name})).await;
            assert_eq!(gql_code(&body), "invalid_text");
        }
        assert_eq!(token_count(&app).await, 0, "nothing stored");
    }

    async fn the_org_unit_search_refuses_control_characters(app: TestApp) {
        app.seed_catalogue().await;
        for q in ["Ph%C6%B0%E1%BB%9Dng%008", "a%01", "Ph%C6%B0%E1%BB%9Dng%098", "a%E2%80%A8b"] {
            let (status, body) = app.get(&format!("/api/v1/org-units?q={q}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
            assert_eq!(body["code"], "invalid_text", "{q}");
        }
        let (status, body) = app.get(&format!("/api/v1/org-units?q={}", "a".repeat(501))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_text")));
        let query = "query($q: String) { orgUnits(q: $q) { nodes { code } } }";
        for q in [NUL, "Phường\n8", "Phường\u{202D}8"] {
            assert_eq!(gql_code(&gql(&app, query, json!({"q": q})).await), "invalid_text", "{q:?}");
        }
        // Ordinary search text still works.
        let (_, body) = app.get("/api/v1/org-units?q=phuong%208").await;
        assert_eq!(body["org_units"][0]["code"], "VT-P8");
        let body = gql(&app, query, json!({"q": "PHƯỜNG 8"})).await;
        assert_eq!(body["data"]["orgUnits"]["nodes"][0]["code"], "VT-P8", "{body}");
    }

    async fn metadata_names_and_labels_are_single_line_text(app: TestApp) {
        app.seed_catalogue().await;
        let units = count(&app, "/api/v1/org-units?limit=100", "org_units").await;
        let elements = count(&app, "/api/v1/data-elements", "data_elements").await;
        let targets = count(&app, "/api/v1/targets", "targets").await;

        let unit = |name: &str| json!({"org_units": [{"code": "VT-P9", "name": name, "parent": "VT", "kind": "ward"}]});
        let (status, body) = app.post("/api/v1/metadata", &unit(NUL)).await;
        assert_field(status, &body, "invalid_text", "org_units[0].name", "invalid_text");
        let (status, body) = app.post("/api/v1/metadata", &unit("Phường\n9")).await;
        assert_field(status, &body, "invalid_metadata", "org_units[0].name", "invalid_text");
        let element = json!({"data_elements": [{"code": "DOC_X", "name": "Văn bản\u{2029}đi",
            "value_type": "integer", "aggregation": "sum"}]});
        let (status, body) = app.post("/api/v1/metadata", &element).await;
        assert_field(status, &body, "invalid_metadata", "data_elements[0].name", "invalid_text");
        let target = |label: &str| json!({"targets": [{"indicator": "DOC_SW_RATE", "org_unit": "VT-P8",
            "period": "2023", "operator": ">=", "value": 80, "label": label}]});
        let (status, body) = app.post("/api/v1/metadata", &target(NUL)).await;
        assert_field(status, &body, "invalid_text", "targets[0].label", "invalid_text");
        let (status, body) = app.post("/api/v1/metadata", &target("ward\u{7}")).await;
        assert_field(status, &body, "invalid_text", "targets[0].label", "invalid_text");
        let (status, body) = app.post("/api/v1/metadata", &target("ward\u{202E}")).await;
        assert_field(status, &body, "invalid_text", "targets[0].label", "invalid_text");
        let (status, body) = app.post("/api/v1/metadata", &target("ward\tcity")).await;
        assert_field(status, &body, "invalid_metadata", "targets[0].label", "invalid_text");
        // GraphQL reaches the same parser.
        let body = gql(&app, "mutation($b: JSON!) { importMetadata(bundle: $b) { created } }",
            json!({"b": unit(NUL)})).await;
        assert_eq!(gql_code(&body), "invalid_metadata", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["errors"][0]["field"], "org_units[0].name", "{body}");
        assert_eq!(body["errors"][0]["extensions"]["errors"][0]["code"], "invalid_text", "{body}");

        assert_eq!(count(&app, "/api/v1/org-units?limit=100", "org_units").await, units, "nothing stored");
        assert_eq!(count(&app, "/api/v1/data-elements", "data_elements").await, elements);
        assert_eq!(count(&app, "/api/v1/targets", "targets").await, targets);
    }

    async fn text_figures_comments_and_csv_cells_with_control_characters_are_row_conflicts(app: TestApp) {
        app.seed_catalogue().await;
        let set = |value: Value, comment: Option<&str>| json!({"org_unit": "VT-P8", "period": "2023-09",
            "data_values": [{"data_element": "NOTE", "value": value, "comment": comment},
                            {"data_element": "DOC_OUT_SW", "value": 12}]});
        for (body, code) in [
            (set(json!(NUL), None), "invalid_value"),
            (set(json!("Ghi chú\u{1B}[31m"), None), "invalid_value"),
            (set(json!("Ghi chú"), Some(NUL)), "invalid_comment"),
            (set(json!("Ghi chú"), Some("x\u{7F}")), "invalid_comment"),
        ] {
            let (status, answer) = app.post("/api/v1/data-value-sets", &body).await;
            assert_eq!(status, StatusCode::CONFLICT, "{answer}");
            assert_eq!(answer["status"], "error");
            assert_eq!(answer["conflicts"][0]["code"], code, "{answer}");
            assert_eq!(answer["conflicts"][0]["index"], 0, "{answer}");
        }
        let csv = "data_element,period,org_unit,value,comment\nDOC_OUT_SW,2023-09,VT-P8,12,\nNOTE,2023-09,VT-P8,Ghi\u{0}chú,\n";
        let (status, answer) = app.post_csv("/api/v1/data-value-sets", csv).await;
        assert_eq!(status, StatusCode::CONFLICT, "{answer}");
        assert_eq!(answer["conflicts"][0]["code"], "invalid_value", "{answer}");
        assert_eq!(answer["conflicts"][0]["index"], 1, "{answer}");
        let csv = "data_element,period,org_unit,value,comment\nDOC_OUT_SW,2023-09,VT-P8,12,a\u{0}b\n";
        let (status, answer) = app.post_csv("/api/v1/data-value-sets", csv).await;
        assert_eq!((status, answer["conflicts"][0]["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_comment")));
        let body = gql(&app, "mutation($c: String) { submitDataValues(input: {orgUnit: \"VT-P8\", period: \"2023-09\", \
            dataValues: [{dataElement: \"DOC_OUT_SW\", value: 12, comment: $c}]}) { status conflicts { code } } }",
            json!({"c": NUL})).await;
        assert_eq!(body["data"]["submitDataValues"]["status"], "error", "{body}");
        assert_eq!(body["data"]["submitDataValues"]["conflicts"][0]["code"], "invalid_comment");
        assert!(app.values("org_unit=VT-P8").await.is_empty(), "nothing stored");

        // Multi-line text keeps tab and line breaks.
        let text = "dòng 1\r\ndòng 2\tcột";
        let (status, answer) = app.post("/api/v1/data-value-sets", &set(json!(text), Some("a\nb"))).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let stored = app.values("org_unit=VT-P8&data_element=NOTE").await;
        assert_eq!(stored[0]["value"], text);
        assert_eq!(stored[0]["comment"], "a\nb");
    }

    async fn urls_and_cursors_with_control_characters_are_refused_up_front(app: TestApp) {
        app.seed_catalogue().await;
        for path in [
            "/api/v1/org-units/VT%00",
            "/api/v1/org-units/VT%0A",
            "/api/v1/org-units?parent=VT%00",
            "/api/v1/data-values?org_unit=VT-P8&period=2023%00",
            "/api/v1/data-values?org_unit=VT-P8%0D",
            "/api/v1/attainment?org_unit=VT&period=2023%00",
            "/api/v1/aggregates?org_unit=VT&period=2023&data_element=DOC_OUT_SW%00",
            "/api/v1/indicators?group=digital%00",
            "/api/v1/targets?org_unit=VT%09",
            "/api/v1/metadata?dry_run=true%00",
        ] {
            let res = app.req(if path.contains("metadata") { Method::POST } else { Method::GET }, path)
                .json(&json!({})).send().await.unwrap();
            let (status, body) = common::read(res).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
            assert_eq!(body["code"], "invalid_text", "{path}");
        }
        let forged = cursor_of("a\u{0}b");
        for path in ["/api/v1/users", "/api/v1/data-elements", "/api/v1/indicators", "/api/v1/validation-rules"] {
            let (status, body) = app.get(&format!("{path}?cursor={forged}")).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_cursor")), "{path}");
        }
        let (status, body) = app.get(&format!("/api/v1/org-units?cursor={}", cursor_of("1:a\u{0}"))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_cursor")));
        let body = gql(&app, "query($a: String) { users(after: $a) { nodes { username } } }", json!({"a": forged})).await;
        assert_eq!(gql_code(&body), "invalid_cursor");
        let body = gql(&app, "query($a: String) { dataElements(after: $a) { nodes { code } } }", json!({"a": forged})).await;
        assert_eq!(gql_code(&body), "invalid_cursor");
        let body = gql(&app, "query($g: String) { indicators(group: $g) { nodes { code } } }", json!({"g": "a\u{0}"})).await;
        assert_eq!(gql_code(&body), "invalid_code");
        let body = gql(&app, "query($g: String, $i: [String!]!) { attainment(orgUnit: \"VT\", period: \"2023\", group: $g, indicators: $i) { indicator } }",
            json!({"g": null, "i": ["DOC\u{0}"]})).await;
        assert_eq!(gql_code(&body), "invalid_code");
    }
}
