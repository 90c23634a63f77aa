//! Extractors whose rejections are problem+json with stable codes.

use axum::{
    extract::{
        FromRequest, FromRequestParts, Request,
        rejection::{JsonRejection, QueryRejection},
    },
    http::request::Parts,
};
use serde::de::DeserializeOwned;

use crate::ApiError;

/// `axum::Json` with contract errors: 400 `malformed_json`, 422 `invalid_body`,
/// 415 `unsupported_media_type`, 413 `payload_too_large`, and 422 `invalid_text` when a
/// string of the body holds NUL or another control character (other than tab and line
/// breaks), naming each such string (see [`crate::text_input`]).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let ct = ct.to_ascii_lowercase();
                ct.starts_with("application/json")
                    || ct
                        .split(';')
                        .next()
                        .is_some_and(|m| m.trim().ends_with("+json"))
            });
        if !json {
            return Err(ApiError::UnsupportedMediaType(
                "expected Content-Type: application/json".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| json_rejection(JsonRejection::BytesRejection(e)))?;
        crate::text_input::check_json_body(&bytes)?;
        from_object_slice(&bytes).map(ApiJson)
    }
}

/// Deserialises a request body that must be a JSON object. serde would also read a struct
/// from an array of its fields in order; a body is an object or it is refused (422
/// `invalid_body`).
pub fn from_object_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(
            match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
                Ok(_) => ApiError::Unprocessable {
                    code: "invalid_body",
                    detail: "the body must be a JSON object".into(),
                },
                Err(e) => ApiError::bad_request(
                    "malformed_json",
                    format!("the body is not valid JSON: {e}"),
                ),
            },
        );
    }
    match axum::Json::<T>::from_bytes(body) {
        Ok(axum::Json(v)) => Ok(v),
        Err(rejection) => Err(json_rejection(rejection)),
    }
}

/// Maps axum's JSON rejection to a contract error.
pub fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonSyntaxError(e) => ApiError::bad_request(
            "malformed_json",
            format!("the body is not valid JSON: {}", e.body_text()),
        ),
        JsonRejection::JsonDataError(e) => ApiError::Unprocessable {
            code: "invalid_body",
            detail: e.body_text(),
        },
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::UnsupportedMediaType("expected Content-Type: application/json".into())
        }
        JsonRejection::BytesRejection(e)
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
        {
            ApiError::PayloadTooLarge("the request body is too large".into())
        }
        other => ApiError::bad_request("invalid_body", other.body_text()),
    }
}

/// `axum::extract::Query` answering 400 `invalid_query` on rejection, and 400
/// `invalid_text` when a parameter holds a control character (tab and line breaks
/// included: every such parameter is single-line text).
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if let Some(query) = parts.uri.query() {
            crate::text_input::check_query(query, chitieu_domain::TextKind::SingleLine)?;
        }
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(query_rejection(e)),
        }
    }
}

fn query_rejection(e: QueryRejection) -> ApiError {
    ApiError::bad_request("invalid_query", e.body_text())
}
