//! One path for every GraphQL operation, over HTTP and over the WebSocket alike, so the two
//! transports cannot drift apart. The transport brings an authenticated caller already charged
//! one request of its rate limit (HTTP: from the request's bearer token; WebSocket: re-resolved
//! from the database for each operation), then:
//!
//! 1. [`prepare`]: the document is parsed and checked (`limits`) on the blocking pool, inside
//!    the request's time budget: a fragment bomb, an unknown fragment or a cycle is refused
//!    here, before async-graphql's own passes (exponential on such documents) see it;
//! 2. [`execute`] (or [`subscribe`]): it runs in what is left of the budget, with fresh
//!    per-request data (state, caller, DataLoaders);
//! 3. refused authorizations are audited once for the request, with their count.
//!
//! Every error leaving here is a GraphQL error with `extensions.code`.

use std::time::Duration;

use async_graphql::{
    Data, Request, Response, ServerError,
    parser::{parse_query, types::OperationType},
};
use axum::http::StatusCode;
use futures::{StreamExt, stream::BoxStream};
use tokio::time::Instant;

use super::{
    batching::{self, Batches},
    error::{request_error, with_code},
    limits,
    loaders::{AncestorsLoader, AttainmentLoader, ChildrenLoader, UnitLoader},
};
use crate::{ApiError, AppState, auth::Caller};

/// How many refused fields one audit event lists (it counts them all).
const AUDITED_PATHS: usize = 10;

/// A GraphQL answer and the HTTP status it goes with.
pub struct Answer {
    /// 200 for every well-formed request, whatever its GraphQL errors (GraphQL over HTTP with
    /// `application/json`); 429 over the rate limit, 503 past the time limit, 401 when the
    /// caller may no longer act.
    pub status: StatusCode,
    /// The GraphQL response.
    pub response: Response,
    /// Seconds to wait, with 429.
    pub retry_after: Option<u64>,
}

impl Answer {
    /// A request refused before it ran, as a GraphQL error.
    pub fn refused(error: &ApiError) -> Self {
        Self::refused_at(error, Vec::new())
    }

    fn refused_at(error: &ApiError, locations: Vec<async_graphql::Pos>) -> Self {
        let status = match error {
            // Faults in the document are GraphQL request errors: 200.
            ApiError::BadRequest { .. } => StatusCode::OK,
            other => other.status(),
        };
        let retry_after = match error {
            ApiError::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        };
        Self {
            status,
            response: Response::from_errors(vec![request_error(error, locations)]),
            retry_after,
        }
    }
}

/// A parsed and checked request, ready to run before its deadline.
pub struct Prepared {
    request: Request,
    /// The kind of the operation it runs.
    pub kind: OperationType,
    deadline: Instant,
}

/// Parses and checks the request's document on the blocking pool, within the time limit.
pub async fn prepare(state: &AppState, request: Request) -> Result<Prepared, Answer> {
    let timeout = state.config.graphql_timeout;
    let deadline = Instant::now() + timeout;
    let checked = tokio::time::timeout_at(
        deadline,
        tokio::task::spawn_blocking(move || check(request)),
    )
    .await;
    match checked {
        Err(_) => Err(Answer::refused(&timed_out(timeout))),
        Ok(Err(join)) => Err(Answer::refused(&ApiError::internal(join))),
        Ok(Ok(Err((error, locations)))) => Err(Answer::refused_at(&error, locations)),
        Ok(Ok(Ok((request, kind)))) => Ok(Prepared {
            request,
            kind,
            deadline,
        }),
    }
}

type Refused = (ApiError, Vec<async_graphql::Pos>);

/// The synchronous part of [`prepare`]: linear in the document.
fn check(mut request: Request) -> Result<(Request, OperationType), Refused> {
    let refused = |r: limits::Refusal| {
        (
            ApiError::bad_request(r.code(), r.to_string()),
            r.pos().into_iter().collect(),
        )
    };
    limits::check_text(&request.query).map_err(refused)?;
    let doc = parse_query(&request.query).map_err(|e| {
        let locations = e.positions().collect();
        (
            ApiError::bad_request("graphql_parse_error", parse_error_message(&e)),
            locations,
        )
    })?;
    limits::check(&doc).map_err(refused)?;
    let kind =
        limits::operation_type(&doc, request.operation_name.as_deref()).ok_or_else(|| {
            let detail = match &request.operation_name {
                Some(name) => format!(
                    "the document has no operation named \"{}\"",
                    limits::shown(name)
                ),
                None => "the document has several operations: name one in operationName".into(),
            };
            (
                ApiError::bad_request("graphql_validation_failed", detail),
                Vec::new(),
            )
        })?;
    request.set_parsed_query(doc);
    Ok((request, kind))
}

