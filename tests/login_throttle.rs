//! Password guessing against `/api/v1/auth/login`: each attack is sent for real, from several
//! client addresses (127.0.0.x), and the test checks both the answers and what the server
//! kept. The per-address and per-account bounds are lowered to 8 here so a test can reach
//! them; the per-(account, address) bound keeps its default of 5.
#![allow(clippy::unwrap_used)]

mod common;

use std::{net::IpAddr, time::Duration};

use common::TestApp;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "Một-mật-khẩu-dài";

fn from(ip: [u8; 4]) -> Client {
    Client::builder()
        .local_address(IpAddr::from(ip))
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A login from `client`: the status, the body and `Retry-After`.
async fn login(
    app: &TestApp,
    client: &Client,
    username: &str,
    password: &str,
) -> (StatusCode, Value, Option<u64>) {
    let res = client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    let (status, body) = common::read(res).await;
    (status, body, retry)
}

async fn create(app: &TestApp, username: &str) -> i64 {
    let (status, body) = app
        .post("/api/v1/users", &json!({"username": username, "password": PASSWORD, "role": "reporter", "org_unit": "VT-P8"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

async fn audit_events(app: &TestApp, action: &str) -> Vec<Value> {
    let (_, audit) = app.get("/api/v1/audit?limit=10000").await;
    audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .cloned()
        .collect()
}

async fn throttle_rows(app: &TestApp) -> Vec<(String, Option<String>)> {
    use sea_orm::ConnectionTrait;
    let db = chitieu_persistence::connect(&app.database_url)
        .await
        .unwrap();
    let rows = db
        .conn()
        .query_all_raw(sea_orm::Statement::from_string(
            db.conn().get_database_backend(),
            "SELECT key_hash, account_hash FROM auth_throttle",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.try_get_by_index(0).unwrap(),
                r.try_get_by_index(1).unwrap(),
            )
        })
        .collect()
}

both_databases! {
    config = |c: &mut chitieu_api::Config| {
        c.login_limits.per_address.free = 8;
        c.login_limits.per_account.free = 8;
    };

    async fn forty_wrong_passwords_at_once_get_five_checks_and_the_owner_elsewhere_still_logs_in(app: TestApp) {
        app.seed_catalogue().await;
        create(&app, "p8.reporter").await;
        let attacker = from([127, 0, 0, 1]);
        let attempts = (0..40).map(|i| {
            let (app, attacker) = (&app, &attacker);
            async move { login(app, attacker, "p8.reporter", &format!("guess-number-{i}")).await }
        });
        let answers = futures::future::join_all(attempts).await;
        let checked = answers.iter().filter(|(s, ..)| *s == StatusCode::UNAUTHORIZED).count();
        let refused: Vec<_> = answers.iter().filter(|(s, ..)| *s == StatusCode::TOO_MANY_REQUESTS).collect();
        assert_eq!((checked, refused.len()), (5, 35), "{answers:?}");
        assert!(refused.iter().all(|(_, body, retry)| body["code"] == "too_many_requests" && retry.is_some_and(|r| (1..=60).contains(&r))), "{refused:?}");
        assert_eq!(audit_events(&app, "auth.login_failed").await.len(), 5, "only five passwords were checked");

        // From the attacker's address even the right password waits...
        let (status, body, retry) = login(&app, &attacker, "p8.reporter", PASSWORD).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_requests")));
        assert!(retry.is_some_and(|r| (1..=60).contains(&r)));
        // ...while the owner, elsewhere, logs in.
        let (status, body, _) = login(&app, &from([127, 0, 0, 2]), "p8.reporter", PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    async fn one_address_trying_many_names_waits_and_only_hashes_are_kept(app: TestApp) {
        let client = from([127, 0, 0, 3]);
        let (_, wrong, _) = login(&app, &client, "nobody-here", "not-the-password").await;
        // A body over 16 KiB is refused before it is read (a small excess, so the client
        // finishes sending before the answer).
        let (status, body, _) = login(&app, &client, &"x".repeat(20_000), "not-the-password").await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")));
        // Seven more names, some far over 64 characters: each is the same wrong login.
        for i in 0..7u8 {
            let name = if i % 2 == 0 { char::from(b'a' + i).to_string().repeat(8000) } else { format!("nobody-{i}") };
            let (status, body, _) = login(&app, &client, &name, "not-the-password").await;
            assert_eq!((status, &body), (StatusCode::UNAUTHORIZED, &wrong));
        }
        let (status, body, _) = login(&app, &client, "admin", common::ADMIN_PASSWORD).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_requests")), "eight failures from one address");
        let (status, _, _) = login(&app, &from([127, 0, 0, 4]), "admin", common::ADMIN_PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "other addresses are not concerned");

        // The throttle holds digests only, a bounded number of them.
        let rows = throttle_rows(&app).await;
        assert!(rows.len() <= 3 * 9 + 1, "{}", rows.len());
        for (key, account) in &rows {
            assert_eq!(key.len(), 64);
            assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
            assert!(account.as_ref().is_none_or(|a| a.len() == 64));
        }
        // The audit trail names a failed login by at most 64 characters.
        let failed = audit_events(&app, "auth.login_failed").await;
        assert_eq!(failed.len(), 8);
        assert!(failed.iter().all(|e| e["actor"].as_str().unwrap().chars().count() <= 64));
    }

    async fn guessing_spread_over_addresses_cannot_lock_the_owner_out_and_an_admin_unlocks(app: TestApp) {
        app.seed_catalogue().await;
        let id = create(&app, "p8.reporter").await;
        let owner = from([127, 0, 0, 1]);
        let (status, ..) = login(&app, &owner, "p8.reporter", PASSWORD).await;
        assert_eq!(status, StatusCode::OK);
        // Eight failures spread over two addresses reach the account's bound.
        for (ip, n) in [([127, 0, 0, 5], 5), ([127, 0, 0, 6], 3)] {
            let client = from(ip);
            for _ in 0..n {
                assert_eq!(login(&app, &client, "p8.reporter", "a-wrong-guess").await.0, StatusCode::UNAUTHORIZED);
            }
        }
        let stranger = from([127, 0, 0, 7]);
        let (status, ..) = login(&app, &stranger, "p8.reporter", PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "a new address waits");
        let (status, ..) = login(&app, &owner, "p8.reporter", PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "the address the owner logged in from does not");

        // An admin unlocks the account (GraphQL here; REST and the command line elsewhere).
        let (status, body) = app.post("/graphql", &json!({"query": format!("mutation {{ updateUser(id: {id}, unlock: true) {{ username }} }}")})).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.get("errors").is_none(), "{body}");
        let (status, ..) = login(&app, &stranger, "p8.reporter", PASSWORD).await;
        assert_eq!(status, StatusCode::OK);
        let (status, ..) = login(&app, &from([127, 0, 0, 5]), "p8.reporter", "a-wrong-guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "the account's waits are forgotten from every address");
        let unlocked = audit_events(&app, "auth.unlocked").await;
        assert_eq!(unlocked.len(), 1);
        assert_eq!(unlocked[0]["actor"], "admin");
        assert_eq!(unlocked[0]["detail"]["username"], "p8.reporter");
    }

    async fn an_admin_unlocks_over_rest_and_a_manager_unlocks_its_reporters(app: TestApp) {
        app.seed_catalogue().await;
        let id = create(&app, "p8.reporter").await;
        let (status, _) = app.post("/api/v1/users", &json!({"username": "vt.manager", "password": PASSWORD, "role": "manager", "org_unit": "VT"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let manager = app.login("vt.manager", PASSWORD).await;
        let client = from([127, 0, 0, 8]);
        for _ in 0..5 {
            login(&app, &client, "p8.reporter", "a-wrong-guess").await;
        }
        assert_eq!(login(&app, &client, "p8.reporter", PASSWORD).await.0, StatusCode::TOO_MANY_REQUESTS);
        let (status, body) = common::as_bearer(&app, &manager, Method::PATCH, &format!("/api/v1/users/{id}"), Some(json!({"unlock": true}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["disabled"], false);
        assert_eq!(login(&app, &client, "p8.reporter", PASSWORD).await.0, StatusCode::OK);
        let unlocked = audit_events(&app, "auth.unlocked").await;
        assert_eq!((unlocked.len(), unlocked[0]["actor"].as_str()), (1, Some("vt.manager")));
        assert_eq!(audit_events(&app, "user.updated").await.len(), 0, "an unlock is recorded as itself only");
    }

    async fn expired_throttle_rows_are_purged(app: TestApp) {
        use sea_orm::ConnectionTrait;
        let db = chitieu_persistence::connect(&app.database_url).await.unwrap();
        for i in 0..3 {
            db.conn().execute_unprepared(&format!(
                "INSERT INTO auth_throttle (key_hash, account_hash, failures, blocked_until, trusted_until, expires_at) \
                 VALUES ('{i:064}', NULL, 9, 2, 0, 3)")).await.unwrap();
        }
        assert_eq!(throttle_rows(&app).await.iter().filter(|(k, _)| k.starts_with("0000000000")).count(), 3);
        login(&app, &from([127, 0, 0, 9]), "admin", "a-wrong-guess").await;
        let rows = throttle_rows(&app).await;
        let expired: Vec<String> = (0..3).map(|i| format!("{i:064}")).collect();
        assert!(rows.iter().all(|(k, _)| !expired.contains(k)), "the expired rows are gone: {rows:?}");
        assert!(!rows.is_empty(), "the attempt's keys are kept");
    }
}
