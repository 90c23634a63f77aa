//! `/graphql` over HTTP, hardened against what async-graphql's defaults let through:
//! POST only with `application/json` (else 415), GET only for queries (a mutation is 405 and
//! does not run), batches refused (400), a body limit of its own (413), a field-count limit
//! that counts aliases, and a per-request timeout. Refused authorizations are audited.

use std::time::Duration;

use async_graphql::{
    Data, ErrorExtensions,
    dataloader::{DataLoader, Loader},
    http::ALL_WEBSOCKET_PROTOCOLS,
};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::{
    body::{Body, to_bytes},
    extract::{RawQuery, State, WebSocketUpgrade},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use super::{
    limits::{self, MAX_FIELDS},
    loaders::{AncestorsLoader, AttainmentLoader, ChildrenLoader, UnitLoader},
};
use crate::{ApiError, AppState, auth::Caller};

/// How long a DataLoader waits for sibling fields to join a batch.
const BATCH_WINDOW: Duration = Duration::from_millis(3);

fn loader<L: Loader<K>, K: Send + Sync + std::hash::Hash + Eq + Clone + 'static>(
    l: L,
) -> DataLoader<L> {
    DataLoader::new(l, tokio::spawn).delay(BATCH_WINDOW)
}

/// Largest GraphQL request body.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// What every resolver of one request (or one WebSocket connection) can reach: the state,
/// the caller and fresh DataLoaders (never shared between callers, so nothing cached leaks).
fn request_data(state: &AppState, caller: Caller) -> Data {
    let db = state.db.clone();
    let mut data = Data::default();
    data.insert(state.clone());
    data.insert(caller);
    data.insert(loader(ChildrenLoader(db.clone())));
    data.insert(loader(UnitLoader(db.clone())));
    data.insert(loader(AncestorsLoader(db.clone())));
    data.insert(loader(AttainmentLoader(db)));
    data
}

fn json(status: StatusCode, body: &impl serde::Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut res = (status, bytes).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

async fn run(state: &AppState, caller: Caller, mut request: async_graphql::Request) -> Response {
    // The parsed document is kept in the request for the executor. An unparsable one is left
    // to the executor, which answers in GraphQL's own shape.
    if request.parsed_query().is_ok_and(limits::too_many_fields) {
        return ApiError::bad_request(
            "query_too_large",
            format!("a query may select at most {MAX_FIELDS} fields, aliases included"),
        )
        .into_response();
    }
    let timeout = state.config.graphql_timeout;
    request.data = request_data(state, caller.clone());
    let Ok(response) = tokio::time::timeout(timeout, state.graphql.execute(request)).await else {
        // The unfinished resolvers were dropped mid-way: an open transaction rolls back.
        let error = ApiError::Timeout(format!(
            "the query took longer than {} ms and was stopped",
            timeout.as_millis()
        ))
        .extend();
        return json(
            StatusCode::SERVICE_UNAVAILABLE,
            &async_graphql::Response::from_errors(vec![
                error.into_server_error(Default::default()),
            ]),
        );
    };
    for error in &response.errors {
        let forbidden = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .is_some_and(|c| *c == async_graphql::Value::from("forbidden"));
        if forbidden {
            let path: Vec<serde_json::Value> = error
                .path
                .iter()
                .map(|s| serde_json::to_value(s).unwrap_or_default())
                .collect();
            crate::auth::refusals::record(
                state,
                &caller,
                serde_json::json!({ "graphql_path": path, "reason": error.message }),
            )
            .await;
        }
    }
    json(StatusCode::OK, &response)
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
    let caller = match bearer_caller(&state, &headers).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
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
    run(&state, caller, request).await
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
    let operation_name = param("operationName");
    let mut request = async_graphql::Request::new(query);
    if let Some(name) = &operation_name {
        request = request.operation_name(name);
    }
    if request
        .parsed_query()
        .is_ok_and(|doc| !limits::is_query(doc, operation_name.as_deref()))
    {
        let mut res =
            ApiError::MethodNotAllowed("GET runs queries only; send mutations with POST".into())
                .into_response();
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return res;
    }
    let caller = match bearer_caller(&state, &headers).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
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
    run(&state, caller, request).await
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

fn bearer_token(value: &str) -> Result<&str, ApiError> {
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

/// `GET /graphql/ws`: subscriptions over graphql-ws (or the legacy subscriptions-transport-ws).
/// The token goes in the `connection_init` payload as `{"Authorization": "Bearer …"}`.
pub async fn websocket(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let schema = state.graphql.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let value = payload
                        .get("Authorization")
                        .or_else(|| payload.get("authorization"))
                        .and_then(|v| v.as_str())
                        .ok_or_else(|| {
                            async_graphql::Error::new(
                                "connection_init needs an Authorization: Bearer token",
                            )
                        })?
                        .to_owned();
                    let token = bearer_token(&value).map_err(|e| e.extend())?;
                    let caller = Caller::from_token(&state, token)
                        .await
                        .map_err(|e| e.extend())?;
                    Ok(request_data(&state, caller))
                })
                .serve()
        })
}

/// How long one GraphQL request may run by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