/// What a parse error says, without the parser's copy of the offending line (a one-line
/// document of 2 MiB would come back whole, twice).
fn parse_error_message(e: &async_graphql::parser::Error) -> String {
    match e {
        async_graphql::parser::Error::Syntax { message, start, .. } => {
            let expected = message
                .lines()
                .find_map(|l| l.trim_start().strip_prefix("= "))
                .unwrap_or("unexpected input");
            format!(
                "syntax error at line {}, column {}: {expected}",
                start.line, start.column
            )
        }
        other => other.to_string(),
    }
}

/// Runs a query or a mutation before the deadline, then audits its refusals.
pub async fn execute(state: &AppState, caller: Caller, prepared: Prepared) -> Answer {
    let Prepared {
        mut request,
        deadline,
        ..
    } = prepared;
    let batches = Batches::new();
    request.data = request_data(state, caller.clone(), &batches);
    // Past the deadline the unfinished resolvers are dropped mid-way: an open transaction
    // rolls back.
    let run = batching::paced(&batches, state.graphql.execute(request));
    let Ok(response) = tokio::time::timeout_at(deadline, run).await else {
        return Answer::refused(&timed_out(state.config.graphql_timeout));
    };
    let response = finish(state, &caller, response).await;
    Answer {
        status: StatusCode::OK,
        response,
        retry_after: None,
    }
}

/// Runs a subscription: each event is audited like a request.
pub fn subscribe(
    state: &AppState,
    caller: Caller,
    prepared: Prepared,
) -> BoxStream<'static, Response> {
    let mut request = prepared.request;
    let batches = Batches::new();
    request.data = request_data(state, caller.clone(), &batches);
    let state = state.clone();
    batching::paced_stream(&batches, state.graphql.execute_stream(request))
        .then(move |response| {
            let (state, caller) = (state.clone(), caller.clone());
            async move { finish(&state, &caller, response).await }
        })
        .boxed()
}

/// Codes the request errors async-graphql raised without one and audits the refusals.
async fn finish(state: &AppState, caller: &Caller, mut response: Response) -> Response {
    response.errors = std::mem::take(&mut response.errors)
        .into_iter()
        .map(|e| {
            if e.path.is_empty() {
                with_code(e, "graphql_validation_failed")
            } else {
                e
            }
        })
        .collect();
    audit_refusals(state, caller, &response.errors).await;
    response
}

/// One `auth.refused` event for all the `forbidden` errors of a response: their count, the
/// first path and reason, and the first [`AUDITED_PATHS`] paths.
async fn audit_refusals(state: &AppState, caller: &Caller, errors: &[ServerError]) {
    let refused: Vec<&ServerError> = errors
        .iter()
        .filter(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .is_some_and(|c| *c == async_graphql::Value::from("forbidden"))
        })
        .collect();
    let Some(first) = refused.first() else {
        return;
    };
    let paths: Vec<serde_json::Value> = refused
        .iter()
        .take(AUDITED_PATHS)
        .map(|e| serde_json::to_value(&e.path).unwrap_or_default())
        .collect();
    crate::auth::refusals::record(
        state,
        caller,
        serde_json::json!({
            "count": refused.len(),
            "graphql_path": paths.first(),
            "graphql_paths": paths,
            "reason": first.message,
        }),
    )
    .await;
}

fn timed_out(timeout: Duration) -> ApiError {
    ApiError::Timeout(format!(
        "the query took longer than {} ms and was stopped",
        timeout.as_millis()
    ))
}

/// What every resolver of one operation can reach: the state, the caller and fresh
/// DataLoaders (never shared between operations, so nothing cached leaks or goes stale).
/// Their batches start at the end of each pass of the operation (see `batching`).
fn request_data(state: &AppState, caller: Caller, batches: &std::sync::Arc<Batches>) -> Data {
    use batching::loader;
    let reads = crate::service::tree::TreeReads::of(state);
    let mut data = Data::default();
    data.insert(state.clone());
    data.insert(caller);
    data.insert(loader(ChildrenLoader(reads.clone()), batches));
    data.insert(loader(UnitLoader(reads.clone()), batches));
    data.insert(loader(AncestorsLoader(reads.clone()), batches));
    data.insert(loader(AttainmentLoader(reads), batches));
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parse_error_does_not_echo_the_document() {
        let doc = format!("{{ a {} b(x: ) }}", "c ".repeat(100_000));
        let e = parse_query(&doc).expect_err("a syntax error");
        let message = parse_error_message(&e);
        assert_eq!(
            message,
            "syntax error at line 1, column 200011: expected value"
        );
    }
}
