//! What a third-party frontend does over GraphQL: load the tree, submit a ward's figures,
//! watch attainment change, manage access — with the same rules as REST.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn gql_as(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let res = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn gql(app: &TestApp, query: &str, variables: Value) -> Value {
    gql_as(app, &app.token, query, variables).await
}

/// The data of a response that must have no errors.
async fn data(app: &TestApp, query: &str, variables: Value) -> Value {
    let body = gql(app, query, variables).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

fn codes(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap().to_owned())
        .collect()
}

const MORE_WARDS: &str =
    r#"mutation($bundle: JSON!) { importMetadata(bundle: $bundle) { created updated dryRun } }"#;

async fn add_wards(app: &TestApp, wards: &[(&str, &str)]) {
    let units: Vec<Value> = wards
        .iter()
        .map(|(code, name)| json!({"code": code, "name": name, "parent": "VT", "kind": "ward"}))
        .collect();
    let d = data(app, MORE_WARDS, json!({"bundle": {"org_units": units}})).await;
    assert_eq!(d["importMetadata"]["created"], wards.len());
}

const SUBMIT: &str = r#"mutation($input: DataValueSetInput!, $dry: Boolean!, $key: String) {
  submitDataValues(input: $input, dryRun: $dry, idempotencyKey: $key) {
    status dryRun imported updated unchanged deleted replayed
    conflicts { index code message }
    violations { rule orgUnit left operator right }
  }
}"#;

fn figures(unit: &str, out_sw: i64, in_sw: i64, out_paper: i64, in_paper: i64) -> Value {
    json!({"orgUnit": unit, "period": "2023-01/2023-09", "dataValues": [
        {"dataElement": "DOC_OUT_SW", "value": out_sw},
        {"dataElement": "DOC_IN_SW", "value": in_sw},
        {"dataElement": "DOC_OUT_PAPER", "value": out_paper},
        {"dataElement": "DOC_IN_PAPER", "value": in_paper},
    ]})
}

/// The city, each ward with its own children and attainment: tree → children → attainment.
const DASHBOARD: &str = r#"query($period: String!) {
  orgUnit(code: "VT") {
    code
    attainment(period: $period) { indicator numerator denominator value status }
    children(first: 200) { edges { node {
      code name
      children { edges { node { code } } }
      attainment(period: $period) { indicator numerator denominator value status targets { setBy met } }
    } } }
  }
}"#;

