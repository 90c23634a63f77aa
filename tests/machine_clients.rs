//! What the machines written by other teams rely on: a province's nightly pull (full, then
//! incremental with deletions, then 304), a ward's retried submission under an
//! Idempotency-Key, ETags on the reports, the per-token rate limit, `/metrics` and `/docs`.
#![allow(clippy::unwrap_used)]

mod common;

use std::{collections::BTreeMap, time::Duration};

use reqwest::{Method, Response, StatusCode, header};
use serde_json::{Value, json};

const NEXT: &str = "chitieu-next-updated-since";

async fn api_token(app: &common::TestApp, name: &str, unit: &str, scopes: &[&str]) -> String {
    let (status, created) = app
        .post(
            "/api/v1/api-tokens",
            &json!({"name": name, "org_unit": unit, "scopes": scopes}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["token"].as_str().unwrap().to_owned()
}

async fn send(
    app: &common::TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
    extra: &[(&str, &str)],
) -> Response {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(b);
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

fn header_of(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

/// A pulled page: its rows, cursor and next `updated_since`.
struct Page {
    rows: Vec<Value>,
    cursor: Option<String>,
    next_since: Option<String>,
    etag: String,
}

async fn pull_page(app: &common::TestApp, token: &str, query: &str) -> Page {
    let res = send(
        app,
        token,
        Method::GET,
        &format!("/api/v1/data-values?{query}"),
        None,
        &[],
    )
    .await;
    let next_since = header_of(&res, NEXT);
    let etag = header_of(&res, "etag");
    let (status, body) = common::read(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let etag = etag.expect("a pulled page carries an ETag");
    Page {
        rows: body["data_values"].as_array().unwrap().clone(),
        cursor: body["next_cursor"].as_str().map(str::to_owned),
        next_since,
        etag,
    }
}

/// Pulls every page of `query` (2 rows a page); returns the rows and the next `updated_since`.
async fn pull_all(app: &common::TestApp, token: &str, query: &str) -> (Vec<Value>, String) {
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("{query}&limit=2&cursor={c}"),
            None => format!("{query}&limit=2"),
        };
        let page = pull_page(app, token, &q).await;
        rows.extend(page.rows);
        match page.cursor {
            Some(c) => {
                assert!(
                    page.next_since.is_none(),
                    "only the last page says where to go on"
                );
                cursor = Some(c);
            }
            None => {
                return (
                    rows,
                    page.next_since.expect("the last page says where to go on"),
                );
            }
        }
    }
}

fn key(row: &Value) -> (String, String, String) {
    (
        row["org_unit"].as_str().unwrap().to_owned(),
        row["data_element"].as_str().unwrap().to_owned(),
        row["period"].as_str().unwrap().to_owned(),
    )
}

/// What a province keeps: applying a pull's rows in order, deletions included.
fn apply(mirror: &mut BTreeMap<(String, String, String), Value>, rows: &[Value]) {
    for row in rows {
        if row["deleted"] == json!(true) {
            mirror.remove(&key(row));
        } else {
            mirror.insert(key(row), row["value"].clone());
        }
    }
}

fn nine_months(unit: &str, values: Value) -> Value {
    json!({"org_unit": unit, "period": "2023-01/2023-09", "data_values": values})
}

mod nightly_pull {
    use super::*;

    both_databases! {
        config = |c| c.request_timeout = Duration::from_secs(2);

        async fn a_provinces_nightly_pull_gets_everything_then_only_the_changes_then_304(app: TestApp) {
            app.seed_catalogue().await;
            let ward = api_token(&app, "p1-ward-system", "VT-P1", &["data:write"]).await;
            let province = api_token(&app, "brvt-nightly", "BRVT", &["data:read"]).await;
            let res = send(&app, &ward, Method::POST, "/api/v1/data-value-sets", Some(&nine_months("VT-P1", json!([
                {"data_element": "DOC_OUT_SW", "value": 1582},
                {"data_element": "DOC_IN_SW", "value": 2301},
                {"data_element": "NOTE", "value": "đã kiểm tra"}
            ]))), &[]).await;
            assert_eq!(res.status(), StatusCode::OK);
            let (status, body) = app.post("/api/v1/data-value-sets", &nine_months("VT-P8", json!([
                {"data_element": "DOC_OUT_SW", "value": 7102}
            ]))).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            // The next pull starts one request timeout (2 s here) plus a second before this one
            // begins: wait until that is past the last figure's time, so the first night's
            // figures are not sent twice.
            let last_write = app.values("org_unit=BRVT&children=true").await.iter()
                .map(|v| chrono::DateTime::parse_from_rfc3339(v["updated_at"].as_str().unwrap()).unwrap())
                .max()
                .unwrap();
            let lag = chrono::Duration::seconds(3);
            common::wait_until("the pull's look-back to clear the last write", Duration::from_secs(10), || async {
                chrono::Utc::now() > last_write + lag
            })
            .await;

            // Night 1: everything, page by page.
            let (rows, since) = pull_all(&app, &province, "org_unit=BRVT&children=true").await;
            assert_eq!(rows.len(), 4);
            assert!(rows.iter().all(|r| r.get("deleted").is_none()));
            let mut mirror = BTreeMap::new();
            apply(&mut mirror, &rows);

            // During the day: the ward corrects one figure, deletes one, and the city adds one.
            let res = send(&app, &ward, Method::POST, "/api/v1/data-value-sets", Some(&nine_months("VT-P1", json!([
                {"data_element": "DOC_OUT_SW", "value": 1600},
                {"data_element": "DOC_IN_SW", "value": null}
            ]))), &[]).await;
            assert_eq!(res.status(), StatusCode::OK);
            let (status, body) = app.post("/api/v1/data-value-sets", &nine_months("VT-P8", json!([
                {"data_element": "DOC_IN_SW", "value": 7171}
            ]))).await;
            assert_eq!(status, StatusCode::OK, "{body}");

            // Night 2: only the three changes, in the order they were made, the deletion marked.
            let query = format!("org_unit=BRVT&children=true&updated_since={}", since.replace('+', "%2B"));
            let (changes, _) = pull_all(&app, &province, &query).await;
            let summary: Vec<(String, String, Value, Option<Value>)> = changes
                .iter()
                .map(|r| (r["org_unit"].as_str().unwrap().into(), r["data_element"].as_str().unwrap().into(), r["value"].clone(), r.get("deleted").cloned()))
                .collect();
            assert_eq!(summary, vec![
                ("VT-P1".into(), "DOC_OUT_SW".into(), json!(1600), None),
                ("VT-P1".into(), "DOC_IN_SW".into(), Value::Null, Some(json!(true))),
                ("VT-P8".into(), "DOC_IN_SW".into(), json!(7171), None),
            ]);
            assert_eq!(changes[1]["updated_by"], "token:p1-ward-system");
            assert_eq!(changes[1]["period"], "2023-01/2023-09");
            apply(&mut mirror, &changes);

            // The province's copy now equals what is stored.
            let (now, _) = pull_all(&app, &province, "org_unit=BRVT&children=true").await;
            let mut fresh = BTreeMap::new();
            apply(&mut fresh, &now);
            assert_eq!(mirror, fresh);

            // Pulling again with the tag it already has: 304, no body, and still where to go on.
            let page = pull_page(&app, &province, &query).await;
            let res = send(&app, &province, Method::GET, &format!("/api/v1/data-values?{query}"), None,
                &[("if-none-match", &page.etag)]).await;
            assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
            assert_eq!(header_of(&res, "etag"), Some(page.etag.clone()));
            assert!(header_of(&res, NEXT).is_some());
            assert!(res.text().await.unwrap().is_empty());
        }
    }
}

mod machines {
    use super::*;

    both_databases! {
        async fn an_incremental_pull_pages_through_changes_and_refuses_foreign_cursors(app: TestApp) {
            app.seed_catalogue().await;
            for (i, unit) in ["VT-P1", "VT-P8", "VT-UBND"].iter().enumerate() {
                let (status, body) = app.post("/api/v1/data-value-sets", &nine_months(unit, json!([
                    {"data_element": "DOC_OUT_SW", "value": i}, {"data_element": "DOC_IN_SW", "value": i}
                ]))).await;
                assert_eq!(status, StatusCode::OK, "{body}");
            }
            let (status, body) = app.post("/api/v1/data-value-sets", &nine_months("VT-P8", json!([
                {"data_element": "DOC_IN_SW", "value": null}
            ]))).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let since = "2000-01-01T00:00:00Z";
            let (rows, next) = pull_all(&app, &app.token, &format!("updated_since={since}")).await;
            // Five figures still stored and one deletion marker, none lost or repeated across
            // pages of two.
            assert_eq!(rows.len(), 6);
            assert_eq!(rows.iter().filter(|r| r["deleted"] == json!(true)).count(), 1);
            assert_eq!(rows.last().unwrap()["deleted"], json!(true));
            let times: Vec<&str> = rows.iter().map(|r| r["updated_at"].as_str().unwrap()).collect();
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "changes come in the order they were made");
            assert!(next.as_str() > since);

            // A cursor of a full pull does not fit an incremental one, and garbage is refused.
            let full = pull_page(&app, &app.token, "limit=1").await;
            let (status, body) = app.get(&format!("/api/v1/data-values?updated_since={since}&cursor={}", full.cursor.unwrap())).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_cursor")));
            let (status, body) = app.get("/api/v1/data-values?updated_since=yesterday").await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_timestamp")));
            let (status, body) = app.get("/api/v1/data-values?limit=10001").await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_limit")));
        }

        async fn a_ward_systems_retries_under_one_idempotency_key_store_the_set_once(app: TestApp) {
            app.seed_catalogue().await;
            let ward = api_token(&app, "p1-ward-system", "VT-P1", &["data:read", "data:write"]).await;
            let set = nine_months("VT-P1", json!([
                {"data_element": "PAY_TX_TOTAL", "value": 100}, {"data_element": "PAY_TX_OK", "value": 120}
            ]));
            let key = [("idempotency-key", "vt-p1-2023-9m-run-1")];
            let first = send(&app, &ward, Method::POST, "/api/v1/data-value-sets", Some(&set), &key).await;
            assert!(header_of(&first, "idempotent-replayed").is_none());
            let (status, first) = common::read(first).await;
            assert_eq!(status, StatusCode::OK, "{first}");
            assert_eq!((first["status"].as_str(), first["imported"].as_u64()), (Some("warning"), Some(2)));
            let stored = pull_page(&app, &ward, "org_unit=VT-P1").await.rows;

            // The answer was lost; the system retries twice with the same key.
            for _ in 0..2 {
                let again = send(&app, &ward, Method::POST, "/api/v1/data-value-sets", Some(&set), &key).await;
                assert_eq!(header_of(&again, "idempotent-replayed").as_deref(), Some("true"));
                let (status, body) = common::read(again).await;
                assert_eq!((status, &body), (StatusCode::OK, &first));
            }
            assert_eq!(pull_page(&app, &ward, "org_unit=VT-P1").await.rows, stored, "nothing applied twice");
            let (_, audit) = app.get("/api/v1/audit").await;
            let writes = audit["events"].as_array().map_or(0, |e| e.iter().filter(|e| e["action"] == "data_values.write").count());
            assert_eq!(writes, 1);

            // A changed body under the same key is refused, and stores nothing.
            let other = nine_months("VT-P1", json!([{"data_element": "PAY_TX_OK", "value": 90}]));
            let res = send(&app, &ward, Method::POST, "/api/v1/data-value-sets", Some(&other), &key).await;
            let (status, body) = common::read(res).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("idempotency_key_reused")));
            assert_eq!(pull_page(&app, &ward, "org_unit=VT-P1").await.rows, stored);
        }

        async fn aggregates_and_attainment_answer_304_until_a_figure_changes(app: TestApp) {
            app.seed_catalogue().await;
            let (status, body) = app.post("/api/v1/data-value-sets", &nine_months("VT-P1", json!([
                {"data_element": "DOC_OUT_SW", "value": 90}, {"data_element": "DOC_OUT_PAPER", "value": 10}
            ]))).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let paths = [
                "/api/v1/attainment?org_unit=VT&period=2023-01/2023-09&breakdown=children",
                "/api/v1/aggregates?data_element=DOC_OUT_SW&org_unit=VT&period=2023",
            ];
            let mut tags = Vec::new();
            for path in paths {
                let res = send(&app, &app.token, Method::GET, path, None, &[]).await;
                assert_eq!(res.status(), StatusCode::OK);
                let tag = header_of(&res, "etag").unwrap();
                assert!(tag.starts_with('"') && !tag.starts_with("W/"), "a strong tag: {tag}");
                let res = send(&app, &app.token, Method::GET, path, None, &[("if-none-match", &tag)]).await;
                assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{path}");
                assert!(res.headers().get(header::CONTENT_TYPE).is_none());
                assert!(res.bytes().await.unwrap().is_empty());
                // A list of tags, or a weak form of the tag, matches too; another tag does not.
                let res = send(&app, &app.token, Method::GET, path, None, &[("if-none-match", &format!("\"x\", W/{tag}"))]).await;
                assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
                let res = send(&app, &app.token, Method::GET, path, None, &[("if-none-match", "\"x\"")]).await;
                assert_eq!(res.status(), StatusCode::OK);
                tags.push(tag);
            }
            // The CSV form of attainment is another representation, with another tag.
            let csv = send(&app, &app.token, Method::GET, paths[0], None, &[("accept", "text/csv")]).await;
            assert_ne!(header_of(&csv, "etag").as_ref(), Some(&tags[0]));

            let (status, body) = app.post("/api/v1/data-value-sets", &nine_months("VT-P8", json!([
                {"data_element": "DOC_OUT_SW", "value": 5}
            ]))).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            for (path, tag) in paths.iter().zip(&tags) {
                let res = send(&app, &app.token, Method::GET, path, None, &[("if-none-match", tag)]).await;
                assert_eq!(res.status(), StatusCode::OK, "{path} changed");
                assert_ne!(header_of(&res, "etag").as_ref(), Some(tag));
            }
        }

        async fn bodies_that_are_not_json_objects_and_empty_cursors_are_refused(app: TestApp) {
            app.seed_catalogue().await;
            // serde would read a struct from an array of its fields; the API does not.
            let res = send(&app, &app.token, Method::PATCH, "/api/v1/users/1", Some(&json!([null, null])), &[]).await;
            let (status, body) = common::read(res).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")));
            let (status, body) = app.post("/api/v1/data-value-sets", &json!(["VT-P1", "2023", []])).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")));
            let (status, body) = app.post("/api/v1/metadata", &json!([])).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_body")));
            // Malformed JSON stays a 400.
            let res = app.req(Method::POST, "/api/v1/metadata").header("content-type", "application/json").body("[1,").send().await.unwrap();
            let (status, body) = common::read(res).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));
            for path in ["/api/v1/data-elements", "/api/v1/org-units", "/api/v1/data-values"] {
                let (status, body) = app.get(&format!("{path}?cursor=")).await;
                assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_cursor")), "{path}");
            }
        }

        async fn every_list_pages_by_cursor_up_to_ten_thousand_rows(app: TestApp) {
            app.seed_catalogue().await;
            for (i, unit) in ["VT-P1", "VT-P8"].iter().enumerate() {
                api_token(&app, &format!("system-{i}"), unit, &["data:read"]).await;
                let res = send(&app, &app.token, Method::POST, "/api/v1/users", Some(&json!({
                    "username": format!("viewer.{i}"), "password": "Một-mật-khẩu-dài", "role": "viewer", "org_unit": unit
                })), &[]).await;
                assert_eq!(res.status(), StatusCode::CREATED);
                let (status, body) = app.post("/api/v1/data-value-sets", &nine_months(unit, json!([
                    {"data_element": "DOC_OUT_SW", "value": 1}, {"data_element": "DOC_IN_SW", "value": 2}
                ]))).await;
                assert_eq!(status, StatusCode::OK, "{body}");
            }
            let lists = [
                ("/api/v1/org-units", "org_units"),
                ("/api/v1/data-elements", "data_elements"),
                ("/api/v1/indicators", "indicators"),
                ("/api/v1/targets", "targets"),
                ("/api/v1/validation-rules", "validation_rules"),
                ("/api/v1/users", "users"),
                ("/api/v1/api-tokens", "api_tokens"),
                ("/api/v1/audit", "events"),
                ("/api/v1/data-values", "data_values"),
            ];
            for (path, key) in lists {
                let (status, body) = app.get(&format!("{path}?limit=10001")).await;
                assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_limit")), "{path}");
                let (status, whole) = app.get(&format!("{path}?limit=10000")).await;
                assert_eq!(status, StatusCode::OK, "{path}");
                let whole = whole[key].as_array().unwrap().clone();
                assert!(!whole.is_empty(), "{path} has rows to page through");
                let mut paged = Vec::new();
                let mut cursor: Option<String> = None;
                loop {
                    let q = cursor.as_ref().map_or(String::new(), |c| format!("&cursor={c}"));
                    let (status, page) = app.get(&format!("{path}?limit=1{q}")).await;
                    assert_eq!(status, StatusCode::OK, "{path}: {page}");
                    paged.extend(page[key].as_array().unwrap().iter().cloned());
                    match page["next_cursor"].as_str() {
                        Some(c) => cursor = Some(c.to_owned()),
                        None => break,
                    }
                }
                assert_eq!(paged, whole, "{path}: pages of one add up to the whole list");
            }
        }

        async fn metrics_count_requests_by_route_template_and_hold_no_figures(app: TestApp) {
            app.seed_catalogue().await;
            let (status, body) = app.post("/api/v1/data-value-sets", &nine_months("VT-P1", json!([
                {"data_element": "DOC_OUT_SW", "value": 987_654}
            ]))).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            for _ in 0..2 {
                assert_eq!(app.get("/api/v1/org-units/VT-P1").await.0, StatusCode::OK);
            }
            assert_eq!(app.get("/api/v1/org-units/NOPE").await.0, StatusCode::NOT_FOUND);
            assert_eq!(app.get("/no/such/route").await.0, StatusCode::NOT_FOUND);

            let res = app.client.get(format!("{}/metrics", app.base)).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "no token needed");
            assert!(header_of(&res, "content-type").unwrap().starts_with("text/plain; version=0.0.4"));
            let text = res.text().await.unwrap();
            for line in [
                "chitieu_http_requests_total{method=\"GET\",route=\"/api/v1/org-units/{code}\",status=\"200\"} 2\n",
                "chitieu_http_requests_total{method=\"GET\",route=\"/api/v1/org-units/{code}\",status=\"404\"} 1\n",
                "chitieu_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n",
                "chitieu_http_requests_total{method=\"POST\",route=\"/api/v1/data-value-sets\",status=\"200\"} 1\n",
                "chitieu_http_request_duration_seconds_count{route=\"/api/v1/org-units/{code}\"} 3\n",
                "chitieu_data_values_written_total{kind=\"imported\"} 1\n",
            ] {
                assert!(text.contains(line), "missing {line:?} in\n{text}");
            }
            assert!(!text.contains("987654") && !text.contains("VT-P1") && !text.contains("/no/such"));
        }

        async fn docs_and_the_served_spec_describe_every_route_with_its_shared_answers(app: TestApp) {
            let res = app.client.get(format!("{}/docs", app.base)).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert!(header_of(&res, "content-type").unwrap().starts_with("text/html"));
            let html = res.text().await.unwrap();
            assert!(html.contains("chitieu API") && html.contains(r#"data-openapi-url="/openapi.json""#));

            let res = app.client.get(format!("{}/openapi.json", app.base)).send().await.unwrap();
            let doc: Value = res.json().await.unwrap();
            assert_eq!(doc, serde_json::to_value(chitieu_api::openapi()).unwrap());
            for path in ["/healthz", "/readyz", "/metrics", "/docs", "/openapi.json"] {
                assert!(doc["paths"][path]["get"].is_object(), "{path} is documented");
            }
            for (path, item) in doc["paths"].as_object().unwrap() {
                for (method, op) in item.as_object().unwrap() {
                    let responses = op["responses"].as_object().unwrap();
                    if op.get("security").is_some() {
                        for status in ["401", "403", "429"] {
                            assert!(responses.contains_key(status), "{method} {path} declares {status}");
                        }
                    }
                    for (status, r) in responses {
                        assert!(r.get("$ref").is_some() || r["headers"]["x-request-id"].is_object(), "{method} {path} {status}: x-request-id");
                    }
                }
            }
            for path in ["/api/v1/data-values", "/api/v1/aggregates", "/api/v1/attainment"] {
                let op = &doc["paths"][path]["get"];
                assert!(op["responses"]["304"].is_object(), "{path} declares 304");
                assert!(op["responses"]["200"]["headers"]["ETag"].is_object(), "{path} declares ETag");
            }
        }
    }
}

