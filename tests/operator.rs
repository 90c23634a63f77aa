//! What an operator does from a shell: users and ward tokens without a frontend, signing-key
//! rotation that logs nobody out, and refused requests showing up in the audit trail.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestApp, chitieu, chitieu_status};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use common::as_bearer as with_bearer;

fn kid(jwt: &str) -> String {
    use base64::Engine;
    let header = jwt.split('.').next().unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .unwrap();
    serde_json::from_slice::<Value>(&bytes).unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn run(url: &str, args: &[&str], stdin: Option<&str>) -> String {
    let (url, args, stdin) = (
        url.to_owned(),
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
        stdin.map(str::to_owned),
    );
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        chitieu(&url, &args, stdin.as_deref())
    })
    .await
    .unwrap()
}

async fn run_status(url: &str, args: &[&str]) -> (bool, String, String) {
    let (url, args) = (
        url.to_owned(),
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
    );
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        chitieu_status(&url, &args, None)
    })
    .await
    .unwrap()
}

fn after<'a>(out: &'a str, label: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap()
        .trim()
}

both_databases! {
    async fn an_operator_creates_a_ward_token_and_revokes_it_from_the_command_line(app: TestApp) {
        app.seed_catalogue().await;
        let url = app.database_url.clone();
        let out = run(&url, &["token", "create", "--name", "p8-ward-system", "--org-unit", "VT-P8", "--scope", "data:write,data:read"], None).await;
        let token = after(&out, "token (shown once):").to_owned();
        assert!(token.starts_with("ctk_"), "{out}");
        let set = json!({"org_unit": "VT-P8", "period": "2023-01/2023-09", "data_values": [{"data_element": "DOC_OUT_SW", "value": 1867}]});
        let (status, body) = with_bearer(&app, &token, Method::POST, "/api/v1/data-value-sets", Some(set.clone())).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let (_, tokens) = app.get("/api/v1/api-tokens").await;
        let id = tokens["api_tokens"][0]["id"].as_i64().unwrap();
        run(&url, &["token", "revoke", &id.to_string()], None).await;
        let (status, _) = with_bearer(&app, &token, Method::POST, "/api/v1/data-value-sets", Some(set)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);

        // The audit trail says the admin did both, from the command line or not.
        let (_, audit) = app.get("/api/v1/audit").await;
        let actions: Vec<(&str, &str)> = audit["events"].as_array().unwrap().iter()
            .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap())).collect();
        assert!(actions.contains(&("api_token.created", "admin")), "{actions:?}");
        assert!(actions.contains(&("api_token.revoked", "admin")), "{actions:?}");
    }

    async fn an_operator_manages_users_from_the_command_line_under_the_same_rules(app: TestApp) {
        app.seed_catalogue().await;
        let url = app.database_url.clone();
        let out = run(&url, &["user", "create", "p8.reporter", "--role", "reporter", "--org-unit", "VT-P8", "--password-stdin"], Some("Một-mật-khẩu-dài\n")).await;
        assert!(out.contains("created user p8.reporter"), "{out}");
        let session = app.login("p8.reporter", "Một-mật-khẩu-dài").await;

        run(&url, &["user", "disable", "p8.reporter"], None).await;
        let (status, _) = with_bearer(&app, &session, Method::GET, "/api/v1/org-units", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "disabling ends sessions at once");
        run(&url, &["user", "enable", "p8.reporter"], None).await;
        let out = run(&url, &["user", "reset-password", "p8.reporter"], None).await;
        let generated = after(&out, "password:").to_owned();
        app.login("p8.reporter", &generated).await;

        // A manager of P8 acting from the shell cannot reach another ward or grant admin.
        run(&url, &["user", "create", "p8.manager", "--role", "manager", "--org-unit", "VT-P8"], None).await;
        let (ok, _, err) = run_status(&url, &["user", "create", "x.viewer", "--as", "p8.manager", "--role", "viewer", "--org-unit", "VT-P1"]).await;
        assert!(!ok && err.contains("forbidden"), "{err}");
        let (ok, _, err) = run_status(&url, &["user", "create", "x.admin", "--as", "p8.manager", "--role", "admin"]).await;
        assert!(!ok && err.contains("forbidden"), "{err}");
        let (ok, _, err) = run_status(&url, &["user", "create", "weak.one", "--role", "viewer", "--org-unit", "VT-P8", "--password-stdin"]).await;
        assert!(!ok && err.contains("password"), "{err}");
        let (status, users) = app.get("/api/v1/users").await;
        assert_eq!(status, StatusCode::OK);
        let names: Vec<&str> = users["users"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert_eq!(names, ["admin", "p8.manager", "p8.reporter"]);
    }

    async fn failed_logins_outlive_a_restart_and_the_command_line_unlocks(app: TestApp) {
        let mut app = app;
        app.seed_catalogue().await;
        let url = app.database_url.clone();
        for (name, role, unit) in [("p8.reporter", "reporter", "VT-P8"), ("vt.manager", "manager", "VT"), ("vt.peer", "manager", "VT")] {
            run(&url, &["user", "create", name, "--role", role, "--org-unit", unit, "--password-stdin"], Some("Một-mật-khẩu-dài\n")).await;
        }
        let attempt = |app: &TestApp, password: &'static str| {
            let request = app.client.post(format!("{}/api/v1/auth/login", app.base))
                .json(&json!({"username": "p8.reporter", "password": password}));
            async move { request.send().await.unwrap().status() }
        };
        for _ in 0..5 {
            assert_eq!(attempt(&app, "a-wrong-guess").await, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(attempt(&app, "Một-mật-khẩu-dài").await, StatusCode::TOO_MANY_REQUESTS);
        // The count lives in the database, not in one server's memory.
        app.restart(|_| {}).await;
        assert_eq!(attempt(&app, "Một-mật-khẩu-dài").await, StatusCode::TOO_MANY_REQUESTS);

        // A manager cannot unlock another manager of its unit, even from the shell.
        let (ok, _, err) = run_status(&url, &["user", "unlock", "vt.peer", "--as", "vt.manager"]).await;
        assert!(!ok && err.contains("forbidden"), "{err}");
        let out = run(&url, &["user", "unlock", "p8.reporter"], None).await;
        assert!(out.contains("unlocked p8.reporter"), "{out}");
        assert_eq!(attempt(&app, "Một-mật-khẩu-dài").await, StatusCode::OK, "the running server sees the unlock at once");
        let (_, audit) = app.get("/api/v1/audit").await;
        let unlocked: Vec<&Value> = audit["events"].as_array().unwrap().iter().filter(|e| e["action"] == "auth.unlocked").collect();
        assert_eq!(unlocked.len(), 1, "{unlocked:?}");
        assert_eq!((unlocked[0]["actor"].as_str(), unlocked[0]["detail"]["username"].as_str()), (Some("admin"), Some("p8.reporter")));
    }

    async fn a_refused_request_is_recorded_in_the_audit_trail(app: TestApp) {
        app.seed_catalogue().await;
        let (_, created) = app.post("/api/v1/api-tokens", &json!({"name": "p8-reader", "org_unit": "VT-P8", "scopes": ["data:read"]})).await;
        let token = created["token"].as_str().unwrap().to_owned();
        let set = json!({"org_unit": "VT-P8", "period": "2023", "data_values": [{"data_element": "DOC_OUT_SW", "value": 1}]});
        let (status, _) = with_bearer(&app, &token, Method::POST, "/api/v1/data-value-sets", Some(set)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = with_bearer(&app, &token, Method::POST, "/graphql", Some(json!({"query": "{ users { nodes { username } } }"}))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["errors"][0]["extensions"]["code"], "forbidden", "{body}");

        let (_, audit) = app.get("/api/v1/audit").await;
        let refused: Vec<&Value> = audit["events"].as_array().unwrap().iter()
            .filter(|e| e["action"] == "auth.refused").collect();
        assert_eq!(refused.len(), 2, "{audit}");
        assert!(refused.iter().all(|e| e["actor"] == "token:p8-reader" && e["org_unit"] == "VT-P8"));
        assert!(refused.iter().any(|e| e["detail"]["path"] == "/api/v1/data-value-sets"
            && e["detail"]["reason"].as_str().unwrap().contains("scopes")), "{refused:?}");
        assert!(refused.iter().any(|e| e["detail"]["graphql_path"] == json!(["users"])), "{refused:?}");
    }
}

mod key_rotation {
    use super::*;

    async fn rotation_keeps_sessions_for_the_grace_period_only(backend: common::Backend) {
        // Keys held in the database (no CHITIEU_JWT_SECRET), as with a zero-configuration start.
        let Some(mut app) = TestApp::spawn_with(backend, |c| c.jwt_secret = None).await else {
            return;
        };
        let url = app.database_url.clone();
        let before = app.token.clone();
        let out = run(&url, &["keys", "rotate", "--grace-seconds", "3600"], None).await;
        assert!(out.contains("new signing key"), "{out}");
        app.restart(|_| {}).await;

        // A session from before the rotation still works...
        let (status, body) =
            with_bearer(&app, &before, Method::GET, "/api/v1/org-units", None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // ...while new tokens are signed with the new key.
        let after_rotation = app.login("admin", common::ADMIN_PASSWORD).await;
        assert_ne!(kid(&before), kid(&after_rotation));

        // Rotating again with no grace retires both older keys at once.
        run(&url, &["keys", "rotate", "--grace-seconds", "0"], None).await;
        app.restart(|_| {}).await;
        for old in [&before, &after_rotation] {
            let (status, body) =
                with_bearer(&app, old, Method::GET, "/api/v1/org-units", None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        }
        let fresh = app.login("admin", common::ADMIN_PASSWORD).await;
        let (status, _) = with_bearer(&app, &fresh, Method::GET, "/api/v1/org-units", None).await;
        assert_eq!(status, StatusCode::OK);
    }

    async fn configured_previous_secret_is_accepted_until_its_deadline(backend: common::Backend) {
        let Some(mut app) = TestApp::spawn(backend).await else {
            return;
        };
        let before = app.token.clone();
        let old = "test-secret-test-secret-test-secret-0123".to_owned();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let old_for_grace = old.clone();
        app.restart(move |c| {
            c.jwt_secret = Some("a-brand-new-secret-of-forty-characters!!".into());
            c.jwt_previous_secret = Some(old_for_grace);
            c.jwt_previous_until = Some(now + 600);
        })
        .await;
        let (status, _) = with_bearer(&app, &before, Method::GET, "/api/v1/org-units", None).await;
        assert_eq!(status, StatusCode::OK);
        app.restart(move |c| c.jwt_previous_until = Some(now - 1))
            .await;
        let (status, _) = with_bearer(&app, &before, Method::GET, "/api/v1/org-units", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_rotation_keeps_sessions_for_the_grace_period_only() {
        rotation_keeps_sessions_for_the_grace_period_only(common::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_rotation_keeps_sessions_for_the_grace_period_only() {
        rotation_keeps_sessions_for_the_grace_period_only(common::Backend::Postgres).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_configured_previous_secret_is_accepted_until_its_deadline() {
        configured_previous_secret_is_accepted_until_its_deadline(common::Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_configured_previous_secret_is_accepted_until_its_deadline() {
        configured_previous_secret_is_accepted_until_its_deadline(common::Backend::Postgres).await;
    }
}
