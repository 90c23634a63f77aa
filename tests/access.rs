//! Users bound to subtrees and machine API tokens: who may do what, where.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::as_bearer;

fn set(unit: &str, value: i64) -> Value {
    json!({"org_unit": unit, "period": "2023-01/2023-09", "data_values": [{"data_element": "DOC_OUT_SW", "value": value}]})
}

async fn create_user(
    app: &common::TestApp,
    token: &str,
    username: &str,
    role: &str,
    unit: &str,
) -> StatusCode {
    as_bearer(
        app,
        token,
        Method::POST,
        "/api/v1/users",
        Some(json!({
        "username": username, "password": "Một-mật-khẩu-dài", "role": role, "org_unit": unit})),
    )
    .await
    .0
}

both_databases! {
    async fn a_ward_system_token_writes_only_its_own_subtree_within_its_scopes(app: TestApp) {
        app.seed_catalogue().await;
        let (status, created) = app.post("/api/v1/api-tokens", &json!({"name": "p8-ward-system", "org_unit": "VT-P8", "scopes": ["data:write"]})).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let token = created["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("ctk_") && token.len() >= 40);
        assert_eq!(created["org_unit"], "VT-P8");
        assert!(created["id"].as_i64().is_some());

        let (status, body) = as_bearer(&app, &token, Method::POST, "/api/v1/data-value-sets", Some(set("VT-P8", 1867))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(app.values("org_unit=VT-P8").await[0]["updated_by"], "token:p8-ward-system");
        // Another ward: refused whole, nothing stored.
        let (status, body) = as_bearer(&app, &token, Method::POST, "/api/v1/data-value-sets", Some(set("VT-P1", 5))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["code"], "forbidden");
        assert!(app.values("org_unit=VT-P1").await.is_empty());
        // A write-only token cannot read, manage or edit the catalogue.
        for (method, path, body) in [
            (Method::GET, "/api/v1/data-values?org_unit=VT-P8", None),
            (Method::GET, "/api/v1/attainment?org_unit=VT-P8&period=2023", None),
            (Method::POST, "/api/v1/metadata", Some(json!({}))),
            (Method::GET, "/api/v1/api-tokens", None),
            (Method::POST, "/api/v1/api-tokens", Some(json!({"name": "x", "org_unit": "VT-P8", "scopes": ["data:read"]}))),
        ] {
            let (status, _) = as_bearer(&app, &token, method, path, body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
    }

    async fn a_read_token_reads_its_subtree_only(app: TestApp) {
        app.seed_catalogue().await;
        app.post("/api/v1/data-value-sets", &set("VT-P8", 1867)).await;
        let (_, created) = app.post("/api/v1/api-tokens", &json!({"name": "city-dashboard", "org_unit": "VT", "scopes": ["data:read"]})).await;
        let token = created["token"].as_str().unwrap().to_owned();
        let (status, body) = as_bearer(&app, &token, Method::GET, "/api/v1/aggregates?data_element=DOC_OUT_SW&org_unit=VT&period=2023", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["rows"][0]["value"], 1867);
        let (status, _) = as_bearer(&app, &token, Method::GET, "/api/v1/attainment?org_unit=BRVT&period=2023", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "an ancestor is outside the subtree");
        let (status, _) = as_bearer(&app, &token, Method::POST, "/api/v1/data-value-sets", Some(set("VT-P8", 1))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, units) = as_bearer(&app, &token, Method::GET, "/api/v1/org-units", None).await;
        let codes: Vec<&str> = units["org_units"].as_array().unwrap().iter().map(|u| u["code"].as_str().unwrap()).collect();
        assert!(codes.contains(&"VT") && !codes.contains(&"BRVT") && !codes.contains(&"VN"), "{codes:?}");
    }

    async fn a_revoked_or_expired_token_is_refused_at_once(app: TestApp) {
        app.seed_catalogue().await;
        let (_, created) = app.post("/api/v1/api-tokens", &json!({"name": "p1", "org_unit": "VT-P1", "scopes": ["data:read", "data:write"]})).await;
        let token = created["token"].as_str().unwrap().to_owned();
        let id = created["id"].as_i64().unwrap();
        let (status, _) = as_bearer(&app, &token, Method::GET, "/api/v1/data-values", None).await;
        assert_eq!(status, StatusCode::OK);
        let (_, list) = app.get("/api/v1/api-tokens").await;
        let listed = &list["api_tokens"][0];
        assert_eq!(listed["name"], "p1");
        assert!(listed.get("token").is_none(), "the secret is shown only once");
        assert!(listed["last_used_at"].is_string());
        let res = app.req(Method::DELETE, &format!("/api/v1/api-tokens/{id}")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let (status, body) = as_bearer(&app, &token, Method::GET, "/api/v1/data-values", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "unauthorized");

        let (status, body) = app.post("/api/v1/api-tokens", &json!({"name": "old", "org_unit": "VT-P1", "scopes": ["data:read"], "expires_at": "2020-01-01T00:00:00Z"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (_, created) = app.post("/api/v1/api-tokens", &json!({"name": "soon", "org_unit": "VT-P1", "scopes": ["data:read"], "expires_at": "2099-01-01T00:00:00Z"})).await;
        let soon = created["token"].as_str().unwrap().to_owned();
        let db = chitieu_persistence::connect(&app.database_url).await.unwrap();
        use sea_orm::ConnectionTrait;
        db.conn().execute_unprepared("UPDATE api_token SET expires_at = 1 WHERE name = 'soon'").await.unwrap();
        let (status, _) = as_bearer(&app, &soon, Method::GET, "/api/v1/data-values", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "expired");
        // Only hashes are stored.
        let rows = db.conn().query_all_raw(sea_orm::Statement::from_string(db.conn().get_database_backend(),
            "SELECT name, token_hash, scopes FROM api_token")).await.unwrap();
        for row in rows {
            let hash: String = row.try_get_by_index(1).unwrap();
            assert_eq!(hash.len(), 64);
            assert_ne!(hash, token);
            assert!(!hash.contains("ctk_"));
        }
        let (status, body) = app.post("/api/v1/api-tokens", &json!({"name": "x", "org_unit": "VT-P1", "scopes": ["admin"]})).await;
        assert_eq!((status, body["code"].as_str().unwrap()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_scope"));
    }

    async fn a_manager_acts_only_inside_its_subtree_and_never_grants_admin(app: TestApp) {
        app.seed_catalogue().await;
        assert_eq!(create_user(&app, &app.token, "vt.manager", "manager", "VT").await, StatusCode::CREATED);
        let manager = app.login("vt.manager", "Một-mật-khẩu-dài").await;
        assert_eq!(create_user(&app, &manager, "p1.reporter", "reporter", "VT-P1").await, StatusCode::CREATED);
        assert_eq!(create_user(&app, &manager, "p8.viewer", "viewer", "VT-P8").await, StatusCode::CREATED);
        assert_eq!(create_user(&app, &manager, "brvt.reporter", "reporter", "BRVT").await, StatusCode::FORBIDDEN);
        assert_eq!(create_user(&app, &manager, "sneaky", "admin", "VT").await, StatusCode::FORBIDDEN);
        assert_eq!(create_user(&app, &manager, "p1.reporter", "reporter", "VT-P1").await, StatusCode::CONFLICT);
        let (status, body) = as_bearer(&app, &manager, Method::POST, "/api/v1/users", Some(json!({
            "username": "weak", "password": "1234567890", "role": "viewer", "org_unit": "VT-P1"}))).await;
        assert_eq!((status, body["errors"][0]["code"].as_str().unwrap()), (StatusCode::UNPROCESSABLE_ENTITY, "weak_password"));
        let (status, body) = as_bearer(&app, &manager, Method::POST, "/api/v1/users", Some(json!({
            "username": "Bad Name", "password": "Một-mật-khẩu-dài", "role": "viewer", "org_unit": "VT-P1"}))).await;
        assert_eq!((status, body["errors"][0]["code"].as_str().unwrap()), (StatusCode::UNPROCESSABLE_ENTITY, "invalid_username"));
        let (_, list) = as_bearer(&app, &manager, Method::GET, "/api/v1/users", None).await;
        let names: Vec<&str> = list["users"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert_eq!(names, ["p1.reporter", "p8.viewer", "vt.manager"], "admin is outside the manager's subtree");
        assert!(list["users"][0].get("password_hash").is_none());
        let (status, _) = as_bearer(&app, &manager, Method::POST, "/api/v1/api-tokens",
            Some(json!({"name": "brvt", "org_unit": "BRVT", "scopes": ["data:read"]}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = as_bearer(&app, &manager, Method::POST, "/api/v1/metadata", Some(json!({}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "catalogue edits stay with admins for now");
    }

    async fn reporters_write_their_subtree_and_viewers_only_read(app: TestApp) {
        app.seed_catalogue().await;
        create_user(&app, &app.token, "p1.reporter", "reporter", "VT-P1").await;
        create_user(&app, &app.token, "p1.viewer", "viewer", "VT-P1").await;
        let reporter = app.login("p1.reporter", "Một-mật-khẩu-dài").await;
        let viewer = app.login("p1.viewer", "Một-mật-khẩu-dài").await;
        let (status, _) = as_bearer(&app, &reporter, Method::POST, "/api/v1/data-value-sets", Some(set("VT-P1", 1582))).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = as_bearer(&app, &reporter, Method::POST, "/api/v1/data-value-sets", Some(set("VT-P8", 1))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = as_bearer(&app, &viewer, Method::POST, "/api/v1/data-value-sets", Some(set("VT-P1", 1))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        for who in [&reporter, &viewer] {
            let (status, _) = as_bearer(&app, who, Method::GET, "/api/v1/users", None).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let (status, body) = as_bearer(&app, who, Method::GET, "/api/v1/aggregates?data_element=DOC_OUT_SW&org_unit=VT-P1&period=2023", None).await;
            assert_eq!((status, body["rows"][0]["value"].clone()), (StatusCode::OK, json!(1582)));
        }
        assert_eq!(app.values("org_unit=VT-P1").await[0]["value"], 1582, "the viewer changed nothing");
        // Idempotency keys are per caller: the same key from another caller is a new request.
        let send = |who: String, unit: &'static str| {
            let app = &app;
            async move {
                app.client.post(format!("{}/api/v1/data-value-sets", app.base)).bearer_auth(who)
                    .header("idempotency-key", "monthly-2023-09").json(&set(unit, 7)).send().await.unwrap().status()
            }
        };
        assert_eq!(send(reporter.clone(), "VT-P1").await, StatusCode::OK);
        assert_eq!(send(app.token.clone(), "VT-P8").await, StatusCode::OK);
        assert_eq!(app.values("org_unit=VT-P8").await[0]["value"], 7);
    }

    async fn disabling_a_user_ends_its_sessions_at_once(app: TestApp) {
        app.seed_catalogue().await;
        create_user(&app, &app.token, "p1.reporter", "reporter", "VT-P1").await;
        let (_, login) = common::read(app.client.post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": "p1.reporter", "password": "Một-mật-khẩu-dài"})).send().await.unwrap()).await;
        let access = login["access_token"].as_str().unwrap().to_owned();
        let refresh = login["refresh_token"].as_str().unwrap().to_owned();
        let (_, users) = app.get("/api/v1/users").await;
        let id = users["users"].as_array().unwrap().iter().find(|u| u["username"] == "p1.reporter").unwrap()["id"].as_i64().unwrap();

        let (status, body) = as_bearer(&app, &app.token, Method::PATCH, &format!("/api/v1/users/{id}"), Some(json!({"disabled": true}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["disabled"], true);
        let (status, _) = as_bearer(&app, &access, Method::GET, "/api/v1/data-values", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the access token stops working at once");
        let (status, _) = common::read(app.client.post(format!("{}/api/v1/auth/refresh", app.base))
            .json(&json!({"refresh_token": refresh})).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = common::read(app.client.post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": "p1.reporter", "password": "Một-mật-khẩu-dài"})).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        as_bearer(&app, &app.token, Method::PATCH, &format!("/api/v1/users/{id}"), Some(json!({"disabled": false, "password": "Mật-khẩu-mới-2023"}))).await;
        let (status, _) = common::read(app.client.post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": "p1.reporter", "password": "Một-mật-khẩu-dài"})).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password no longer works");
        let reporter = app.login("p1.reporter", "Mật-khẩu-mới-2023").await;

        // Changing one's own password needs the current one.
        let (status, _) = as_bearer(&app, &reporter, Method::POST, "/api/v1/auth/password",
            Some(json!({"current_password": "wrong-wrong-wrong", "new_password": "Một-mật-khẩu-khác"}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, _) = as_bearer(&app, &reporter, Method::POST, "/api/v1/auth/password",
            Some(json!({"current_password": "Mật-khẩu-mới-2023", "new_password": "password123"}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = as_bearer(&app, &reporter, Method::POST, "/api/v1/auth/password",
            Some(json!({"current_password": "Mật-khẩu-mới-2023", "new_password": "Một-mật-khẩu-khác"}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        // Every session ends with the change, the one that made it included.
        let (status, _) = as_bearer(&app, &reporter, Method::GET, "/api/v1/org-units", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let reporter = app.login("p1.reporter", "Một-mật-khẩu-khác").await;
        // A reporter cannot manage users; nobody disables their own account.
        let (status, _) = as_bearer(&app, &reporter, Method::PATCH, &format!("/api/v1/users/{id}"), Some(json!({"disabled": true}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, users) = app.get("/api/v1/users").await;
        let admin_id = users["users"].as_array().unwrap().iter().find(|u| u["username"] == "admin").unwrap()["id"].as_i64().unwrap();
        let (status, _) = as_bearer(&app, &app.token, Method::PATCH, &format!("/api/v1/users/{admin_id}"), Some(json!({"disabled": true}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    async fn a_manager_cannot_touch_accounts_outside_its_subtree_or_an_admin(app: TestApp) {
        app.seed_catalogue().await;
        create_user(&app, &app.token, "p8.manager", "manager", "VT-P8").await;
        create_user(&app, &app.token, "p1.viewer", "viewer", "VT-P1").await;
        let manager = app.login("p8.manager", "Một-mật-khẩu-dài").await;
        let (_, users) = app.get("/api/v1/users").await;
        let id_of = |name: &str| users["users"].as_array().unwrap().iter().find(|u| u["username"] == name).unwrap()["id"].as_i64().unwrap();
        let (status, _) = as_bearer(&app, &manager, Method::PATCH, &format!("/api/v1/users/{}", id_of("p1.viewer")), Some(json!({"disabled": true}))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "outside the subtree it does not exist");
        let (status, _) = as_bearer(&app, &manager, Method::PATCH, &format!("/api/v1/users/{}", id_of("admin")), Some(json!({"password": "Mật-khẩu-mới-2023"}))).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        app.login("p1.viewer", "Một-mật-khẩu-dài").await;
    }

    async fn a_manager_acts_only_on_accounts_strictly_below_it_over_rest_and_graphql(app: TestApp) {
        app.seed_catalogue().await;
        for (name, role, unit) in [("vt.manager", "manager", "VT"), ("vt.peer", "manager", "VT"),
                                   ("vt.reporter", "reporter", "VT"), ("p1.manager", "manager", "VT-P1")] {
            assert_eq!(create_user(&app, &app.token, name, role, unit).await, StatusCode::CREATED);
        }
        let manager = app.login("vt.manager", "Một-mật-khẩu-dài").await;
        let peer_session = app.login("vt.peer", "Một-mật-khẩu-dài").await;
        let (_, users) = as_bearer(&app, &manager, Method::GET, "/api/v1/users", None).await;
        let id_of = |name: &str| users["users"].as_array().unwrap().iter().find(|u| u["username"] == name).unwrap()["id"].as_i64().unwrap();
        let (me, peer) = (id_of("vt.manager"), id_of("vt.peer"));

        // Another manager of the same unit, and the manager itself: refused on both edges.
        for (target, body) in [(peer, json!({"password": "Mật-khẩu-mới-2024"})), (peer, json!({"disabled": true})),
                               (peer, json!({"unlock": true})), (me, json!({"password": "Mật-khẩu-mới-2024"}))] {
            let (status, problem) = as_bearer(&app, &manager, Method::PATCH, &format!("/api/v1/users/{target}"), Some(body.clone())).await;
            assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{body}");
        }
        for args in [format!(r#"id: {peer}, password: "Mật-khẩu-mới-2024""#), format!("id: {peer}, disabled: true"),
                     format!("id: {peer}, unlock: true"), format!(r#"id: {me}, password: "Mật-khẩu-mới-2024""#)] {
            let (_, body) = as_bearer(&app, &manager, Method::POST, "/graphql",
                Some(json!({"query": format!("mutation {{ updateUser({args}) {{ id }} }}")}))).await;
            assert_eq!(body["errors"][0]["extensions"]["code"], "forbidden", "{args}: {body}");
        }
        // A new manager of its own unit would be a peer too; one unit below is fine.
        assert_eq!(create_user(&app, &manager, "vt.second", "manager", "VT").await, StatusCode::FORBIDDEN);
        let (_, body) = as_bearer(&app, &manager, Method::POST, "/graphql", Some(json!({"query":
            r#"mutation { createUser(input: {username: "vt.third", password: "Một-mật-khẩu-dài", role: "manager", orgUnit: "VT"}) { id } }"#}))).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "forbidden", "{body}");
        assert_eq!(create_user(&app, &manager, "p8.manager", "manager", "VT-P8").await, StatusCode::CREATED);

        // Nothing of the peer changed: its password and its session still work.
        app.login("vt.peer", "Một-mật-khẩu-dài").await;
        let (status, _) = as_bearer(&app, &peer_session, Method::GET, "/api/v1/org-units", None).await;
        assert_eq!(status, StatusCode::OK);
        let (_, list) = app.get("/api/v1/users").await;
        let names: Vec<&str> = list["users"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert!(!names.contains(&"vt.second") && !names.contains(&"vt.third"), "{names:?}");
        assert!(list["users"].as_array().unwrap().iter().all(|u| u["disabled"] == false));

        // Below it: a reporter of its unit, a manager of a unit below.
        let (status, _) = as_bearer(&app, &manager, Method::PATCH, &format!("/api/v1/users/{}", id_of("vt.reporter")), Some(json!({"password": "Mật-khẩu-mới-2024"}))).await;
        assert_eq!(status, StatusCode::OK);
        let (_, body) = as_bearer(&app, &manager, Method::POST, "/graphql",
            Some(json!({"query": format!("mutation {{ updateUser(id: {}, disabled: true) {{ disabled }} }}", id_of("p1.manager"))}))).await;
        assert_eq!(body["data"]["updateUser"]["disabled"], true, "{body}");
        // Listing still shows the accounts it may not act on.
        let (_, users) = as_bearer(&app, &manager, Method::GET, "/api/v1/users", None).await;
        let listed: Vec<&str> = users["users"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert!(listed.contains(&"vt.peer") && listed.contains(&"vt.manager"), "{listed:?}");
    }
}
