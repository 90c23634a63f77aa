//! The audit trail: every change says who made it, and the database keeps it append-only.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn events<'a>(body: &'a Value, action: &str) -> Vec<&'a Value> {
    body["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .collect()
}

/// Every audit row, in id order, every column.
async fn trail(db: &chitieu_persistence::Database) -> Vec<AuditRow> {
    use sea_orm::{ConnectionTrait, Statement};
    let sql = "SELECT id, at, actor_kind, actor_id, actor, action, org_unit_id, detail \
               FROM audit_event ORDER BY id";
    let rows = db
        .conn()
        .query_all_raw(Statement::from_string(
            db.conn().get_database_backend(),
            sql,
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get("", "id").unwrap(),
                r.try_get("", "at").unwrap(),
                r.try_get("", "actor_kind").unwrap(),
                r.try_get("", "actor_id").unwrap(),
                r.try_get("", "actor").unwrap(),
                r.try_get("", "action").unwrap(),
                r.try_get("", "org_unit_id").unwrap(),
                r.try_get("", "detail").unwrap(),
            )
        })
        .collect()
}

type AuditRow = (
    i64,
    i64,
    String,
    Option<i64>,
    String,
    String,
    Option<i64>,
    String,
);

both_databases! {
    async fn every_change_of_a_figure_is_recorded_with_old_and_new_values(app: TestApp) {
        app.seed_catalogue().await;
        let (_, token) = app.post("/api/v1/api-tokens", &json!({"name": "p8-system", "org_unit": "VT-P8", "scopes": ["data:write"]})).await;
        let token = token["token"].as_str().unwrap().to_owned();
        let submit = |body: Value, path: &'static str| {
            let app = &app;
            let token = token.clone();
            async move {
                app.client.post(format!("{}{path}", app.base)).bearer_auth(token).json(&body).send().await.unwrap().status()
            }
        };
        let set = |v: Value| json!({"org_unit": "VT-P8", "period": "2023-09", "data_values": [{"data_element": "DOC_OUT_SW", "value": v}]});
        assert_eq!(submit(set(json!(100)), "/api/v1/data-value-sets").await, StatusCode::OK);
        assert_eq!(submit(set(json!(120)), "/api/v1/data-value-sets").await, StatusCode::OK);
        assert_eq!(submit(set(json!(999)), "/api/v1/data-value-sets?dry_run=true").await, StatusCode::OK);
        assert_eq!(submit(set(json!("bad")), "/api/v1/data-value-sets").await, StatusCode::CONFLICT);
        assert_eq!(submit(set(Value::Null), "/api/v1/data-value-sets").await, StatusCode::OK);

        let (status, body) = app.get("/api/v1/audit").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let writes = events(&body, "data_values.write");
        assert_eq!(writes.len(), 3, "dry runs and refused sets leave no trace: {body}");
        let change = |e: &Value| e["detail"]["changes"][0].clone();
        // Newest first: the deletion, the correction, the first value.
        // Each change is [data_element, period, old, new].
        assert_eq!(change(writes[0]), json!(["DOC_OUT_SW", "2023-09", 120, null]));
        assert_eq!(change(writes[1]), json!(["DOC_OUT_SW", "2023-09", 100, 120]));
        assert_eq!(change(writes[2]), json!(["DOC_OUT_SW", "2023-09", null, 100]));
        assert!(writes.iter().all(|e| e["actor"] == "token:p8-system" && e["actor_kind"] == "token" && e["org_unit"] == "VT-P8"));
        assert_eq!(events(&body, "api_token.created").len(), 1);
        assert_eq!(events(&body, "metadata.import").len(), 1);
    }

    async fn logins_and_token_revocations_are_recorded(app: TestApp) {
        app.seed_catalogue().await;
        let (status, _) = common::read(app.client.post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": "admin", "password": "wrong-password!"})).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (_, token) = app.post("/api/v1/api-tokens", &json!({"name": "t", "org_unit": "VT", "scopes": ["data:read"]})).await;
        let id = token["id"].as_i64().unwrap();
        app.req(Method::DELETE, &format!("/api/v1/api-tokens/{id}")).send().await.unwrap();
        let (_, body) = app.get("/api/v1/audit").await;
        assert_eq!(events(&body, "auth.login_failed").len(), 1);
        assert!(!events(&body, "auth.login").is_empty());
        let revoked = events(&body, "api_token.revoked");
        assert_eq!(revoked[0]["detail"]["token_id"], id);
        assert_eq!(revoked[0]["actor"], "admin");
    }

    async fn the_database_refuses_to_change_or_delete_the_audit_trail(app: TestApp) {
        app.seed_catalogue().await;
        let db = chitieu_persistence::connect(&app.database_url).await.unwrap();
        let before = trail(&db).await;
        assert!(before.len() > 1, "{before:?}");
        let (first, last) = (before[0].0, before[before.len() - 1].0);
        let mut attempts = vec![
            "UPDATE audit_event SET actor = 'someone-else'".to_owned(),
            format!("UPDATE audit_event SET detail = '{{}}' WHERE id = {last}"),
            "DELETE FROM audit_event".to_owned(),
            format!("DELETE FROM audit_event WHERE id = {first}"),
        ];
        if matches!(app.backend, common::Backend::Postgres) {
            attempts.push("TRUNCATE audit_event".to_owned());
        }
        for sql in &attempts {
            use sea_orm::ConnectionTrait;
            let refused = db.conn().execute_unprepared(sql).await.expect_err(sql);
            // The append-only trigger refused it, not anything else that can fail.
            assert!(refused.to_string().contains("audit_event is append-only"), "{sql}: {refused}");
            assert_eq!(trail(&db).await, before, "{sql} changed the trail");
        }
    }

    async fn managers_read_the_trail_of_their_subtree_only(app: TestApp) {
        app.seed_catalogue().await;
        for (user, role, unit) in [("p1.manager", "manager", "VT-P1"), ("p1.reporter", "reporter", "VT-P1")] {
            let (status, _) = app.post("/api/v1/users", &json!({"username": user, "password": "Một-mật-khẩu-dài", "role": role, "org_unit": unit})).await;
            assert_eq!(status, StatusCode::CREATED);
        }
        for unit in ["VT-P1", "VT-P8"] {
            app.post("/api/v1/data-value-sets", &json!({"org_unit": unit, "period": "2023", "data_values": [{"data_element": "DOC_OUT_SW", "value": 1}]})).await;
        }
        let manager = app.login("p1.manager", "Một-mật-khẩu-dài").await;
        let (status, body) = common::read(app.client.get(format!("{}/api/v1/audit", app.base)).bearer_auth(&manager).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        let units: Vec<&str> = body["events"].as_array().unwrap().iter().filter_map(|e| e["org_unit"].as_str()).collect();
        assert!(units.contains(&"VT-P1") && !units.contains(&"VT-P8"), "{units:?}");
        let reporter = app.login("p1.reporter", "Một-mật-khẩu-dài").await;
        let (status, _) = common::read(app.client.get(format!("{}/api/v1/audit", app.base)).bearer_auth(&reporter).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}
