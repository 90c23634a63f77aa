//! What a browser gets: GraphiQL and the API reference served entirely by this server (no
//! CDN), the security and caching headers of every answer, and CORS — off by default, an
//! allow-list of exact origins when configured.
#![allow(clippy::unwrap_used)]

mod common;

use common::TestApp;
use reqwest::{Method, Response, StatusCode};
use serde_json::json;

const DASHBOARD: &str = "https://dashboard.example.gov.vn";
const OTHER: &str = "https://evil.example";

fn header(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

fn cors_headers(res: &Response) -> Vec<String> {
    res.headers()
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k.starts_with("access-control-"))
        .collect()
}

/// Every `src="…"` and `href="…"` of a page.
fn references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            let end = rest.find('"').unwrap();
            out.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    out
}

async fn preflight(app: &TestApp, origin: &str, method: &str, headers: &str) -> Response {
    app.client
        .request(
            Method::OPTIONS,
            format!("{}/api/v1/data-value-sets", app.base),
        )
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", headers)
        .send()
        .await
        .unwrap()
}

both_databases! {
    async fn both_pages_and_every_asset_they_load_come_from_this_server(app: TestApp) {
        for page in ["/docs", "/graphql"] {
            let res = app.client.get(format!("{}{page}", app.base)).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{page}");
            assert!(header(&res, "content-type").unwrap().starts_with("text/html"), "{page}");
            assert_eq!(header(&res, "x-content-type-options").as_deref(), Some("nosniff"));
            assert_eq!(header(&res, "cache-control").as_deref(), Some("no-cache"));
            let csp = header(&res, "content-security-policy").unwrap();
            for directive in ["default-src 'self'", "script-src 'self';", "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'"] {
                assert!(csp.contains(directive), "{page}: {csp}");
            }
            let html = res.text().await.unwrap();
            assert!(!html.contains("http://") && !html.contains("https://"), "{page} names another host:\n{html}");
            // Every script is a file of this server (no inline script), and there is one at least.
            assert_eq!(html.matches("<script").count(), html.matches("<script src=\"/assets/").count(), "{page}");
            assert!(html.matches("<script src=\"/assets/").count() >= 2, "{page}");
            let refs = references(&html);
            assert!(!refs.is_empty());
            for url in refs {
                assert!(url.starts_with("/assets/") && !url.starts_with("//"), "{page}: {url} is not same-origin");
                let res = app.client.get(format!("{}{url}", app.base)).send().await.unwrap();
                assert_eq!(res.status(), StatusCode::OK, "{url}");
                let content_type = header(&res, "content-type").unwrap();
                let expected = if url.ends_with(".js") { "text/javascript" } else { "text/css" };
                assert!(content_type.starts_with(expected), "{url}: {content_type}");
                assert_eq!(header(&res, "cache-control").as_deref(), Some("public, max-age=31536000, immutable"), "{url}");
                assert_eq!(header(&res, "x-content-type-options").as_deref(), Some("nosniff"));
                assert!(res.bytes().await.unwrap().len() > 100, "{url}");
            }
        }
        // The reference reads this server's own document.
        let html = app.client.get(format!("{}/docs", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains(r#"data-openapi-url="/openapi.json""#));
        // The licences of the vendored packages are served beside them.
        for dir in ["graphiql-3.9.0", "react-18.3.1", "react-dom-18.3.1", "scalar-api-reference-1.76.0"] {
            let res = app.client.get(format!("{}/assets/{dir}/LICENSE", app.base)).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{dir}");
            assert!(res.text().await.unwrap().contains("MIT License"), "{dir}");
        }
        for missing in ["/assets/graphiql-3.9.0/nope.js", "/assets/chitieu/docs.js", "/assets/graphiql-3.9.0/..%2F..%2FCargo.toml"] {
            let (status, body) = common::read(app.client.get(format!("{}{missing}", app.base)).send().await.unwrap()).await;
            assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{missing}");
        }
    }

    async fn every_answer_is_nosniff_and_secrets_are_never_cached(app: TestApp) {
        app.seed_catalogue().await;
        let login = app.client.post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"username": "admin", "password": common::ADMIN_PASSWORD})).send().await.unwrap();
        let mut secrets = vec![("login", header(&login, "cache-control"))];
        let refresh_token = login.json::<serde_json::Value>().await.unwrap()["refresh_token"].as_str().unwrap().to_owned();
        let refresh = app.client.post(format!("{}/api/v1/auth/refresh", app.base))
            .json(&json!({"refresh_token": refresh_token})).send().await.unwrap();
        assert_eq!(refresh.status(), StatusCode::OK);
        secrets.push(("refresh", header(&refresh, "cache-control")));
        let token = app.req(Method::POST, "/api/v1/api-tokens")
            .json(&json!({"name": "p8", "org_unit": "VT-P8", "scopes": ["data:read"]})).send().await.unwrap();
        assert_eq!(token.status(), StatusCode::CREATED);
        secrets.push(("api token", header(&token, "cache-control")));
        let user = app.req(Method::POST, "/api/v1/users")
            .json(&json!({"username": "p8.viewer", "password": "Very-Long-Pass-2023", "role": "viewer", "org_unit": "VT-P8"}))
            .send().await.unwrap();
        assert_eq!(user.status(), StatusCode::CREATED);
        secrets.push(("user", header(&user, "cache-control")));
        for path in ["/api/v1/users", "/api/v1/api-tokens", "/api/v1/org-units", "/healthz", "/api/v1/nothing"] {
            let res = app.req(Method::GET, path).send().await.unwrap();
            secrets.push((path, header(&res, "cache-control")));
        }
        let unauthorised = app.client.get(format!("{}/api/v1/users", app.base)).send().await.unwrap();
        assert_eq!(unauthorised.status(), StatusCode::UNAUTHORIZED);
        secrets.push(("401", header(&unauthorised, "cache-control")));
        for (what, cache) in secrets {
            assert_eq!(cache.as_deref(), Some("no-store"), "{what}");
        }

        // A pulled read keeps revalidation: a client may keep it privately and ask again.
        let res = app.req(Method::GET, "/api/v1/data-values?org_unit=VT").send().await.unwrap();
        let etag = header(&res, "etag").unwrap();
        assert_eq!(header(&res, "cache-control").as_deref(), Some("private, no-cache"));
        let res = app.req(Method::GET, "/api/v1/data-values?org_unit=VT").header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(header(&res, "cache-control").as_deref(), Some("private, no-cache"));

        for res in [
            app.req(Method::GET, "/api/v1/org-units").send().await.unwrap(),
            app.req(Method::DELETE, "/api/v1/org-units").send().await.unwrap(),
            app.client.get(format!("{}/metrics", app.base)).send().await.unwrap(),
        ] {
            assert_eq!(header(&res, "x-content-type-options").as_deref(), Some("nosniff"));
            assert_eq!(header(&res, "referrer-policy").as_deref(), Some("no-referrer"));
            assert_eq!(header(&res, "content-security-policy").as_deref(), Some("default-src 'none'; frame-ancestors 'none'"));
        }
    }

    async fn cors_is_off_by_default_and_a_preflight_is_not_a_405(app: TestApp) {
        let res = preflight(&app, DASHBOARD, "POST", "authorization, content-type").await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert!(cors_headers(&res).is_empty(), "{:?}", res.headers());
        let res = app.req(Method::GET, "/api/v1/org-units").header("origin", DASHBOARD).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(cors_headers(&res).is_empty(), "{:?}", res.headers());
    }
}