mod rate_limit {
    use super::*;

    both_databases! {
        config = |c| c.rate_limit = chitieu_api::auth::RateLimit { per_minute: 3 };

        async fn a_token_over_its_rate_limit_gets_429_with_retry_after_while_others_go_on(app: TestApp) {
            app.seed_catalogue().await;
            let ward = api_token(&app, "p1-ward-system", "VT-P1", &["data:read"]).await;
            for _ in 0..3 {
                let res = send(&app, &ward, Method::GET, "/api/v1/data-values?org_unit=VT-P1", None, &[]).await;
                assert_eq!(res.status(), StatusCode::OK);
            }
            let res = send(&app, &ward, Method::GET, "/api/v1/data-values?org_unit=VT-P1", None, &[]).await;
            let retry_after: u64 = header_of(&res, "retry-after").expect("Retry-After").parse().unwrap();
            assert!((1..=20).contains(&retry_after), "{retry_after}");
            assert!(header_of(&res, "x-request-id").is_some());
            let (status, body) = common::read(res).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
            // The administrator has its own allowance (two of three used so far).
            assert_eq!(app.get("/api/v1/org-units/VT").await.0, StatusCode::OK);
            // The limit counts authenticated callers: a request without a token is refused for
            // that, not for the ward's exhausted allowance.
            let res = app.client.get(format!("{}/api/v1/data-values?org_unit=VT-P1", app.base)).send().await.unwrap();
            let (status, body) = common::read(res).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
        }
    }
}
