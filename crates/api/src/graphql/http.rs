//! `/graphql` over HTTP, hardened against what async-graphql's defaults let through:
//! POST only with `application/json` (else 415), GET only for queries (a mutation is 405 and
//! does not run), batches refused (400), a body limit of its own (413). These transport
//! refusals, and 401, come before a GraphQL request exists and are problem+json; everything
//! after (document checks, rate limit, time limit, execution, refusal audit) is the shared
//! `pipeline` and answers in GraphQL's own shape.

use std::time::Duration;

use async_graphql::parser::types::OperationType;
use axum::{
    body::{Body, to_bytes},
    extract::{RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::pipeline::{self, Answer};
use crate::{ApiError, AppState, auth::Caller};

/// Largest GraphQL request body (and WebSocket message).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// How long one GraphQL request may run by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

fn json(status: StatusCode, body: &impl serde::Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut res = (status, bytes).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        let mut res = json(self.status, &self.response);
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, value);
        }
        res
    }
}

/// The caller of an HTTP request, charged one request of its rate limit: a missing or invalid
/// token is 401 problem+json (no GraphQL request is read without credentials); the rate
/// limit answers in GraphQL's shape, like every refusal of the pipeline.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, Response> {
    match bearer_caller(state, headers).await {
        Ok(caller) => Ok(caller),
        Err(e @ ApiError::RateLimited { .. }) => Err(Answer::refused(&e).into_response()),
        Err(e) => Err(e.into_response()),
    }
}

/// `POST /graphql`: one JSON request, run with the caller's rights.
pub async fn post(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return ApiError::UnsupportedMediaType(
            "GraphQL requests must be sent as application/json".into(),
        )
        .into_response();
    }
    let caller = match authenticate(&state, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::PayloadTooLarge(format!(
                "a GraphQL request body may be at most {MAX_BODY_BYTES} bytes"
            ))
            .into_response();
        }
    };
    let value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(e) => {
            return ApiError::bad_request(
                "malformed_json",
                format!("the body is not valid JSON: {e}"),
            )
            .into_response();
        }
    };
    if value.is_array() {
        return ApiError::bad_request(
            "batch_not_supported",
            "send one GraphQL request per HTTP request",
        )
        .into_response();
    }
    let request: async_graphql::Request = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(e) => {
            return ApiError::bad_request(
                "invalid_graphql_request",
                format!("not a GraphQL request: {e}"),
            )
            .into_response();
        }
    };
    match pipeline::prepare(&state, request).await {
        Ok(prepared) => pipeline::execute(&state, caller, prepared)
            .await
            .into_response(),
        Err(refused) => refused.into_response(),
    }
}

/// `GET /graphql`: GraphiQL without a `query` parameter; otherwise runs a query (never a
/// mutation: 405).
pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let params: Vec<(String, String)> = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let Some(query) = param("query") else {
        return crate::pages::graphiql();
    };
    let caller = match authenticate(&state, &headers).await {
        Ok(c) => c,
        Err(res) => return res,
    };
    let mut request = async_graphql::Request::new(query);
    if let Some(name) = param("operationName") {
        request = request.operation_name(name);
    }
    if let Some(vars) = param("variables") {
        match serde_json::from_str(&vars) {
            Ok(v) => request = request.variables(async_graphql::Variables::from_json(v)),
            Err(e) => {
                return ApiError::bad_request(
                    "invalid_variables",
                    format!("variables are not a JSON object: {e}"),
                )
                .into_response();
            }
        }
    }
    let prepared = match pipeline::prepare(&state, request).await {
        Ok(prepared) => prepared,
        Err(refused) => return refused.into_response(),
    };
    if prepared.kind != OperationType::Query {
        let mut res =
            ApiError::MethodNotAllowed("GET runs queries only; send mutations with POST".into())
                .into_response();
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return res;
    }
    pipeline::execute(&state, caller, prepared)
        .await
        .into_response()
}

async fn bearer_caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::Unauthorized("an Authorization: Bearer token is required".into())
        })?;
    let token = bearer_token(value)?;
    Caller::from_token(state, token).await
}

/// The token of an `Authorization: Bearer …` value.
pub fn bearer_token(value: &str) -> Result<&str, ApiError> {
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(ApiError::Unauthorized(
            "the Authorization header must use the Bearer scheme".into(),
        )),
    }
}