mod configured {
    use super::*;

    both_databases! {
        config = |c| c.cors_origins = vec![DASHBOARD.into(), "http://localhost:5173".into()];

        async fn an_allowed_origin_may_call_the_api_and_no_other_origin_sees_cors_headers(app: TestApp) {
            app.seed_catalogue().await;
            let res = preflight(&app, DASHBOARD, "POST", "authorization, content-type, idempotency-key").await;
            assert!(res.status().is_success(), "{}", res.status());
            assert_eq!(header(&res, "access-control-allow-origin").as_deref(), Some(DASHBOARD));
            let methods = header(&res, "access-control-allow-methods").unwrap();
            for m in ["GET", "POST", "PATCH", "DELETE"] {
                assert!(methods.contains(m), "{methods}");
            }
            let allowed = header(&res, "access-control-allow-headers").unwrap().to_ascii_lowercase();
            for h in ["authorization", "content-type", "idempotency-key", "if-match", "if-none-match"] {
                assert!(allowed.contains(h), "{allowed}");
            }
            assert_eq!(header(&res, "access-control-max-age").as_deref(), Some("600"));
            assert!(header(&res, "access-control-allow-credentials").is_none(), "tokens travel in Authorization");

            let res = app.req(Method::GET, "/api/v1/data-values?org_unit=VT").header("origin", DASHBOARD).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert_eq!(header(&res, "access-control-allow-origin").as_deref(), Some(DASHBOARD));
            let exposed = header(&res, "access-control-expose-headers").unwrap().to_ascii_lowercase();
            for h in ["etag", "x-request-id", "chitieu-next-updated-since", "retry-after", "idempotent-replayed"] {
                assert!(exposed.contains(h), "{exposed}");
            }
            assert!(header(&res, "vary").unwrap().to_ascii_lowercase().contains("origin"));
            let res = preflight(&app, "http://localhost:5173", "GET", "authorization").await;
            assert_eq!(header(&res, "access-control-allow-origin").as_deref(), Some("http://localhost:5173"));

            // Another origin, a look-alike, or no Origin at all: no Access-Control-* header.
            for origin in [OTHER, "https://dashboard.example.gov.vn.evil.example", "http://dashboard.example.gov.vn"] {
                let res = preflight(&app, origin, "POST", "authorization").await;
                assert_eq!(res.status(), StatusCode::NO_CONTENT, "{origin}");
                assert!(cors_headers(&res).is_empty(), "{origin}: {:?}", res.headers());
                let res = app.req(Method::GET, "/api/v1/org-units").header("origin", origin).send().await.unwrap();
                assert_eq!(res.status(), StatusCode::OK);
                assert!(cors_headers(&res).is_empty(), "{origin}: {:?}", res.headers());
            }
            let res = app.client.request(Method::OPTIONS, format!("{}/api/v1/org-units", app.base)).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::NO_CONTENT);
            assert!(cors_headers(&res).is_empty());
            let res = app.req(Method::GET, "/api/v1/org-units").send().await.unwrap();
            assert!(cors_headers(&res).is_empty(), "{:?}", res.headers());
        }
    }
}

#[tokio::test]
async fn a_cors_origin_that_is_not_an_exact_origin_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    for bad in [
        "*",
        "https://dashboard.example.gov.vn/",
        "dashboard.example.gov.vn",
    ] {
        let mut config =
            chitieu_api::Config::new(format!("sqlite://{}", dir.path().join("t.db").display()));
        config.listen = "127.0.0.1:0".into();
        config.cors_origins = vec![bad.into()];
        let err = chitieu_api::build(config).await.err().expect("refused");
        assert!(err.to_string().contains("CHITIEU_CORS_ORIGINS"), "{err}");
    }
}
