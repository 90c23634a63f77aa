//! The two browser pages: GraphiQL (`GET /graphql` without a query) and the API reference
//! (`GET /docs`, Scalar). Both load only this server's own [`crate::assets`] and carry no
//! inline script, under a Content-Security-Policy that allows nothing else.

use std::sync::OnceLock;

use axum::{
    http::{HeaderValue, header},
    response::{Html, IntoResponse, Response},
};

use crate::assets::url;

/// Scripts, styles, fonts, images and connections from this server only (`connect-src
/// 'self'` covers the GraphQL WebSocket); no inline script, no plugin, no framing. Inline
/// styles are allowed: both bundles set `style` attributes and inject style elements, and a
/// style cannot run code.
pub const PAGE_CSP: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'";

/// An HTML page with the page policy; `no-cache`, since the asset paths it names change
/// with a new build.
fn page(html: &'static str) -> Response {
    let mut res = Html(html).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

/// The GraphiQL page, talking to `/graphql` and `/graphql/ws`.
pub fn graphiql() -> Response {
    static HTML: OnceLock<String> = OnceLock::new();
    page(HTML.get_or_init(|| {
        format!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chitieu GraphQL</title>
<link rel="stylesheet" href="{css}">
<link rel="stylesheet" href="{own_css}">
</head>
<body>
<div id="graphiql" data-endpoint="/graphql" data-subscription-endpoint="/graphql/ws">Loading…</div>
<script src="{react}"></script>
<script src="{react_dom}"></script>
<script src="{graphiql}"></script>
<script src="{start}"></script>
</body>
</html>
"#,
            css = url("graphiql-3.9.0", "graphiql.min.css"),
            own_css = url("chitieu", "graphiql.css"),
            react = url("react-18.3.1", "react.production.min.js"),
            react_dom = url("react-dom-18.3.1", "react-dom.production.min.js"),
            graphiql = url("graphiql-3.9.0", "graphiql.min.js"),
            start = url("chitieu", "graphiql.js"),
        )
    }))
}

/// The API reference, rendered by Scalar from `/openapi.json`.
pub fn docs() -> Response {
    static HTML: OnceLock<String> = OnceLock::new();
    page(HTML.get_or_init(|| {
        format!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chitieu API</title>
</head>
<body>
<div id="reference" data-openapi-url="/openapi.json"></div>
<script src="{scalar}"></script>
<script src="{start}"></script>
</body>
</html>
"#,
            scalar = url("scalar-api-reference-1.76.0", "standalone.js"),
            start = url("chitieu", "docs.js"),
        )
    }))
}
