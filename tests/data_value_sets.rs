//! Submitting figures with `POST /api/v1/data-value-sets` and reading them back.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Sends a POST's headers announcing `length` bytes, and reads the answer.
async fn headers_only_post(app: &common::TestApp, path: &str, length: usize) -> (u16, Value) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\nExpect: 100-continue\r\n\r\n",
        app.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = stream.read(&mut chunk).await.unwrap();
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf);
        if let Some((headers, body)) = text.split_once("\r\n\r\n") {
            let length: usize = headers
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if body.len() >= length {
                let status = headers.split(' ').nth(1).unwrap().parse().unwrap();
                assert!(
                    headers
                        .to_ascii_lowercase()
                        .contains("application/problem+json"),
                    "{headers}"
                );
                return (status, serde_json::from_str(&body[..length]).unwrap());
            }
        }
    }
    panic!("no answer: {}", String::from_utf8_lossy(&buf));
}

fn p1_set() -> Value {
    json!({"org_unit": "VT-P1", "period": "2023-01/2023-09", "data_values": [
        {"data_element": "DOC_OUT_SW", "value": 1582},
        {"data_element": "DOC_IN_SW", "value": 4465},
        {"data_element": "DOC_OUT_PAPER", "value": 0},
        {"data_element": "DOC_IN_PAPER", "value": 0, "comment": "không có"}
    ]})
}

