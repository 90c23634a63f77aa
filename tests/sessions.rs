//! When a session ends: a password reset, disabling or a password change ends every session of
//! the user at once, on REST and GraphQL alike; and guessing the current password to change it
//! is throttled whatever the edge (bursts, GraphQL aliases).
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestApp, as_bearer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PASSWORD: &str = "Một-mật-khẩu-dài";
const NEW_PASSWORD: &str = "Mật-khẩu-mới-2024";

async fn create(app: &TestApp, username: &str) -> i64 {
    let (status, body) = app
        .post("/api/v1/users", &json!({"username": username, "password": PASSWORD, "role": "reporter", "org_unit": "VT-P8"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// Access and refresh token of a fresh login.
async fn session(app: &TestApp, username: &str, password: &str) -> (String, String) {
    let (status, body) = common::read(
        app.client
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

async fn graphql(app: &TestApp, bearer: &str, query: &str) -> (StatusCode, Value) {
    as_bearer(
        app,
        bearer,
        Method::POST,
        "/graphql",
        Some(json!({"query": query})),
    )
    .await
}

async fn refresh(app: &TestApp, token: &str) -> StatusCode {
    app.client
        .post(format!("{}/api/v1/auth/refresh", app.base))
        .json(&json!({"refresh_token": token}))
        .send()
        .await
        .unwrap()
        .status()
}

/// Whether a session still works: REST, GraphQL and refresh.
async fn works(app: &TestApp, (access, refresh_token): &(String, String)) -> [bool; 3] {
    let (rest, _) = as_bearer(app, access, Method::GET, "/api/v1/org-units", None).await;
    let (status, body) = graphql(app, access, "{ me { name } }").await;
    let gql = status == StatusCode::OK && body["data"]["me"]["name"].is_string();
    if !gql {
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    [
        rest == StatusCode::OK,
        gql,
        refresh(app, refresh_token).await == StatusCode::OK,
    ]
}

/// `PATCH /api/v1/users/{id}` as the admin.
async fn patch(app: &TestApp, id: i64, body: Value) {
    let (status, answer) = common::read(
        app.req(Method::PATCH, &format!("/api/v1/users/{id}"))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn events(app: &TestApp, action: &str) -> usize {
    let (_, audit) = app.get("/api/v1/audit?limit=10000").await;
    audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .count()
}

fn aliases(n: usize) -> String {
    let fields: Vec<String> = (0..n)
        .map(|i| format!(r#"a{i}: changeOwnPassword(currentPassword: "guess-number-{i}", newPassword: "{NEW_PASSWORD}")"#))
        .collect();
    format!("mutation {{ {} }}", fields.join(" "))
}

both_databases! {
    async fn a_password_reset_ends_every_session_at_once_on_rest_and_graphql(app: TestApp) {
        app.seed_catalogue().await;
        let id = create(&app, "p8.reporter").await;
        let first = session(&app, "p8.reporter", PASSWORD).await;
        let second = session(&app, "p8.reporter", PASSWORD).await;
        assert_eq!(works(&app, &first).await, [true; 3]);

        let (status, body) = app.post("/graphql", &json!({"query": format!(r#"mutation {{ updateUser(id: {id}, password: "{NEW_PASSWORD}") {{ username }} }}"#)})).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.get("errors").is_none(), "{body}");
        // `first` was refreshed above, so `second` shows the untouched tokens.
        assert_eq!(works(&app, &second).await, [false; 3], "access and refresh tokens issued before the reset are refused at once");

        let fresh = session(&app, "p8.reporter", NEW_PASSWORD).await;
        assert_eq!(works(&app, &fresh).await, [true; 3]);
    }

    async fn disabling_ends_every_session_at_once_and_re_enabling_does_not_revive_them(app: TestApp) {
        app.seed_catalogue().await;
        let id = create(&app, "p8.reporter").await;
        let before = session(&app, "p8.reporter", PASSWORD).await;
        patch(&app, id, json!({"disabled": true})).await;
        patch(&app, id, json!({"disabled": false})).await;
        assert_eq!(works(&app, &before).await, [false; 3]);
        assert_eq!(works(&app, &session(&app, "p8.reporter", PASSWORD).await).await, [true; 3]);
    }

    async fn changing_ones_own_password_ends_every_session_this_one_included(app: TestApp) {
        app.seed_catalogue().await;
        create(&app, "p8.reporter").await;
        let other = session(&app, "p8.reporter", PASSWORD).await;
        let this = session(&app, "p8.reporter", PASSWORD).await;
        let (status, body) = as_bearer(&app, &this.0, Method::POST, "/api/v1/auth/password",
            Some(json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(works(&app, &other).await, [false; 3]);
        assert_eq!(works(&app, &this).await, [false; 3]);
        assert_eq!(works(&app, &session(&app, "p8.reporter", NEW_PASSWORD).await).await, [true; 3]);
    }

    async fn every_token_of_an_earlier_epoch_is_refused_even_when_nothing_revoked_it(app: TestApp) {
        app.seed_catalogue().await;
        create(&app, "p8.reporter").await;
        let before = session(&app, "p8.reporter", PASSWORD).await;
        // Whatever moves the epoch (a later change that forgot to revoke anything, another
        // instance), the epoch alone ends the sessions.
        use sea_orm::ConnectionTrait;
        let db = chitieu_persistence::connect(&app.database_url).await.unwrap();
        db.conn().execute_unprepared("UPDATE app_user SET session_epoch = session_epoch + 1 WHERE username = 'p8.reporter'").await.unwrap();
        assert_eq!(works(&app, &before).await, [false; 3]);
        assert_eq!(works(&app, &session(&app, "p8.reporter", PASSWORD).await).await, [true; 3]);
    }

    async fn sixty_one_aliased_password_changes_check_five_passwords(app: TestApp) {
        app.seed_catalogue().await;
        create(&app, "p8.reporter").await;
        let (access, _) = session(&app, "p8.reporter", PASSWORD).await;
        let (status, body) = graphql(&app, &access, &aliases(61)).await;
        assert_eq!(status, StatusCode::OK);
        let codes: Vec<&str> = body["errors"].as_array().unwrap().iter()
            .map(|e| e["extensions"]["code"].as_str().unwrap()).collect();
        assert_eq!(codes.len(), 61, "{body}");
        assert_eq!(codes.iter().filter(|c| **c == "unauthorized").count(), 5, "five current passwords were checked: {codes:?}");
        assert_eq!(codes.iter().filter(|c| **c == "too_many_requests").count(), 56, "{codes:?}");
        assert_eq!(events(&app, "auth.password_check_failed").await, 5);
        assert_eq!(events(&app, "user.password_changed").await, 0);

        // Even the right current password waits now, on both edges...
        let right = format!(r#"mutation {{ changeOwnPassword(currentPassword: "{PASSWORD}", newPassword: "{NEW_PASSWORD}") }}"#);
        let (_, body) = graphql(&app, &access, &right).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "too_many_requests", "{body}");
        let (status, body) = as_bearer(&app, &access, Method::POST, "/api/v1/auth/password",
            Some(json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}))).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_requests")));
        // ...and nothing changed: the old password still logs in.
        session(&app, "p8.reporter", PASSWORD).await;
    }

    async fn a_burst_of_rest_password_changes_checks_five_and_an_unlock_lifts_the_wait(app: TestApp) {
        app.seed_catalogue().await;
        let id = create(&app, "p8.reporter").await;
        let (access, _) = session(&app, "p8.reporter", PASSWORD).await;
        let burst = (0..20).map(|i| {
            let (app, access) = (&app, &access);
            async move {
                let res = app.client.post(format!("{}/api/v1/auth/password", app.base)).bearer_auth(access)
                    .json(&json!({"current_password": format!("guess-number-{i}"), "new_password": NEW_PASSWORD}))
                    .send().await.unwrap();
                let retry = res.headers().get("retry-after").is_some();
                let (status, body) = common::read(res).await;
                (status, body["code"].as_str().unwrap().to_owned(), retry)
            }
        });
        let answers = futures::future::join_all(burst).await;
        let checked = answers.iter().filter(|(s, c, _)| *s == StatusCode::UNAUTHORIZED && c == "unauthorized").count();
        let refused = answers.iter().filter(|(s, c, r)| *s == StatusCode::TOO_MANY_REQUESTS && c == "too_many_requests" && *r).count();
        assert_eq!((checked, refused), (5, 15), "{answers:?}");
        assert_eq!(events(&app, "auth.password_check_failed").await, 5);

        patch(&app, id, json!({"unlock": true})).await;
        let (status, body) = as_bearer(&app, &access, Method::POST, "/api/v1/auth/password",
            Some(json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}))).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        session(&app, "p8.reporter", NEW_PASSWORD).await;
    }
}