both_databases! {
    async fn a_frontend_walks_the_tree_in_natural_order_and_searches_without_diacritics(app: TestApp) {
        app.seed_catalogue().await;
        add_wards(&app, &[("VT-P10", "Phường 10"), ("VT-P2", "Phường 2"), ("VT-TN", "Phường Thắng Nhì")]).await;
        let d = data(&app, r#"{ orgUnit(code: "VT") { name parent { code } ancestors { code }
            children { edges { node { name } } pageInfo { hasNextPage } } } }"#, json!({})).await;
        let names: Vec<&str> = d["orgUnit"]["children"]["edges"].as_array().unwrap().iter()
            .map(|e| e["node"]["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Phường 1", "Phường 2", "Phường 8", "Phường 10", "Phường Thắng Nhì", "UBND Thành phố Vũng Tàu"]);
        assert_eq!(d["orgUnit"]["parent"]["code"], "BRVT");
        assert_eq!(d["orgUnit"]["ancestors"], json!([{"code": "BRVT"}, {"code": "VN"}]));

        let d = data(&app, r#"{ orgUnits(q: "phuong thang nhi") { edges { node { code name } } } }"#, json!({})).await;
        assert_eq!(codes(&d["orgUnits"]), ["VT-TN"]);

        // Pages of two, resumed with the cursor, never more than asked.
        let q = r#"query($after: String) { orgUnit(code: "VT") { children(first: 2, after: $after) {
            edges { cursor node { code } } pageInfo { hasNextPage endCursor } } } }"#;
        let mut after = Value::Null;
        let mut seen = Vec::new();
        loop {
            let d = data(&app, q, json!({"after": after})).await;
            let page = &d["orgUnit"]["children"];
            assert!(page["edges"].as_array().unwrap().len() <= 2);
            seen.extend(codes(page));
            if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() { break; }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen.len(), 6);
        let body = gql(&app, r#"{ orgUnits(first: 501) { edges { node { code } } } }"#, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "invalid_limit");

        // A ward's reporter sees its own subtree only: ancestors stop at its root.
        let (_, _) = app.post("/api/v1/users", &json!({"username": "p8.viewer", "password": "Một-mật-khẩu-dài", "role": "viewer", "org_unit": "VT-P8"})).await;
        let viewer = app.login("p8.viewer", "Một-mật-khẩu-dài").await;
        let body = gql_as(&app, &viewer, r#"{ roots { code parent { code } ancestors { code } } orgUnits { edges { node { code } } } }"#, json!({})).await;
        assert_eq!(body["data"]["roots"], json!([{"code": "VT-P8", "parent": null, "ancestors": []}]), "{body}");
        assert_eq!(codes(&body["data"]["orgUnits"]), ["VT-P8"]);
        let body = gql_as(&app, &viewer, r#"{ orgUnit(code: "VT-P1") { code } }"#, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "unknown_org_unit");
    }

    async fn a_ward_submits_figures_and_the_dashboard_sees_attainment_change(app: TestApp) {
        app.seed_catalogue().await;
        let before = data(&app, r#"{ orgUnit(code: "VT-P8") { attainment(period: "2023-01/2023-09") { status value } } }"#, json!({})).await;
        assert_eq!(before["orgUnit"]["attainment"][0]["status"], "NO_DATA");

        // Dry run first: answered as the real thing, nothing stored.
        let d = data(&app, SUBMIT, json!({"input": figures("VT-P8", 2500, 4602, 0, 69), "dry": true})).await;
        assert_eq!(d["submitDataValues"]["status"], "success");
        assert_eq!(d["submitDataValues"]["imported"], 4);
        assert!(app.values("org_unit=VT-P8").await.is_empty());

        let vars = json!({"input": figures("VT-P8", 2500, 4602, 0, 69), "dry": false, "key": "p8-2023-q3"});
        let d = data(&app, SUBMIT, vars.clone()).await;
        assert_eq!(d["submitDataValues"]["imported"], 4, "{d}");
        assert_eq!(d["submitDataValues"]["replayed"], false);
        // A retry with the same key is answered as the first time, applying nothing again.
        let d = data(&app, SUBMIT, vars).await;
        assert_eq!(d["submitDataValues"]["imported"], 4);
        assert_eq!(d["submitDataValues"]["replayed"], true);
        let body = gql(&app, SUBMIT, json!({"input": figures("VT-P8", 1, 1, 1, 1), "dry": false, "key": "p8-2023-q3"})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "idempotency_key_reused");

        let after = data(&app, r#"{ orgUnit(code: "VT-P8") { attainment(period: "2023-01/2023-09") {
            numerator denominator value status targets { setBy label met } } } }"#, json!({})).await;
        let row = &after["orgUnit"]["attainment"][0];
        assert_eq!((row["numerator"].as_f64(), row["denominator"].as_f64()), (Some(7102.0), Some(7171.0)));
        assert_eq!(row["value"].as_f64(), Some(99.04));
        assert_eq!(row["status"], "NOT_MET");
        assert_eq!(row["targets"], json!([{"setBy": "VN", "label": "national", "met": true}, {"setBy": "VT", "label": "city", "met": false}]));

        // All or nothing: one bad figure refuses the whole set.
        let mut bad = figures("VT-P1", 1, 2, 3, 4);
        bad["dataValues"][2]["value"] = json!("many");
        let d = data(&app, SUBMIT, json!({"input": bad, "dry": false})).await;
        assert_eq!(d["submitDataValues"]["status"], "error");
        assert_eq!(d["submitDataValues"]["conflicts"][0]["index"], 2);
        assert!(app.values("org_unit=VT-P1").await.is_empty());

        // A figure without a value is a conflict, never a silent deletion.
        let mut no_value = figures("VT-P8", 1, 2, 3, 4);
        no_value["dataValues"][0].as_object_mut().unwrap().remove("value");
        let d = data(&app, SUBMIT, json!({"input": no_value, "dry": false})).await;
        assert_eq!(d["submitDataValues"]["status"], "error");
        assert_eq!(d["submitDataValues"]["conflicts"][0]["index"], 0);
        assert_eq!(app.values("org_unit=VT-P8").await[0]["value"], 2500);

        // Field level: a submission cannot name who made it or anything else beyond figures.
        let mut smuggled = figures("VT-P1", 1, 2, 3, 4);
        smuggled["dataValues"][0]["updatedBy"] = json!("someone-else");
        let body = gql(&app, SUBMIT, json!({"input": smuggled, "dry": false})).await;
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("updatedBy"), "{body}");
        assert!(app.values("org_unit=VT-P1").await.is_empty());

        let d = data(&app, r#"{ dataValues(orgUnit: "VT-P8", first: 2) { edges { node { dataElement value updatedBy } } pageInfo { hasNextPage } } }"#, json!({})).await;
        assert_eq!(d["dataValues"]["edges"][0]["node"], json!({"dataElement": "DOC_OUT_SW", "value": 2500, "updatedBy": "admin"}));
        assert_eq!(d["dataValues"]["pageInfo"]["hasNextPage"], true);
    }

    async fn a_dashboard_query_costs_the_same_statements_for_three_wards_or_thirty_three(app: TestApp) {
        app.seed_catalogue().await;
        for unit in ["VT-P1", "VT-P8"] {
            let d = data(&app, SUBMIT, json!({"input": figures(unit, 10, 20, 3, 4), "dry": false})).await;
            assert_eq!(d["submitDataValues"]["status"], "success");
        }
        let (with_3, d) = measure_dashboard(&app).await;
        let wards = |d: &Value| d["orgUnit"]["children"]["edges"].as_array().unwrap().len();
        assert_eq!(wards(&d), 3);

        let many: Vec<(String, String)> = (1..=30).map(|i| (format!("VT-X{i}"), format!("Phường X{i}"))).collect();
        let refs: Vec<(&str, &str)> = many.iter().map(|(c, n)| (c.as_str(), n.as_str())).collect();
        add_wards(&app, &refs).await;
        for (code, _) in &many {
            data(&app, SUBMIT, json!({"input": figures(code, 1, 1, 1, 1), "dry": false})).await;
        }
        let (with_33, d) = measure_dashboard(&app).await;
        assert_eq!(wards(&d), 33);
        let p8 = d["orgUnit"]["children"]["edges"].as_array().unwrap().iter()
            .find(|e| e["node"]["code"] == "VT-P8").unwrap();
        assert_eq!(p8["node"]["attainment"][0]["numerator"].as_f64(), Some(30.0));
        assert_eq!(d["orgUnit"]["attainment"][0]["numerator"].as_f64(), Some(60.0 + 60.0));
        assert_eq!(with_3, with_33, "statements: {with_3} for 3 wards, {with_33} for 33");
        assert!(with_33 <= 20, "{with_33} statements");
    }

    async fn one_key_answers_the_same_figures_alike_over_rest_and_graphql(app: TestApp) {
        app.seed_catalogue().await;
        let set = json!({"org_unit": "VT-P8", "period": "2023-01/2023-09", "data_values": [
            {"data_element": "DOC_OUT_SW", "value": 2500}, {"data_element": "DOC_IN_SW", "value": 4602},
            {"data_element": "DOC_OUT_PAPER", "value": 0}, {"data_element": "DOC_IN_PAPER", "value": 69},
        ]});
        let res = app.req(reqwest::Method::POST, "/api/v1/data-value-sets").header("idempotency-key", "p8-once")
            .json(&set).send().await.unwrap();
        let (status, first) = common::read(res).await;
        assert_eq!((status, first["imported"].as_u64()), (StatusCode::OK, Some(4)), "{first}");
        // The same figures through GraphQL under the same key: the first result, rendered by
        // GraphQL, and nothing applied again.
        let d = data(&app, SUBMIT, json!({"input": figures("VT-P8", 2500, 4602, 0, 69), "dry": false, "key": "p8-once"})).await;
        let r = &d["submitDataValues"];
        assert_eq!((r["replayed"].as_bool(), r["imported"].as_u64(), r["unchanged"].as_u64()), (Some(true), Some(4), Some(0)), "{d}");
        assert_eq!(r["status"], first["status"]);
        assert_eq!(r["violations"].as_array().map(Vec::len), first["violations"].as_array().map(Vec::len));
        // Other figures under that key are refused, on either edge.
        let body = gql(&app, SUBMIT, json!({"input": figures("VT-P8", 1, 4602, 0, 69), "dry": false, "key": "p8-once"})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "idempotency_key_reused");
        assert_eq!(app.values("org_unit=VT-P8&data_element=DOC_OUT_SW").await[0]["value"], 2500);
    }

    async fn a_frontend_follows_changes_including_deletions(app: TestApp) {
        app.seed_catalogue().await;
        data(&app, SUBMIT, json!({"input": figures("VT-P8", 2500, 4602, 0, 69), "dry": false})).await;
        // `since` must come after the first write's time, which is at most the time of its answer.
        let answered = chrono_now();
        let since = common::wait_for("the clock to pass the first write", std::time::Duration::from_secs(5), || async {
            let now = chrono_now();
            (now > answered).then_some(now)
        })
        .await;
        let mut change = figures("VT-P8", 2600, 4602, 0, 69);
        change["dataValues"][3]["value"] = Value::Null;
        let d = data(&app, SUBMIT, json!({"input": change, "dry": false})).await;
        assert_eq!((d["submitDataValues"]["updated"].as_i64(), d["submitDataValues"]["deleted"].as_i64()), (Some(1), Some(1)));
        let q = r#"query($since: String!, $after: String) { dataValueChanges(since: $since, orgUnit: "VT", includeDescendants: true, first: 1, after: $after) {
            edges { node { dataElement value deleted changedBy } } pageInfo { hasNextPage endCursor } } }"#;
        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let d = data(&app, q, json!({"since": since, "after": after})).await;
            let page = &d["dataValueChanges"];
            seen.extend(page["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()));
            if page["pageInfo"]["hasNextPage"] != true { break; }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen, [
            json!({"dataElement": "DOC_OUT_SW", "value": 2600, "deleted": false, "changedBy": "admin"}),
            json!({"dataElement": "DOC_IN_PAPER", "value": null, "deleted": true, "changedBy": "admin"}),
        ]);
    }

    async fn the_catalogue_reads_the_same_as_rest(app: TestApp) {
        app.seed_catalogue().await;
        let d = data(&app, r#"{
            dataElements(first: 3) { nodes { code valueType aggregation } pageInfo { hasNextPage } }
            indicators { nodes { code group numerator denominator factor decimals } }
            indicatorGroups { code indicators { code } }
            targets(indicator: "DOC_SW_RATE") { nodes { orgUnit period operator value label } }
            validationRules { nodes { code left operator right } }
        }"#, json!({})).await;
        let (_, rest) = app.get("/api/v1/data-elements?limit=3").await;
        let rest_codes: Vec<&Value> = rest["data_elements"].as_array().unwrap().iter().map(|e| &e["code"]).collect();
        let gql_codes: Vec<&Value> = d["dataElements"]["nodes"].as_array().unwrap().iter().map(|e| &e["code"]).collect();
        assert_eq!(gql_codes, rest_codes);
        assert_eq!(d["dataElements"]["pageInfo"]["hasNextPage"], true);
        assert_eq!(d["indicators"]["nodes"][0], json!({"code": "DOC_SW_RATE", "group": "digital_government",
            "numerator": "#{DOC_OUT_SW} + #{DOC_IN_SW}",
            "denominator": "#{DOC_OUT_SW} + #{DOC_IN_SW} + #{DOC_OUT_PAPER} + #{DOC_IN_PAPER}",
            "factor": 100, "decimals": 2}));
        assert_eq!(d["indicatorGroups"], json!([{"code": "digital_government", "indicators": [{"code": "DOC_SW_RATE"}]}]));
        assert_eq!(d["targets"]["nodes"], json!([
            {"orgUnit": "VN", "period": "2023", "operator": ">=", "value": 90, "label": "national"},
            {"orgUnit": "VT", "period": "2023", "operator": ">=", "value": 100, "label": "city"}]));
        assert_eq!(d["validationRules"]["nodes"], json!([{"code": "PAY_OK_LE_TOTAL", "left": "#{PAY_TX_OK}", "operator": "<=", "right": "#{PAY_TX_TOTAL}"}]));
        let body = gql(&app, r#"{ targets(indicator: "NOPE") { nodes { value } } }"#, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "unknown_indicator");
    }

    async fn the_city_dashboard_answer_is_stable(app: TestApp) {
        app.seed_catalogue().await;
        data(&app, SUBMIT, json!({"input": figures("VT-P8", 2500, 4602, 0, 69), "dry": false})).await;
        data(&app, SUBMIT, json!({"input": figures("VT-P1", 1582, 2100, 40, 12), "dry": false})).await;
        let d = data(&app, DASHBOARD, json!({"period": "2023-01/2023-09"})).await;
        insta::assert_json_snapshot!("city_dashboard", common::Snap(&d));
        let d = data(&app, r#"{ auditEvents(first: 3) { edges { cursor node { id at actorKind actor action orgUnit detail } } pageInfo { hasNextPage } } }"#, json!({})).await;
        insta::assert_json_snapshot!("latest_audit_events", common::Snap(&d), {
            ".auditEvents.edges[].cursor" => "[cursor]",
            ".auditEvents.edges[].node.id" => "[id]",
            ".auditEvents.edges[].node.at" => "[time]",
        });
    }

    async fn managers_handle_users_tokens_and_the_audit_trail_through_graphql(app: TestApp) {
        app.seed_catalogue().await;
        let d = data(&app, r#"mutation { createUser(input: {username: "vt.manager", password: "Một-mật-khẩu-dài", role: "manager", orgUnit: "VT"}) { id role orgUnit disabled } }"#, json!({})).await;
        assert_eq!(d["createUser"]["orgUnit"], "VT");
        let manager = app.login("vt.manager", "Một-mật-khẩu-dài").await;

        let body = gql_as(&app, &manager, r#"mutation { createApiToken(input: {name: "p8-ward-system", orgUnit: "VT-P8", scopes: ["data:write"]}) { secret token { id orgUnit scopes } } }"#, json!({})).await;
        let created = &body["data"]["createApiToken"];
        assert!(created["secret"].as_str().unwrap().starts_with("ctk_"), "{body}");
        let token = created["secret"].as_str().unwrap().to_owned();
        let token_id = created["token"]["id"].as_i64().unwrap();

        // The ward system's token submits through GraphQL, within its scope only.
        let d = data_as(&app, &token, SUBMIT, json!({"input": figures("VT-P8", 5, 5, 5, 5), "dry": false})).await;
        assert_eq!(d["submitDataValues"]["status"], "success");
        let body = gql_as(&app, &token, SUBMIT, json!({"input": figures("VT-P1", 5, 5, 5, 5), "dry": false})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "forbidden");
        let body = gql_as(&app, &token, r#"{ dataValues { edges { node { value } } } }"#, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "forbidden");
        let me = gql_as(&app, &token, "{ me { kind name scopes orgUnit role } }", json!({})).await;
        assert_eq!(me["data"]["me"], json!({"kind": "token", "name": "p8-ward-system", "scopes": ["data:write"], "orgUnit": "VT-P8", "role": null}));

        // A manager cannot grant admin, and sees only its subtree's users.
        let body = gql_as(&app, &manager, r#"mutation { createUser(input: {username: "x.admin", password: "Một-mật-khẩu-dài", role: "admin"}) { id } }"#, json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "forbidden");
        let body = gql_as(&app, &manager, r#"{ users { edges { node { username } } } apiTokens { edges { node { name } } } }"#, json!({})).await;
        assert_eq!(body["data"]["users"]["edges"], json!([{"node": {"username": "vt.manager"}}]), "{body}");

        let body = gql_as(&app, &manager, &format!("mutation {{ revokeApiToken(id: {token_id}) {{ revokedAt }} }}"), json!({})).await;
        assert!(body["data"]["revokeApiToken"]["revokedAt"].is_string(), "{body}");
        let res = app.client.post(format!("{}/graphql", app.base)).bearer_auth(&token)
            .json(&json!({"query": "{ me { name } }"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "a revoked token is refused at once");

        let body = gql_as(&app, &manager, r#"{ auditEvents(first: 50) { edges { node { action actor orgUnit detail } } } }"#, json!({})).await;
        let actions: Vec<&str> = body["data"]["auditEvents"]["edges"].as_array().unwrap().iter()
            .map(|e| e["node"]["action"].as_str().unwrap()).collect();
        for expected in ["api_token.revoked", "data_values.write", "api_token.created", "auth.refused"] {
            assert!(actions.contains(&expected), "{expected} missing from {actions:?}");
        }
    }
}

async fn data_as(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    let body = gql_as(app, token, query, variables).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

/// Runs the dashboard query three times; returns the statements the server ran for it (the
/// same every time: a DataLoader batch holds every key one level of the query asks for, see
/// `graphql/batching.rs`), and its data.
async fn measure_dashboard(app: &TestApp) -> (u64, Value) {
    let mut runs = Vec::new();
    for _ in 0..3 {
        runs.push(measure_dashboard_once(app).await);
    }
    let counts: Vec<u64> = runs.iter().map(|(n, _)| *n).collect();
    assert!(
        counts.iter().all(|n| *n == counts[0]),
        "statements per run: {counts:?}"
    );
    runs.pop().unwrap()
}

async fn measure_dashboard_once(app: &TestApp) -> (u64, Value) {
    // The statement counter is the server's: no background work may run meanwhile. A write
    // may have started a statistics refresh (PostgreSQL); wait until it is over.
    let state = &app.state;
    common::wait_until(
        "the statistics refresh to end",
        std::time::Duration::from_secs(30),
        || async { !state.analysing.load(std::sync::atomic::Ordering::Acquire) },
    )
    .await;
    let before = state.db.statements_executed();
    let d = data(app, DASHBOARD, json!({"period": "2023-01/2023-09"})).await;
    (state.db.statements_executed() - before, d)
}

/// Now, as RFC 3339 with microseconds.
fn chrono_now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
