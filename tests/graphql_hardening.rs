//! Attacks on `/graphql` that async-graphql's defaults let through: each is sent for real and
//! the test checks both the answer and that nothing ran.
#![allow(clippy::unwrap_used)]

mod common;
mod graphql_support;

use common::TestApp;
use graphql_support::{bomb, code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WRITE: &str = r#"mutation { submitDataValues(input: {orgUnit: "VT-P8", period: "2023", dataValues: [{dataElement: "DOC_OUT_SW", value: 7}]}) { status } }"#;

/// Sends `query` as a GraphQL request over POST (JSON) or GET (query string) with the admin's
/// token.
async fn send_graphql(app: &TestApp, method: Method, query: &str) -> reqwest::Response {
    let req = if method == Method::GET {
        app.req(
            Method::GET,
            &format!("/graphql?query={}", form_encode(query)),
        )
    } else {
        app.req(method, "/graphql").json(&json!({"query": query}))
    };
    req.send().await.unwrap()
}

/// The status and GraphQL body of a request (not problem+json: GraphQL errors keep
/// GraphQL's shape).
async fn graphql(app: &TestApp, method: Method, query: &str) -> (StatusCode, Value) {
    let res = send_graphql(app, method, query).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: {text}")),
    )
}

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
        let (status, body) = graphql(&app, Method::POST, &q).await;
        assert_eq!((status, code(&body)), (StatusCode::OK, "query_too_large"), "{body}");
        nothing_stored(&app).await;

        // Too deep.
        let deep = format!("{{ roots {} }}", "{ children(first: 1) { edges { node ".repeat(6) + "{ code }" + &" } } }".repeat(6));
        let (_, body) = graphql(&app, Method::POST, &deep).await;
        assert_eq!(code(&body), "query_too_deep", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("nested too deep"), "{body}");
        assert!(body["data"].is_null());

        // Costly: lists multiply by their page size.
        let costly = r#"{ orgUnits(first: 500) { edges { node { children(first: 500) { edges { node { code name } } } } } } }"#;
        let (_, body) = graphql(&app, Method::POST, costly).await;
        assert_eq!(code(&body), "query_too_complex", "{body}");
        assert!(body["data"].is_null());
    }

    async fn the_fragment_bomb_is_refused_at_once_while_the_server_keeps_answering(app: TestApp) {
        app.seed_catalogue().await;
        let cycle = "query{...A} fragment A on QueryRoot{...B ...B} fragment B on QueryRoot{...A ...A}";
        let mutation_cycle = "mutation{...M} fragment M on MutationRoot{...M ...M}";
        let attacks = [
            (Method::POST, bomb("Query", "...Nope"), "graphql_validation_failed"),
            (Method::GET, bomb("Query", "...Nope"), "graphql_validation_failed"),
            (Method::POST, bomb("QueryRoot", "__typename"), "query_too_large"),
            (Method::GET, bomb("QueryRoot", "__typename"), "query_too_large"),
            (Method::POST, cycle.to_owned(), "graphql_validation_failed"),
            (Method::GET, cycle.to_owned(), "graphql_validation_failed"),
            (Method::POST, mutation_cycle.to_owned(), "graphql_validation_failed"),
        ];
        // Every attack at once, more of them than the server has worker threads, with a
        // health check among them: all answer, and soon.
        let sent = futures::future::join_all(attacks.iter().map(|(method, q, _)| graphql(&app, method.clone(), q)));
        let health = app.client.get(format!("{}/healthz", app.base)).send();
        let (answers, health) = tokio::time::timeout(std::time::Duration::from_secs(5), futures::future::join(sent, health))
            .await
            .expect("every answer within 5 s");
        assert_eq!(health.unwrap().status(), StatusCode::OK);
        for ((method, q, expected), (status, body)) in attacks.iter().zip(answers) {
            assert_eq!((status, code(&body)), (StatusCode::OK, *expected), "{method} {q}: {body}");
            assert!(body["data"].is_null(), "{body}");
        }
        assert!(graphql(&app, Method::POST, &bomb("Query", "...Nope")).await.1["errors"][0]["message"].as_str().unwrap().contains("Nope"));
        nothing_stored(&app).await;
    }

    async fn every_refusal_before_execution_is_a_graphql_error(app: TestApp) {
        app.seed_catalogue().await;
        let flood: String = (0..=chitieu_api::graphql::MAX_FIELDS).map(|i| format!("t{i}: __typename ")).collect();
        let args: String = (0..=chitieu_api::graphql::MAX_ARGUMENTS).map(|i| format!("x{i}: 1 ")).collect();
        let nested = format!("{{ __typename(x: {}1{}) }}", "[".repeat(2_000), "]".repeat(2_000));
        let refusals = [
            ("{ roots { code }", "graphql_parse_error"),
            (&nested, "query_too_deep"),
            (&format!("{{ __typename({args}) }}"), "query_too_large"),
            ("{ ...Nope }", "graphql_validation_failed"),
            ("{ __typename } fragment Unused on QueryRoot { __typename }", "graphql_validation_failed"),
            ("{ rots { code } }", "graphql_validation_failed"),
            ("query A { __typename } query B { __typename }", "graphql_validation_failed"),
            (&format!("{{ {flood} }}"), "query_too_large"),
            (r#"{ __type(name: "OrgUnit") { fields { type { fields { type { fields { type { fields { name } } } } } } } } }"#, "query_too_deep"),
        ];
        for method in [Method::POST, Method::GET] {
            for (q, expected) in refusals {
                let res = send_graphql(&app, method.clone(), q).await;
                assert_eq!(res.status(), StatusCode::OK, "{method} {q}");
                assert_eq!(res.headers()["content-type"], "application/json");
                let body: Value = res.json().await.unwrap();
                assert_eq!(code(&body), expected, "{method} {q}: {body}");
                assert!(body["errors"][0]["message"].is_string(), "{body}");
                assert!(body["data"].is_null(), "{body}");
            }
        }
        // A syntax error names where, without echoing the document back.
        let long = format!("{{ {} roots(x: ) }}", "__typename ".repeat(100_000));
        let (_, body) = graphql(&app, Method::POST, &long).await;
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.len() < 200 && message.contains("column"), "{message}");
    }

    async fn the_standard_introspection_query_works(app: TestApp) {
        let (status, body) = graphql(&app, Method::POST, INTROSPECTION_QUERY).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body["errors"].is_null(), "{body}");
        let schema = &body["data"]["__schema"];
        assert_eq!(schema["queryType"]["name"], "QueryRoot");
        assert_eq!(schema["subscriptionType"]["name"], "SubscriptionRoot");
        let types = schema["types"].as_array().unwrap();
        let org_unit = types.iter().find(|t| t["name"] == "OrgUnit").expect("OrgUnit described");
        assert!(!org_unit["fields"].as_array().unwrap().is_empty());
        // `[String!]!`, unwrapped through ofType.
        let query_root = types.iter().find(|t| t["name"] == "QueryRoot").unwrap();
        let attainment = query_root["fields"].as_array().unwrap().iter().find(|f| f["name"] == "attainment").unwrap();
        let indicators = attainment["args"].as_array().unwrap().iter().find(|a| a["name"] == "indicators").unwrap();
        assert_eq!(indicators["type"], json!({"kind": "NON_NULL", "name": null, "ofType": {"kind": "LIST", "name": null, "ofType":
            {"kind": "NON_NULL", "name": null, "ofType": {"kind": "SCALAR", "name": "String", "ofType": null}}}}));
        // Over GET too, as GraphiQL may send it.
        let (status, body) = graphql(&app, Method::GET, INTROSPECTION_QUERY).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"]["__schema"]["queryType"]["name"], "QueryRoot", "{body}");
        // The production profile still answers it, without the schema.
        let prod = TestApp::spawn_with(app.backend, |c| c.graphql_introspection = false).await.unwrap();
        let (status, body) = graphql(&prod, Method::POST, INTROSPECTION_QUERY).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body["data"]["__schema"].is_null(), "{body}");
    }

    async fn refused_fields_are_audited_once_per_request(app: TestApp) {
        app.seed_catalogue().await;
        let (_, created) = app.post("/api/v1/api-tokens", &json!({"name": "p8-reader", "org_unit": "VT-P8", "scopes": ["data:read"]})).await;
        let token = created["token"].as_str().unwrap().to_owned();
        let aliases: String = (0..499).map(|i| format!("u{i}: users {{ __typename }} ")).collect();
        let res = app.client.post(format!("{}/graphql", app.base)).bearer_auth(&token)
            .json(&json!({"query": format!("{{ {aliases} }}")})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        let errors = body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 499);
        assert!(errors.iter().all(|e| e["extensions"]["code"] == "forbidden"), "{body}");

        let (_, audit) = app.get("/api/v1/audit").await;
        let refusals: Vec<&Value> = audit["events"].as_array().unwrap().iter().filter(|e| e["action"] == "auth.refused").collect();
        assert_eq!(refusals.len(), 1, "{audit}");
        let detail = &refusals[0]["detail"];
        assert_eq!(detail["count"], 499, "{detail}");
        assert_eq!(detail["graphql_paths"].as_array().unwrap().len(), 10, "{detail}");
        assert_eq!(detail["graphql_path"], json!(["u0"]), "{detail}");
        assert_eq!(refusals[0]["actor"], "token:p8-reader");
    }

    async fn a_request_past_its_time_limit_rolls_back_its_open_transaction(app: TestApp) {
        let mut app = app;
        app.restart(|c| {
            c.graphql_timeout = std::time::Duration::from_secs(1);
            // Only the request's own limit may stop it, not a wait on the database.
            c.database_timeout = std::time::Duration::from_secs(60);
        }).await;
        app.seed_catalogue().await;
        // The submission's transaction stalls on its last statement, the audit event, with its
        // figures and roll-ups already written; on SQLite for several times the time limit.
        let stall = common::stall::Stall::install(&app, std::time::Duration::from_secs(6)).await;
        let audit_before = stall.count("audit_event").await;
        let q = "mutation($input: DataValueSetInput!) { submitDataValues(input: $input) { status imported } }";
        let input = json!({"orgUnit": "VT-P8", "period": "2023", "dataValues": [
            {"dataElement": "DOC_OUT_SW", "value": 7}, {"dataElement": "DOC_IN_SW", "value": 8},
            {"dataElement": "DOC_OUT_PAPER", "value": 1}, {"dataElement": "DOC_IN_PAPER", "value": 2}]});
        let body = json!({"query": q, "variables": {"input": input}});
        let answer = tokio::spawn(app.req(Method::POST, "/graphql").json(&body).send());
        common::wait_until("the submission's transaction to be open and stalled", std::time::Duration::from_secs(30),
            || stall.write_open()).await;

        let res = answer.await.unwrap().unwrap();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        let refused: Value = res.json().await.unwrap();
        assert_eq!(refused["errors"][0]["extensions"]["code"], "request_timeout", "{refused}");
        assert!(stall.write_open().await, "the transaction had ended before the answer: the time limit did not stop an open transaction");

        let settled = stall.settle().await;
        assert_eq!(settled.count("data_value").await, 0, "figures of the stopped transaction were kept");
        assert_eq!(settled.count("data_value_rollup").await, 0, "roll-ups of the stopped transaction were kept");
        assert_eq!(settled.count("audit_event").await, audit_before, "an audit event of the stopped transaction was kept");
        nothing_stored(&app).await;

        // Unhindered, the same request stores its figures: only the rollback kept them out.
        let res = app.req(Method::POST, "/graphql").json(&body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let stored: Value = res.json().await.unwrap();
        assert_eq!(stored["data"]["submitDataValues"]["imported"], 4, "{stored}");
        assert_eq!(app.values("org_unit=VT-P8").await.len(), 4);
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

    async fn no_token_no_graphql(app: TestApp) {
        let res = app.client.post(format!("{}/graphql", app.base)).json(&json!({"query": "{ me { name } }"})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
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

mod rate_limited {
    use super::*;

    both_databases! {
        config = |c| c.rate_limit = chitieu_api::auth::RateLimit { per_minute: 2 };
        async fn over_the_rate_limit_graphql_answers_429_in_its_own_shape(app: TestApp) {
            for _ in 0..2 {
                let (status, body) = graphql(&app, Method::POST, "{ __typename }").await;
                assert_eq!(status, StatusCode::OK, "{body}");
            }
            let res = send_graphql(&app, Method::POST, "{ __typename }").await;
            assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
            assert!(res.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
            assert_eq!(res.headers()["content-type"], "application/json");
            let body: Value = res.json().await.unwrap();
            assert_eq!(code(&body), "rate_limited", "{body}");
            assert!(body["data"].is_null(), "{body}");
        }
    }
}

/// The introspection query of graphql-js 16.15.0 (`getIntrospectionQuery()`), verbatim: what
/// GraphiQL's documentation pane and code generators send.
const INTROSPECTION_QUERY: &str = r#"
    query IntrospectionQuery {
      __schema {
        
        queryType { name kind }
        mutationType { name kind }
        subscriptionType { name kind }
        types {
          ...FullType
        }
        directives {
          name
          description
          
          
          
          locations
          args {
            ...InputValue
          }
        }
      }
    }

    fragment FullType on __Type {
      kind
      name
      description
      
      
      fields(includeDeprecated: true) {
        name
        description
        args {
          ...InputValue
        }
        type {
          ...TypeRef
        }
        isDeprecated
        deprecationReason
      }
      inputFields {
        ...InputValue
      }
      interfaces {
        ...TypeRef
      }
      enumValues(includeDeprecated: true) {
        name
        description
        isDeprecated
        deprecationReason
      }
      possibleTypes {
        ...TypeRef
      }
    }

    fragment InputValue on __InputValue {
      name
      description
      type { ...TypeRef }
      defaultValue
      
      
    }

    fragment TypeRef on __Type {
      kind
      name
      ofType {
        name
        kind
        ofType {
          name
          kind
          ofType {
            name
            kind
            ofType {
              name
              kind
              ofType {
                name
                kind
                ofType {
                  name
                  kind
                  ofType {
                    name
                    kind
                    ofType {
                      name
                      kind
                      ofType {
                        name
                        kind
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  "#;
