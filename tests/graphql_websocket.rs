//! `/graphql/ws` as a dashboard and as an attacker use it: every operation on an open socket
//! is re-authorised and passes the same limits as HTTP (rate limit, document checks, time
//! limit, refusal audit); writes refused on the socket store nothing.
#![allow(clippy::unwrap_used)]

mod common;
mod graphql_support;

use common::TestApp;
use futures::{SinkExt, StreamExt};
use graphql_support::{Socket, bomb, code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const WRITE: &str = r#"mutation { submitDataValues(input: {orgUnit: "VT-P8", period: "2023", dataValues: [{dataElement: "DOC_OUT_SW", value: 7}]}) { status } }"#;
const READ: &str = r#"{ dataValues(orgUnit: "VT-P8") { edges { node { value } } } }"#;

async fn nothing_stored(app: &TestApp) {
    assert!(
        app.values("org_unit=VT-P8").await.is_empty(),
        "a figure was stored"
    );
}

/// An API token for VT-P8 that may read and write; returns (id, token).
/// Waits until a subscription listens for committed changes.
async fn listening(app: &TestApp) {
    common::wait_until(
        "the subscription to listen for changes",
        std::time::Duration::from_secs(10),
        || async { app.state.changes.receiver_count() > 0 },
    )
    .await;
}

async fn p8_token(app: &TestApp) -> (i64, String) {
    let (status, created) = app
        .post(
            "/api/v1/api-tokens",
            &json!({"name": "p8-sync", "org_unit": "VT-P8", "scopes": ["data:read", "data:write"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    (
        created["id"].as_i64().unwrap(),
        created["token"].as_str().unwrap().to_owned(),
    )
}

both_databases! {
    async fn a_revoked_token_can_do_nothing_more_on_its_open_socket(app: TestApp) {
        app.seed_catalogue().await;
        let (id, token) = p8_token(&app).await;
        let mut socket = Socket::open(&app, &token).await;
        let read = socket.run(READ, json!({})).await;
        assert_eq!(read["data"]["dataValues"]["edges"], json!([]), "{read}");

        let (status, _) = common::read(app.req(Method::DELETE, &format!("/api/v1/api-tokens/{id}")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let write = socket.run(WRITE, json!({})).await;
        assert_eq!(code(&write), "unauthorized", "{write}");
        assert!(write["data"].is_null(), "{write}");
        let read = socket.run(READ, json!({})).await;
        assert_eq!(code(&read), "unauthorized", "{read}");
        nothing_stored(&app).await;
    }

    async fn a_disabled_user_can_do_nothing_more_on_its_open_socket(app: TestApp) {
        app.seed_catalogue().await;
        let (status, _) = app.post("/api/v1/users", &json!({
            "username": "p8.reporter", "password": "Một-mật-khẩu-dài", "role": "reporter", "org_unit": "VT-P8"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let access = app.login("p8.reporter", "Một-mật-khẩu-dài").await;
        let mut socket = Socket::open(&app, &access).await;
        let me = socket.run("{ me { name } }", json!({})).await;
        assert_eq!(me["data"]["me"]["name"], "p8.reporter", "{me}");

        let (_, users) = app.get("/api/v1/users").await;
        let id = users["users"].as_array().unwrap().iter().find(|u| u["username"] == "p8.reporter").unwrap()["id"].as_i64().unwrap();
        let (status, body) = common::read(app.req(Method::PATCH, &format!("/api/v1/users/{id}")).json(&json!({"disabled": true})).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let write = socket.run(WRITE, json!({})).await;
        assert_eq!(code(&write), "unauthorized", "{write}");
        let me = socket.run("{ me { name } }", json!({})).await;
        assert_eq!(code(&me), "unauthorized", "{me}");
        nothing_stored(&app).await;
        // A subscription cannot start either.
        let id = socket.subscribe(r#"subscription { subtreeChanged(orgUnit: "VT-P8") { at } }"#, json!({})).await;
        let refused = socket.next_json().await;
        assert_eq!((refused["id"].as_str(), code(&refused["payload"])), (Some(id.as_str()), "unauthorized"), "{refused}");
    }

    async fn the_size_and_depth_limits_apply_on_the_socket(app: TestApp) {
        app.seed_catalogue().await;
        let mut socket = Socket::open(&app, &app.token).await;
        let flood: String = (0..=chitieu_api::graphql::MAX_FIELDS).map(|i| format!("t{i}: __typename ")).collect();
        let write = socket.run(&WRITE.replacen("{ status }", &format!("{{ status {flood} }}"), 1), json!({})).await;
        assert_eq!(code(&write), "query_too_large", "{write}");
        nothing_stored(&app).await;
        let deep = format!("{{ roots {} }}", "{ children(first: 1) { edges { node ".repeat(6) + "{ code }" + &" } } }".repeat(6));
        assert_eq!(code(&socket.run(&deep, json!({})).await), "query_too_deep");
        // The socket stays usable.
        let ok = socket.run("{ me { name } }", json!({})).await;
        assert_eq!(ok["data"]["me"]["name"], "admin", "{ok}");
    }

    async fn the_fragment_bomb_is_refused_on_the_socket(app: TestApp) {
        let mut socket = Socket::open(&app, &app.token).await;
        let started = std::time::Instant::now();
        let refused = socket.run(&bomb("Query", "...Nope"), json!({})).await;
        assert_eq!(code(&refused), "graphql_validation_failed", "{refused}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
        let refused = socket.run(&bomb("QueryRoot", "__typename"), json!({})).await;
        assert_eq!(code(&refused), "query_too_large", "{refused}");
    }

    async fn refused_fields_on_the_socket_are_audited_once(app: TestApp) {
        app.seed_catalogue().await;
        let (_, token) = p8_token(&app).await;
        let mut socket = Socket::open(&app, &token).await;
        let aliases: String = (0..5).map(|i| format!("u{i}: users {{ __typename }} ")).collect();
        let refused = socket.run(&format!("{{ {aliases} }}"), json!({})).await;
        assert_eq!(code(&refused), "forbidden", "{refused}");
        let (_, audit) = app.get("/api/v1/audit").await;
        let refusals: Vec<&Value> = audit["events"].as_array().unwrap().iter().filter(|e| e["action"] == "auth.refused").collect();
        assert_eq!(refusals.len(), 1, "{audit}");
        assert_eq!(refusals[0]["detail"]["count"], 5);
        assert_eq!(refusals[0]["actor"], "token:p8-sync");
    }

    async fn a_dashboard_subscribed_over_websocket_hears_its_subtree_change(app: TestApp) {
        app.seed_catalogue().await;
        let mut socket = Socket::open(&app, &app.token).await;
        socket.subscribe(r#"subscription { subtreeChanged(orgUnit: "VT") { changedOrgUnits attainment(period: "2023-01/2023-09") { orgUnit numerator status } } }"#, json!({})).await;
        listening(&app).await;

        // A figure outside the watched subtree is not announced; one inside is.
        let (status, _) = app.post("/api/v1/metadata", &json!({"org_units": [{"code": "BR-OTHER", "name": "Huyện khác", "parent": "BRVT", "kind": "district"}]})).await;
        assert_eq!(status, StatusCode::OK);
        let catalogue_changed = socket.next_json().await;
        assert_eq!(catalogue_changed["payload"]["data"]["subtreeChanged"]["changedOrgUnits"], json!([]));
        let set = |unit: &str| json!({"org_unit": unit, "period": "2023-01/2023-09", "data_values": [
            {"data_element": "DOC_OUT_SW", "value": 7102}, {"data_element": "DOC_OUT_PAPER", "value": 69}]});
        assert_eq!(app.post("/api/v1/data-value-sets", &set("BR-OTHER")).await.0, StatusCode::OK);
        assert_eq!(app.post("/api/v1/data-value-sets", &set("VT-P8")).await.0, StatusCode::OK);
        let event = socket.next_json().await;
        let changed = &event["payload"]["data"]["subtreeChanged"];
        assert_eq!(changed["changedOrgUnits"], json!(["VT-P8"]), "{event}");
        assert_eq!(changed["attainment"][0], json!({"orgUnit": "VT", "numerator": 7102, "status": "NOT_MET"}));

        // Without a valid token the connection is refused.
        let mut refused = Socket::connect(&app).await;
        refused.send(json!({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}})).await;
        let answer = refused.ws.next().await;
        assert!(!matches!(answer, Some(Ok(Message::Text(ref t))) if t.contains("connection_ack")), "{answer:?}");
    }

    async fn a_revoked_token_stops_receiving_live_updates(app: TestApp) {
        app.seed_catalogue().await;
        let (_, created) = app.post("/api/v1/api-tokens", &json!({"name": "vt-dashboard", "org_unit": "VT", "scopes": ["data:read"]})).await;
        let token = created["token"].as_str().unwrap().to_owned();
        let mut socket = Socket::open(&app, &token).await;
        socket.subscribe(r#"subscription { subtreeChanged(orgUnit: "VT") { changedOrgUnits } }"#, json!({})).await;
        listening(&app).await;
        let set = json!({"org_unit": "VT-P8", "period": "2023", "data_values": [{"data_element": "DOC_OUT_SW", "value": 1}]});
        assert_eq!(app.post("/api/v1/data-value-sets", &set).await.0, StatusCode::OK);
        assert_eq!(socket.next_json().await["type"], "next");

        let id = created["id"].as_i64().unwrap();
        let (status, _) = common::read(app.req(Method::DELETE, &format!("/api/v1/api-tokens/{id}")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let set = json!({"org_unit": "VT-P8", "period": "2023", "data_values": [{"data_element": "DOC_OUT_SW", "value": 2}]});
        assert_eq!(app.post("/api/v1/data-value-sets", &set).await.0, StatusCode::OK);
        let ended = socket.next_json().await;
        assert_eq!(ended["type"], "complete", "{ended}");
    }

    async fn a_message_larger_than_a_request_body_closes_the_socket(app: TestApp) {
        let mut socket = Socket::open(&app, &app.token).await;
        let padding = " ".repeat(chitieu_api::graphql::MAX_BODY_BYTES);
        let _ = socket.ws.send(Message::Text(format!(r#"{{"id": "1", "type": "subscribe", "payload": {{"query": "{{ __typename }}{padding}"}}}}"#).into())).await;
        let answer = tokio::time::timeout(std::time::Duration::from_secs(10), socket.ws.next()).await.expect("an answer within 10 s");
        assert!(matches!(answer, None | Some(Err(_)) | Some(Ok(Message::Close(_)))), "{answer:?}");
    }
}

mod rate_limited {
    use super::*;

    both_databases! {
        config = |c| c.rate_limit = chitieu_api::auth::RateLimit { per_minute: 3 };
        async fn operations_on_a_socket_are_charged_to_the_rate_limit(app: TestApp) {
            // connection_init is one request, each operation one more.
            let mut socket = Socket::open(&app, &app.token).await;
            for _ in 0..2 {
                let ok = socket.run("{ __typename }", json!({})).await;
                assert_eq!(ok["data"]["__typename"], "QueryRoot", "{ok}");
            }
            let refused = socket.run("{ __typename }", json!({})).await;
            assert_eq!(code(&refused), "rate_limited", "{refused}");
            assert!(refused["data"].is_null(), "{refused}");
        }
    }
}

mod slow {
    use super::*;

    both_databases! {
        config = |c| {
            c.graphql_timeout = std::time::Duration::from_secs(1);
            // Only the operation's own limit may stop it, not a wait on the database.
            c.database_timeout = std::time::Duration::from_secs(60);
        };
        async fn an_operation_past_its_time_limit_rolls_back_its_open_transaction(app: TestApp) {
            app.seed_catalogue().await;
            let mut socket = Socket::open(&app, &app.token).await;
            // The submission's transaction stalls on its last statement, the audit event, with
            // its figures already written; on SQLite for several times the time limit.
            let stall = common::stall::Stall::install(&app, std::time::Duration::from_secs(6)).await;
            let audit_before = stall.count("audit_event").await;
            let q = "mutation($input: DataValueSetInput!) { submitDataValues(input: $input) { status imported } }";
            let input = json!({"input": {"orgUnit": "VT-P8", "period": "2023", "dataValues": [
                {"dataElement": "DOC_OUT_SW", "value": 7}, {"dataElement": "DOC_IN_SW", "value": 8}]}});
            let (refused, ()) = tokio::join!(
                socket.run(q, input.clone()),
                common::wait_until("the operation's transaction to be open and stalled", std::time::Duration::from_secs(30), || stall.write_open()),
            );
            assert_eq!(code(&refused), "request_timeout", "{refused}");
            assert!(stall.write_open().await, "the transaction had ended before the answer: the time limit did not stop an open transaction");

            let settled = stall.settle().await;
            assert_eq!(settled.count("data_value").await, 0, "figures of the stopped transaction were kept");
            assert_eq!(settled.count("audit_event").await, audit_before, "an audit event of the stopped transaction was kept");
            nothing_stored(&app).await;
            // Unhindered, the same operation stores its figures.
            let stored = socket.run(q, input).await;
            assert_eq!(stored["data"]["submitDataValues"]["imported"], 2, "{stored}");
        }
    }
}

mod short_sessions {
    use super::*;

    both_databases! {
        config = |c| c.access_token_ttl = std::time::Duration::from_secs(2);
        async fn an_access_token_that_expires_ends_the_rights_of_its_open_socket(app: TestApp) {
            app.seed_catalogue().await;
            let access = app.login("admin", common::ADMIN_PASSWORD).await;
            let mut socket = Socket::open(&app, &access).await;
            let me = socket.run("{ me { name } }", json!({})).await;
            assert_eq!(me["data"]["me"]["name"], "admin", "{me}");
            // Wait, on the condition, until the token has expired: then every operation on the
            // socket is refused, writes included.
            let socket = tokio::sync::Mutex::new(socket);
            let me = common::wait_for("the socket's token to expire", std::time::Duration::from_secs(15), || async {
                let me = socket.lock().await.run("{ me { name } }", json!({})).await;
                me["errors"].is_array().then_some(me)
            })
            .await;
            assert_eq!(code(&me), "unauthorized", "{me}");
            let mut socket = socket.into_inner();
            let write = socket.run(WRITE, json!({})).await;
            assert_eq!(code(&write), "unauthorized", "{write}");
            nothing_stored(&app).await;
        }
    }
}
