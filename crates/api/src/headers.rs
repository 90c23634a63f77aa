//! What every answer tells a browser: security headers, a caching policy, and CORS.
//!
//! - Every answer carries `X-Content-Type-Options: nosniff` and `Referrer-Policy:
//!   no-referrer`, and a `Content-Security-Policy`: the HTML pages set their own
//!   ([`crate::pages`]), every other answer gets `default-src 'none'; frame-ancestors 'none'`
//!   (JSON is never a document to render, frame or run).
//! - `Cache-Control`: an answer that sets none gets `no-store` (tokens, passwords, users and
//!   figures never land in a cache), or `private, no-cache` when it carries an `ETag` (the
//!   pulled reads: a client keeps them and revalidates with `If-None-Match`). Versioned
//!   assets are `public, max-age=31536000, immutable`, the pages `no-cache`.
//! - CORS is off unless origins are configured (`--cors-origins`): then an allowed origin's
//!   preflight is answered by tower-http's [`CorsLayer`] with the methods and headers the API
//!   uses, and its answers expose the headers a client reads. Every other `OPTIONS` request —
//!   a preflight from an origin not on the list, or with CORS off — is answered 204 with no
//!   `Access-Control-*` header (never 405), so the browser refuses the cross-origin call; and
//!   no answer to a request from such an origin carries an `Access-Control-*` header.

use std::{sync::Arc, time::Duration};

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode, Uri, header},
    middleware::Next,
    response::Response,
};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The policy of every answer that does not set its own.
const API_CSP: HeaderValue = HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'");

/// Request headers a cross-origin client may send.
const ALLOWED_HEADERS: [HeaderName; 5] = [
    header::AUTHORIZATION,
    header::CONTENT_TYPE,
    HeaderName::from_static("idempotency-key"),
    header::IF_MATCH,
    header::IF_NONE_MATCH,
];

/// Answer headers a cross-origin client may read.
const EXPOSED_HEADERS: [HeaderName; 5] = [
    header::ETAG,
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("chitieu-next-updated-since"),
    header::RETRY_AFTER,
    HeaderName::from_static("idempotent-replayed"),
];

/// How long a browser may remember a preflight.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// Adds the security headers and the default `Cache-Control` to every answer.
pub async fn security_headers(mut res: Response) -> Response {
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(API_CSP);
    if !headers.contains_key(header::CACHE_CONTROL) {
        let policy = if headers.contains_key(header::ETAG) {
            "private, no-cache"
        } else {
            "no-store"
        };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    res
}

/// The origins allowed to call the API from a browser (none: CORS off).
#[derive(Clone, Debug, Default)]
pub struct CorsOrigins(Arc<[HeaderValue]>);

impl CorsOrigins {
    /// Parses exact origins (`https://host[:port]`, no path); blank entries are skipped.
    pub fn parse(origins: &[String]) -> anyhow::Result<Self> {
        let mut out = Vec::new();
        for given in origins.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
            out.push(origin(given).map_err(|why| {
                anyhow::anyhow!(
                    "CHITIEU_CORS_ORIGINS: {given:?} is not an origin ({why}); write scheme://host[:port], e.g. https://dashboard.example.gov.vn"
                )
            })?);
        }
        Ok(Self(out.into()))
    }

    fn allows(&self, origin: Option<&HeaderValue>) -> bool {
        origin.is_some_and(|o| self.0.contains(o))
    }

    /// The CORS layer, when any origin is allowed.
    pub fn layer(&self) -> Option<CorsLayer> {
        if self.0.is_empty() {
            return None;
        }
        Some(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(self.0.iter().cloned()))
                .allow_methods([
                    Method::GET,
                    Method::HEAD,
                    Method::POST,
                    Method::PUT,
                    Method::PATCH,
                    Method::DELETE,
                ])
                .allow_headers(ALLOWED_HEADERS)
                .expose_headers(EXPOSED_HEADERS)
                .max_age(PREFLIGHT_MAX_AGE),
        )
    }
}

/// An origin as browsers send it: lowercase scheme and host, a port only when given.
fn origin(given: &str) -> Result<HeaderValue, &'static str> {
    let uri: Uri = given.parse().map_err(|_| "not a URL")?;
    let scheme = uri.scheme_str().ok_or("no scheme")?;
    if !matches!(scheme, "http" | "https") {
        return Err("the scheme must be http or https");
    }
    let authority = uri.authority().ok_or("no host")?;
    if authority.as_str().contains('@') {
        return Err("user information is not part of an origin");
    }
    if !given.ends_with(authority.as_str()) {
        return Err("an origin has no path, query or trailing slash");
    }
    HeaderValue::from_str(&format!(
        "{scheme}://{}",
        authority.as_str().to_ascii_lowercase()
    ))
    .map_err(|_| "not a header value")
}

/// Middleware outside [`CorsLayer`]: only an allowed origin's preflight reaches it; every
/// other `OPTIONS` is 204 without CORS headers, and no answer to a request from an origin
/// not on the list (or without `Origin`) carries an `Access-Control-*` header.
pub async fn cors_gate(State(origins): State<CorsOrigins>, req: Request, next: Next) -> Response {
    let allowed = origins.allows(req.headers().get(header::ORIGIN));
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if req.method() == Method::OPTIONS && !(allowed && preflight) {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::NO_CONTENT;
        res.headers_mut().insert(
            header::VARY,
            HeaderValue::from_static(
                "origin, access-control-request-method, access-control-request-headers",
            ),
        );
        return res;
    }
    let mut res = next.run(req).await;
    if !allowed {
        let cors: Vec<HeaderName> = res
            .headers()
            .keys()
            .filter(|k| k.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for name in cors {
            res.headers_mut().remove(name);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn origins_are_exact_and_normalised() {
        let parsed = CorsOrigins::parse(&[
            "https://Dashboard.Example.gov.vn".into(),
            " http://localhost:5173 ".into(),
            "".into(),
        ])
        .unwrap();
        assert_eq!(
            parsed.0.as_ref(),
            [
                HeaderValue::from_static("https://dashboard.example.gov.vn"),
                HeaderValue::from_static("http://localhost:5173"),
            ]
        );
        assert!(parsed.layer().is_some());
        assert!(CorsOrigins::parse(&[]).unwrap().layer().is_none());
        for bad in [
            "*",
            "dashboard.example.gov.vn",
            "https://x.vn/",
            "https://x.vn/app",
            "https://x.vn?a=1",
            "ftp://x.vn",
            "https://user@x.vn",
        ] {
            assert!(CorsOrigins::parse(&[bad.into()]).is_err(), "{bad}");
        }
    }
}
