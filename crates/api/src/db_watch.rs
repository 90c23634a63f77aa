//! No request waits on a database that stopped answering.
//!
//! Getting a connection is bounded by the database timeout, but a statement already sent to
//! a PostgreSQL server that froze, or sits behind a network that drops packets, just waits.
//! While a request runs, this middleware checks every second whether the database still
//! answers (`Database::ping`: bounded, on a connection of its own, shared between requests);
//! when it does not, the request is stopped and answered 503 `database_unavailable`. Its
//! transaction is dropped with it, so nothing it started is committed. A slow statement on a
//! database that answers is left alone. SQLite (a local file) needs no watch: its waits are
//! bounded by the busy timeout.

use std::time::Duration;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{ApiError, AppState};

/// How long a request runs before the database is checked, and between checks.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// Middleware: answers 503 `database_unavailable` instead of waiting on a database that
/// stopped answering.
pub async fn watch(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !state.db.is_remote() {
        return next.run(req).await;
    }
    let db = state.db.clone();
    let stopped_answering = async move {
        loop {
            tokio::time::sleep(CHECK_EVERY).await;
            if let Err(e) = db.ping().await {
                return e;
            }
        }
    };
    tokio::select! {
        biased;
        res = next.run(req) => res,
        e = stopped_answering => ApiError::from(e).into_response(),
    }
}
