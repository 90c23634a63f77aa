//! Strong ETags and `If-None-Match` for the pulled reads (data values, aggregates,
//! attainment), implemented once as a middleware: the tag is a hash of the 200 body, and a
//! request whose `If-None-Match` names it gets 304 with the same headers and no body.

use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::ApiError;

/// Tags 200 answers to GET and HEAD, and answers 304 when the client already has them.
pub async fn conditional(req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let res = next.run(req).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            return ApiError::internal(format!("reading a response body: {e}")).into_response();
        }
    };
    let tag = strong_tag(&bytes);
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    if if_none_match.is_some_and(|v| matches(&v, &tag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        strip_content_headers(&mut parts.headers);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `"<first 128 bits of SHA-256 in hex>"`.
fn strong_tag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `W/` prefixes are ignored,
/// and `*` matches any current representation.
fn matches(header: &HeaderValue, tag: &str) -> bool {
    let Ok(list) = header.to_str() else {
        return false;
    };
    list.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag
    })
}

fn strip_content_headers(headers: &mut HeaderMap) {
    headers.remove(header::CONTENT_LENGTH);
    headers.remove(header::CONTENT_TYPE);
    headers.remove(header::TRANSFER_ENCODING);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_lists_star_and_weak_tags_match() {
        let tag = strong_tag(b"{}");
        assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 34);
        let hv = |s: &str| HeaderValue::from_str(s).expect("header");
        assert!(matches(&hv(&tag), &tag));
        assert!(matches(&hv(&format!("\"other\", W/{tag}")), &tag));
        assert!(matches(&hv("*"), &tag));
        assert!(!matches(&hv("\"other\""), &tag));
        assert!(!matches(&hv(&tag[1..33]), &tag));
    }
}
