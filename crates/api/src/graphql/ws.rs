//! `/graphql/ws`: graphql-ws (or the legacy subscriptions-transport-ws). The bearer token goes
//! in the `connection_init` payload; every operation on the socket (query, mutation or
//! subscription) then re-resolves the caller from the database (a revoked or expired token or
//! a disabled user is refused with `unauthorized`), takes one request from its rate limit and
//! runs through the same pipeline as HTTP: document checks, time limit, refusal audit.

use std::sync::{Arc, OnceLock};

use async_graphql::{
    Data, ErrorExtensions, Executor, Request, Response, http::ALL_WEBSOCKET_PROTOCOLS,
    parser::types::OperationType,
};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::{
    extract::{State, WebSocketUpgrade},
    response::Response as HttpResponse,
};
use futures::{StreamExt, stream::BoxStream};

use super::{
    http::{MAX_BODY_BYTES, bearer_token},
    pipeline::{self, Answer},
};
use crate::{ApiError, AppState, auth::Caller};

/// `GET /graphql/ws`: upgrades to a GraphQL WebSocket. A message may be as large as an HTTP
/// GraphQL request body, no larger.
pub async fn websocket(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(MAX_BODY_BYTES)
        .max_frame_size(MAX_BODY_BYTES)
        .on_upgrade(move |stream| {
            let connection = Connection {
                state,
                caller: Arc::default(),
            };
            let init = connection.clone();
            GraphQLWebSocket::new(stream, connection, protocol)
                .on_connection_init(move |payload| async move {
                    init.authenticate(&payload).await.map(|()| Data::default())
                })
                .serve()
        })
}

/// One socket: the caller that opened it, and what every operation runs with.
#[derive(Clone)]
struct Connection {
    state: AppState,
    caller: Arc<OnceLock<Caller>>,
}

impl Connection {
    /// `connection_init`: resolves the token of the payload's `Authorization` entry.
    async fn authenticate(&self, payload: &serde_json::Value) -> async_graphql::Result<()> {
        let value = payload
            .get("Authorization")
            .or_else(|| payload.get("authorization"))
            .and_then(|v| v.as_str())
            .ok_or_else(|| {
                async_graphql::Error::new("connection_init needs an Authorization: Bearer token")
            })?;
        let token = bearer_token(value).map_err(|e| e.extend())?;
        let caller = Caller::from_token(&self.state, token)
            .await
            .map_err(|e| e.extend())?;
        // async-graphql runs connection_init once per socket.
        let _ = self.caller.set(caller);
        Ok(())
    }

    /// The socket's caller as of now, charged one request.
    async fn admit(&self) -> Result<Caller, ApiError> {
        let caller = self
            .caller
            .get()
            .ok_or_else(|| ApiError::Unauthorized("connection_init has not succeeded".into()))?
            .reauthorize(&self.state)
            .await?;
        caller.charge(&self.state)?;
        Ok(caller)
    }

    async fn start(self, request: Request) -> BoxStream<'static, Response> {
        let single = |answer: Answer| futures::stream::once(async { answer.response }).boxed();
        let caller = match self.admit().await {
            Ok(caller) => caller,
            Err(e) => return single(Answer::refused(&e)),
        };
        let prepared = match pipeline::prepare(&self.state, request).await {
            Ok(prepared) => prepared,
            Err(answer) => return single(answer),
        };
        if prepared.kind == OperationType::Subscription {
            pipeline::subscribe(&self.state, caller, prepared)
        } else {
            single(pipeline::execute(&self.state, caller, prepared).await)
        }
    }
}

impl Executor for Connection {
    async fn execute(&self, request: Request) -> Response {
        let mut responses = self.clone().start(request).await;
        responses.next().await.unwrap_or_default()
    }

    fn execute_stream(
        &self,
        request: Request,
        _session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        futures::stream::once(self.clone().start(request))
            .flatten()
            .boxed()
    }
}
