//! Refused authorizations go to the audit trail (`auth.refused`), for REST and GraphQL alike.
//!
//! REST: [`audit_refusals`] wraps every route and hands the request an empty [`ActorSlot`];
//! the `Caller` extractor fills it once it knows who is calling; a 403 answer is then
//! recorded with that actor. GraphQL answers 200 with errors, so its handler calls
//! [`record`] for every `forbidden` error instead.

use std::sync::{Arc, Mutex};

use axum::{
    extract::{Request, State},
    http::StatusCode,
    middleware::Next,
    response::Response,
};
use chitieu_persistence::{Scope, audit};

use super::Caller;
use crate::AppState;

/// Why a request was refused, attached to 403 answers by `ApiError`.
#[derive(Clone, Debug)]
pub struct RefusalDetail(pub String);

/// The authenticated caller of the current request, once known.
#[derive(Clone, Default)]
pub struct ActorSlot(Arc<Mutex<Option<Caller>>>);

impl ActorSlot {
    /// Remembers the caller.
    pub fn fill(&self, caller: &Caller) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(caller.clone());
        }
    }

    fn take(&self) -> Option<Caller> {
        self.0.lock().ok().and_then(|mut s| s.take())
    }
}

/// Middleware: records `auth.refused` for every 403 answered to an authenticated caller.
pub async fn audit_refusals(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let slot = ActorSlot::default();
    req.extensions_mut().insert(slot.clone());
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let res = next.run(req).await;
    if res.status() == StatusCode::FORBIDDEN
        && let Some(caller) = slot.take()
    {
        let reason = res
            .extensions()
            .get::<RefusalDetail>()
            .map(|d| d.0.clone())
            .unwrap_or_default();
        record(
            &state,
            &caller,
            serde_json::json!({ "method": method, "path": path, "reason": reason }),
        )
        .await;
    }
    res
}

/// Records one refusal; a failure to record is logged, never turned into another error.
pub async fn record(state: &AppState, caller: &Caller, detail: serde_json::Value) {
    let org_unit_id = match caller.scope {
        Scope::All => None,
        Scope::Subtree(root) => Some(root),
    };
    let recorded = async {
        let tx = state.db.write().await?;
        audit::record(
            &tx,
            &caller.actor(),
            vec![audit::NewEvent {
                action: "auth.refused",
                org_unit_id,
                detail: detail.to_string(),
            }],
        )
        .await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = recorded {
        tracing::error!(error = %e, "recording a refused authorization failed");
    }
}
