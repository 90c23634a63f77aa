//! No password, access token, refresh token or API token is stored in plain text: after a
//! user, a login, a refresh and an API token, every column of every table is searched.
#![allow(clippy::unwrap_used)]

mod common;

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

async fn every_stored_text(url: &str) -> Vec<String> {
    let db = sea_orm::Database::connect(url).await.unwrap();
    let backend = db.get_database_backend();
    let columns_sql = match backend {
        DbBackend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                              WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
        }
        _ => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = 'public'"
        }
    };
    let columns = db
        .query_all_raw(Statement::from_string(backend, columns_sql))
        .await
        .unwrap();
    let mut texts = Vec::new();
    for c in &columns {
        let table: String = c.try_get_by_index(0).unwrap();
        let column: String = c.try_get_by_index(1).unwrap();
        let sql = format!("SELECT CAST(\"{column}\" AS TEXT) FROM \"{table}\"");
        for row in db
            .query_all_raw(Statement::from_string(backend, sql))
            .await
            .unwrap()
        {
            if let Ok(Some(text)) = row.try_get_by_index::<Option<String>>(0) {
                texts.push(text);
            }
        }
    }
    assert!(
        texts.len() > 50,
        "the scan read too little to mean anything"
    );
    texts
}

both_databases! {
    async fn no_secret_is_stored_in_plain_text(app: TestApp) {
        app.seed_catalogue().await;
        let password = "Một-mật-khẩu-rất-dài-2023";
        let (status, _) = app.post("/api/v1/users", &json!({"username": "p8.reporter", "password": password, "role": "reporter", "org_unit": "VT-P8"})).await;
        assert_eq!(status, StatusCode::CREATED);
        let login: Value = app.client.post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": "p8.reporter", "password": password})).send().await.unwrap().json().await.unwrap();
        let refresh = login["refresh_token"].as_str().unwrap().to_owned();
        let refreshed: Value = app.client.post(format!("{}/api/v1/auth/refresh", app.base))
            .json(&json!({"refresh_token": refresh})).send().await.unwrap().json().await.unwrap();
        let (_, token) = app.post("/api/v1/api-tokens", &json!({"name": "p8-ward-system", "org_unit": "VT-P8", "scopes": ["data:write"]})).await;

        let secrets = [
            password.to_owned(),
            common::ADMIN_PASSWORD.to_owned(),
            login["access_token"].as_str().unwrap().to_owned(),
            refresh,
            refreshed["refresh_token"].as_str().unwrap().to_owned(),
            token["token"].as_str().unwrap().to_owned(),
            // Without its prefix too.
            token["token"].as_str().unwrap().trim_start_matches("ctk_").to_owned(),
        ];
        let stored = every_stored_text(&app.database_url).await;
        for secret in &secrets {
            assert!(secret.len() >= 10);
            let found = stored.iter().find(|t| t.contains(secret.as_str()));
            assert!(found.is_none(), "a secret is stored in plain text: {found:?}");
        }
        // The password is stored as an argon2id hash with at least OWASP's parameters.
        let hash = stored.iter().find(|t| t.starts_with("$argon2id$")).expect("an argon2id hash");
        assert!(hash.contains("$m=19456,t=2,p=1$"), "{hash}");
    }
}
