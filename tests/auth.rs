//! Logging in and the access tokens every `/api/v1` call needs.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestApp;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const SECRET: &str = "test-secret-test-secret-test-secret-0123";

fn kid() -> String {
    hex::encode(&Sha256::digest(SECRET.as_bytes())[..8])
}

fn token(claims: Value, alg: Algorithm, secret: &str, kid: Option<String>) -> String {
    let mut header = Header::new(alg);
    header.kid = kid;
    jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .unwrap()
}

fn claims(exp_offset: i64) -> Value {
    let now = jsonwebtoken::get_current_timestamp() as i64;
    json!({"sub": "1", "iss": "chitieu", "aud": "chitieu-api", "exp": now + exp_offset,
           "nbf": now - 10, "iat": now - 10, "typ": "access", "jti": "x"})
}

async fn status_with(app: &TestApp, bearer: &str) -> StatusCode {
    app.client
        .get(format!("{}/api/v1/org-units", app.base))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap()
        .status()
}

both_databases! {
    async fn login_returns_bearer_tokens_and_the_token_opens_the_api(app: TestApp) {
        let res = app.client.post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": "admin", "password": common::ADMIN_PASSWORD}))
            .send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["expires_in"].as_u64().unwrap() > 0);
        assert!(body["refresh_token"].as_str().unwrap().starts_with("ctr_"));
        let access = body["access_token"].as_str().unwrap();
        assert_eq!(status_with(&app, access).await, StatusCode::OK);
    }

    async fn wrong_password_and_unknown_user_get_the_same_401(app: TestApp) {
        let mut bodies = Vec::new();
        for (u, p) in [("admin", "not-the-password"), ("nobody-here", "not-the-password")] {
            let (status, body) = common::read(app.client.post(format!("{}/api/v1/auth/login", app.base))
                .json(&json!({"username": u, "password": p})).send().await.unwrap()).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            bodies.push(body);
        }
        assert_eq!(bodies[0], bodies[1]);
        assert_eq!(bodies[0]["code"], "unauthorized");
    }

    async fn every_api_path_needs_a_token(app: TestApp) {
        for path in ["/api/v1/org-units", "/api/v1/data-values", "/api/v1/data-elements",
                     "/api/v1/indicators", "/api/v1/targets", "/api/v1/validation-rules"] {
            let (status, body) = common::read(app.client.get(format!("{}{}", app.base, path)).send().await.unwrap()).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
            assert_eq!(body["code"], "unauthorized");
        }
        let (status, _) = common::read(app.client.post(format!("{}/api/v1/data-value-sets", app.base))
            .json(&json!({"data_values": []})).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    async fn expired_tampered_and_forged_tokens_are_refused(app: TestApp) {
        // A well-formed token signed with our secret is accepted: the forgeries below differ
        // from it in one respect each.
        assert_eq!(status_with(&app, &token(claims(600), Algorithm::HS256, SECRET, Some(kid()))).await, StatusCode::OK);
        let expired = token(claims(-600), Algorithm::HS256, SECRET, Some(kid()));
        assert_eq!(status_with(&app, &expired).await, StatusCode::UNAUTHORIZED);
        let other_key = token(claims(600), Algorithm::HS256, "another-secret-another-secret-0123456", Some(kid()));
        assert_eq!(status_with(&app, &other_key).await, StatusCode::UNAUTHORIZED);
        let unknown_kid = token(claims(600), Algorithm::HS256, SECRET, Some("0011223344556677".into()));
        assert_eq!(status_with(&app, &unknown_kid).await, StatusCode::UNAUTHORIZED);
        let hs512 = token(claims(600), Algorithm::HS512, SECRET, Some(kid()));
        assert_eq!(status_with(&app, &hs512).await, StatusCode::UNAUTHORIZED);
        let mut wrong_aud = claims(600);
        wrong_aud["aud"] = json!("someone-else");
        assert_eq!(status_with(&app, &token(wrong_aud, Algorithm::HS256, SECRET, Some(kid()))).await, StatusCode::UNAUTHORIZED);
        let mut wrong_iss = claims(600);
        wrong_iss["iss"] = json!("evil");
        assert_eq!(status_with(&app, &token(wrong_iss, Algorithm::HS256, SECRET, Some(kid()))).await, StatusCode::UNAUTHORIZED);

        // Tampering with the payload of the real token breaks its signature.
        let real = app.token.clone();
        let parts: Vec<&str> = real.split('.').collect();
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut payload: Value = serde_json::from_slice(&engine.decode(parts[1]).unwrap()).unwrap();
        payload["sub"] = json!("2");
        let forged = format!("{}.{}.{}", parts[0], engine.encode(payload.to_string()), parts[2]);
        assert_eq!(status_with(&app, &forged).await, StatusCode::UNAUTHORIZED);

        // HS/RS confusion: a header claiming RS256, "signed" with HMAC over our secret as if
        // it were a public key.
        let rs_header = engine.encode(json!({"alg": "RS256", "typ": "JWT", "kid": kid()}).to_string());
        let message = format!("{rs_header}.{}", parts[1]);
        let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).unwrap();
        let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS256).unwrap();
        assert_eq!(status_with(&app, &format!("{message}.{signature}")).await, StatusCode::UNAUTHORIZED);

        // alg: none.
        let none_header = engine.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let none = format!("{none_header}.{}.", parts[1]);
        assert_eq!(status_with(&app, &none).await, StatusCode::UNAUTHORIZED);
        assert_eq!(status_with(&app, "garbage").await, StatusCode::UNAUTHORIZED);
    }

    async fn a_refresh_token_works_once_and_its_reuse_revokes_the_session(app: TestApp) {
        let (_, login) = common::read(app.client.post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": "admin", "password": common::ADMIN_PASSWORD})).send().await.unwrap()).await;
        let first = login["refresh_token"].as_str().unwrap().to_owned();
        let refresh = |t: String| {
            let app = &app;
            async move {
                common::read(app.client.post(format!("{}/api/v1/auth/refresh", app.base))
                    .json(&json!({"refresh_token": t})).send().await.unwrap()).await
            }
        };
        let (status, second) = refresh(first.clone()).await;
        assert_eq!(status, StatusCode::OK);
        let second = second["refresh_token"].as_str().unwrap().to_owned();
        let (status, _) = refresh(first).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a used refresh token is refused");
        let (status, _) = refresh(second).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "reuse revoked the whole family");
    }

    async fn logout_revokes_the_refresh_token(app: TestApp) {
        let (_, login) = common::read(app.client.post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": "admin", "password": common::ADMIN_PASSWORD})).send().await.unwrap()).await;
        let rt = login["refresh_token"].as_str().unwrap().to_owned();
        let res = app.req(Method::POST, "/api/v1/auth/logout").json(&json!({"refresh_token": rt})).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let (status, _) = common::read(app.client.post(format!("{}/api/v1/auth/refresh", app.base))
            .json(&json!({"refresh_token": rt})).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }

    async fn repeated_failed_logins_are_throttled_with_retry_after(app: TestApp) {
        let attempt = |password: &'static str| {
            let app = &app;
            async move {
                app.client.post(format!("{}/api/v1/auth/login", app.base))
                    .json(&json!({"username": "admin", "password": password})).send().await.unwrap()
            }
        };
        for _ in 0..5 {
            assert_eq!(attempt("not-the-password").await.status(), StatusCode::UNAUTHORIZED);
        }
        // Now even the right password waits: guessing cannot continue at speed.
        let res = attempt(common::ADMIN_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!(retry > 0 && retry <= 900);
        let (_, body) = common::read(res).await;
        assert_eq!(body["code"], "too_many_requests");
        // Tokens already issued keep working.
        assert_eq!(status_with(&app, &app.token.clone()).await, StatusCode::OK);
    }
}
