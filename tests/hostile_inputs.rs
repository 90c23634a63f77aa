//! What a hostile caller sends at the edge, sent for real: invented HTTP methods, a CSV of
//! millions of one-character lines, a JSON set over the value limit, and a ward reading the
//! targets of the unit beside it. Each answer is checked, and so is what it cost the server
//! (the server runs in this test process, so its memory is this process's memory).
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Tests that measure this process's memory take turns, so one does not see another's.
static MEASURED: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"));
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap()
}

/// Runs `f` and returns its result with how far this process's resident memory rose above
/// where it stood before (the peak, reset first), in MiB.
async fn peak_growth_mib<T>(f: impl std::future::Future<Output = T>) -> (T, u64) {
    // Writing 5 to clear_refs resets the peak resident size (VmHWM) to the current one.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_kib("VmRSS:");
    let out = f.await;
    let peak = status_kib("VmHWM:");
    let growth = peak.saturating_sub(before) / 1024;
    eprintln!("resident memory rose by at most {growth} MiB");
    (out, growth)
}

async fn metrics_text(app: &common::TestApp) -> String {
    let res = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

/// A method name of `len` random capital letters (a valid HTTP token no server knows).
fn invented_method(len: usize) -> Method {
    let mut rng = rand::rng();
    let name: String = (0..len)
        .map(|_| char::from(rng.random_range(b'A'..=b'Z')))
        .collect();
    Method::from_bytes(name.as_bytes()).unwrap()
}

mod invented_methods {
    use super::*;

    both_databases! {
        async fn invented_methods_are_refused_as_problem_json_and_leave_metrics_bounded(app: TestApp) {
            let _turn = MEASURED.lock().await;
            // Warm every series the attack could touch.
            for path in ["/api/v1/org-units", "/no/such/route"] {
                let res = app.req(invented_method(8), path).send().await.unwrap();
                common::read(res).await;
            }
            let before = metrics_text(&app).await.len();
            for i in 0..40 {
                let path = if i % 2 == 0 { "/api/v1/org-units" } else { "/no/such/route" };
                let res = app.req(invented_method(300_000), path).send().await.unwrap();
                let (status, body) = common::read(res).await;
                let expected = if i % 2 == 0 {
                    (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
                } else {
                    (StatusCode::NOT_FOUND, "not_found")
                };
                assert_eq!((status, body["code"].as_str().unwrap()), expected, "{body:.300}");
                assert!(body.to_string().len() < 2_000, "the answer does not echo the method");
            }
            let text = metrics_text(&app).await;
            assert!(
                text.len() < before + 2_048,
                "/metrics grew from {before} to {} bytes",
                text.len()
            );
            assert!(text.contains("method=\"other\",route=\"unmatched\",status=\"404\""), "{text}");
        }
    }
}

mod oversized_sets {
    use super::*;

    /// The CSV header followed by one-character lines, up to the 16 MiB body limit.
    fn one_character_lines() -> String {
        let header = "data_element,period,org_unit,value,comment\n";
        let lines = (16 * 1024 * 1024 - header.len()) / 2;
        let mut body = String::with_capacity(header.len() + lines * 2);
        body.push_str(header);
        for _ in 0..lines {
            body.push_str("a\n");
        }
        body
    }

    both_databases! {
        async fn a_csv_of_millions_of_one_character_lines_is_refused_at_the_row_limit(app: TestApp) {
            app.seed_catalogue().await;
            let _turn = MEASURED.lock().await;
            let body = one_character_lines();
            assert!(body.len() <= 16 * 1024 * 1024 && body.lines().count() > 8_000_000);
            let started = Instant::now();
            let ((status, answer), growth) = peak_growth_mib(async {
                let res = app
                    .req(Method::POST, "/api/v1/data-value-sets")
                    .header("content-type", "text/csv")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                common::read(res).await
            })
            .await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
            assert_eq!(answer["code"], "payload_too_large");
            assert!(started.elapsed() < Duration::from_secs(30), "answered in {:?}", started.elapsed());
            assert!(growth < 200, "the server's memory rose by {growth} MiB");
            assert!(app.values("org_unit=VT&children=true").await.is_empty());
        }

        async fn a_json_set_over_the_value_limit_is_refused_without_being_built(app: TestApp) {
            app.seed_catalogue().await;
            let _turn = MEASURED.lock().await;
            // The smallest entries that parse: 20 bytes each, about 800 000 of them.
            let entry = r#"{"data_element":""},"#;
            let count = (16 * 1024 * 1024 - 100) / entry.len();
            let mut body = String::with_capacity(16 * 1024 * 1024);
            body.push_str(r#"{"org_unit":"VT-P1","period":"2023","data_values":["#);
            for _ in 0..count - 1 {
                body.push_str(entry);
            }
            body.push_str(r#"{"data_element":""}]}"#);
            let ((status, answer), growth) = peak_growth_mib(async {
                let res = app
                    .req(Method::POST, "/api/v1/data-value-sets")
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                common::read(res).await
            })
            .await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
            assert_eq!(answer["code"], "payload_too_large");
            assert!(answer["detail"].as_str().unwrap().contains(&count.to_string()), "{answer}");
            assert!(growth < 200, "the server's memory rose by {growth} MiB");

            // One value over the limit is refused; exactly the limit is read (and checked).
            let values = |n: usize| -> Value {
                json!({"org_unit": "VT-P1", "period": "2023",
                       "data_values": vec![json!({"data_element": "NOPE", "value": 1}); n]})
            };
            let (status, answer) = app.post("/api/v1/data-value-sets", &values(100_001)).await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
            let (status, answer) = app.post("/api/v1/data-value-sets", &values(100_000)).await;
            assert_eq!(status, StatusCode::CONFLICT, "{answer:.300}");
            assert_eq!(answer["conflicts"].as_array().unwrap().len(), 100_000);
            assert!(app.values("org_unit=VT&children=true").await.is_empty());
        }

        async fn csv_cells_longer_than_any_valid_one_refuse_their_row(app: TestApp) {
            app.seed_catalogue().await;
            let long_comment = "ý".repeat(20_000);
            let csv = format!(
                "data_element,period,org_unit,value,comment\n\
                 DOC_OUT_SW,2023,VT-P1,12,\n\
                 DOC_IN_SW,2023,VT-P1,3,{long_comment}\n\
                 {},2023,VT-P1,4,\n",
                "X".repeat(100_000)
            );
            let (status, answer) = app.post_csv("/api/v1/data-value-sets", &csv).await;
            assert_eq!(status, StatusCode::CONFLICT, "{answer:.500}");
            let conflicts: Vec<u64> = answer["conflicts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["index"].as_u64().unwrap())
                .collect();
            assert_eq!(conflicts, [1, 2], "{answer:.500}");
            assert!(answer.to_string().len() < 4_000, "no cell is echoed whole");
            assert!(app.values("org_unit=VT-P1").await.is_empty());
        }
    }
}

mod target_scope {
    use super::*;

    fn authorities(targets: &[Value], key: &str) -> Vec<String> {
        let mut out: Vec<String> = targets
            .iter()
            .map(|t| t[key].as_str().unwrap().to_owned())
            .collect();
        out.sort();
        out
    }

    both_databases! {
        async fn a_ward_sees_the_targets_that_apply_to_it_never_those_beside_it(app: TestApp) {
            app.seed_catalogue().await;
            let target = |unit: &str| json!({"indicator": "DOC_SW_RATE", "org_unit": unit,
                "period": "2023", "operator": ">=", "value": 95, "label": unit});
            let (status, body) = app.post("/api/v1/metadata", &json!({"targets": [
                target("BRVT"), target("VT-P1"), target("VT-P8"), target("VT-UBND")]})).await;
            assert_eq!(status, StatusCode::OK, "{body}");

            let (status, created) = app.post("/api/v1/users", &json!({"username": "p8-viewer",
                "password": "Một-mật-khẩu-dài", "role": "viewer", "org_unit": "VT-P8"})).await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            let user = app.login("p8-viewer", "Một-mật-khẩu-dài").await;
            let (status, created) = app.post("/api/v1/api-tokens", &json!({"name": "p8-system",
                "org_unit": "VT-P8", "scopes": ["data:read"]})).await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            let token = created["token"].as_str().unwrap().to_owned();

            let applying = ["BRVT", "VN", "VT", "VT-P8"];
            for bearer in [&user, &token] {
                let (status, body) = common::as_bearer(&app, bearer, Method::GET, "/api/v1/targets", None).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                assert_eq!(authorities(body["targets"].as_array().unwrap(), "org_unit"), applying);

                let (status, body) = common::as_bearer(&app, bearer, Method::GET, "/api/v1/targets?org_unit=VN", None).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                assert_eq!(authorities(body["targets"].as_array().unwrap(), "org_unit"), ["VN"]);
                for sibling in ["VT-P1", "VT-UBND"] {
                    let (status, body) = common::as_bearer(&app, bearer, Method::GET,
                        &format!("/api/v1/targets?org_unit={sibling}"), None).await;
                    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
                    assert_eq!(body["code"], "unknown_org_unit");
                }

                let graphql = |query: &'static str| {
                    let req = app.client.post(format!("{}/graphql", app.base)).bearer_auth(bearer);
                    async move { req.json(&json!({"query": query})).send().await.unwrap().json::<Value>().await.unwrap() }
                };
                let body = graphql("{ targets { nodes { orgUnit } } }").await;
                assert_eq!(authorities(body["data"]["targets"]["nodes"].as_array().unwrap(), "orgUnit"), applying, "{body}");
                let body = graphql("{ targets(orgUnit: \"VT-P1\") { nodes { orgUnit } } }").await;
                assert_eq!(body["errors"][0]["extensions"]["code"], "unknown_org_unit", "{body}");
            }

            // The city sees its own subtree's targets and those above it; an admin sees all.
            let (status, created) = app.post("/api/v1/users", &json!({"username": "vt-viewer",
                "password": "Một-mật-khẩu-dài", "role": "viewer", "org_unit": "VT"})).await;
            assert_eq!(status, StatusCode::CREATED, "{created}");
            let city = app.login("vt-viewer", "Một-mật-khẩu-dài").await;
            let (_, body) = common::as_bearer(&app, &city, Method::GET, "/api/v1/targets", None).await;
            assert_eq!(authorities(body["targets"].as_array().unwrap(), "org_unit"),
                ["BRVT", "VN", "VT", "VT-P1", "VT-P8", "VT-UBND"]);
            let (_, body) = app.get("/api/v1/targets").await;
            assert_eq!(body["targets"].as_array().unwrap().len(), 6);
        }
    }
}
