//! Attacks on `/graphql` that async-graphql's defaults let through: each is sent for real and
//! the test checks both the answer and that nothing ran.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestApp;
use futures::{SinkExt, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

const WRITE: &str = r#"mutation { submitDataValues(input: {orgUnit: "VT-P8", period: "2023", dataValues: [{dataElement: "DOC_OUT_SW", value: 7}]}) { status } }"#;

async fn nothing_stored(app: &TestApp) {
    assert!(
        app.values("org_unit=VT-P8").await.is_empty(),
        "a figure was stored"
    );
}

async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    common::read(
        app.req(method, path)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

both_databases! {
    async fn cross_site_content_types_are_refused_before_anything_runs(app: TestApp) {
        app.seed_catalogue().await;
        let body = serde_json::to_vec(&json!({"query": WRITE})).unwrap();
        for ct in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""] {
            let (status, problem) = raw(&app, Method::POST, "/graphql", ct, body.clone()).await;
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}");
            assert_eq!(problem["code"], "unsupported_media_type");
        }
        nothing_stored(&app).await;
        let (status, _) = raw(&app, Method::POST, "/graphql", "application/json; charset=utf-8", body).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(app.values("org_unit=VT-P8").await.len(), 1);
    }

    async fn a_mutation_over_get_is_405_and_does_not_run(app: TestApp) {
        app.seed_catalogue().await;
        let url = format!("/graphql?query={}", form_encode(WRITE));
        let res = app.req(Method::GET, &url).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(res.headers()["allow"], "POST");
        nothing_stored(&app).await;
        // Naming a query among a mutation and a query runs the query only.
        let doc = format!("query Q {{ me {{ name }} }} {}", WRITE.replacen("mutation", "mutation M", 1));
        let (status, body) = common::read(app.req(Method::GET, &format!("/graphql?query={}&operationName=Q", form_encode(&doc))).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["data"]["me"]["name"], "admin");
        let (status, _) = common::read(app.req(Method::GET, &format!("/graphql?query={}&operationName=M", form_encode(&doc))).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        nothing_stored(&app).await;
        // Without a query, GET serves GraphiQL.
        let res = app.client.get(format!("{}/graphql", app.base)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("graphiql"));
    }

    async fn batches_are_refused_whole(app: TestApp) {
        app.seed_catalogue().await;
        let batch = serde_json::to_vec(&json!([{"query": WRITE}, {"query": WRITE}])).unwrap();
        let (status, problem) = raw(&app, Method::POST, "/graphql", "application/json", batch).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(problem["code"], "batch_not_supported");
        nothing_stored(&app).await;
    }

    async fn an_oversized_body_is_413_and_does_not_run(app: TestApp) {
        app.seed_catalogue().await;
        let padding = " ".repeat(chitieu_api::graphql::MAX_BODY_BYTES);
        let body = format!(r#"{{"query": {}, "x": "{padding}"}}"#, serde_json::to_string(WRITE).unwrap());
        let (status, problem) = raw(&app, Method::POST, "/graphql", "application/json", body.into_bytes()).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(problem["code"], "payload_too_large");
        nothing_stored(&app).await;
    }

    async fn alias_floods_deep_and_costly_queries_are_refused(app: TestApp) {
        app.seed_catalogue().await;
        // Hundreds of aliased __typename in a mutation: refused before it runs.
        let flood: String = (0..=chitieu_api::graphql::MAX_FIELDS).map(|i| format!("t{i}: __typename ")).collect();
        let q = WRITE.replacen("{ status }", &format!("{{ status {flood} }}"), 1);
        let (status, problem) = app.post("/graphql", &json!({"query": q})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(problem["code"], "query_too_large");
        nothing_stored(&app).await;

        // Too deep.
        let deep = format!("{{ roots {} }}", "{ children(first: 1) { edges { node ".repeat(6) + "{ code }" + &" } } }".repeat(6));
        let (_, body) = app.post("/graphql", &json!({"query": deep})).await;
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("nested too deep"), "{body}");
        assert!(body["data"].is_null());

        // Costly: lists multiply by their page size.
        let costly = r#"{ orgUnits(first: 500) { edges { node { children(first: 500) { edges { node { code name } } } } } } }"#;
        let (_, body) = app.post("/graphql", &json!({"query": costly})).await;
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("complex"), "{body}");
        assert!(body["data"].is_null());
    }

    async fn a_request_past_its_time_limit_is_stopped_and_stores_nothing(app: TestApp) {
        app.seed_catalogue().await;
        let slow = TestApp::spawn_with(app.backend, |c| c.graphql_timeout = std::time::Duration::from_millis(1)).await.unwrap();
        slow.seed_catalogue().await;
        // Thousands of monthly figures: far more than a millisecond of work.
        let values: Vec<Value> = (2000..2100).flat_map(|year| (1..=12).flat_map(move |month| {
            ["DOC_OUT_SW", "DOC_IN_SW", "DOC_OUT_PAPER", "DOC_IN_PAPER"].map(|e|
                json!({"dataElement": e, "value": 1, "period": format!("{year}-{month:02}")}))
        })).collect();
        let q = "mutation($input: DataValueSetInput!) { submitDataValues(input: $input) { status imported } }";
        let res = slow.req(Method::POST, "/graphql")
            .json(&json!({"query": q, "variables": {"input": {"orgUnit": "VT-P8", "dataValues": values}}}))
            .send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "request_timeout");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        nothing_stored(&slow).await;
    }

    async fn the_production_profile_hides_the_schema(app: TestApp) {
        let prod = TestApp::spawn_with(app.backend, |c| c.graphql_introspection = false).await.unwrap();
        let (_, body) = prod.post("/graphql", &json!({"query": "{ __schema { types { name } } __type(name: \"OrgUnit\") { name } }"})).await;
        assert!(body["data"]["__schema"].is_null() && body["data"]["__type"].is_null(), "{body}");
        let (_, body) = prod.post("/graphql", &json!({"query": "{ rots { code } }"})).await;
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(!message.contains("Did you mean"), "{message}");
        // The development default answers both.
        let (_, body) = app.post("/graphql", &json!({"query": "{ __schema { queryType { name } } }"})).await;
        assert_eq!(body["data"]["__schema"]["queryType"]["name"], "QueryRoot");
        let (_, body) = app.post("/graphql", &json!({"query": "{ rots { code } }"})).await;
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("Did you mean"), "{body}");
    }

    async fn a_revoked_token_stops_receiving_live_updates(app: TestApp) {
        app.seed_catalogue().await;
        let (_, created) = app.post("/api/v1/api-tokens", &json!({"name": "vt-dashboard", "org_unit": "VT", "scopes": ["data:read"]})).await;
        let token = created["token"].as_str().unwrap().to_owned();
        let mut request = format!("{}/graphql/ws", app.base.replace("http://", "ws://")).into_client_request().unwrap();
        request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        subscribe_as(&mut ws, &token, r#"subscription { subtreeChanged(orgUnit: "VT") { changedOrgUnits } }"#).await;
        let set = json!({"org_unit": "VT-P8", "period": "2023", "data_values": [{"data_element": "DOC_OUT_SW", "value": 1}]});
        assert_eq!(app.post("/api/v1/data-value-sets", &set).await.0, StatusCode::OK);
        assert_eq!(next_json(&mut ws).await["type"], "next");

        let id = created["id"].as_i64().unwrap();
        let (status, _) = common::read(app.req(Method::DELETE, &format!("/api/v1/api-tokens/{id}")).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let set = json!({"org_unit": "VT-P8", "period": "2023", "data_values": [{"data_element": "DOC_OUT_SW", "value": 2}]});
        assert_eq!(app.post("/api/v1/data-value-sets", &set).await.0, StatusCode::OK);
        let ended = next_json(&mut ws).await;
        assert_eq!(ended["type"], "complete", "{ended}");
    }

    async fn no_token_no_graphql(app: TestApp) {
        let res = app.client.post(format!("{}/graphql", app.base)).json(&json!({"query": "{ me { name } }"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }

    async fn a_dashboard_subscribed_over_websocket_hears_its_subtree_change(app: TestApp) {
        app.seed_catalogue().await;
        let mut request = format!("{}/graphql/ws", app.base.replace("http://", "ws://")).into_client_request().unwrap();
        request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let send = |v: Value| Message::Text(v.to_string().into());
        ws.send(send(json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {}", app.token)}}))).await.unwrap();
        let ack = next_json(&mut ws).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        ws.send(send(json!({"id": "1", "type": "subscribe", "payload": {"query":
            r#"subscription { subtreeChanged(orgUnit: "VT") { changedOrgUnits attainment(period: "2023-01/2023-09") { orgUnit numerator status } } }"#}}))).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;

        // A figure outside the watched subtree is not announced; one inside is.
        let (status, _) = app.post("/api/v1/metadata", &json!({"org_units": [{"code": "BR-OTHER", "name": "Huyện khác", "parent": "BRVT", "kind": "district"}]})).await;
        assert_eq!(status, StatusCode::OK);
        let catalogue_changed = next_json(&mut ws).await;
        assert_eq!(catalogue_changed["payload"]["data"]["subtreeChanged"]["changedOrgUnits"], json!([]));
        let set = |unit: &str| json!({"org_unit": unit, "period": "2023-01/2023-09", "data_values": [
            {"data_element": "DOC_OUT_SW", "value": 7102}, {"data_element": "DOC_OUT_PAPER", "value": 69}]});
        assert_eq!(app.post("/api/v1/data-value-sets", &set("BR-OTHER")).await.0, StatusCode::OK);
        assert_eq!(app.post("/api/v1/data-value-sets", &set("VT-P8")).await.0, StatusCode::OK);
        let event = next_json(&mut ws).await;
        let changed = &event["payload"]["data"]["subtreeChanged"];
        assert_eq!(changed["changedOrgUnits"], json!(["VT-P8"]), "{event}");
        assert_eq!(changed["attainment"][0], json!({"orgUnit": "VT", "numerator": 7102, "status": "NOT_MET"}));

        // Without a valid token the connection is refused.
        let mut request = format!("{}/graphql/ws", app.base.replace("http://", "ws://")).into_client_request().unwrap();
        request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse().unwrap());
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        ws.send(send(json!({"type": "connection_init", "payload": {"Authorization": "Bearer nope"}}))).await.unwrap();
        let refused = ws.next().await;
        assert!(!matches!(refused, Some(Ok(Message::Text(ref t))) if t.contains("connection_ack")), "{refused:?}");
    }
}

async fn subscribe_as<S>(ws: &mut S, token: &str, query: &str)
where
    S: futures::Sink<Message>
        + futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>>
        + Unpin,
    <S as futures::Sink<Message>>::Error: std::fmt::Debug,
{
    let send = |v: Value| Message::Text(v.to_string().into());
    ws.send(send(
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}}),
    ))
    .await
    .unwrap();
    assert_eq!(next_json(ws).await["type"], "connection_ack");
    ws.send(send(
        json!({"id": "1", "type": "subscribe", "payload": {"query": query}}),
    ))
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
}

async fn next_json<S>(ws: &mut S) -> Value
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("no message within 10 s")
            .expect("the socket closed")
            .unwrap();
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