both_databases! {
    async fn a_ward_submits_its_figures_and_reads_them_back(app: TestApp) {
        app.seed_catalogue().await;
        let (status, body) = app.post("/api/v1/data-value-sets", &p1_set()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"status": "success", "dry_run": false, "imported": 4, "updated": 0,
            "unchanged": 0, "deleted": 0, "conflicts": [], "violations": []}));
        let values = app.values("org_unit=VT-P1&period=2023").await;
        assert_eq!(values.len(), 4);
        let out = values.iter().find(|v| v["data_element"] == "DOC_OUT_SW").unwrap();
        assert_eq!(out["value"], 1582);
        assert_eq!(out["period"], "2023-01/2023-09");
        assert_eq!(out["updated_by"], "admin");
        assert!(out["updated_at"].as_str().unwrap().ends_with('Z'));
        let paper = values.iter().find(|v| v["data_element"] == "DOC_IN_PAPER").unwrap();
        assert_eq!(paper["comment"], "không có");

        // Sending the same set again changes nothing; a changed figure is an update.
        let (_, again) = app.post("/api/v1/data-value-sets", &p1_set()).await;
        assert_eq!(again["unchanged"], 4);
        let (_, changed) = app.post("/api/v1/data-value-sets", &json!({"org_unit": "VT-P1", "period": "2023-01/2023-09",
            "data_values": [{"data_element": "DOC_OUT_SW", "value": 1600}]})).await;
        assert_eq!(changed["updated"], 1);
        assert_eq!(app.values("org_unit=VT-P1&data_element=DOC_OUT_SW").await[0]["value"], 1600);
    }

    async fn a_quarter_query_does_not_return_a_nine_month_figure(app: TestApp) {
        app.seed_catalogue().await;
        app.post("/api/v1/data-value-sets", &p1_set()).await;
        assert!(app.values("org_unit=VT-P1&period=2023Q3").await.is_empty());
        assert_eq!(app.values("org_unit=VT-P1&period=2023-01/2023-09").await.len(), 4);
        assert_eq!(app.values("org_unit=VT&children=true").await.len(), 4);
        assert!(app.values("org_unit=VT").await.is_empty());
    }

    async fn a_blank_is_absent_while_a_zero_is_stored_and_null_deletes(app: TestApp) {
        app.seed_catalogue().await;
        // Phường 2: "VB đi không trên phần mềm" is blank in the report, "VB đến" is 306.
        let (status, _) = app.post("/api/v1/data-value-sets", &json!({"org_unit": "VT-P8", "period": "2023-01/2023-09",
            "data_values": [{"data_element": "DOC_IN_PAPER", "value": 0}]})).await;
        assert_eq!(status, StatusCode::OK);
        let stored = app.values("org_unit=VT-P8").await;
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0]["value"], 0);
        assert!(stored.iter().all(|v| v["data_element"] != "DOC_OUT_PAPER"), "the blank was never stored");
        let (status, body) = app.post("/api/v1/data-value-sets", &json!({"org_unit": "VT-P8", "period": "2023-01/2023-09",
            "data_values": [{"data_element": "DOC_IN_PAPER", "value": null}]})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["deleted"], 1);
        assert!(app.values("org_unit=VT-P8").await.is_empty());
    }

    async fn one_bad_row_refuses_the_whole_set(app: TestApp) {
        app.seed_catalogue().await;
        let (status, body) = app.post("/api/v1/data-value-sets", &json!({"org_unit": "VT-P1", "period": "2023-01/2023-09",
            "data_values": [
                {"data_element": "DOC_OUT_SW", "value": 1582},
                {"data_element": "DOC_IN_SW", "value": 12.5},
                {"data_element": "DOC_OUT_PAPER", "value": "4.602"},
                {"data_element": "NOPE", "value": 1},
                {"data_element": "DOC_IN_PAPER", "value": 1, "org_unit": "VT-NOPE"},
                {"data_element": "DOC_IN_PAPER", "value": 1, "period": "2023Q5"},
                {"data_element": "HAS_SITE", "value": 1},
                {"data_element": "NOTE", "value": 5}
            ]})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["status"], "error");
        assert_eq!(body["imported"], 0);
        let codes: Vec<(u64, &str)> = body["conflicts"].as_array().unwrap().iter()
            .map(|c| (c["index"].as_u64().unwrap(), c["code"].as_str().unwrap())).collect();
        assert_eq!(codes, [(1, "invalid_value"), (2, "invalid_value"), (3, "unknown_data_element"),
            (4, "unknown_org_unit"), (5, "invalid_period"), (6, "invalid_value"), (7, "invalid_value")]);
        assert!(app.values("org_unit=VT-P1").await.is_empty(), "nothing stored");
    }

    async fn an_overlapping_period_is_refused_so_no_month_counts_twice(app: TestApp) {
        app.seed_catalogue().await;
        app.post("/api/v1/data-value-sets", &p1_set()).await;
        let (status, body) = app.post("/api/v1/data-value-sets", &json!({"org_unit": "VT-P1",
            "data_values": [{"data_element": "DOC_OUT_SW", "value": 200, "period": "2023-09"}]})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["conflicts"][0]["code"], "overlapping_period");
        assert_eq!(body["conflicts"][0]["index"], 0);
        // Overlaps inside one set are refused too; a disjoint period is fine.
        let (status, body) = app.post("/api/v1/data-value-sets", &json!({"org_unit": "VT-P8",
            "data_values": [
                {"data_element": "DOC_OUT_SW", "value": 1, "period": "2023Q4"},
                {"data_element": "DOC_OUT_SW", "value": 2, "period": "2023-12"},
                {"data_element": "DOC_OUT_SW", "value": 3, "period": "2023Q4"}
            ]})).await;
        assert_eq!(status, StatusCode::CONFLICT);
        let codes: Vec<&str> = body["conflicts"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"overlapping_period") && codes.contains(&"duplicate_data_value"), "{body}");
        let (status, _) = app.post("/api/v1/data-value-sets", &json!({"org_unit": "VT-P1",
            "data_values": [{"data_element": "DOC_OUT_SW", "value": 7, "period": "2023-10"}]})).await;
        assert_eq!(status, StatusCode::OK);
        // Deleting the nine-month figure and storing monthly ones in the same set is allowed.
        let (status, body) = app.post("/api/v1/data-value-sets", &json!({"org_unit": "VT-P1", "data_values": [
            {"data_element": "DOC_OUT_SW", "value": null, "period": "2023-01/2023-09"},
            {"data_element": "DOC_OUT_SW", "value": 180, "period": "2023-09"}
        ]})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn csv_sets_are_accepted_with_row_indexed_conflicts(app: TestApp) {
        app.seed_catalogue().await;
        let csv = "data_element,period,org_unit,value,comment\n\
                   DOC_OUT_SW,2023-01/2023-09,VT-P8,1867,\n\
                   DOC_IN_SW,2023-01/2023-09,VT-P8,5235,\"nhập, có dấu phẩy\"\n\
                   DOC_OUT_PAPER,2023-01/2023-09,VT-P8,8,\n\
                   DOC_IN_PAPER,2023-01/2023-09,VT-P8,61,\n";
        let (status, body) = app.post_csv("/api/v1/data-value-sets", csv).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["imported"], 4);
        let values = app.values("org_unit=VT-P8").await;
        assert!(values.iter().any(|v| v["comment"] == "nhập, có dấu phẩy"));
        let bad = "data_element,period,org_unit,value,comment\n\
                   DOC_OUT_SW,2023-10,VT-P8,10,\n\
                   DOC_IN_SW,2023-10,VT-P8,4.602,\n\
                   DOC_IN_SW,2023-1,VT-P8,1,\n";
        let (status, body) = app.post_csv("/api/v1/data-value-sets", bad).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["conflicts"][0]["index"], 1);
        assert_eq!(body["conflicts"][0]["code"], "invalid_value");
        assert_eq!(body["conflicts"][1]["index"], 2);
        assert_eq!(body["conflicts"][1]["code"], "invalid_period");
        let (status, body) = app.post_csv("/api/v1/data-value-sets", "element,value\nX,1\n").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["code"], "invalid_csv");
    }

    async fn a_replayed_idempotency_key_returns_the_first_answer_and_stores_once(app: TestApp) {
        app.seed_catalogue().await;
        let send = |body: Value, key: &'static str| {
            let app = &app;
            async move {
                let res = app.req(Method::POST, "/api/v1/data-value-sets").header("idempotency-key", key)
                    .json(&body).send().await.unwrap();
                let replayed = res.headers().get("idempotent-replayed").is_some();
                let (status, body) = common::read(res).await;
                (status, body, replayed)
            }
        };
        let (s1, b1, r1) = send(p1_set(), "ward-p1-2023-9m").await;
        let (s2, b2, r2) = send(p1_set(), "ward-p1-2023-9m").await;
        assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
        assert_eq!(b1, b2, "the first response is returned");
        assert_eq!(b2["imported"], 4, "not 'unchanged': the retry was not applied again");
        assert!(!r1 && r2);
        assert_eq!(app.values("org_unit=VT-P1").await.len(), 4);
        let mut other = p1_set();
        other["data_values"][0]["value"] = json!(9999);
        let (s3, b3, _) = send(other, "ward-p1-2023-9m").await;
        assert_eq!(s3, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b3["code"], "idempotency_key_reused");
        assert_eq!(app.values("org_unit=VT-P1&data_element=DOC_OUT_SW").await[0]["value"], 1582);
    }

    async fn a_dry_run_answers_exactly_and_stores_nothing(app: TestApp) {
        app.seed_catalogue().await;
        let (status, body) = app.post("/api/v1/data-value-sets?dry_run=true", &p1_set()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["imported"], 4);
        assert_eq!(body["dry_run"], true);
        assert!(app.values("org_unit=VT-P1").await.is_empty());
    }

    async fn figures_that_break_a_rule_are_kept_with_a_warning(app: TestApp) {
        app.seed_catalogue().await;
        // The report's table 5b: 23 802 successful payments out of a total of 23 391.
        let (status, body) = app.post("/api/v1/data-value-sets", &json!({"org_unit": "VT-UBND", "period": "2023-01/2023-09",
            "data_values": [{"data_element": "PAY_TX_TOTAL", "value": 23391}, {"data_element": "PAY_TX_OK", "value": 23802}]})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "warning");
        assert_eq!(body["imported"], 2);
        let v = &body["violations"][0];
        assert_eq!(v["rule"], "PAY_OK_LE_TOTAL");
        assert_eq!(v["org_unit"], "VT-UBND");
        assert_eq!(v["period"], "2023-01/2023-09");
        assert_eq!(v["left"], 23802);
        assert_eq!(v["operator"], "<=");
        assert_eq!(v["right"], 23391);
        assert_eq!(app.values("org_unit=VT-UBND").await.len(), 2, "the data is kept");
        // Corrected figures clear the warning.
        let (_, body) = app.post("/api/v1/data-value-sets", &json!({"org_unit": "VT-UBND", "period": "2023-01/2023-09",
            "data_values": [{"data_element": "PAY_TX_TOTAL", "value": 23802}, {"data_element": "PAY_TX_OK", "value": 23391}]})).await;
        assert_eq!(body["status"], "success");
    }

    async fn typed_values_come_back_with_their_json_types(app: TestApp) {
        app.seed_catalogue().await;
        let (status, body) = app.post("/api/v1/data-value-sets", &json!({"org_unit": "VT-P1", "period": "2023",
            "data_values": [
                {"data_element": "NOTE", "value": "Đang chờ Tỉnh thẩm định"},
                {"data_element": "HAS_SITE", "value": true},
                {"data_element": "SHARE", "value": 8.5}
            ]})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let values = app.values("org_unit=VT-P1").await;
        let get = |e: &str| values.iter().find(|v| v["data_element"] == e).unwrap()["value"].clone();
        assert_eq!(get("NOTE"), json!("Đang chờ Tỉnh thẩm định"));
        assert_eq!(get("HAS_SITE"), json!(true));
        assert_eq!(get("SHARE"), json!(8.5));
    }

    async fn malformed_bodies_get_clear_problems(app: TestApp) {
        app.seed_catalogue().await;
        let res = app.req(Method::POST, "/api/v1/data-value-sets").header("content-type", "application/json")
            .body("{\"data_values\": [").send().await.unwrap();
        let (status, body) = common::read(res).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["code"], "malformed_json");
        let (status, body) = app.post("/api/v1/data-value-sets", &json!({"org_unit": "VT-P1", "period": "2023",
            "data_values": [{"data_element": "DOC_OUT_SW", "value": 1, "updated_by": "someone-else"}]})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["code"], "invalid_body");
        let res = app.req(Method::POST, "/api/v1/data-value-sets").header("content-type", "text/plain")
            .body("hello").send().await.unwrap();
        let (status, body) = common::read(res).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(body["code"], "unsupported_media_type");
        let (status, body) = app.get("/api/v1/data-values?period=2023-13").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["code"], "invalid_period");
        let (status, body) = app.get("/api/v1/data-values?limit=0").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["code"], "invalid_limit");
    }

    async fn a_set_over_one_hundred_thousand_values_is_too_large(app: TestApp) {
        app.seed_catalogue().await;
        let rows: Vec<Value> = (0..100_001).map(|_| json!({"data_element": "DOC_OUT_SW", "value": 1})).collect();
        let (status, body) = app.post("/api/v1/data-value-sets", &json!({"org_unit": "VT-P1", "period": "2023", "data_values": rows})).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        assert_eq!(body["code"], "payload_too_large");
        // Over 16 MiB: refused from the Content-Length alone, before the body is read. A raw
        // connection sends only the headers, so the test does not race the server's close.
        let (status, body) = headers_only_post(&app, "/api/v1/data-value-sets", 16 * 1024 * 1024 + 1).await;
        assert_eq!(status, 413);
        assert_eq!(body["code"], "payload_too_large");
    }

    async fn many_values_are_stored_in_one_set(app: TestApp) {
        app.seed_catalogue().await;
        // 12 months × 4 elements × 3 units.
        let mut rows = Vec::new();
        for unit in ["VT-P1", "VT-P8", "VT-UBND"] {
            for m in 1..=12 {
                for e in ["DOC_OUT_SW", "DOC_IN_SW", "DOC_OUT_PAPER", "DOC_IN_PAPER"] {
                    rows.push(json!({"org_unit": unit, "period": format!("2024-{m:02}"), "data_element": e, "value": m}));
                }
            }
        }
        let (status, body) = app.post("/api/v1/data-value-sets", &json!({"data_values": rows})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["imported"], 144);
        assert_eq!(app.values("org_unit=VT&children=true&period=2024H1&limit=10000").await.len(), 72);
        let (_, page) = app.get("/api/v1/data-values?limit=100").await;
        let cursor = page["next_cursor"].as_str().unwrap().to_owned();
        let (_, rest) = app.get(&format!("/api/v1/data-values?limit=100&cursor={cursor}")).await;
        assert_eq!(rest["data_values"].as_array().unwrap().len(), 44);
    }

    async fn a_set_past_the_request_time_limit_rolls_back_its_open_transaction(app: TestApp) {
        let mut app = app;
        app.restart(|c| {
            c.request_timeout = std::time::Duration::from_secs(1);
            // Only the request's own limit may stop it, not a wait on the database.
            c.database_timeout = std::time::Duration::from_secs(60);
        })
        .await;
        app.seed_catalogue().await;
        // The set's transaction stalls on its last statement, the audit event, with its figures
        // and roll-ups already written; on SQLite for several times the time limit.
        let stall = common::stall::Stall::install(&app, std::time::Duration::from_secs(6)).await;
        let audit_before = stall.count("audit_event").await;
        let set = json!({"org_unit": "VT-P1", "period": "2023", "data_values": [
            {"data_element": "DOC_OUT_SW", "value": 7}, {"data_element": "DOC_IN_SW", "value": 8},
            {"data_element": "DOC_OUT_PAPER", "value": 1}, {"data_element": "DOC_IN_PAPER", "value": 2}]});
        let answer = tokio::spawn(app.req(Method::POST, "/api/v1/data-value-sets").json(&set).send());
        common::wait_until(
            "the set's transaction to be open and stalled",
            std::time::Duration::from_secs(30),
            || stall.write_open(),
        )
        .await;

        let (status, problem) = common::read(answer.await.unwrap().unwrap()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
        assert_eq!(problem["code"], "request_timeout", "{problem}");
        assert!(
            stall.write_open().await,
            "the transaction had ended before the answer: the time limit did not stop an open transaction"
        );

        let settled = stall.settle().await;
        assert_eq!(settled.count("data_value").await, 0, "figures of the stopped transaction were kept");
        assert_eq!(settled.count("data_value_rollup").await, 0, "roll-ups of the stopped transaction were kept");
        assert_eq!(settled.count("audit_event").await, audit_before, "an audit event of the stopped transaction was kept");
        assert!(app.values("org_unit=VT-P1").await.is_empty());

        // Unhindered, the same set is stored: only the rollback kept it out.
        let (status, body) = app.post("/api/v1/data-value-sets", &set).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(app.values("org_unit=VT-P1").await.len(), 4);
    }
}
