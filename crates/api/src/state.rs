//! Shared state of every request.

use std::sync::Arc;

use chitieu_persistence::Database;

use crate::{
    Config,
    auth::{JwtKeys, PasswordHasher},
};

/// Cheap to clone: everything is behind `Arc` or already shared.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Database,
    /// Access-token keys.
    pub jwt: Arc<JwtKeys>,
    /// Password hashing.
    pub passwords: PasswordHasher,
    /// Configuration.
    pub config: Arc<Config>,
    /// The GraphQL schema.
    pub graphql: crate::graphql::ChitieuSchema,
    /// Per-caller request rate limit.
    pub rate_limiter: Arc<crate::auth::RateLimiter>,
    /// Counters served at `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Set while a statistics refresh runs, so only one runs at a time.
    pub analysing: Arc<std::sync::atomic::AtomicBool>,
    /// Committed changes, for live subscriptions.
    pub changes: tokio::sync::broadcast::Sender<Arc<Change>>,
}

/// Something committed that can move figures or attainment.
#[derive(Clone, Debug)]
pub struct Change {
    /// Codes of the org units whose figures changed; empty when the catalogue (targets,
    /// indicators, the tree) changed, which can move every unit's attainment.
    pub org_units: Vec<String>,
    /// When (microseconds since the epoch).
    pub at: i64,
    /// The report whose state changed, for a report transition (its unit is the one code of
    /// `org_units`).
    pub report: Option<ReportChange>,
}

/// A committed report transition, as subscriptions see it.
#[derive(Clone, Debug)]
pub struct ReportChange {
    /// The data set's code.
    pub data_set: String,
    /// The unit's code.
    pub org_unit: String,
    /// The period, canonical.
    pub period: String,
    /// The new state.
    pub state: chitieu_domain::ReportState,
    /// The reason of a return.
    pub reason: Option<String>,
}

impl AppState {
    /// After a committed write: refreshes planner statistics in the background when much of
    /// a figure table changed (PostgreSQL only; never delays the response).
    pub fn refresh_statistics_later(&self) {
        use std::sync::atomic::Ordering;
        if self.db.backend_name() != "postgres" || self.analysing.swap(true, Ordering::AcqRel) {
            return;
        }
        let state = self.clone();
        tokio::spawn(async move {
            match state.db.refresh_statistics().await {
                Ok(tables) if !tables.is_empty() => {
                    tracing::info!(?tables, "planner statistics refreshed")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "refreshing planner statistics failed"),
            }
            state.analysing.store(false, Ordering::Release);
        });
    }

    /// Tells live subscriptions that figures of these units changed (nobody listening is
    /// fine).
    /// `org_units` is only called when a subscription is listening.
    pub fn notify_figures_changed(&self, org_units: impl FnOnce() -> Vec<String>) {
        if self.changes.receiver_count() == 0 {
            return;
        }
        let _ = self.changes.send(Arc::new(Change {
            org_units: org_units(),
            at: chitieu_persistence::now_micros(),
            report: None,
        }));
    }

    /// Tells live subscriptions that a report's state changed (nobody listening is fine).
    pub fn notify_report_changed(&self, report: ReportChange, at: i64) {
        if self.changes.receiver_count() == 0 {
            return;
        }
        let _ = self.changes.send(Arc::new(Change {
            org_units: vec![report.org_unit.clone()],
            at,
            report: Some(report),
        }));
    }
}
